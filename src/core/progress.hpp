#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace distill::core {

// A one-line "[12/40] 23.4 MiB / 80.0 MiB" display. Thread-safe: download
// workers report into it concurrently. On a terminal it is redrawn in place
// with '\r' at most every `min_interval`, so a fast stream of chunks costs
// nothing. Elsewhere (a CI log, a file) '\r' would pile up into one huge
// line, so it writes whole lines instead, at most every kLineInterval, and
// the final state. The caller decides whether to show it at all (-q).
class Progress {
 public:
  using Writer = std::function<void(std::string_view)>;
  using TimeSource = std::function<std::chrono::steady_clock::time_point()>;
  enum class Style {
    kAuto,    // kRedraw when writing to a terminal's stderr, else kLines
    kRedraw,  // one line redrawn in place
    kLines,   // plain lines, a few seconds apart
  };
  static constexpr std::chrono::seconds kLineInterval{5};

  // Writes to stderr by default.
  Progress(std::string label, uint64_t total_items, uint64_t total_bytes, Writer writer = {},
           TimeSource now = {},
           std::chrono::milliseconds min_interval = std::chrono::milliseconds(100),
           Style style = Style::kAuto);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add_bytes(int64_t delta);  // negative when a retry discards bytes
  void item_done();
  // Draws the final state and ends the line; later calls do nothing.
  void finish();

 private:
  void draw_locked(bool force);

  std::mutex mu_;
  std::string label_;
  uint64_t total_items_;
  uint64_t total_bytes_;
  uint64_t done_items_ = 0;
  int64_t done_bytes_ = 0;
  Writer writer_;
  TimeSource now_;
  std::chrono::milliseconds min_interval_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  bool finished_ = false;
  bool lines_ = false;
  size_t last_width_ = 0;
};

}  // namespace distill::core
