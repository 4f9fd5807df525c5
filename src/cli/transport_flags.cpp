#include "cli/transport_flags.hpp"

#include <unistd.h>

#include <cstdio>

#include "cache/cache.hpp"

namespace distill::cli {
namespace {

void add_remote_options(CLI::App& sub, registry::RemoteOptions& o) {
  sub.add_flag("--insecure", o.insecure,
               "Allow plain HTTP and unverified TLS (loopback registries allow HTTP anyway)");
  sub.add_option("--ca-cert", o.ca_file, "Extra CA certificate bundle (PEM) to trust");
}

}  // namespace

void add_transport_options(CLI::App& sub, transport::Options& o) {
  add_remote_options(sub, o.remote);
}

void add_image_argument(CLI::App& sub, std::string& image, transport::Options& options) {
  sub.add_option("image", image,
                 "OCI layout folder (DIR, DIR:TAG, oci:DIR[:TAG]), docker-archive tar "
                 "(FILE, docker-archive:FILE) or registry reference (HOST/REPO[:TAG][@DIGEST])")
      ->required();
  add_transport_options(sub, options);
}

void add_copy_options(CLI::App& sub, transport::CopyOptions& o) {
  add_remote_options(sub, o.write.remote);
  sub.add_option("--parallel", o.write.parallel, "Blob transfers at a time")->capture_default_str();
  sub.add_option("--chunk-size", o.write.remote.chunk_size,
                 "Upload blobs larger than BYTES in chunks of BYTES (raised to the registry's "
                 "OCI-Chunk-Min-Length); 0: one request per blob")
      ->capture_default_str();
}

core::Result<transport::CopyResult> run_copy(const GlobalOptions& g, const std::string& src,
                                             const std::string& dst,
                                             const transport::CopyOptions& options) {
  transport::CopyOptions o = options;
  o.write.hints_path =
      transport::blob_hints_path(g.cache_dir.empty() ? cache::Cache::default_root() : g.cache_dir);
  o.write.progress = !g.quiet;
  DISTILL_ASSIGN(transport::CopyResult r, transport::copy_image(src, dst, o));
  print_copy_result(g, r);
  return r;
}

void print_copy_result(const GlobalOptions& g, const transport::CopyResult& r) {
  transport::print_copy_result(r, stdout, stderr, g.quiet);
}

}  // namespace distill::cli
