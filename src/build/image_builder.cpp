#include "build/image_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "build/app_files.hpp"
#include "build/preset.hpp"
#include "build/rootfs.hpp"
#include "build/system_files.hpp"
#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"
#include "core/units.hpp"
#include "debian/deb_file.hpp"
#include "debian/solve.hpp"
#include "oci/docker_archive.hpp"
#include "oci/image.hpp"
#include "oci/layer_writer.hpp"
#include "oci/layout_writer.hpp"
#include "oci/platform.hpp"

namespace distill::build {
namespace {

// Bumped whenever assembly rules change, so cached layers from an older
// distill are never reused for a different result.
constexpr const char* kLayerRecipeVersion = "distill-layer-v1";

struct PlannedArch {
  std::string arch;
  debian::ArchSolution solution;
  std::vector<debian::PackageFetch> installs;      // installed packages
  std::vector<debian::PackageFetch> extract_only;  // read for their data only
};

struct BuiltLayer {
  oci::LayerBlob blob;
  bool cached = false;
};

core::Result<PlannedArch> plan_arch(const Spec& spec, const Preset& preset,
                                    debian::Repository& repo, const std::string& arch) {
  debian::SolveRequest req;
  req.packages = preset.roots;
  req.packages.insert(req.packages.end(), spec.packages.begin(), spec.packages.end());
  req.exclude = preset.exclude;
  req.exclude.insert(req.exclude.end(), spec.exclude.begin(), spec.exclude.end());
  req.policy.allow_shells = spec.allow_shells;
  PlannedArch plan;
  plan.arch = arch;
  DISTILL_ASSIGN(plan.solution, debian::solve_arch(repo, arch, req));
  plan.installs = debian::fetch_list(repo, debian::lock_arch(plan.solution));
  std::vector<std::string> extract = preset.extract_only;
  if (spec.debug) extract.push_back("busybox-static");
  for (const auto& name : extract) {
    const auto& cands = plan.solution.universe.candidates(name);
    if (cands.empty())
      return core::make_error(name, "no such package in " + repo.config().distro.codename + "/" + arch);
    const auto* e = cands.front();
    plan.extract_only.push_back({std::string(e->name), repo.base_url_for(e->origin->suite),
                                 std::string(e->filename), std::string(e->sha256), e->size});
  }
  return plan;
}

std::string os_layer_key(const Spec& spec, const Preset& preset, const PlannedArch& plan,
                         const BuildOptions& opts) {
  core::Sha256 h;
  auto line = [&h](std::string_view s) {
    h.update(s);
    h.update("\n");
  };
  line(kLayerRecipeVersion);
  line(spec.distro);
  line(plan.arch);
  line(preset.name);
  line(spec.keep_docs ? "docs" : "nodocs");
  line(spec.debug ? "debug" : "nodebug");
  line(oci::compression_name(opts.compression));
  line(std::to_string(opts.source_date_epoch));
  for (const auto& p : plan.installs) line("install " + p.name + " " + p.sha256);
  for (const auto& p : plan.extract_only) line("extract " + p.name + " " + p.sha256);
  for (const auto& [path, target] : preset.symlinks) line("symlink " + path + " " + target);
  for (const auto& pem : spec.ca_certificates) {
    auto hash = core::sha256_file(pem);
    line("ca " + (hash.ok() ? *hash : std::string("unreadable")));
  }
  return h.hex_digest();
}

// A cached layer is a blob plus a small record of its descriptor.
std::optional<oci::LayerBlob> cached_layer(cache::Cache& cache, const std::string& key) {
  auto record = cache.read_named("layer-" + key);
  if (!record) return std::nullopt;
  auto j = nlohmann::json::parse(*record, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  try {
    oci::LayerBlob b;
    auto digest = oci::Digest::parse(j.at("digest").get<std::string>());
    auto diff_id = oci::Digest::parse(j.at("diff_id").get<std::string>());
    if (!digest.ok() || !diff_id.ok()) return std::nullopt;
    b.digest = *digest;
    b.diff_id = *diff_id;
    b.size = j.at("size").get<int64_t>();
    b.uncompressed_size = j.at("uncompressed_size").get<int64_t>();
    b.media_type = j.at("media_type").get<std::string>();
    auto path = cache.lookup(b.digest.hex(), static_cast<uint64_t>(b.size));
    if (!path) return std::nullopt;
    b.path = *path;
    return b;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

core::Result<oci::LayerBlob> write_cached_layer(cache::Cache& cache, const std::string& key,
                                                std::vector<oci::FsEntry> entries,
                                                const BuildOptions& opts) {
  DISTILL_ASSIGN(core::TempDir tmp, core::TempDir::create(cache.root(), "layer"));
  oci::LayerOptions lo;
  lo.compression = opts.compression;
  lo.source_date_epoch = opts.source_date_epoch;
  DISTILL_ASSIGN(oci::LayerBlob blob, oci::write_layer(std::move(entries), lo, tmp.path() + "/blob"));
  DISTILL_ASSIGN(std::string data, core::read_file(blob.path));
  DISTILL_ASSIGN(blob.path, cache.store(blob.digest.hex(), data, "layer " + blob.digest.str()));
  nlohmann::json record = {{"digest", blob.digest.str()},
                           {"diff_id", blob.diff_id.str()},
                           {"size", blob.size},
                           {"uncompressed_size", blob.uncompressed_size},
                           {"media_type", blob.media_type}};
  DISTILL_TRY(cache.write_named("layer-" + key, record.dump()));
  return blob;
}

// Busybox for debug images: the binary under /busybox with applet links, as
// Google distroless's :debug images have it.
void add_busybox(Rootfs& fs, const std::vector<oci::FsEntry>& entries) {
  static const char* kApplets[] = {"sh",    "ash",  "cat",   "cp",    "echo",  "env",  "grep",
                                   "head",  "id",   "ls",    "mkdir", "mv",    "ps",   "pwd",
                                   "rm",    "sed",  "sleep", "tail",  "touch", "vi",   "wget",
                                   "which", "find", "chmod", "df",    "du",    "less", "nc"};
  for (const auto& e : entries) {
    if (e.type != oci::EntryType::kRegular || !e.path.ends_with("bin/busybox")) continue;
    oci::FsEntry bin = e;
    bin.path = "busybox/busybox";
    bin.mode = 0755;
    fs.put(oci::FsEntry::directory("busybox"));
    fs.put(std::move(bin));
    for (const char* a : kApplets) fs.put(oci::FsEntry::symlink(std::string("busybox/") + a, "busybox"));
    return;
  }
}

core::Status assemble(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                      const PlannedArch& plan, const std::vector<std::string>& paths,
                      Rootfs& fs, ArchReport& report) {
  const size_t n = plan.installs.size();
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& name = i < n ? plan.installs[i].name : plan.extract_only[i - n].name;
    DISTILL_ASSIGN(debian::DebContents deb, debian::read_deb(paths[i], name));
    if (i >= n) {
      if (name == "ca-certificates") DISTILL_TRY(add_ca_bundle(fs, deb.entries, spec.ca_certificates));
      if (name == "busybox-static") add_busybox(fs, deb.entries);
      continue;
    }
    if (!deb.maintainer_scripts.empty()) report.skipped_scripts.push_back(name);
    add_status_entry(fs, name, deb.control, deb.md5sums);
    fs.add_package(name, std::move(deb.entries));
  }
  fs.add_merged_usr_links();
  add_system_files(fs, distro);
  for (const auto& [path, target] : preset.symlinks)
    if (!fs.contains(path)) fs.put(oci::FsEntry::symlink(path, target));
  report.stripped = fs.stripped_special_bits();
  report.conflicts = fs.conflicts();
  return core::Status::Ok();
}

core::Result<BuiltLayer> os_layer(const Spec& spec, const Preset& preset,
                                  debian::Repository& repo, cache::Cache& cache,
                                  const PlannedArch& plan, const BuildOptions& opts,
                                  ArchReport& report) {
  std::string key = os_layer_key(spec, preset, plan, opts);
  if (auto hit = cached_layer(cache, key)) return BuiltLayer{*hit, true};
  std::vector<debian::PackageFetch> all = plan.installs;
  all.insert(all.end(), plan.extract_only.begin(), plan.extract_only.end());
  DISTILL_ASSIGN(auto paths, repo.fetch(all));
  Rootfs fs(Rootfs::Options{spec.keep_docs});
  DISTILL_TRY(assemble(spec, preset, repo.config().distro, plan, paths, fs, report));
  DISTILL_ASSIGN(oci::LayerBlob blob, write_cached_layer(cache, key, fs.entries(), opts));
  return BuiltLayer{blob, false};
}

core::Result<std::optional<oci::LayerBlob>> app_layer(const Spec& spec, cache::Cache& cache,
                                                      const BuildOptions& opts) {
  if (spec.files.empty()) return std::optional<oci::LayerBlob>();
  DISTILL_ASSIGN(auto entries, app_file_entries(spec.files));
  core::Sha256 h;
  h.update(std::string(kLayerRecipeVersion) + "\napp\n");
  h.update(std::string(oci::compression_name(opts.compression)) + "\n" +
           std::to_string(opts.source_date_epoch) + "\n");
  for (const auto& e : entries) {
    std::string content = e.link_target;
    if (!e.source_path.empty()) {
      DISTILL_ASSIGN(content, core::sha256_file(e.source_path));
    }
    h.update(fmt::format("{}\t{}\t{:o}\t{}\t{}\t{}\n", e.path, oci::entry_type_name(e.type),
                         e.mode, e.uid, e.gid, content));
  }
  std::string key = h.hex_digest();
  if (auto hit = cached_layer(cache, key)) return std::optional<oci::LayerBlob>(*hit);
  DISTILL_ASSIGN(oci::LayerBlob blob, write_cached_layer(cache, key, std::move(entries), opts));
  return std::optional<oci::LayerBlob>(blob);
}

std::vector<std::string> image_env(const Spec& spec, const Preset& preset) {
  std::map<std::string, std::string> env = {
      {"PATH", spec.debug ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox"
                          : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
      {"SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"}};
  for (const auto& [k, v] : preset.env) env[k] = v;
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

core::Result<oci::Image> make_image(const Spec& spec, const Preset& preset,
                                    const std::string& arch, const BuildOptions& opts,
                                    const std::vector<oci::LayerBlob>& layers, size_t packages) {
  oci::Image image;
  DISTILL_ASSIGN(image.config.platform, oci::platform_for_debian_arch(arch));
  auto& c = image.config.config;
  c.user = fmt::format("{}:{}", spec.user.uid, spec.user.gid);
  c.env = image_env(spec, preset);
  c.entrypoint = spec.entrypoint;
  c.cmd = spec.cmd;
  c.working_dir = spec.workdir;
  c.exposed_ports.insert(spec.ports.begin(), spec.ports.end());
  c.labels = spec.labels;
  image.config.created = opts.source_date_epoch;
  image.config.history.push_back(
      {fmt::format("distill build: {} {} {} ({} packages)", spec.distro, preset.name, arch, packages),
       "distroless packages and system files", false});
  if (layers.size() > 1) image.config.history.push_back({"distill build: files", "application files", false});
  image.layers = layers;
  image.annotations["org.opencontainers.image.created"] = oci::format_rfc3339(opts.source_date_epoch);
  image.annotations["org.opencontainers.image.base.name"] =
      fmt::format("distill/{}:{}", preset.name, spec.distro);
  for (const auto& [k, v] : spec.annotations) image.annotations[k] = v;
  return image;
}

void print_summary(const ArchReport& r) {
  std::fprintf(stderr, "distill: %s: %zu packages, %s uncompressed, %s compressed%s\n",
               r.arch.c_str(), r.packages.size(), core::human_size(r.uncompressed_bytes).c_str(),
               core::human_size(r.compressed_bytes).c_str(),
               r.os_layer_cached ? " (package layer from cache)" : "");
  for (const auto& d : r.dropped) std::fprintf(stderr, "  %s\n", d.c_str());
  if (!r.skipped_scripts.empty()) {
    std::string list;
    for (const auto& s : r.skipped_scripts) list += (list.empty() ? "" : ", ") + s;
    std::fprintf(stderr, "  maintainer scripts not run: %s\n", list.c_str());
  }
  for (const auto& s : r.stripped) std::fprintf(stderr, "  setuid/setgid bit removed: %s\n", s.c_str());
  for (const auto& s : r.conflicts) std::fprintf(stderr, "  file conflict, first kept: %s\n", s.c_str());
}

core::Status write_output(const BuildOptions& opts, const std::vector<oci::Image>& images,
                          BuildReport& report) {
  if (opts.format == OutputFormat::kDocker) {
    DISTILL_TRY(oci::write_docker_archive(opts.output, images, opts.tags));
    DISTILL_ASSIGN(auto meta, oci::image_metadata(images.front()));
    report.digest = meta.manifest.digest.str();
    report.archs.front().manifest_digest = report.digest;
    return core::Status::Ok();
  }
  DISTILL_ASSIGN(oci::LayoutWriter w, oci::LayoutWriter::create(opts.output));
  std::vector<oci::Descriptor> manifests;
  for (size_t i = 0; i < images.size(); ++i) {
    DISTILL_ASSIGN(oci::Descriptor d, w.add_image(images[i], oci::BlobTransfer::kCopy));
    report.archs[i].manifest_digest = d.digest.str();
    manifests.push_back(std::move(d));
  }
  oci::Descriptor top = manifests.front();
  if (manifests.size() > 1) {
    DISTILL_ASSIGN(top, w.add_index(manifests));
  }
  report.digest = top.digest.str();
  if (opts.tags.empty()) {
    DISTILL_TRY(w.add_to_index(top));
  }
  for (const auto& tag : opts.tags) {
    auto colon = tag.rfind(':');
    std::string ref = colon == std::string::npos || tag.find('/', colon) != std::string::npos
                          ? "latest" : tag.substr(colon + 1);
    DISTILL_TRY(w.add_to_index(top, ref));
  }
  return w.commit();
}

}  // namespace

core::Result<BuildReport> build_image(const Spec& spec, const BuildOptions& opts,
                                      debian::Repository& repo, cache::Cache& cache) {
  const debian::Distro& distro = repo.config().distro;
  DISTILL_ASSIGN(Preset preset, find_preset(spec.base, distro));
  std::vector<std::string> archs = !opts.archs.empty() ? opts.archs : spec.archs;
  if (archs.empty()) archs = {debian::host_arch()};
  if (opts.format == OutputFormat::kDocker && archs.size() > 1)
    return core::make_error("build", "docker-archive holds one platform",
                            "use --format oci or pick one with --arch");
  BuildReport report;
  std::vector<oci::Image> images;
  DISTILL_ASSIGN(auto app, app_layer(spec, cache, opts));
  for (const auto& arch : archs) {
    ArchReport r;
    r.arch = arch;
    DISTILL_ASSIGN(PlannedArch plan, plan_arch(spec, preset, repo, arch));
    for (const auto& p : plan.solution.resolution.packages)
      r.packages.push_back(fmt::format("{}={}", p.entry->name, p.entry->version));
    for (const auto& d : plan.solution.resolution.dropped) r.dropped.push_back(d.str());
    DISTILL_ASSIGN(BuiltLayer os, os_layer(spec, preset, repo, cache, plan, opts, r));
    r.os_layer_cached = os.cached;
    std::vector<oci::LayerBlob> layers = {os.blob};
    if (app) layers.push_back(*app);
    for (const auto& l : layers) {
      r.uncompressed_bytes += static_cast<uint64_t>(l.uncompressed_size);
      r.compressed_bytes += static_cast<uint64_t>(l.size);
    }
    DISTILL_ASSIGN(oci::Image image, make_image(spec, preset, arch, opts, layers, r.packages.size()));
    images.push_back(std::move(image));
    report.archs.push_back(std::move(r));
  }
  DISTILL_TRY(write_output(opts, images, report));
  if (opts.verbose)
    for (const auto& r : report.archs) print_summary(r);
  return report;
}

}  // namespace distill::build
