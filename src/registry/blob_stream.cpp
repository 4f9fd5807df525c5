#include "registry/blob_stream.hpp"

#include <algorithm>
#include <cstring>

namespace distill::registry {

BlobStream::BlobStream(oci::ImageReader& src, oci::Descriptor blob, core::Progress* progress,
                       size_t buffer_bytes)
    : src_(src), blob_(std::move(blob)), progress_(progress), capacity_(buffer_bytes) {}

BlobStream::~BlobStream() {
  stop();
}

void BlobStream::start_locked() {
  started_ = true;
  cancel_ = false;
  done_ = false;
  result_ = core::Status::Ok();
  reader_ = std::thread([this] { produce(); });
}

void BlobStream::produce() {
  core::Status s = src_.stream_blob(blob_, [this](std::string_view chunk) -> core::Status {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return cancel_ || buffered_ < capacity_; });
    if (cancel_) return core::make_error(blob_.digest.str(), "upload cancelled");
    chunks_.emplace_back(chunk);
    buffered_ += chunk.size();
    cv_.notify_all();
    return core::Status::Ok();
  });
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  result_ = s;
  cv_.notify_all();
}

void BlobStream::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_ = true;
    cv_.notify_all();
  }
  if (reader_.joinable()) reader_.join();
  std::lock_guard<std::mutex> lock(mu_);
  chunks_.clear();
  front_offset_ = 0;
  buffered_ = 0;
  started_ = false;
}

core::Status BlobStream::rewind() {
  int64_t discarded = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Nothing read yet: what the reader buffered is still the start.
    if (delivered_ == 0) return core::Status::Ok();
    if (done_ && !result_.ok() && !cancel_) return result_;
    discarded = delivered_;
    delivered_ = 0;
  }
  stop();
  if (progress_) progress_->add_bytes(-discarded);
  return core::Status::Ok();
}

core::Result<size_t> BlobStream::read(char* buf, size_t max) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_) start_locked();
  // Wait for bytes, or for the end; the final bytes only once verified.
  cv_.wait(lock, [&] {
    if (done_) return true;
    if (chunks_.empty()) return false;
    size_t available = chunks_.front().size() - front_offset_;
    return delivered_ + static_cast<int64_t>(std::min(max, available)) < blob_.size;
  });
  if (done_ && !result_.ok()) return result_.error();
  if (chunks_.empty() || max == 0) return size_t{0};
  const std::string& front = chunks_.front();
  size_t n = std::min(max, front.size() - front_offset_);
  n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), blob_.size - delivered_));
  std::memcpy(buf, front.data() + front_offset_, n);
  front_offset_ += n;
  if (front_offset_ == front.size()) {
    buffered_ -= front.size();
    chunks_.pop_front();
    front_offset_ = 0;
    cv_.notify_all();
  }
  delivered_ += static_cast<int64_t>(n);
  lock.unlock();
  if (progress_) progress_->add_bytes(static_cast<int64_t>(n));
  return n;
}

bool BlobStream::broken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_ && !result_.ok() && !cancel_;
}

}  // namespace distill::registry
