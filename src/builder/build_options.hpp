#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "builder/build_observer.hpp"
#include "debian/lockfile.hpp"
#include "oci/compressor.hpp"
#include "transport/image_ref.hpp"

namespace distill::builder {

class RemoteCache;

struct BuildOptions {
  std::string output;  // layout folder or docker-archive tar
  transport::Transport format = transport::Transport::kOciLayout;  // or kDockerArchive
  std::vector<std::string> archs;                                  // overrides spec.archs
  std::vector<std::string> tags;                                   // NAME:TAG
  oci::Compression compression = oci::Compression::kGzip;
  int64_t source_date_epoch = 0;
  // Told what happens while the build runs; nullptr: nobody.
  BuildObserver* observer = nullptr;
  // false: resolve again and rebuild every layer (the records are still refreshed)
  bool reuse_cache = true;
  // `--cache-repo`: a cache shared between machines, consulted after the
  // local one and filled with what this build makes (builder/remote_cache).
  RemoteCache* cache_repo = nullptr;
  // Build exactly these packages instead of resolving (`--lock`); it must
  // have been made from the same spec request. lock_path names it in errors.
  const debian::Lockfile* lock = nullptr;
  std::string lock_path;
  // `--allow-outside`: the spec's files may come from outside its folder.
  bool allow_outside = false;
  // false: no package layer is written before every .deb is read
  // (builder/early_layers). The image is the same; tests compare the two.
  bool early_layers = true;
};

}  // namespace distill::builder
