#pragma once

#include <memory>
#include <string>
#include <vector>

#include "builder/build_options.hpp"
#include "builder/pipeline.hpp"
#include "builder/remote_cache.hpp"
#include "builder/spec.hpp"
#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "transport/copy.hpp"

namespace distill::builder {

// What `distill build` is asked for, as text where the command line gives text.
struct BuildRequest {
  // Spec files or folders of them; empty: distill.yaml. More than one spec
  // builds several images in one process (`plan_builds`).
  std::vector<std::string> spec_paths;
  // empty: ./image (OCI layout) or ./image.tar (docker-archive); with
  // several specs a folder (default ./images) holding one output per spec.
  std::string output;
  std::string format = "oci";      // oci or docker
  std::vector<std::string> archs;  // empty: the spec's
  std::vector<std::string> tags;   // NAME:TAG
  std::string compression = "gzip";
  std::string lock_path;       // empty: resolve
  bool no_cache = false;       // resolve again and rebuild every layer
  std::string cache_repo;      // `--cache-repo HOST[:PORT]/REPO`; empty: none
  bool allow_outside = false;  // files: may come from outside the spec's folder
  bool sbom = false;
  std::string sbom_format = "spdx-json";
  std::vector<std::string> push;  // registry references
  transport::CopyOptions push_options;
  std::string report_path;  // the build report as JSON
  bool verbose = false;     // every maintainer-script step, not just the summary
  bool debug = false;       // the spec's debug variant, on debug tags (docs/spec.md)
  // `--sign-key`: sign and attest every pushed image with this key (its
  // passphrase from `passphrase_file`, else the environment).
  std::string sign_key;
  std::string passphrase_file;
};

// A request checked and loaded: every bad flag, spec or lockfile is an error
// here, before a repository is opened or anything fetched.
struct BuildPlan {
  std::string spec_path;
  std::string name;  // the image's name among several: its spec file's stem, or folder's
  Spec spec;
  std::unique_ptr<debian::Lockfile> lock;   // options.lock points here
  std::unique_ptr<RemoteCache> cache_repo;  // options.cache_repo points here
  BuildOptions options;
  ShipOptions ship;
};

// One spec: its plan. Several: one plan each, in the order given (a folder's
// specs sorted by name), each writing DIR/<name> under the output folder;
// flags that name one image (--push, --tag, --lock, --report, --sign-key)
// are refused.
core::Result<std::vector<BuildPlan>> plan_builds(const BuildRequest& request);

// The spec files `paths` name: a file as it is; a folder, every *.yaml and
// *.yml file in it and every distill.yaml one folder down, sorted.
core::Result<std::vector<std::string>> expand_spec_paths(const std::vector<std::string>& paths);

// An image's name among several: "a" for specs/a.yaml, "web" for web/distill.yaml.
std::string image_name_of(const std::string& spec_path);

}  // namespace distill::builder
