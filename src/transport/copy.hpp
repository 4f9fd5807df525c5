#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"
#include "registry/transfer.hpp"
#include "transport/image_ref.hpp"
#include "transport/open.hpp"

namespace distill::transport {

// How an image is written to a destination.
struct WriteOptions {
  registry::RemoteOptions remote;
  int parallel = registry::kDefaultParallelTransfers;
  std::string hints_path;  // registry::BlobHints file; empty: none
  // A repository of the destination's registry that already holds the blobs
  // (a copy between repositories): mounted from first.
  std::string mount_from_registry, mount_from;
  bool progress = false;  // progress bars on stderr (a terminal, not -q)
};

struct CopyResult {
  std::string destination;  // the reference (without digest) or path
  oci::Descriptor top;      // what was written or pushed
  int uploaded = 0, mounted = 0, skipped = 0;
};

// The one switch over sinks: writes `top` (and all it references) of any
// source to a layout (listed under `names`, or dst.tag), a docker-archive
// (tagged `names`) or a registry (blobs, manifests, then the tag).
core::Result<CopyResult> write_image(oci::ImageReader& src, const oci::Descriptor& top,
                                     const Destination& dst, const std::vector<std::string>& names,
                                     const WriteOptions& options);

// What a destination records for `-t` names, each already NAME:TAG
// (`registry::normalize_image_name`): a layout lists each TAG, or "latest"
// when there is none; a docker-archive the names.
std::vector<std::string> names_for_tags(Transport t, const std::vector<std::string>& tags);

struct CopyOptions {
  WriteOptions write;
  oci::ReaderLimits limits;
  std::string platform;            // "os/arch[/variant]": copy only that image of an index
  std::string format;              // local destination: "oci", "docker" or empty (from the text)
  bool local_destination = false;  // `pull -o`: never read the destination as a reference
};

// The checks every copy makes on the options it was given (--parallel at
// least 1, --chunk-size not negative), before anything is copied.
core::Status check_copy_options(const CopyOptions& options);

// Where copies remember which registry holds which blob: beside the cache.
std::string blob_hints_path(const std::string& cache_root);

// Copies one image (an index with all its platforms, or what --platform
// selects) from `src` to `dst`, each any of the transports. Nothing is left
// at a local destination on failure; a registry gets its tag last.
core::Result<CopyResult> copy_image(std::string_view src, std::string_view dst,
                                    const CopyOptions& options);

// "DST@sha256:..." on `out`; unless `quiet`, what was uploaded on `err`.
void print_copy_result(const CopyResult& result, std::FILE* out, std::FILE* err, bool quiet);

}  // namespace distill::transport
