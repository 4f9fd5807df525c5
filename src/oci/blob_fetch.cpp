#include "oci/blob_fetch.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/fd_io.hpp"
#include "core/progress.hpp"
#include "core/thread_pool.hpp"
#include "core/unique_fd.hpp"

namespace distill::oci {
namespace {

core::Status fetch_to_file(ImageReader& src, const Descriptor& d, const std::string& path,
                           core::Progress* progress) {
  core::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return core::make_error(path, std::strerror(errno));
  int64_t written = 0;
  core::Status s = src.stream_blob(d, [&](std::string_view chunk) -> core::Status {
    if (progress) progress->add_bytes(static_cast<int64_t>(chunk.size()));
    written += static_cast<int64_t>(chunk.size());
    if (!core::write_all(fd.get(), chunk)) return core::make_error(path, std::strerror(errno));
    return core::Status::Ok();
  });
  if (progress) {
    if (s.ok())
      progress->item_done();
    else
      progress->add_bytes(-written);
  }
  return s;
}

}  // namespace

core::Status fetch_blobs(ImageReader& src, const std::vector<Descriptor>& blobs,
                         const std::vector<std::string>& paths, const SinkOptions& options) {
  std::unique_ptr<core::Progress> progress;
  if (options.progress) {
    uint64_t bytes = 0;
    for (const auto& b : blobs) bytes += static_cast<uint64_t>(std::max<int64_t>(b.size, 0));
    progress = std::make_unique<core::Progress>("Pulling", blobs.size(), bytes);
  }
  int threads = std::min(options.parallel, src.parallel_reads());
  DISTILL_TRY(core::run_parallel(blobs.size(), threads, [&](size_t i) {
    return fetch_to_file(src, blobs[i], paths[i], progress.get());
  }));
  if (progress) progress->finish();
  return core::Status::Ok();
}

}  // namespace distill::oci
