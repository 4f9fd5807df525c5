#include "transport/copy.hpp"

#include <cstdio>

#include "oci/docker_archive.hpp"
#include "oci/image_tree.hpp"
#include "oci/layout_writer.hpp"
#include "oci/media_types.hpp"
#include "registry/blob_hints.hpp"
#include "registry/reference.hpp"
#include "registry/registry_reader.hpp"

namespace distill::transport {
namespace {

core::Result<CopyResult> push_to(oci::ImageReader& src, const oci::Descriptor& top,
                                 const std::string& dst, const WriteOptions& options) {
  DISTILL_ASSIGN(registry::Reference ref, registry::parse_reference(dst));
  if (!ref.digest.empty() && ref.digest != top.digest.str())
    return core::make_error(dst,
                            "names digest " + ref.digest + " but the image is " + top.digest.str());
  DISTILL_ASSIGN(auto remote, registry::Remote::connect(ref.registry, options.remote));
  DISTILL_ASSIGN(registry::BlobHints hints, registry::BlobHints::load(options.hints_path));
  registry::PushOptions push;
  push.parallel = options.parallel;
  push.hints = &hints;
  push.progress = options.progress;
  if (options.mount_from_registry == ref.registry) push.mount_from = options.mount_from;
  registry::Client& client = remote->client();
  DISTILL_ASSIGN(oci::Descriptor pushed, registry::push_image(src, top, client, ref, push));
  CopyResult r;
  r.destination = ref.name() + (ref.tag.empty() ? "" : ":" + ref.tag);
  r.top = pushed;
  r.uploaded = client.stats().uploaded;
  r.mounted = client.stats().mounted;
  r.skipped = client.stats().skipped;
  return r;
}

// The name a copy records locally: the destination's own, else the source's
// tag ("latest" when it has none); a docker-archive of a registry image by
// digest alone gets no name.
std::vector<std::string> local_names(const ImageRef& from, oci::ImageReader& src,
                                     const Destination& dst) {
  if (!dst.tag.empty()) return {dst.tag};
  if (dst.transport == Transport::kDockerArchive) {
    if (from.transport != Transport::kRegistry) return {};
    auto ref = registry::parse_reference(from.text);
    if (ref.ok() && (!ref->tag.empty() || ref->digest.empty()))
      return {ref->name() + ":" + ref->identifier()};
    return {};
  }
  const auto& refs = src.index().manifests;
  if (refs.size() == 1) {
    auto it = refs[0].annotations.find(std::string(oci::kAnnotationRefName));
    if (it != refs[0].annotations.end()) return {it->second};
  }
  return {"latest"};
}

}  // namespace

core::Result<CopyResult> write_image(oci::ImageReader& src, const oci::Descriptor& top,
                                     const Destination& dst, const std::vector<std::string>& names,
                                     const WriteOptions& options) {
  if (dst.transport == Transport::kRegistry) return push_to(src, top, dst.path, options);
  oci::SinkOptions sink{options.parallel, options.progress};
  if (dst.transport == Transport::kDockerArchive) {
    DISTILL_TRY(oci::write_docker_archive(src, top, dst.path, names));
  } else {
    DISTILL_TRY(oci::write_layout(src, top, dst.path, names, sink));
  }
  CopyResult r;
  r.destination = dst.path;
  r.top = top;
  return r;
}

std::vector<std::string> names_for_tags(Transport t, const std::vector<std::string>& tags) {
  if (t != Transport::kOciLayout) return tags;
  // podman and skopeo read `oci:DIR` as `oci:DIR:latest`; an untagged
  // layout would need the digest instead.
  if (tags.empty()) return {"latest"};
  std::vector<std::string> names;
  for (const auto& tag : tags) names.push_back(tag.substr(tag.rfind(':') + 1));
  return names;
}

core::Status check_copy_options(const CopyOptions& options) {
  if (options.write.parallel < 1) return core::make_error("--parallel", "must be at least 1");
  if (options.write.remote.chunk_size < 0)
    return core::make_error("--chunk-size", "must not be negative", "0 uploads in one request");
  return core::Status::Ok();
}

std::string blob_hints_path(const std::string& cache_root) {
  return cache_root + "/registry-blobs.json";
}

core::Result<CopyResult> copy_image(std::string_view src_text, std::string_view dst_text,
                                    const CopyOptions& options) {
  DISTILL_TRY(check_copy_options(options));
  DISTILL_ASSIGN(ImageRef from, parse_image_ref(src_text));
  DISTILL_ASSIGN(auto reader, open_reader(from, {options.write.remote, options.limits}));
  DISTILL_ASSIGN(auto src, image::ImageSource::open(std::move(reader), from.source_name()));
  const auto& tops = src->tops();
  if (tops.size() != 1)
    return core::make_error(std::string(src_text),
                            "holds " + std::to_string(tops.size()) + " images",
                            "name one with DIR:TAG or docker-archive:FILE:NAME:TAG");
  DISTILL_ASSIGN(oci::Descriptor top,
                 oci::select_platform(src->reader(), tops[0], options.platform));
  DISTILL_ASSIGN(Destination dst,
                 parse_destination(dst_text, options.format, options.local_destination));
  WriteOptions write = options.write;
  if (from.transport == Transport::kRegistry) {
    DISTILL_ASSIGN(registry::Reference ref, registry::parse_reference(from.text));
    write.mount_from_registry = ref.registry;
    write.mount_from = ref.repository;
  }
  std::vector<std::string> names;
  if (dst.transport != Transport::kRegistry) names = local_names(from, src->reader(), dst);
  return write_image(src->reader(), top, dst, names, write);
}

void print_copy_result(const CopyResult& r, std::FILE* out, std::FILE* err, bool quiet) {
  std::fprintf(out, "%s@%s\n", r.destination.c_str(), r.top.digest.str().c_str());
  if (!quiet && (r.uploaded || r.mounted || r.skipped))
    std::fprintf(err, "distill: %d blob(s) uploaded, %d mounted, %d already there\n", r.uploaded,
                 r.mounted, r.skipped);
}

}  // namespace distill::transport
