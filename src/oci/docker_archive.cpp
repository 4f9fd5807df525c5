#include "oci/docker_archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/json.hpp"
#include "oci/archive_util.hpp"
#include "oci/built_image.hpp"
#include "oci/image_config.hpp"
#include "oci/media_types.hpp"

namespace distill::oci {
namespace {

using nlohmann::json;

struct Member {
  std::string path;
  bool is_dir = false;
  std::string data;        // when it is not a blob
  const Descriptor* blob;  // a layer blob, streamed from the source and verified
};

struct OutputSink {
  core::AtomicFile* file = nullptr;
  core::Status status;
};

la_ssize_t write_callback(archive*, void* client, const void* buffer, size_t length) {
  auto* sink = static_cast<OutputSink*>(client);
  auto st = sink->file->write(buffer, length);
  if (!st.ok()) {
    sink->status = st;
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

class ArchiveBuilder {
 public:
  ArchiveBuilder(archive* a, OutputSink& sink, ImageReader& src, int64_t mtime)
      : a_(a), sink_(sink), src_(src), mtime_(mtime) {}

  core::Status write(const Member& m) {
    ArchiveEntry ae(archive_entry_new());
    archive_entry_copy_pathname(ae.get(), m.path.c_str());
    archive_entry_set_filetype(ae.get(), m.is_dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(ae.get(), m.is_dir ? 0755 : 0644);
    archive_entry_set_mtime(ae.get(), mtime_, 0);
    int64_t size = m.is_dir ? 0 : m.blob ? m.blob->size : static_cast<int64_t>(m.data.size());
    archive_entry_set_size(ae.get(), size);
    if (archive_write_header(a_, ae.get()) != ARCHIVE_OK) return failure(m.path);
    // The source checks size and digest as the blob streams: what we archive
    // is what we described, or the archive is never committed.
    if (m.blob)
      return src_.stream_blob(*m.blob, [&](std::string_view chunk) {
        return write_data(m.path, chunk.data(), chunk.size());
      });
    return write_data(m.path, m.data.data(), m.data.size());
  }

 private:
  core::Error failure(const std::string& path) {
    if (!sink_.status.ok()) return sink_.status.error();
    return core::make_error("docker-archive member '" + path + "'", archive_error(a_));
  }

  core::Status write_data(const std::string& path, const char* p, size_t n) {
    while (n > 0) {
      la_ssize_t w = archive_write_data(a_, p, n);
      if (w <= 0) return failure(path);
      p += w;
      n -= static_cast<size_t>(w);
    }
    return core::Status::Ok();
  }

  archive* a_;
  OutputSink& sink_;
  ImageReader& src_;
  int64_t mtime_;
};

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(tag[0])) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool valid_repo(std::string_view repo) {
  if (repo.empty() || repo.front() == '/' || repo.back() == '/') return false;
  return std::all_of(repo.begin(), repo.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '/' || c == ':';
  });
}

std::pair<std::string, std::string> split_repo_tag(const std::string& normal) {
  auto colon = normal.rfind(':');
  return {normal.substr(0, colon), normal.substr(colon + 1)};
}

core::Result<std::vector<Member>> members_for(const Manifest& manifest,
                                              const std::string& config_json,
                                              const std::vector<std::string>& tags) {
  std::vector<Member> members;
  json layers = json::array();
  std::map<Digest, bool> seen;
  std::string top;
  for (const auto& l : manifest.layers) {
    if (l.media_type != kMediaTypeLayerGzip && l.media_type != kMediaTypeLayer &&
        l.media_type != kDockerMediaTypeLayerGzip)
      return core::make_error("docker-archive", "layer " + l.digest.str() + " is " + l.media_type,
                              "docker load reads only gzip or uncompressed layers; "
                              "build with gzip compression");
    top = l.digest.hex();
    layers.push_back(top + "/layer.tar");
    if (seen[l.digest]) continue;
    seen[l.digest] = true;
    members.push_back({top, true, {}, nullptr});
    members.push_back({top + "/layer.tar", false, {}, &l});
  }
  std::string config_name = manifest.config.digest.hex() + ".json";
  members.push_back({config_name, false, config_json, nullptr});
  json entry = {{"Config", config_name}, {"RepoTags", tags}, {"Layers", std::move(layers)}};
  DISTILL_ASSIGN(std::string manifest_json,
                 core::dump_json(json::array({std::move(entry)}), "manifest.json"));
  members.push_back({"manifest.json", false, std::move(manifest_json), nullptr});
  if (!tags.empty() && !top.empty()) {
    json repos = json::object();
    for (const auto& t : tags) {
      auto [repo, tag] = split_repo_tag(t);
      repos[repo][tag] = top;
    }
    DISTILL_ASSIGN(std::string text, core::dump_json(repos, "repositories"));
    members.push_back({"repositories", false, std::move(text), nullptr});
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return layer_path_less(a.path, b.path); });
  return members;
}

}  // namespace

core::Result<std::string> normalize_repo_tag(std::string_view repo_tag) {
  std::string s(repo_tag);
  auto bad = [&](std::string what) {
    return core::make_error(
        "tag '" + s + "'", std::move(what),
        "expected name[:tag] with a lower-case name, e.g. example.invalid/app:1.0");
  };
  if (s.find('@') != std::string::npos) return bad("names a digest; docker-archive needs a tag");
  auto slash = s.rfind('/');
  auto colon = s.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) s += ":latest";
  auto [repo, tag] = split_repo_tag(s);
  if (!valid_repo(repo)) return bad("has an invalid repository name");
  if (!valid_tag(tag)) return bad("has an invalid tag");
  return s;
}

core::Status write_docker_archive(ImageReader& src, const Descriptor& manifest,
                                  const std::string& path,
                                  const std::vector<std::string>& repo_tags) {
  if (!is_manifest_media_type(manifest.media_type))
    return core::make_error(manifest.digest.str(),
                            "is an image index; a docker-archive holds one platform",
                            "choose one with --platform os/arch, or write an OCI layout");
  std::vector<std::string> tags;
  for (const auto& t : repo_tags) {
    DISTILL_ASSIGN(std::string normal, normalize_repo_tag(t));
    if (std::find(tags.begin(), tags.end(), normal) == tags.end()) tags.push_back(normal);
  }
  std::sort(tags.begin(), tags.end());
  const int64_t max = src.limits().max_metadata_size;
  DISTILL_ASSIGN(std::string body, src.read_blob(manifest, max));
  DISTILL_ASSIGN(Manifest m, parse_manifest(body, manifest.digest.str()));
  DISTILL_ASSIGN(std::string config_json, src.read_blob(m.config, max));
  DISTILL_ASSIGN(ImageConfig config, parse_image_config(config_json, m.config.digest.str()));
  if (config.diff_ids.size() != m.layers.size())
    return core::make_error(manifest.digest.str(), "manifest and config disagree on the layers");
  DISTILL_ASSIGN(std::vector<Member> members, members_for(m, config_json, tags));

  DISTILL_ASSIGN(core::AtomicFile out, core::AtomicFile::create(path, 0644));
  ScopedUtf8Locale locale;
  DISTILL_TRY(locale.status());
  OutputSink sink;
  sink.file = &out;
  ArchiveWriter a(archive_write_new());
  if (!a) return core::make_error(path, "cannot create a tar writer");
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), 1 << 16) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open(a.get(), &sink, nullptr, write_callback, nullptr) != ARCHIVE_OK)
    return core::make_error(path, "cannot set up the tar writer: " + archive_error(a.get()));
  ArchiveBuilder builder(a.get(), sink, src, config.created);
  for (const auto& m : members) DISTILL_TRY(builder.write(m));
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    if (!sink.status.ok()) return sink.status.error();
    return core::make_error(path, "cannot finish the archive: " + archive_error(a.get()));
  }
  return out.commit();
}

core::Status write_docker_archive(const std::string& path, const std::vector<Image>& images,
                                  const std::vector<std::string>& repo_tags) {
  if (images.size() != 1)
    return core::make_error(
        path, images.empty() ? "no image to write" : "docker-archive holds one platform",
        "use --format oci or pick --arch");
  DISTILL_ASSIGN(auto built, BuiltImage::create(images));
  return write_docker_archive(*built, built->top(), path, repo_tags);
}

}  // namespace distill::oci
