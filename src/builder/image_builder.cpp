#include "builder/image_builder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "builder/app_files.hpp"
#include "builder/preset.hpp"
#include "builder/rootfs.hpp"
#include "builder/system_files.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "core/temp_dir.hpp"
#include "core/time.hpp"
#include "core/unique_fd.hpp"
#include "core/units.hpp"
#include "debian/deb_file.hpp"
#include "debian/solve.hpp"
#include "oci/docker_archive.hpp"
#include "oci/image.hpp"
#include "oci/image_config.hpp"
#include "oci/layer_writer.hpp"
#include "oci/layout_writer.hpp"
#include "oci/platform.hpp"
#include "verify/elf_file.hpp"
#include "verify/image_elf_check.hpp"

namespace distill::builder {
namespace {

// Bumped whenever assembly rules change, so cached layers from an older
// distill are never reused for a different result.
constexpr const char* kLayerRecipeVersion = "distill-layer-v1";
// The same for cached resolutions: bumped when the resolver or policy changes.
constexpr const char* kResolutionRecipeVersion = "distill-resolution-v1";

struct PlannedArch {
  std::string arch;
  std::vector<std::string> packages;               // name=version, for the report
  std::vector<std::string> dropped;                // policy-dropped edges
  std::vector<debian::PackageFetch> installs;      // installed packages
  std::vector<debian::PackageFetch> extract_only;  // read for their data only
};

struct BuiltLayer {
  oci::LayerBlob blob;
  bool cached = false;
};

debian::SolveRequest solve_request(const Spec& spec, const Preset& preset) {
  debian::SolveRequest req;
  req.packages = preset.roots;
  req.packages.insert(req.packages.end(), spec.packages.begin(), spec.packages.end());
  req.exclude = preset.exclude;
  req.exclude.insert(req.exclude.end(), spec.exclude.begin(), spec.exclude.end());
  req.policy.allow_shells = spec.allow_shells;
  return req;
}

std::vector<std::string> extract_names(const Spec& spec, const Preset& preset) {
  std::vector<std::string> names = preset.extract_only;
  if (spec.debug) names.push_back("busybox-static");
  return names;
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

struct SolvedArch {
  debian::LockedArch locked;
  std::vector<std::string> dropped;
};

core::Result<SolvedArch> solve_fresh(const Spec& spec, const Preset& preset,
                                     debian::Repository& repo, const std::string& arch) {
  DISTILL_ASSIGN(debian::ArchSolution solution,
                 debian::solve_arch(repo, arch, solve_request(spec, preset)));
  SolvedArch out;
  out.locked = debian::lock_arch(solution);
  for (const auto& d : solution.resolution.dropped) out.dropped.push_back(d.str());
  for (const auto& name : extract_names(spec, preset)) {
    const auto& cands = solution.universe.candidates(name);
    if (cands.empty())
      return core::make_error(name,
                              "no such package in " + repo.config().distro.codename + "/" + arch);
    out.locked.extract.push_back(debian::locked_package(*cands.front()));
  }
  return out;
}

// A resolution depends only on the indices (named by the digests the signed
// Releases vouch for), the request and the resolver: the same key gives the
// same packages, so a rebuild skips loading ~50 MB of indices.
std::string resolution_key(const Spec& spec, const Preset& preset, const std::string& arch,
                           const std::vector<debian::IndexOrigin>& origins) {
  core::Sha256 h;
  auto line = [&h](std::string_view s) {
    h.update(s);
    h.update("\n");
  };
  line(kResolutionRecipeVersion);
  line(DISTILL_VERSION);
  line(arch);
  for (const auto& o : origins) line("index " + o.suite + " " + o.component + " " + o.sha256);
  debian::SolveRequest req = solve_request(spec, preset);
  for (const auto& p : sorted_unique(req.packages)) line("package " + p);
  for (const auto& p : sorted_unique(req.exclude)) line("exclude " + p);
  for (const auto& p : extract_names(spec, preset)) line("extract " + p);
  line(req.policy.allow_shells ? "shells" : "noshells");
  return h.hex_digest();
}

std::optional<SolvedArch> cached_resolution(cache::Cache& cache, const std::string& key,
                                            const std::string& arch) {
  auto record = cache.read_named("resolution-" + key);
  if (!record) return std::nullopt;
  auto lock = debian::Lockfile::parse(*record, "resolution cache");
  auto j = core::parse_json(*record);
  if (!lock.ok() || !j.ok() || !lock->archs.count(arch)) return std::nullopt;
  SolvedArch out;
  out.locked = lock->archs.at(arch);
  try {
    out.dropped = j->value("dropped", std::vector<std::string>{});
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return out;
}

core::Status store_resolution(cache::Cache& cache, const std::string& key, const Spec& spec,
                              const std::string& arch, const SolvedArch& solved) {
  debian::Lockfile lock;
  lock.distro = spec.distro;
  lock.archs[arch] = solved.locked;
  DISTILL_ASSIGN(auto j, core::parse_json(lock.to_json(), "resolution cache"));
  j["dropped"] = solved.dropped;
  return cache.write_named("resolution-" + key, j.dump());
}

core::Result<SolvedArch> solve_spec_arch(const Spec& spec, const Preset& preset,
                                         debian::Repository& repo, cache::Cache& cache,
                                         const std::string& arch, bool reuse = true) {
  DISTILL_ASSIGN(auto origins, repo.index_origins(arch));
  std::string key = resolution_key(spec, preset, arch, origins);
  if (reuse) {
    if (auto hit = cached_resolution(cache, key, arch)) return std::move(*hit);
  }
  DISTILL_ASSIGN(SolvedArch solved, solve_fresh(spec, preset, repo, arch));
  // Only a cache; a failure to record it costs the next build time, not this one.
  (void)store_resolution(cache, key, spec, arch, solved);
  return solved;
}

PlannedArch plan_from(const debian::Repository& repo, const std::string& arch,
                      const SolvedArch& solved) {
  PlannedArch plan;
  plan.arch = arch;
  for (const auto& p : solved.locked.packages) plan.packages.push_back(p.name + "=" + p.version);
  plan.dropped = solved.dropped;
  plan.installs = debian::fetch_list(repo, solved.locked.packages);
  plan.extract_only = debian::fetch_list(repo, solved.locked.extract);
  return plan;
}

// A lock made for another request would silently build something the spec
// does not say: refuse it and name the difference.
core::Status check_lock(const debian::Lockfile& lock, const std::string& where, const Spec& spec,
                        const Preset& preset, const std::vector<std::string>& archs) {
  const char* hint = "run 'distill lock -f <spec>' again";
  if (lock.distro != spec.distro)
    return core::make_error(
        where, fmt::format("locked for {}, the spec says {}", lock.distro, spec.distro), hint);
  debian::SolveRequest req = solve_request(spec, preset);
  if (sorted_unique(lock.packages) != sorted_unique(req.packages))
    return core::make_error(
        where, "its packages differ from the spec's (preset " + preset.name + " plus packages)",
        hint);
  if (sorted_unique(lock.exclude) != sorted_unique(req.exclude))
    return core::make_error(where, "its exclude list differs from the spec's", hint);
  for (const auto& arch : archs) {
    auto it = lock.archs.find(arch);
    if (it == lock.archs.end()) return core::make_error(where, "nothing locked for " + arch, hint);
    for (const auto& name : extract_names(spec, preset)) {
      bool found = std::any_of(it->second.extract.begin(), it->second.extract.end(),
                               [&](const auto& p) { return p.name == name; });
      if (!found) return core::make_error(where, arch + ": " + name + " is not locked", hint);
    }
  }
  return core::Status::Ok();
}

core::Result<PlannedArch> plan_arch(const Spec& spec, const Preset& preset,
                                    debian::Repository& repo, cache::Cache& cache,
                                    const std::string& arch, const BuildOptions& opts) {
  if (opts.lock) return plan_from(repo, arch, SolvedArch{opts.lock->archs.at(arch), {}});
  DISTILL_ASSIGN(SolvedArch solved,
                 solve_spec_arch(spec, preset, repo, cache, arch, opts.reuse_cache));
  return plan_from(repo, arch, solved);
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

// What assembling the OS layer reported, kept with its cache record so that a
// cached build still says which scripts were skipped and which bits stripped.
nlohmann::json assembly_notes(const ArchReport& r) {
  return {
      {"skipped_scripts", r.skipped_scripts}, {"stripped", r.stripped}, {"conflicts", r.conflicts}};
}

void restore_notes(const nlohmann::json& notes, ArchReport& r) {
  if (!notes.is_object()) return;
  r.skipped_scripts = notes.value("skipped_scripts", std::vector<std::string>{});
  r.stripped = notes.value("stripped", std::vector<std::string>{});
  r.conflicts = notes.value("conflicts", std::vector<std::string>{});
}

// A cached layer is a blob plus a small record of its descriptor (and notes).
std::optional<oci::LayerBlob> cached_layer(cache::Cache& cache, const std::string& key,
                                           nlohmann::json* notes = nullptr) {
  auto record = cache.read_named("layer-" + key);
  if (!record) return std::nullopt;
  auto parsed = core::parse_json(*record);
  if (!parsed.ok()) return std::nullopt;
  const nlohmann::json& j = *parsed;
  try {
    if (notes) *notes = j.value("notes", nlohmann::json());
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
                                                const BuildOptions& opts,
                                                nlohmann::json notes = nullptr) {
  DISTILL_ASSIGN(core::TempDir tmp, core::TempDir::create(cache.root(), "layer"));
  oci::LayerOptions lo;
  lo.compression = opts.compression;
  lo.source_date_epoch = opts.source_date_epoch;
  DISTILL_ASSIGN(oci::LayerBlob blob,
                 oci::write_layer(std::move(entries), lo, tmp.path() + "/blob"));
  DISTILL_ASSIGN(std::string data, core::read_file(blob.path));
  DISTILL_ASSIGN(blob.path, cache.store(blob.digest.hex(), data, "layer " + blob.digest.str()));
  nlohmann::json record = {{"digest", blob.digest.str()},
                           {"diff_id", blob.diff_id.str()},
                           {"size", blob.size},
                           {"uncompressed_size", blob.uncompressed_size},
                           {"media_type", blob.media_type}};
  if (!notes.is_null()) record["notes"] = std::move(notes);
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
    for (const char* a : kApplets)
      fs.put(oci::FsEntry::symlink(std::string("busybox/") + a, "busybox"));
    return;
  }
}

core::Status assemble(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                      const PlannedArch& plan, const std::vector<std::string>& paths, Rootfs& fs,
                      ArchReport& report) {
  const size_t n = plan.installs.size();
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& name = i < n ? plan.installs[i].name : plan.extract_only[i - n].name;
    DISTILL_ASSIGN(debian::DebContents deb, debian::read_deb(paths[i], name));
    if (i >= n) {
      if (name == "ca-certificates")
        DISTILL_TRY(add_ca_bundle(fs, deb.entries, spec.ca_certificates));
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

core::Result<BuiltLayer> os_layer(const Spec& spec, const Preset& preset, debian::Repository& repo,
                                  cache::Cache& cache, const PlannedArch& plan,
                                  const BuildOptions& opts, ArchReport& report) {
  std::string key = os_layer_key(spec, preset, plan, opts);
  if (opts.reuse_cache) {
    nlohmann::json notes;
    if (auto hit = cached_layer(cache, key, &notes)) {
      restore_notes(notes, report);
      return BuiltLayer{*hit, true};
    }
  }
  std::vector<debian::PackageFetch> all = plan.installs;
  all.insert(all.end(), plan.extract_only.begin(), plan.extract_only.end());
  DISTILL_ASSIGN(auto paths, repo.fetch(all));
  Rootfs fs(Rootfs::Options{spec.keep_docs});
  DISTILL_TRY(assemble(spec, preset, repo.config().distro, plan, paths, fs, report));
  DISTILL_ASSIGN(oci::LayerBlob blob,
                 write_cached_layer(cache, key, fs.entries(), opts, assembly_notes(report)));
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
    h.update(fmt::format("{}\t{}\t{:o}\t{}\t{}\t{}\n", e.path, oci::entry_type_name(e.type), e.mode,
                         e.uid, e.gid, content));
  }
  std::string key = h.hex_digest();
  if (opts.reuse_cache) {
    if (auto hit = cached_layer(cache, key)) return std::optional<oci::LayerBlob>(*hit);
  }
  DISTILL_ASSIGN(oci::LayerBlob blob, write_cached_layer(cache, key, std::move(entries), opts));
  return std::optional<oci::LayerBlob>(blob);
}

std::vector<std::string> image_env(const Spec& spec, const Preset& preset) {
  std::map<std::string, std::string> env = {
      {"PATH", std::string(oci::kDefaultPath) + (spec.debug ? ":/busybox" : "")},
      {"SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"}};
  for (const auto& [k, v] : preset.env) env[k] = v;
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

core::Result<oci::Image> make_image(const Spec& spec, const Preset& preset, const std::string& arch,
                                    const BuildOptions& opts,
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
  image.config.history.push_back({fmt::format("distill build: {} {} {} ({} packages)", spec.distro,
                                              preset.name, arch, packages),
                                  "distroless packages and system files", false});
  if (layers.size() > 1)
    image.config.history.push_back({"distill build: files", "application files", false});
  image.layers = layers;
  image.annotations["org.opencontainers.image.created"] =
      core::format_rfc3339(opts.source_date_epoch);
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
    std::string list = core::join(r.skipped_scripts, ", ");
    std::fprintf(stderr, "  maintainer scripts not run: %s\n", list.c_str());
  }
  for (const auto& s : r.stripped)
    std::fprintf(stderr, "  setuid/setgid bit removed: %s\n", s.c_str());
  for (const auto& s : r.conflicts)
    std::fprintf(stderr, "  file conflict, first kept: %s\n", s.c_str());
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
                          ? "latest"
                          : tag.substr(colon + 1);
    DISTILL_TRY(w.add_to_index(top, ref));
  }
  return w.commit();
}

bool is_elf_file(const oci::FsEntry& e) {
  if (e.type != oci::EntryType::kRegular) return false;
  if (e.source_path.empty()) return verify::has_elf_magic(e.data);
  char magic[4] = {};
  core::UniqueFd fd(::open(e.source_path.c_str(), O_RDONLY | O_CLOEXEC));
  // An unreadable file fails later, when the layer is written; check it then.
  if (!fd) return true;
  ssize_t n = ::read(fd.get(), magic, sizeof magic);
  return n > 0 && verify::has_elf_magic(std::string_view(magic, static_cast<size_t>(n)));
}

// Confirms guessed package names against the architecture's indices, loaded
// only when a finding needs a name: a passing check (or a cached resolution)
// never reads them.
class LazyPackageNames {
 public:
  LazyPackageNames(debian::Repository& repo, std::string arch)
      : repo_(repo), arch_(std::move(arch)) {}
  bool exists(std::string_view package) {
    if (!loaded_) {
      loaded_ = true;
      if (auto indices = repo_.load_indices(arch_); indices.ok())
        for (auto& index : *indices) universe_.add(std::move(index));
    }
    return !universe_.candidates(package).empty();
  }

 private:
  debian::Repository& repo_;
  std::string arch_;
  bool loaded_ = false;
  debian::PackageUniverse universe_;
};

// The ELF dependency check on the files the spec adds (docs/elf-check.md):
// every problem is printed before the build fails.
core::Status check_app_binaries(const Spec& spec, const oci::Image& image, const PlannedArch& plan,
                                debian::Repository& repo) {
  DISTILL_ASSIGN(auto entries, app_file_entries(spec.files));
  // Most apps (scripts, jars, data) hold no ELF file: then the image need not
  // be read back at all.
  if (std::none_of(entries.begin(), entries.end(), is_elf_file)) return core::Status::Ok();
  std::set<std::string, std::less<>> paths;
  for (const auto& e : entries)
    if (auto p = core::normalize_relative_path(e.path)) paths.insert(*p);
  auto names = std::make_shared<LazyPackageNames>(repo, plan.arch);
  auto exists = [names](std::string_view p) { return names->exists(p); };
  DISTILL_ASSIGN(auto findings,
                 verify::check_built_image(
                     image, [&paths](std::string_view p) { return paths.count(p) != 0; },
                     verify::lookup_in(exists)));
  return verify::report_elf_findings(findings, "build " + plan.arch);
}

}  // namespace

core::Result<debian::Lockfile> lock_spec(const Spec& spec, std::vector<std::string> archs,
                                         debian::Repository& repo, cache::Cache& cache) {
  DISTILL_ASSIGN(Preset preset, find_preset(spec.base, repo.config().distro));
  if (archs.empty()) archs = spec.archs;
  if (archs.empty()) archs = {debian::host_arch()};
  debian::SolveRequest req = solve_request(spec, preset);
  debian::Lockfile lock;
  lock.distro = spec.distro;
  lock.base = preset.name;
  lock.packages = req.packages;
  lock.exclude = req.exclude;
  for (const auto& arch : archs) {
    DISTILL_ASSIGN(SolvedArch solved, solve_spec_arch(spec, preset, repo, cache, arch));
    lock.archs[arch] = std::move(solved.locked);
  }
  return lock;
}

core::Result<BuildReport> build_image(const Spec& spec, const BuildOptions& opts,
                                      debian::Repository& repo, cache::Cache& cache) {
  const debian::Distro& distro = repo.config().distro;
  DISTILL_ASSIGN(Preset preset, find_preset(spec.base, distro));
  std::vector<std::string> archs = !opts.archs.empty() ? opts.archs : spec.archs;
  if (archs.empty()) archs = {debian::host_arch()};
  if (opts.format == OutputFormat::kDocker && archs.size() > 1)
    return core::make_error("build", "docker-archive holds one platform",
                            "use --format oci or pick one with --arch");
  if (opts.lock) {
    DISTILL_TRY(check_lock(*opts.lock, opts.lock_path, spec, preset, archs));
  }
  BuildReport report;
  std::vector<oci::Image> images;
  DISTILL_ASSIGN(auto app, app_layer(spec, cache, opts));
  for (const auto& arch : archs) {
    ArchReport r;
    r.arch = arch;
    DISTILL_ASSIGN(PlannedArch plan, plan_arch(spec, preset, repo, cache, arch, opts));
    r.packages = plan.packages;
    r.dropped = plan.dropped;
    DISTILL_ASSIGN(BuiltLayer os, os_layer(spec, preset, repo, cache, plan, opts, r));
    r.os_layer_cached = os.cached;
    std::vector<oci::LayerBlob> layers = {os.blob};
    if (app) layers.push_back(*app);
    for (const auto& l : layers) {
      r.uncompressed_bytes += static_cast<uint64_t>(l.uncompressed_size);
      r.compressed_bytes += static_cast<uint64_t>(l.size);
    }
    DISTILL_ASSIGN(oci::Image image,
                   make_image(spec, preset, arch, opts, layers, r.packages.size()));
    if (app) DISTILL_TRY(check_app_binaries(spec, image, plan, repo));
    images.push_back(std::move(image));
    report.archs.push_back(std::move(r));
  }
  DISTILL_TRY(write_output(opts, images, report));
  if (opts.verbose)
    for (const auto& r : report.archs) print_summary(r);
  return report;
}

}  // namespace distill::builder
