#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::net {

// A request body read on demand, so a large upload never sits in memory
// whole. A transport calls rewind() before each attempt (and when libcurl
// must resend after a redirect), then read() until size() bytes came.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual int64_t size() const = 0;
  // Starts again from the first byte.
  virtual core::Status rewind() = 0;
  // Copies up to `max` next bytes into `buf`; returns 0 only at the end. An
  // error aborts the request, which then fails with that error.
  virtual core::Result<size_t> read(char* buf, size_t max) = 0;
  // True once the source failed for good (unreadable or corrupt data): a
  // retry of the request cannot help.
  virtual bool broken() const { return false; }
};

// A body held in memory (small bodies, tests).
class StringBody : public BodySource {
 public:
  explicit StringBody(std::string data) : data_(std::move(data)) {}
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }
  core::Status rewind() override;
  core::Result<size_t> read(char* buf, size_t max) override;

 private:
  std::string data_;
  size_t pos_ = 0;
};

// The next `n` bytes of `source`; fewer only when it ends first.
core::Result<std::string> read_some(BodySource& source, size_t n);
// The whole body from its first byte (fake transports keep it as a string).
core::Result<std::string> read_all(BodySource& source);

}  // namespace distill::net
