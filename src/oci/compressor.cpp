#include "oci/compressor.hpp"

#include <libdeflate.h>
#include <zstd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "oci/media_types.hpp"

namespace distill::oci {
namespace {

core::Error compress_error(std::string what) {
  return core::make_error("layer compression", std::move(what));
}

class Passthrough : public Compressor {
 public:
  explicit Passthrough(Sink sink) : sink_(std::move(sink)) {}
  core::Status write(std::string_view data) override { return sink_(data); }
  core::Status finish() override { return core::Status::Ok(); }

 private:
  Sink sink_;
};

// gzip as a series of members (RFC 1952 2.2: "a gzip file consists of a
// series of members"), so that every core can deflate: the input is cut
// into kGzipBlock-sized blocks, and each becomes a member of its own: a
// fixed header, the block deflated whole by libdeflate (no dictionary: a
// member stands alone), its CRC-32 and size. libdeflate deflates 2.4 times
// as fast as zlib at the same level, and smaller (docs/performance.md).
// Every gunzip reads the members back as one stream (gzip, Go's
// compress/gzip, libarchive, Python's gzip). A member's bytes depend only on
// its block, so the output is the same for any number of threads.
class ParallelGzip : public Compressor {
 public:
  ParallelGzip(Sink sink, int level, unsigned threads)
      : sink_(std::move(sink)), level_(level), threads_(std::max(1u, threads)) {}
  ~ParallelGzip() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : workers_) t.join();
  }

  core::Status write(std::string_view data) override {
    DISTILL_TRY(status_);
    while (!data.empty()) {
      size_t take = std::min(data.size(), kGzipBlock - block_.size());
      block_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (block_.size() == kGzipBlock) DISTILL_TRY(submit());
    }
    return core::Status::Ok();
  }

  core::Status finish() override {
    DISTILL_TRY(status_);
    // An empty input is one empty member: a gzip file has at least one.
    if (!block_.empty() || members_ == 0) DISTILL_TRY(submit());
    while (!in_order_.empty()) DISTILL_TRY(emit_front(true));
    return core::Status::Ok();
  }

 private:
  struct Job {
    std::string input;
    std::string output;
    bool done = false;
    bool failed = false;
  };

  core::Status fail_on(core::Status st) {
    if (!st.ok() && status_.ok()) status_ = st;
    return st;
  }

  core::Status submit() {
    ++members_;
    // Jobs and their buffers are reused: a new allocation per block would
    // churn through the allocator (and an ASan build's quarantine).
    std::shared_ptr<Job> job;
    if (spare_.empty()) {
      job = std::make_shared<Job>();
    } else {
      job = std::move(spare_.back());
      spare_.pop_back();
      job->done = job->failed = false;
    }
    job->input.swap(block_);
    block_.clear();
    in_order_.push_back(job);
    if (threads_ == 1) {
      deflate_member(*job, inline_deflater_);
      job->done = true;
    } else {
      start_workers();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(job);
      }
      work_ready_.notify_one();
    }
    // Done members go out now; at most two per thread wait, which bounds memory.
    while (!in_order_.empty()) {
      bool must_wait = in_order_.size() > 2 * threads_;
      if (!must_wait && !is_done(*in_order_.front())) break;
      DISTILL_TRY(emit_front(must_wait));
    }
    return core::Status::Ok();
  }

  bool is_done(const Job& job) {
    std::lock_guard<std::mutex> lock(mutex_);
    return job.done;
  }

  core::Status emit_front(bool wait) {
    std::shared_ptr<Job> job = in_order_.front();
    if (wait) {
      std::unique_lock<std::mutex> lock(mutex_);
      job_done_.wait(lock, [&] { return job->done; });
    }
    in_order_.pop_front();
    if (job->failed) return fail_on(compress_error("libdeflate could not deflate a block"));
    core::Status st = fail_on(sink_(job->output));
    spare_.push_back(std::move(job));
    return st;
  }

  // One libdeflate compressor per thread, reused for every block.
  struct Deflater {
    libdeflate_compressor* c = nullptr;
    ~Deflater() { libdeflate_free_compressor(c); }
  };

  static void put_le32(std::string& out, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }

  void deflate_member(Job& job, Deflater& d) const {
    // mtime 0, no flags, XFL 0, OS 255 ("unknown", as Go's compress/gzip).
    static const char kHeader[kHeaderSize] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};
    if (d.c == nullptr) d.c = libdeflate_alloc_compressor(level_);
    job.failed = d.c == nullptr;
    if (!job.failed) {
      const size_t in = job.input.size();
      job.output.resize(kHeaderSize + libdeflate_deflate_compress_bound(d.c, in) + kTrailerSize);
      job.output.replace(0, kHeaderSize, kHeader, kHeaderSize);
      size_t n =
          libdeflate_deflate_compress(d.c, job.input.data(), in, job.output.data() + kHeaderSize,
                                      job.output.size() - kHeaderSize - kTrailerSize);
      job.failed = n == 0;
      job.output.resize(kHeaderSize + n + kTrailerSize);
      put_le32(job.output, kHeaderSize + n, libdeflate_crc32(0, job.input.data(), in));
      put_le32(job.output, kHeaderSize + n + 4, static_cast<uint32_t>(in));
    }
    job.input.clear();  // capacity kept for the next block
  }

  void start_workers() {
    if (!workers_.empty()) return;
    for (unsigned i = 0; i < threads_; ++i) workers_.emplace_back([this] { work(); });
  }

  void work() {
    Deflater deflater;
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = queue_.front();
        queue_.pop_front();
      }
      deflate_member(*job, deflater);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        job->done = true;
      }
      job_done_.notify_all();
    }
  }

  static constexpr size_t kHeaderSize = 10;
  static constexpr size_t kTrailerSize = 8;  // CRC-32, size mod 2^32

  Sink sink_;
  int level_;
  unsigned threads_;
  core::Status status_ = core::Status::Ok();
  uint64_t members_ = 0;
  std::string block_;
  std::deque<std::shared_ptr<Job>> in_order_;  // submitted, not yet emitted
  std::vector<std::shared_ptr<Job>> spare_;    // emitted, buffers kept for reuse
  Deflater inline_deflater_;                   // threads_ == 1
  std::mutex mutex_;
  std::condition_variable work_ready_, job_done_;
  std::deque<std::shared_ptr<Job>> queue_;  // submitted, not yet picked by a worker
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

class ZstdCompressor : public Compressor {
 public:
  ZstdCompressor(Sink sink) : sink_(std::move(sink)), out_(ZSTD_CStreamOutSize()) {}
  ~ZstdCompressor() override { ZSTD_freeCCtx(cctx_); }

  core::Status init(int level) {
    cctx_ = ZSTD_createCCtx();
    if (!cctx_) return compress_error("cannot initialise zstd");
    // Pin what a library default or the input's chunking could otherwise vary:
    // a single call with the whole input would record the content size.
    const std::pair<ZSTD_cParameter, int> params[] = {
        {ZSTD_c_compressionLevel, level}, {ZSTD_c_checksumFlag, 1}, {ZSTD_c_contentSizeFlag, 0},
        {ZSTD_c_dictIDFlag, 0},           {ZSTD_c_nbWorkers, 0},
    };
    for (auto [param, value] : params)
      if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, param, value)))
        return compress_error("cannot set zstd parameter " + std::to_string(param));
    return core::Status::Ok();
  }

  core::Status write(std::string_view data) override { return pump(data, ZSTD_e_continue); }
  core::Status finish() override { return pump({}, ZSTD_e_end); }

 private:
  core::Status pump(std::string_view data, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      size_t left = ZSTD_compressStream2(cctx_, &out, &in, mode);
      if (ZSTD_isError(left)) return compress_error(ZSTD_getErrorName(left));
      if (out.pos > 0) DISTILL_TRY(sink_(std::string_view(out_.data(), out.pos)));
      bool done = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
      if (done) return core::Status::Ok();
    }
  }

  Sink sink_;
  std::vector<char> out_;
  ZSTD_CCtx* cctx_ = nullptr;
};

}  // namespace

unsigned default_gzip_threads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, kMaxGzipThreads);
}

std::unique_ptr<Compressor> make_parallel_gzip(int level, unsigned threads, Compressor::Sink sink) {
  return std::make_unique<ParallelGzip>(std::move(sink), level, threads);
}

std::string_view layer_media_type(Compression c) {
  switch (c) {
    case Compression::kNone:
      return kMediaTypeLayer;
    case Compression::kGzip:
      return kMediaTypeLayerGzip;
    case Compression::kZstd:
      return kMediaTypeLayerZstd;
  }
  return kMediaTypeLayer;
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "none";
}

std::string compression_format(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip members=" + std::to_string(kGzipBlock) +
             " level=" + std::to_string(kDefaultGzipLevel) +
             " libdeflate=" + LIBDEFLATE_VERSION_STRING;
    case Compression::kZstd:
      return "zstd level=" + std::to_string(kDefaultZstdLevel) + " zstd=" + ZSTD_versionString();
  }
  return "none";
}

core::Result<Compression> parse_compression(std::string_view text) {
  if (text == "gzip") return Compression::kGzip;
  if (text == "zstd") return Compression::kZstd;
  return core::make_error("--compression", "unknown compression '" + std::string(text) + "'",
                          "gzip or zstd");
}

core::Result<std::unique_ptr<Compressor>> Compressor::create(Compression c, int level, Sink sink) {
  switch (c) {
    case Compression::kNone:
      return std::unique_ptr<Compressor>(std::make_unique<Passthrough>(std::move(sink)));
    case Compression::kGzip: {
      if (level == 0) level = kDefaultGzipLevel;
      if (level < 1 || level > 9)
        return compress_error("gzip level " + std::to_string(level) + " is not in 1..9");
      return make_parallel_gzip(level, default_gzip_threads(), std::move(sink));
    }
    case Compression::kZstd: {
      if (level == 0) level = kDefaultZstdLevel;
      if (level < 1 || level > ZSTD_maxCLevel())
        return compress_error("zstd level " + std::to_string(level) + " is not in 1.." +
                              std::to_string(ZSTD_maxCLevel()));
      auto zs = std::make_unique<ZstdCompressor>(std::move(sink));
      DISTILL_TRY(zs->init(level));
      return std::unique_ptr<Compressor>(std::move(zs));
    }
  }
  return compress_error("unknown compression");
}

}  // namespace distill::oci
