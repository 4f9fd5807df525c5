#include "oci/layout_writer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"
#include "core/unique_fd.hpp"
#include "oci/image_tree.hpp"
#include "oci/media_types.hpp"

namespace distill::oci {
namespace {

constexpr const char* kScratchDir = "/.scratch";
constexpr std::string_view kOciLayoutContent = R"({"imageLayoutVersion":"1.0.0"})";

core::Error sys_error(const std::string& where, const std::string& what) {
  return core::make_error(where, what + ": " + std::strerror(errno));
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// mkdir/mkdtemp honour the umask; the layout's folders are 0755 regardless.
core::Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return sys_error(path, "cannot create folder");
  if (::chmod(path.c_str(), 0755) != 0) return sys_error(path, "cannot set mode");
  return core::Status::Ok();
}

core::Status sync_path(const std::string& path) {
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return sys_error(path, "cannot sync");
  return core::Status::Ok();
}

// Replacing is only safe for something that is ours to replace: an empty
// folder or an earlier layout. "-o ~" must not swap the home folder away.
core::Status check_replaceable(const std::string& target) {
  struct stat st {};
  if (::lstat(target.c_str(), &st) != 0) {
    if (errno == ENOENT) return core::Status::Ok();
    return sys_error(target, "cannot inspect the output");
  }
  if (S_ISLNK(st.st_mode))
    return core::make_error(target, "is a symlink", "give the output folder's real path");
  if (!S_ISDIR(st.st_mode))
    return core::make_error(target, "exists and is not a folder",
                            "remove it or choose another output");
  struct stat layout {};
  if (::lstat((target + "/oci-layout").c_str(), &layout) == 0 && S_ISREG(layout.st_mode))
    return core::Status::Ok();
  DIR* dir = ::opendir(target.c_str());
  if (!dir) return sys_error(target, "cannot read the output folder");
  bool empty = true;
  while (dirent* d = ::readdir(dir)) {
    std::string_view name = d->d_name;
    if (name != "." && name != "..") {
      empty = false;
      break;
    }
  }
  ::closedir(dir);
  if (!empty)
    return core::make_error(target, "exists and is not an OCI image layout",
                            "remove it or choose another output folder");
  return core::Status::Ok();
}

// Swaps the staged layout into place. With RENAME_EXCHANGE the target path
// never stops naming a complete layout; the fallback leaves a short window
// without one, never a partial one.
core::Status replace_dir(const std::string& staging, const std::string& target) {
  struct stat st {};
  if (::lstat(target.c_str(), &st) != 0 && errno == ENOENT) {
    if (::rename(staging.c_str(), target.c_str()) != 0)
      return sys_error(target, "cannot move the image into place");
    return core::Status::Ok();
  }
  DISTILL_TRY(check_replaceable(target));
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0)
    return core::remove_tree(staging);  // now holds the previous layout
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    return sys_error(target, "cannot move the image into place");
  std::string old = target + ".distill-old.XXXXXX";
  if (::mkdtemp(old.data()) == nullptr) return sys_error(target, "cannot set the old image aside");
  if (::rename(target.c_str(), old.c_str()) != 0) {
    int err = errno;
    ::rmdir(old.c_str());
    errno = err;
    return sys_error(target, "cannot set the old image aside");
  }
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    auto error = sys_error(target, "cannot move the image into place");
    ::rename(old.c_str(), target.c_str());
    return error;
  }
  return core::remove_tree(old);
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool valid_ref_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    if (is_alnum(c[i])) continue;
    if (std::string_view("-._:@+").find(c[i]) == std::string_view::npos) return false;
    // A separator is one character, or "--"; it is always followed by alphanum.
    size_t next = (c[i] == '-' && c[i + 1] == '-') ? i + 2 : i + 1;
    if (next >= c.size() || !is_alnum(c[next])) return false;
    i = next - 1;
  }
  return true;
}

}  // namespace

core::Status validate_ref_name(std::string_view ref) {
  size_t start = 0;
  for (;;) {
    size_t slash = ref.find('/', start);
    if (!valid_ref_component(ref.substr(start, slash - start)))
      return core::make_error(
          "tag '" + std::string(ref) + "'", "is not a valid reference name",
          "use letters, digits and - . _ : @ + between them, e.g. 1.0 or latest");
    if (slash == std::string_view::npos) return core::Status::Ok();
    start = slash + 1;
  }
}

LayoutWriter::LayoutWriter(std::string target, std::string staging, core::UniqueFd lock)
    : target_(std::move(target)), staging_(std::move(staging)), staging_lock_(std::move(lock)) {}

LayoutWriter::LayoutWriter(LayoutWriter&& o) noexcept
    : target_(std::move(o.target_)),
      staging_(std::move(o.staging_)),
      staging_lock_(std::move(o.staging_lock_)),
      done_(o.done_),
      scratch_counter_(o.scratch_counter_),
      blobs_(std::move(o.blobs_)),
      index_(std::move(o.index_)) {
  o.done_ = true;
}

LayoutWriter::~LayoutWriter() {
  if (!done_ && !staging_.empty()) (void)core::remove_tree(staging_);
}

core::Result<LayoutWriter> LayoutWriter::create(std::string target) {
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  std::string base = target.substr(target.rfind('/') + 1);
  if (base.empty() || base == "." || base == "..")
    return core::make_error("output '" + target + "'", "does not name a folder",
                            "give a path such as out/image");
  std::string parent = parent_of(target);
  struct stat st {};
  if (::stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return core::make_error(target, "its parent folder does not exist",
                            "create " + parent + " first");
  DISTILL_TRY(check_replaceable(target));
  // Also removes the staging folders of writers of `target` that died.
  DISTILL_ASSIGN(core::TempSibling staging,
                 core::create_temp_sibling(target, core::TempKind::kFolder));
  LayoutWriter w(std::move(target), std::move(staging.path), std::move(staging.fd));
  for (const char* sub : {"", "/blobs", "/blobs/sha256", kScratchDir})
    DISTILL_TRY(make_dir(w.staging_ + sub));
  return w;
}

std::string LayoutWriter::scratch_path() {
  return staging_ + kScratchDir + "/blob-" + std::to_string(scratch_counter_++);
}

std::string LayoutWriter::blob_path(const Digest& d) const {
  return staging_ + "/blobs/sha256/" + d.hex();
}

core::Status LayoutWriter::install_blob(const std::string& file, const Digest& d) {
  if (blobs_.count(d)) {
    ::unlink(file.c_str());
    return core::Status::Ok();
  }
  if (::rename(file.c_str(), blob_path(d).c_str()) != 0)
    return sys_error(blob_path(d), "cannot store blob");
  blobs_.insert(d);
  return core::Status::Ok();
}

core::Result<Descriptor> LayoutWriter::add_blob(std::string_view media_type,
                                                std::string_view content) {
  Descriptor d = describe(media_type, content);
  if (!blobs_.count(d.digest)) {
    DISTILL_TRY(core::write_file_atomic(blob_path(d.digest), content, 0644));
    blobs_.insert(d.digest);
  }
  return d;
}

core::Result<Descriptor> LayoutWriter::copy_blob(std::string_view media_type,
                                                 const std::string& path,
                                                 const Descriptor* expected) {
  core::UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return sys_error(path, "cannot open blob");
  std::string tmp = scratch_path();
  core::UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!out || ::fchmod(out.get(), 0644) != 0) return sys_error(tmp, "cannot create blob");
  core::Sha256 hash;
  int64_t size = 0;
  std::vector<char> buf(1 << 18);
  for (;;) {
    ssize_t n = core::read_some(in.get(), buf.data(), buf.size());
    if (n < 0) return sys_error(path, "cannot read blob");
    if (n == 0) break;
    hash.update(buf.data(), static_cast<size_t>(n));
    size += n;
    if (!core::write_all(out.get(), std::string_view(buf.data(), static_cast<size_t>(n))))
      return sys_error(tmp, "cannot write blob");
  }
  if (::fsync(out.get()) != 0) return sys_error(tmp, "cannot sync blob");
  Descriptor d;
  d.media_type = std::string(media_type);
  DISTILL_ASSIGN(d.digest, Digest::from_hex(hash.hex_digest()));
  d.size = size;
  if (expected && (d.digest != expected->digest || d.size != expected->size))
    return core::make_error(path,
                            "blob is " + d.digest.str() + " (" + std::to_string(size) +
                                " bytes), expected " + expected->digest.str() + " (" +
                                std::to_string(expected->size) + " bytes)",
                            "the file changed after it was written");
  DISTILL_TRY(install_blob(tmp, d.digest));
  return d;
}

core::Result<bool> LayoutWriter::link_blob(const std::string& path, const Descriptor& d) {
  if (blobs_.count(d.digest)) return true;
  struct stat st {};
  // Only a file of the right size and mode is taken: a blob linked in keeps
  // the source's inode, so it is never changed here (no chmod).
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != d.size ||
      (st.st_mode & 07777) != 0644)
    return false;
  std::string target = blob_path(d.digest);
  if (::link(path.c_str(), target.c_str()) == 0) {
    blobs_.insert(d.digest);
    return true;
  }
  if (errno != EXDEV && errno != EPERM && errno != EMLINK)
    return sys_error(target, "cannot link blob");
  return clone_blob(path, d);
}

core::Result<bool> LayoutWriter::clone_blob(const std::string& path, const Descriptor& d) {
  core::UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return false;
  std::string tmp = scratch_path();
  core::UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!out) return sys_error(tmp, "cannot create blob");
  struct stat st {};
  if (::ioctl(out.get(), FICLONE, in.get()) != 0 || ::fstat(out.get(), &st) != 0 ||
      st.st_size != d.size || ::fchmod(out.get(), 0644) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  DISTILL_TRY(install_blob(tmp, d.digest));
  return true;
}

core::Result<Descriptor> LayoutWriter::add_blob_file(std::string_view media_type,
                                                     const std::string& path, BlobTransfer how,
                                                     const Descriptor* expected) {
  if (expected && blobs_.count(expected->digest)) {
    if (how != BlobTransfer::kCopy) ::unlink(path.c_str());
    Descriptor d = *expected;
    d.media_type = std::string(media_type);
    return d;
  }
  if (how == BlobTransfer::kCopy) return copy_blob(media_type, path, expected);
  // Moving: hash in place (unless the caller verified it), then rename. A
  // different filesystem falls back to a copy.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return core::make_error(path, "is not a regular file");
  Descriptor d;
  d.media_type = std::string(media_type);
  if (how == BlobTransfer::kMoveVerified && expected) {
    d.digest = expected->digest;
  } else {
    DISTILL_ASSIGN(std::string hex, core::sha256_file(path));
    DISTILL_ASSIGN(d.digest, Digest::from_hex(hex));
  }
  d.size = static_cast<int64_t>(st.st_size);
  if (expected && (d.digest != expected->digest || d.size != expected->size))
    return core::make_error(path,
                            "blob is " + d.digest.str() + ", expected " + expected->digest.str(),
                            "the file changed after it was written");
  if (blobs_.count(d.digest)) {
    ::unlink(path.c_str());
    return d;
  }
  DISTILL_TRY(sync_path(path));
  if (::rename(path.c_str(), blob_path(d.digest).c_str()) != 0) {
    if (errno != EXDEV) return sys_error(blob_path(d.digest), "cannot store blob");
    DISTILL_ASSIGN(Descriptor copied, copy_blob(media_type, path, &d));
    ::unlink(path.c_str());
    return copied;
  }
  if (::chmod(blob_path(d.digest).c_str(), 0644) != 0)
    return sys_error(blob_path(d.digest), "cannot set mode");
  blobs_.insert(d.digest);
  return d;
}

core::Result<Descriptor> LayoutWriter::add_image(const Image& image, BlobTransfer how) {
  DISTILL_ASSIGN(ImageMetadata meta, image_metadata(image));
  for (const auto& layer : image.layers) {
    Descriptor expected;
    expected.digest = layer.digest;
    expected.size = layer.size;
    DISTILL_TRY(add_blob_file(layer.media_type, layer.path, how, &expected));
  }
  DISTILL_TRY(add_blob(kMediaTypeConfig, meta.config_json));
  DISTILL_TRY(add_blob(kMediaTypeManifest, meta.manifest_json));
  return meta.manifest;
}

core::Result<Descriptor> LayoutWriter::add_index(const std::vector<Descriptor>& manifests,
                                                 const Annotations& annotations) {
  for (const auto& m : manifests)
    if (!blobs_.count(m.digest))
      return core::make_error("index", "manifest " + m.digest.str() + " is not in the layout");
  Index index;
  index.manifests = manifests;
  index.annotations = annotations;
  DISTILL_ASSIGN(std::string json, index_json(index));
  return add_blob(kMediaTypeIndex, json);
}

core::Status LayoutWriter::add_to_index(const Descriptor& d, std::string_view ref_name) {
  if (!blobs_.count(d.digest))
    return core::make_error("index.json", d.digest.str() + " is not in the layout");
  Descriptor entry = d;
  if (!ref_name.empty()) {
    DISTILL_TRY(validate_ref_name(ref_name));
    entry.annotations[std::string(kAnnotationRefName)] = std::string(ref_name);
    for (const auto& other : index_) {
      auto it = other.annotations.find(std::string(kAnnotationRefName));
      if (it != other.annotations.end() && it->second == ref_name)
        return core::make_error("tag '" + std::string(ref_name) + "'", "is given twice");
    }
  }
  index_.push_back(std::move(entry));
  return core::Status::Ok();
}

core::Status LayoutWriter::commit() {
  if (done_) return core::make_error(target_, "layout already committed");
  DISTILL_TRY(core::remove_tree(staging_ + kScratchDir));
  Index index;
  index.manifests = index_;
  auto ref = [](const Descriptor& d) {
    auto it = d.annotations.find(std::string(kAnnotationRefName));
    return it == d.annotations.end() ? std::string() : it->second;
  };
  std::sort(index.manifests.begin(), index.manifests.end(),
            [&](const Descriptor& a, const Descriptor& b) {
              return std::pair(ref(a), a.digest) < std::pair(ref(b), b.digest);
            });
  DISTILL_ASSIGN(std::string json, index_json(index));
  DISTILL_TRY(core::write_file_atomic(staging_ + "/oci-layout", kOciLayoutContent, 0644));
  DISTILL_TRY(core::write_file_atomic(staging_ + "/index.json", json, 0644));
  for (const char* sub : {"/blobs/sha256", "/blobs", ""}) DISTILL_TRY(sync_path(staging_ + sub));
  DISTILL_TRY(replace_dir(staging_, target_));
  done_ = true;
  return sync_path(parent_of(target_));
}

core::Status write_layout(ImageReader& src, const Descriptor& top, const std::string& out,
                          const std::vector<std::string>& ref_names, const SinkOptions& options) {
  DISTILL_ASSIGN(ImageTree tree, read_tree(src, top));
  DISTILL_ASSIGN(LayoutWriter writer, LayoutWriter::create(out));
  std::vector<Descriptor> copied;
  for (const auto& blob : tree.blobs) {
    auto file = src.verified_blob_file(blob);
    bool linked = false;
    if (file) {
      DISTILL_ASSIGN(linked, writer.link_blob(*file, blob));
    }
    if (!linked) copied.push_back(blob);
  }
  std::vector<std::string> paths;
  for (size_t i = 0; i < copied.size(); ++i) paths.push_back(writer.scratch_path());
  DISTILL_TRY(fetch_blobs(src, copied, paths, options));
  for (size_t i = 0; i < copied.size(); ++i)
    DISTILL_TRY(writer.add_blob_file(copied[i].media_type, paths[i], BlobTransfer::kMoveVerified,
                                     &copied[i]));
  for (const auto& node : tree.manifests)
    DISTILL_TRY(writer.add_blob(node.descriptor.media_type, node.body));
  const Descriptor& listed = tree.manifests.back().descriptor;
  if (ref_names.empty()) DISTILL_TRY(writer.add_to_index(listed));
  for (const auto& name : ref_names) DISTILL_TRY(writer.add_to_index(listed, name));
  return writer.commit();
}

}  // namespace distill::oci
