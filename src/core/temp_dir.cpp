#include "core/temp_dir.hpp"

#include <ftw.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace distill::core {

Result<TempDir> TempDir::create(const std::string& parent, const std::string& prefix) {
  std::string base = parent;
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = (t && *t) ? t : "/tmp";
  }
  std::string tmpl = base + "/" + prefix + ".XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr)
    return make_error(base, std::string("cannot create temporary folder: ") + std::strerror(errno));
  return TempDir(std::move(tmpl));
}

TempDir::TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)), keep_(o.keep_) {
  o.keep_ = true;
}

TempDir::~TempDir() {
  if (!keep_ && !path_.empty()) (void)remove_tree(path_);
}

Status remove_tree(const std::string& path) {
  auto rm = [](const char* p, const struct stat*, int, struct FTW*) -> int { return ::remove(p); };
  if (::nftw(path.c_str(), rm, 64, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
    return make_error(path, std::string("cannot remove: ") + std::strerror(errno));
  return Status::Ok();
}

}  // namespace distill::core
