#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/process.hpp"
#include "core/result.hpp"
#include "image/image_opener.hpp"
#include "oci/image_reader.hpp"
#include "runtime/bundle.hpp"
#include "runtime/health.hpp"
#include "runtime/runner.hpp"
#include "runtime/runtime_spec.hpp"

namespace distill::runtime {

// Where a detached container's runc state, id and logs go (runtime/state_store).
struct DetachedStart {
  std::string runc_root;
  std::string id;
  std::string log;       // the container's stdout and stderr
  std::string runc_log;  // runc's own, JSON lines
  std::string pid_file;  // where runc writes process 1's pid (optional)
};

// An image unpacked into a private bundle, ready to run containers one after
// another (each with its own config.json and runc state); the bundle is
// removed with everything in it when the Container is destroyed.
class Container {
 public:
  // `where` (the image's reference) prefixes errors about the runtime spec.
  // The bundle is made as `bundle` says (default: in $TMPDIR, layers copied;
  // cached_bundle() for distill's root cache).
  static core::Result<Container> unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                        RuncExecutor& executor, std::string runc,
                                        std::string where = {}, BundleOptions bundle = {});

  // Output passes through; the container's exit code. With `health`, its
  // healthcheck runs on the interval while it runs (HealthMonitor).
  core::Result<int> run(const RunOptions& options, const HealthWatch* health = nullptr);
  // Output captured (out, err, exit code).
  core::Result<core::ProcessResult> run_captured(const RunOptions& options);

  // Starts it with `runc --root <runc_root> run -d` as container `id`, its
  // stdout and stderr appended to `log`; returns once runc has started it.
  // From then on the bundle outlives this object (the caller removes it).
  core::Status start_detached(const RunOptions& options, const DetachedStart& start);
  // What start_detached runs (`runc ... run -d ...`), the bundle made ready
  // and kept: for a caller that runs it itself (the container's monitor).
  core::Result<std::vector<std::string>> detached_command(const RunOptions& options,
                                                          const DetachedStart& start);

  std::string rootfs() const { return bundle_.rootfs(); }

 private:
  Container(Bundle bundle, const oci::PlatformImage& image, RuncExecutor& executor,
            std::string runc, std::string where)
      : bundle_(std::move(bundle)),
        image_(&image),
        executor_(&executor),
        runc_(std::move(runc)),
        where_(std::move(where)) {}
  // Writes config.json for `options`: the user resolved in the bundle's own passwd.
  core::Status configure(const RunOptions& options);
  core::Status write_etc_files(RunOptions& options) const;
  // The program to run is in the image and runs on this host (program_check).
  core::Status check_entrypoint(const RunOptions& options) const;

  Bundle bundle_;
  const oci::PlatformImage* image_;
  RuncExecutor* executor_;
  std::string runc_;
  std::string where_;
};

// A bundle under `parent` (default $TMPDIR) whose rootfs is an overlay of
// the layers in RootCache::default_root(): what run, test and probe use.
BundleOptions cached_bundle(std::string parent = {});

// `distill run`'s options, as given on the command line (docs/run.md).
struct RunRequest {
  std::string platform;
  std::vector<std::string> args;     // after IMAGE; a leading "--" only separates
  std::vector<std::string> env;      // "K=V", or "K" for our own K (dropped when unset)
  std::vector<std::string> volumes;  // "HOST:CONTAINER[:ro|rw]"
  std::vector<std::string> cap_add;
  std::optional<std::string> user;
  std::optional<std::string> entrypoint;  // "" clears it
  std::string image;                      // the reference as given, for the record
  std::string name;                       // --name ("" = generated for -d, none otherwise)
  bool detach = false;                    // -d
  bool interactive = false;               // -i: stdin attached
  bool tty = false;                       // -t: a terminal (stdin must be one)
  std::string network;                    // "none", "host", "private"; "" = private with -p
  std::vector<std::string> publish;       // -p "[IP:]HOST:CONTAINER[/tcp|udp]"
  std::vector<std::string> add_hosts;     // "NAME:IP"
  std::vector<std::string> dns;           // server addresses
  bool init = false;                      // distill-init as process 1
  bool no_healthcheck = false;            // --no-healthcheck: the image's is not run
  // A foreground run's health changes (docs/run.md, "Healthchecks"); none: not watched.
  std::function<void(const HealthState&)> on_health;
};

// The RunOptions a request stands for; an error names the bad flag.
core::Result<RunOptions> run_options(const RunRequest& request);

// `distill run`: checks the options, root and runc, then, with SIGINT,
// SIGTERM and SIGHUP held until the bundle is gone, opens the image,
// unpacks it and runs it with its output passing through. Returns the
// container's exit code.
core::Result<int> run_image(const image::ImageOpener& open, const RunRequest& request,
                            RuncExecutor& executor);

}  // namespace distill::runtime
