#include "transport/image_ref.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/file_util.hpp"
#include "oci/docker_archive.hpp"
#include "oci/layout_writer.hpp"
#include "registry/reference.hpp"

namespace distill::transport {
namespace {

constexpr const char* kRefHint =
    "give an OCI layout folder (DIR, DIR:TAG or oci:DIR[:TAG]) or a docker-archive tar "
    "(FILE or docker-archive:FILE)";

enum class PathKind { kMissing, kFolder, kFile, kOther };

struct Probe {
  PathKind kind = PathKind::kMissing;
  int error = 0;  // errno when kMissing
};

Probe probe(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {PathKind::kMissing, errno};
  if (S_ISDIR(st.st_mode)) return {PathKind::kFolder, 0};
  if (S_ISREG(st.st_mode)) return {PathKind::kFile, 0};
  return {PathKind::kOther, 0};
}

core::Error missing(const std::string& path, int error) {
  if (error == ENOENT || error == ENOTDIR || error == 0)
    return core::make_error(path, "no such file or folder", kRefHint);
  return core::make_error(path, std::strerror(error), kRefHint);
}

// "PATH" or "PATH:TAG" where PATH must exist. `rightmost` splits at the last
// colon (layout tags have none), otherwise at the first colon after which the
// prefix exists (docker-archive tags are "name:tag").
bool split_existing(std::string_view text, bool rightmost, PathKind want, std::string& path,
                    std::string& tag) {
  if (rightmost) {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string prefix(text.substr(0, colon));
    if (probe(prefix).kind != want) return false;
    path = std::move(prefix);
    tag = std::string(text.substr(colon + 1));
    return true;
  }
  for (size_t colon = text.find(':'); colon != std::string_view::npos;
       colon = text.find(':', colon + 1)) {
    if (colon == 0) continue;
    std::string prefix(text.substr(0, colon));
    if (probe(prefix).kind != want) continue;
    path = std::move(prefix);
    tag = std::string(text.substr(colon + 1));
    return true;
  }
  return false;
}

// docker-archive RepoTags are stored normalised ("app" is "app:latest").
core::Status normalize_tag(ImageRef& r) {
  if (r.tag.empty() || r.transport != Transport::kDockerArchive) return core::Status::Ok();
  DISTILL_ASSIGN(r.tag, oci::normalize_repo_tag(r.tag));
  return core::Status::Ok();
}

core::Result<ImageRef> explicit_ref(std::string_view text, std::string_view rest,
                                    Transport format) {
  ImageRef r;
  r.text = std::string(text);
  r.transport = format;
  const bool oci = format == Transport::kOciLayout;
  const PathKind want = oci ? PathKind::kFolder : PathKind::kFile;
  if (rest.empty()) return core::make_error(r.text, "names no path", kRefHint);
  Probe whole = probe(std::string(rest));
  if (whole.kind == PathKind::kMissing && !split_existing(rest, oci, want, r.path, r.tag))
    return missing(std::string(rest), whole.error);
  if (r.path.empty()) r.path = std::string(rest);
  PathKind kind = probe(r.path).kind;
  if (oci && kind != PathKind::kFolder)
    return core::make_error(r.path, "is not a folder",
                            "an OCI layout is a folder; read a tar with docker-archive:FILE");
  if (!oci && kind != PathKind::kFile)
    return core::make_error(r.path, "is not a file",
                            "a docker-archive is a tar file; read a folder with oci:DIR");
  if (r.tag.empty() && rest.back() == ':')
    return core::make_error(r.text, "empty tag after ':'", kRefHint);
  DISTILL_TRY(normalize_tag(r));
  return r;
}

bool is_registry_text(std::string_view text) {
  return !text.starts_with("oci:") && !text.starts_with("docker-archive:") &&
         !core::path_exists(std::string(text)) && registry::looks_like_reference(text);
}

// An untagged image is named by its file or folder, not the path that leads
// there, so a document does not depend on where the image was written.
std::string base_name(std::string_view path, const std::string& text) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base.empty() || base == "." || base == ".." ? text : std::string(base);
}

core::Result<ImageRef> parse_local_ref(std::string_view text) {
  if (text.starts_with("oci:")) return explicit_ref(text, text.substr(4), Transport::kOciLayout);
  if (text.starts_with("docker-archive:"))
    return explicit_ref(text, text.substr(15), Transport::kDockerArchive);
  ImageRef r;
  r.text = std::string(text);
  if (text.empty()) return core::make_error("image", "no image given", kRefHint);
  Probe whole = probe(r.text);
  switch (whole.kind) {
    case PathKind::kFolder:
      r.path = r.text;
      r.transport = Transport::kOciLayout;
      return r;
    case PathKind::kFile:
      r.path = r.text;
      r.transport = Transport::kDockerArchive;
      return r;
    case PathKind::kOther:
      return core::make_error(r.text, "is neither a folder nor a regular file", kRefHint);
    case PathKind::kMissing:
      break;
  }
  if (split_existing(text, true, PathKind::kFolder, r.path, r.tag)) {
    r.transport = Transport::kOciLayout;
  } else if (split_existing(text, false, PathKind::kFile, r.path, r.tag)) {
    r.transport = Transport::kDockerArchive;
  } else {
    return missing(r.text, whole.error);
  }
  if (r.tag.empty()) return core::make_error(r.text, "empty tag after ':'", kRefHint);
  DISTILL_TRY(normalize_tag(r));
  return r;
}

// "oci:DIR[:TAG]" or "docker-archive:FILE[:NAME:TAG]" as a place to write.
core::Result<Destination> explicit_destination(std::string_view text) {
  Destination d;
  if (text.starts_with("oci:")) {
    text.remove_prefix(4);
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      d.tag = std::string(text.substr(colon + 1));
      text = text.substr(0, colon);
    }
  } else {
    text.remove_prefix(15);
    d.transport = Transport::kDockerArchive;
    size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      d.tag = std::string(text.substr(colon + 1));
      text = text.substr(0, colon);
    }
  }
  d.path = std::string(text);
  return d;
}

}  // namespace

std::string_view transport_name(Transport t) {
  switch (t) {
    case Transport::kOciLayout:
      return "oci-layout";
    case Transport::kDockerArchive:
      return "docker-archive";
    case Transport::kRegistry:
      return "registry";
  }
  return "oci-layout";
}

image::SourceName ImageRef::source_name() const {
  image::SourceName n;
  n.text = text;
  n.where = path;
  n.transport = std::string(transport_name(transport));
  n.name = transport == Transport::kRegistry || path.empty() ? text : base_name(path, text);
  n.tag = tag;
  return n;
}

core::Result<ImageRef> parse_image_ref(std::string_view text) {
  auto local = parse_local_ref(text);
  if (local.ok() || text.starts_with("oci:") || text.starts_with("docker-archive:") ||
      !registry::looks_like_reference(text))
    return local;
  DISTILL_TRY(registry::parse_reference(text));
  ImageRef r;
  r.text = std::string(text);
  r.transport = Transport::kRegistry;
  r.path = r.text;
  return r;
}

core::Result<Transport> parse_output_format(std::string_view text) {
  if (text.empty() || text == "oci") return Transport::kOciLayout;
  if (text == "docker") return Transport::kDockerArchive;
  return core::make_error("--format", "unknown format '" + std::string(text) + "'",
                          "oci or docker");
}

std::string_view default_output(Transport local) {
  return local == Transport::kDockerArchive ? "image.tar" : "image";
}

std::string_view output_label(Transport local) {
  return local == Transport::kDockerArchive ? "docker-archive" : "OCI layout";
}

core::Result<Destination> parse_destination(std::string_view text, std::string_view format,
                                            bool local_only) {
  if (!local_only && is_registry_text(text))
    return Destination{Transport::kRegistry, std::string(text), {}};
  Destination d;
  if (text.starts_with("oci:") || text.starts_with("docker-archive:")) {
    DISTILL_ASSIGN(d, explicit_destination(text));
  } else {
    DISTILL_ASSIGN(d.transport, parse_output_format(format));
    d.path = std::string(text);
  }
  if (d.path.empty()) return core::make_error("destination", "names no path");
  if (!d.tag.empty()) DISTILL_TRY(oci::validate_ref_name(d.tag));
  return d;
}

}  // namespace distill::transport
