#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "core/progress.hpp"
#include "net/body_source.hpp"
#include "oci/image_reader.hpp"

namespace distill::registry {

// One blob of an image as an upload body, without holding it in memory: a
// reader thread runs ImageReader::stream_blob into a bounded buffer that the
// upload drains. The last bytes are held back until the reader has checked
// size and digest, so a corrupt blob aborts the request before the registry
// could complete it. Memory stays at `buffer_bytes` plus one chunk per blob.
class BlobStream : public net::BodySource {
 public:
  BlobStream(oci::ImageReader& src, oci::Descriptor blob, core::Progress* progress = nullptr,
             size_t buffer_bytes = size_t{4} << 20);
  ~BlobStream() override;
  BlobStream(const BlobStream&) = delete;
  BlobStream& operator=(const BlobStream&) = delete;

  int64_t size() const override { return blob_.size; }
  core::Status rewind() override;
  core::Result<size_t> read(char* buf, size_t max) override;
  bool broken() const override;

 private:
  void start_locked();
  void stop();
  void produce();

  oci::ImageReader& src_;
  oci::Descriptor blob_;
  core::Progress* progress_;
  size_t capacity_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  size_t front_offset_ = 0;  // bytes of chunks_.front() already read
  size_t buffered_ = 0;
  int64_t delivered_ = 0;
  bool started_ = false;
  bool cancel_ = false;
  bool done_ = false;
  core::Status result_;
  std::thread reader_;
};

}  // namespace distill::registry
