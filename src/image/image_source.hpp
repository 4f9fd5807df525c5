#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::image {

// What a reference names, as the transport that opened it resolved it
// (transport/image_ref.hpp parses the text; this module never does).
struct SourceName {
  std::string text;       // the reference as given
  std::string where;      // the path or reference errors name
  std::string transport;  // "oci-layout", "docker-archive" or "registry", for reports
  std::string name;       // a short name for documents: the folder or file name, or the reference
  // Empty: every image. Else the top-level entries whose ref_names hold it.
  std::string tag;
};

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
  // Over an opened reader: the images of `name.tag` (every image when empty),
  // indexes, manifests and configs read and verified.
  static core::Result<std::unique_ptr<ImageSource>> open(std::unique_ptr<oci::ImageReader> reader,
                                                         SourceName name);

  const SourceName& name() const { return name_; }
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
  bool tag_matches(const std::vector<std::string>& ref_names) const;

  SourceName name_;
  std::unique_ptr<oci::ImageReader> reader_;
  std::vector<oci::PlatformImage> all_images_;
  std::vector<oci::Descriptor> tops_;
  std::vector<IndexSummary> indexes_;
  std::vector<oci::PlatformImage> images_;
};

}  // namespace distill::image
