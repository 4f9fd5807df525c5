#include "oci/compressor.hpp"

#include <zlib.h>
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

constexpr size_t kOutChunk = 1 << 17;

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

// gzip as pigz writes it, so that every core can deflate: the input is cut
// into kGzipBlock-sized blocks, and each is deflated on its own (raw deflate,
// memLevel 8, default strategy) with the 32 KiB of input before it as its
// dictionary, ending in a sync flush (an empty stored block, byte-aligned),
// the last one in the end of the stream. One header and one trailer (CRC-32,
// size) go around them. A block's bytes depend only on its input and the
// 32 KiB before it, so the output is the same for any number of threads.
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
    crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(data.data()), data.size());
    size_ += data.size();
    while (!data.empty()) {
      size_t take = std::min(data.size(), kGzipBlock - block_.size());
      block_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (block_.size() == kGzipBlock) DISTILL_TRY(submit(false));
    }
    return core::Status::Ok();
  }

  core::Status finish() override {
    DISTILL_TRY(status_);
    DISTILL_TRY(submit(true));
    while (!in_order_.empty()) DISTILL_TRY(emit_front(true));
    unsigned char trailer[8];
    for (int i = 0; i < 4; ++i) trailer[i] = static_cast<unsigned char>(crc_ >> (8 * i));
    for (int i = 0; i < 4; ++i) trailer[4 + i] = static_cast<unsigned char>(size_ >> (8 * i));
    return fail_on(sink_(std::string_view(reinterpret_cast<char*>(trailer), sizeof trailer)));
  }

 private:
  struct Job {
    std::string input;
    std::string dictionary;
    bool last = false;
    std::string output;
    bool done = false;
    bool failed = false;
  };

  core::Status fail_on(core::Status st) {
    if (!st.ok() && status_.ok()) status_ = st;
    return st;
  }

  core::Status submit(bool last) {
    if (!header_written_) {
      // mtime 0, no flags, XFL 0, OS 255 ("unknown", as Go's compress/gzip).
      static const char kHeader[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};
      DISTILL_TRY(fail_on(sink_(std::string_view(kHeader, sizeof kHeader))));
      header_written_ = true;
    }
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
    job->dictionary.assign(window_);
    job->last = last;
    size_t keep = std::min(job->input.size(), kWindow);
    window_.assign(job->input, job->input.size() - keep, keep);
    in_order_.push_back(job);
    if (threads_ == 1) {
      deflate_block(*job, inline_stream_);
      job->done = true;
    } else {
      start_workers();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(job);
      }
      work_ready_.notify_one();
    }
    // Done blocks go out now; at most two per thread wait, which bounds memory.
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
    if (job->failed) return fail_on(compress_error("zlib could not deflate a block"));
    core::Status st = fail_on(sink_(job->output));
    spare_.push_back(std::move(job));
    return st;
  }

  // One z_stream per thread, reset per block.
  struct Stream {
    z_stream z{};
    bool initialised = false;
    ~Stream() {
      if (initialised) deflateEnd(&z);
    }
  };

  void deflate_block(Job& job, Stream& s) const {
    bool ok = true;
    if (!s.initialised) {
      ok = deflateInit2(&s.z, level_, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
      s.initialised = ok;
    } else {
      ok = deflateReset(&s.z) == Z_OK;
    }
    if (ok && !job.dictionary.empty())
      ok = deflateSetDictionary(&s.z, reinterpret_cast<const Bytef*>(job.dictionary.data()),
                                static_cast<uInt>(job.dictionary.size())) == Z_OK;
    // deflateBound covers a whole stream; a sync flush adds its 5-byte marker.
    job.output.resize(ok ? deflateBound(&s.z, job.input.size()) + 16 : 0);
    if (ok) {
      s.z.next_in = reinterpret_cast<Bytef*>(job.input.data());
      s.z.avail_in = static_cast<uInt>(job.input.size());
      s.z.next_out = reinterpret_cast<Bytef*>(job.output.data());
      s.z.avail_out = static_cast<uInt>(job.output.size());
      int rc = deflate(&s.z, job.last ? Z_FINISH : Z_SYNC_FLUSH);
      // Room left over means the flush completed.
      ok = (job.last ? rc == Z_STREAM_END : rc == Z_OK) && s.z.avail_in == 0 && s.z.avail_out > 0;
      job.output.resize(job.output.size() - s.z.avail_out);
    }
    job.input.clear();  // capacity kept for the next block
    job.dictionary.clear();
    job.failed = !ok;
  }

  void start_workers() {
    if (!workers_.empty()) return;
    for (unsigned i = 0; i < threads_; ++i) workers_.emplace_back([this] { work(); });
  }

  void work() {
    Stream stream;
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = queue_.front();
        queue_.pop_front();
      }
      deflate_block(*job, stream);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        job->done = true;
      }
      job_done_.notify_all();
    }
  }

  static constexpr size_t kWindow = 32 * 1024;

  Sink sink_;
  int level_;
  unsigned threads_;
  core::Status status_ = core::Status::Ok();
  uLong crc_ = crc32(0L, Z_NULL, 0);
  uint64_t size_ = 0;
  bool header_written_ = false;
  std::string block_;
  std::string window_;
  std::deque<std::shared_ptr<Job>> in_order_;  // submitted, not yet emitted
  std::vector<std::shared_ptr<Job>> spare_;    // emitted, buffers kept for reuse
  Stream inline_stream_;                       // threads_ == 1
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
      return "gzip blocks=" + std::to_string(kGzipBlock) +
             " dictionary=32768 level=" + std::to_string(kDefaultGzipLevel) +
             " zlib=" + zlibVersion();
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
