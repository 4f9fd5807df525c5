#include "oci/compressor.hpp"

#include <zlib.h>
#include <zstd.h>

#include <string>
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

class GzipCompressor : public Compressor {
 public:
  GzipCompressor(Sink sink) : sink_(std::move(sink)), out_(kOutChunk) {}
  ~GzipCompressor() override {
    if (initialised_) deflateEnd(&z_);
  }

  core::Status init(int level) {
    if (deflateInit2(&z_, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return compress_error("cannot initialise zlib");
    initialised_ = true;
    header_.os = 255;  // "unknown": the same on every build host
    if (deflateSetHeader(&z_, &header_) != Z_OK)
      return compress_error("cannot set the gzip header");
    return core::Status::Ok();
  }

  core::Status write(std::string_view data) override { return pump(data, Z_NO_FLUSH); }
  core::Status finish() override { return pump({}, Z_FINISH); }

 private:
  core::Status pump(std::string_view data, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return compress_error("zlib stream error");
      size_t produced = out_.size() - z_.avail_out;
      if (produced > 0) DISTILL_TRY(sink_(std::string_view(out_.data(), produced)));
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0))
        return core::Status::Ok();
    }
  }

  Sink sink_;
  std::vector<char> out_;
  z_stream z_{};
  gz_header header_{};  // zero: text 0, time 0, no extra/name/comment, no header CRC
  bool initialised_ = false;
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
      auto gz = std::make_unique<GzipCompressor>(std::move(sink));
      DISTILL_TRY(gz->init(level));
      return std::unique_ptr<Compressor>(std::move(gz));
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
