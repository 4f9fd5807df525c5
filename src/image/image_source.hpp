#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::image {

enum class SourceFormat { kOciLayout, kDockerArchive, kRegistry };

// "oci-layout", "docker-archive" or "registry": the names used in `--json` output.
std::string_view source_format_name(SourceFormat f);

// Where an image is and which of its tags was asked for. Accepted forms:
//   DIR                        an OCI image layout folder, every image in it
//   DIR:TAG                    the layout's entry named TAG (ref.name annotation)
//   oci:DIR[:TAG]              the same, explicitly (skopeo's transport syntax)
//   FILE                       a docker-archive tar (`docker save`), maybe compressed
//   FILE:REF                   the archive's image whose RepoTags hold REF ("name[:tag]")
//   docker-archive:FILE[:REF]  the same, explicitly
//   HOST[:PORT]/REPO[:TAG][@DIGEST]  a registry image (ImageSource::open only,
//                              when no such local path exists; registry/reference.hpp)
// A path that exists as given wins over reading its last ":x" as a tag, so
// folders with colons in their names still work.
struct ImageRef {
  std::string text;  // as given
  SourceFormat format = SourceFormat::kOciLayout;
  std::string path;
  // Empty: every image. docker-archive tags are normalised ("app" -> "app:latest").
  std::string tag;
};

// Looks at the filesystem (stat) to tell a folder from a file and a path from a tag.
core::Result<ImageRef> parse_image_ref(std::string_view text);

// A top-level image index the reference leads to (a multi-platform tag).
struct IndexSummary {
  oci::Descriptor descriptor;
  std::vector<std::string> ref_names;  // sorted
  oci::Index index;                    // its manifests, each with its platform
};

// An opened image: the reader, plus what the reference selects, read and
// verified (indexes, manifests, configs; not layers, which are streamed on
// demand through reader()).
class ImageSource {
 public:
  // A registry reference is read with default connection settings
  // (registry::RemoteOptions: https, plain HTTP for loopback hosts).
  static core::Result<std::unique_ptr<ImageSource>> open(std::string_view ref,
                                                         const oci::ReaderLimits& limits = {});
  // Over a reader the caller opened (a registry with its own options): every
  // image the reader's index leads to.
  static core::Result<std::unique_ptr<ImageSource>> from_reader(
      std::string_view text, SourceFormat format, std::unique_ptr<oci::ImageReader> reader,
      const oci::ReaderLimits& limits = {});

  const ImageRef& ref() const { return ref_; }
  oci::ImageReader& reader() { return *reader_; }

  // The top-level descriptors selected (index.json entries or, for a
  // docker-archive, synthesised manifests), one per distinct digest.
  const std::vector<oci::Descriptor>& tops() const { return tops_; }
  // The selected tops that are image indexes.
  const std::vector<IndexSummary>& indexes() const { return indexes_; }
  // Every platform image selected, one per distinct manifest digest (the
  // ref_names of duplicates merged and sorted), in index order.
  const std::vector<oci::PlatformImage>& images() const { return images_; }

  // images() whose platform matches "os/arch[/variant]" (a variant is
  // compared only when given). An empty filter selects every image; no match
  // is an error listing the platforms there are.
  core::Result<std::vector<const oci::PlatformImage*>> select_platform(
      std::string_view platform) const;

 private:
  ImageSource() = default;
  core::Status load();
  std::vector<std::string> top_ref_names(size_t i) const;
  bool tag_matches(const std::vector<std::string>& ref_names) const;

  ImageRef ref_;
  std::unique_ptr<oci::ImageReader> reader_;
  oci::ReaderLimits limits_;
  std::vector<oci::PlatformImage> all_images_;
  std::vector<oci::Descriptor> tops_;
  std::vector<IndexSummary> indexes_;
  std::vector<oci::PlatformImage> images_;
};

}  // namespace distill::image
