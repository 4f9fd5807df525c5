#pragma once

#include <cstddef>
#include <iterator>
#include <string_view>

namespace distill::core {

// The '\n'-separated lines of a text, as views into it, without the '\n':
//   for (std::string_view line : core::lines(text)) ...
// "a\nb" and "a\nb\n" both give "a", "b"; "" gives none. A '\r' before the
// '\n' stays in the line: callers that accept CRLF trim it with the rest of
// their whitespace.
class Lines {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;

    iterator() = default;
    iterator(std::string_view text, size_t start) : text_(text), start_(start) { find_stop(); }

    std::string_view operator*() const { return text_.substr(start_, stop_ - start_); }
    iterator& operator++() {
      start_ = stop_ + 1;
      find_stop();
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& o) const {
      return at_end() == o.at_end() && (at_end() || start_ == o.start_);
    }

   private:
    bool at_end() const { return start_ >= text_.size(); }
    void find_stop() {
      if (at_end()) return;
      stop_ = text_.find('\n', start_);
      if (stop_ == std::string_view::npos) stop_ = text_.size();
    }

    std::string_view text_;
    size_t start_ = 0;
    size_t stop_ = 0;
  };

  explicit Lines(std::string_view text) : text_(text) {}
  iterator begin() const { return iterator(text_, 0); }
  iterator end() const { return iterator(text_, text_.size()); }

 private:
  std::string_view text_;
};

inline Lines lines(std::string_view text) {
  return Lines(text);
}

}  // namespace distill::core
