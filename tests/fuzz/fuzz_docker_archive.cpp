// libFuzzer target: DockerArchiveReader on arbitrary bytes as the archive
// file (the outer tar, its manifest.json, configs and layer references),
// then images(), which follows manifest.json to configs and checks diff_ids
// and sizes. Any input must give a result or one error, never a crash, a
// hang or unbounded memory.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/fd_io.hpp"
#include "oci/docker_archive_reader.hpp"

using namespace distill;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp && *tmp ? tmp : "/tmp") + "/distill-fuzz-docker-archive-" +
           std::to_string(::getpid()) + ".tar";
  }();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  bool written = core::write_all(fd, std::string_view(reinterpret_cast<const char*>(data), size));
  ::close(fd);
  if (!written) std::abort();
  oci::ReaderLimits limits;
  limits.max_metadata_size = 1 << 20;
  auto reader = oci::DockerArchiveReader::open(path, limits);
  if (reader.ok()) {
    auto images = (*reader)->images();
    if (images.ok() && images->empty() && !(*reader)->index().manifests.empty()) std::abort();
  }
  ::unlink(path.c_str());
  return 0;
}
