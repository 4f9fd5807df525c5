#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/digest.hpp"
#include "oci/platform.hpp"

namespace distill::oci {

using Annotations = std::map<std::string, std::string>;

// A reference to a blob by media type, digest and size.
struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  Annotations annotations;
  std::optional<Platform> platform;  // in an index, which platform a manifest is for
};

// An image manifest (schemaVersion 2): one platform's config and layers.
struct Manifest {
  std::string media_type;  // empty: kMediaTypeManifest
  Descriptor config;
  std::vector<Descriptor> layers;
  Annotations annotations;
};

// An image index: one manifest per platform (or, in a layout's index.json,
// per tag).
struct Index {
  std::string media_type;  // empty: kMediaTypeIndex
  std::vector<Descriptor> manifests;
  Annotations annotations;
};

// Descriptors larger than this are refused: no image has a terabyte blob,
// and sums of sizes stay far from overflowing.
inline constexpr int64_t kMaxBlobSize = int64_t{1} << 40;

// What every descriptor read or pushed must be: a sha256 digest, a size from
// 0 to kMaxBlobSize and a media type of RFC 6838's form.
bool is_media_type(std::string_view t);
core::Status check_descriptor(const Descriptor& d);

// Deterministic JSON (keys sorted, compact, no trailing newline). The
// mediaType field is always written: the image spec recommends it and it stops
// a manifest being confused for an index.
core::Result<std::string> manifest_json(const Manifest& m);
core::Result<std::string> index_json(const Index& i);

// Also read the Docker schema 2 equivalents. Refuse schemaVersion other than 2,
// descriptors check_descriptor refuses and more than 10000 layers or manifests.
core::Result<Manifest> parse_manifest(std::string_view json, std::string_view where);
core::Result<Index> parse_index(std::string_view json, std::string_view where);

// The descriptor of a JSON blob we serialised.
Descriptor describe(std::string_view media_type, std::string_view content);

}  // namespace distill::oci
