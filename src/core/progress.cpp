#include "core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/units.hpp"

namespace distill::core {

Progress::Progress(std::string label, uint64_t total_items, uint64_t total_bytes, Writer writer,
                   TimeSource now, std::chrono::milliseconds min_interval, Style style)
    : label_(std::move(label)),
      total_items_(total_items),
      total_bytes_(total_bytes),
      writer_(std::move(writer)),
      now_(std::move(now)),
      min_interval_(min_interval) {
  if (style == Style::kAuto)
    style = writer_ || ::isatty(STDERR_FILENO) == 1 ? Style::kRedraw : Style::kLines;
  lines_ = style == Style::kLines;
  if (lines_) min_interval_ = std::max<std::chrono::milliseconds>(min_interval_, kLineInterval);
  if (!writer_) {
    writer_ = [](std::string_view s) {
      std::fwrite(s.data(), 1, s.size(), stderr);
      std::fflush(stderr);
    };
  }
  if (!now_) now_ = [] { return std::chrono::steady_clock::now(); };
}

Progress::~Progress() {
  finish();
}

void Progress::add_bytes(int64_t delta) {
  std::lock_guard<std::mutex> lock(mu_);
  done_bytes_ += delta;
  if (done_bytes_ < 0) done_bytes_ = 0;
  draw_locked(false);
}

void Progress::item_done() {
  std::lock_guard<std::mutex> lock(mu_);
  ++done_items_;
  draw_locked(false);
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  draw_locked(true);
  if (!lines_) writer_("\n");
}

void Progress::draw_locked(bool force) {
  auto now = now_();
  if (lines_ && !drawn_ && !force) {
    // The first line waits one interval: a short transfer shows only its end.
    drawn_ = true;
    last_draw_ = now;
    return;
  }
  if (!force && drawn_ && now - last_draw_ < min_interval_) return;
  drawn_ = true;
  last_draw_ = now;
  std::string line =
      fmt::format("[{}/{}] {} / {}", done_items_, total_items_,
                  human_size(static_cast<uint64_t>(done_bytes_)), human_size(total_bytes_));
  if (!label_.empty()) line = label_ + " " + line;
  if (lines_) {
    writer_(line + "\n");
    return;
  }
  size_t width = line.size();
  // Blank out the tail of a longer previous line.
  if (width < last_width_) line.append(last_width_ - width, ' ');
  last_width_ = width;
  writer_("\r" + line);
}

}  // namespace distill::core
