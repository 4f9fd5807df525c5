#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/units.hpp"
#include "image/dpkg_inventory.hpp"
#include "image/image_source.hpp"
#include "image/os_release.hpp"
#include "image/rootfs_view.hpp"
#include "oci/image_config.hpp"

namespace distill::cli {
namespace {

// Keys in the documented order (docs/inspect.md), not sorted.
using json = nlohmann::ordered_json;

struct InspectArgs {
  std::string image;
  std::string platform;
  bool as_json = false;
  transport::Options transport;  // --insecure, --ca-cert
};

// One layer and the history line that made it.
struct LayerReport {
  image::LayerInfo info;
  std::string created_by;
  std::string comment;
};

// Everything shown for one platform image.
struct PlatformReport {
  const oci::PlatformImage* image = nullptr;
  std::vector<LayerReport> layers;
  int64_t compressed = 0;
  int64_t uncompressed = 0;
  size_t files = 0;
  std::optional<image::OsRelease> os;
  std::vector<image::DpkgPackage> packages;
};

// The config's history, minus empty_layer entries, lines up with the layers.
void attach_history(const oci::ImageConfig& config, std::vector<LayerReport>& layers) {
  size_t next = 0;
  for (const auto& h : config.history) {
    if (h.empty_layer) continue;
    if (next >= layers.size()) break;
    layers[next].created_by = h.created_by;
    layers[next].comment = h.comment;
    ++next;
  }
}

// "layer sha256:...: ..." reads better with the image it belongs to.
core::Error in_image(const std::string& path, const core::Error& e) {
  return e.where.starts_with(path) ? e : e.with_where(path);
}

core::Result<PlatformReport> inspect_platform(image::ImageSource& source,
                                              const oci::PlatformImage& img) {
  image::RootfsOptions options;
  options.keep_content = [](std::string_view path) {
    return image::is_dpkg_database_file(path) || image::is_os_release_file(path);
  };
  auto read = image::RootfsView::read(source.reader(), img, options);
  if (!read.ok()) return in_image(source.name().where, read.error());
  const image::RootfsView& fs = *read;
  PlatformReport r;
  r.image = &img;
  for (const auto& info : fs.layers()) {
    r.layers.push_back({info, {}, {}});
    r.compressed += info.descriptor.size;
    r.uncompressed += info.uncompressed_size;
  }
  attach_history(img.config, r.layers);
  r.files = fs.entries().size();
  auto os = image::read_os_release(fs);
  if (!os.ok()) return in_image(source.name().where, os.error());
  r.os = std::move(*os);
  auto packages = image::read_dpkg_packages(fs);
  if (!packages.ok()) return in_image(source.name().where, packages.error());
  r.packages = std::move(*packages);
  return r;
}

// --- JSON ------------------------------------------------------------------

json descriptor_json(const oci::Descriptor& d) {
  return {{"digest", d.digest.str()}, {"media_type", d.media_type}, {"size", d.size}};
}

json index_json(const image::IndexSummary& s) {
  json j = descriptor_json(s.descriptor);
  j["ref_names"] = s.ref_names;
  json manifests = json::array();
  for (const auto& m : s.index.manifests) {
    json mj = descriptor_json(m);
    mj["platform"] = m.platform ? json(m.platform->str()) : json(nullptr);
    manifests.push_back(std::move(mj));
  }
  j["manifests"] = std::move(manifests);
  return j;
}

json distro_json(const std::optional<image::OsRelease>& os) {
  if (!os) return nullptr;
  return {{"pretty_name", os->get("PRETTY_NAME")},
          {"name", os->get("NAME")},
          {"id", os->get("ID")},
          {"version_id", os->get("VERSION_ID")},
          {"version_codename", os->get("VERSION_CODENAME")},
          {"debian_version", os->debian_version},
          {"file", os->file}};
}

json package_json(const image::DpkgPackage& p) {
  return {
      {"name", p.name},
      {"version", p.version},
      {"architecture", p.architecture},
      {"source", p.source},
      {"source_version", p.source_version},
      {"installed_size_kib", p.installed_size_kib ? json(*p.installed_size_kib) : json(nullptr)},
      {"status", p.status},
      {"database_file", p.database_file}};
}

json platform_json(const PlatformReport& r) {
  const oci::PlatformImage& img = *r.image;
  const oci::ImageConfig& cfg = img.config;
  const oci::ContainerConfig& c = cfg.config;
  json j;
  j["platform"] = cfg.platform.str();
  j["os"] = cfg.platform.os;
  j["architecture"] = cfg.platform.architecture;
  j["variant"] = cfg.platform.variant;
  j["ref_names"] = img.ref_names;
  json manifest = descriptor_json(img.manifest_descriptor);
  manifest["annotations"] = img.manifest.annotations;
  j["manifest"] = std::move(manifest);
  j["config"] = descriptor_json(img.manifest.config);
  j["created"] = core::format_rfc3339(cfg.created);
  j["user"] = c.user;
  j["entrypoint"] = c.entrypoint;
  j["cmd"] = c.cmd;
  j["env"] = c.env;
  j["working_dir"] = c.working_dir;
  j["exposed_ports"] = c.exposed_ports;
  j["labels"] = c.labels;
  j["stop_signal"] = c.stop_signal;
  json history = json::array();
  for (const auto& h : cfg.history)
    history.push_back(
        {{"created_by", h.created_by}, {"comment", h.comment}, {"empty_layer", h.empty_layer}});
  j["history"] = std::move(history);
  json layers = json::array();
  for (const auto& l : r.layers) {
    json lj = descriptor_json(l.info.descriptor);
    lj["uncompressed_size"] = l.info.uncompressed_size;
    lj["diff_id"] = l.info.diff_id.str();
    lj["members"] = l.info.members;
    lj["whiteouts"] = l.info.whiteouts;
    lj["created_by"] = l.created_by;
    lj["comment"] = l.comment;
    layers.push_back(std::move(lj));
  }
  j["layers"] = std::move(layers);
  j["compressed_size"] = r.compressed;
  j["uncompressed_size"] = r.uncompressed;
  j["files"] = r.files;
  j["distro"] = distro_json(r.os);
  j["package_count"] = r.packages.size();
  json packages = json::array();
  for (const auto& p : r.packages) packages.push_back(package_json(p));
  j["packages"] = std::move(packages);
  return j;
}

json report_json(const image::ImageSource& source, const std::vector<PlatformReport>& reports) {
  const image::SourceName& ref = source.name();
  json j;
  j["reference"] = ref.text;
  j["format"] = ref.transport;
  j["path"] = ref.where;
  j["tag"] = ref.tag.empty() ? json(nullptr) : json(ref.tag);
  j["digest"] = source.tops().size() == 1 ? json(source.tops()[0].digest.str()) : json(nullptr);
  json indexes = json::array();
  for (const auto& s : source.indexes()) indexes.push_back(index_json(s));
  j["indexes"] = std::move(indexes);
  json images = json::array();
  for (const auto& r : reports) images.push_back(platform_json(r));
  j["images"] = std::move(images);
  return j;
}

// --- text ------------------------------------------------------------------

std::string or_none(const std::string& s) {
  return s.empty() ? "(none)" : s;
}

// ["a", "b c"]: the exec form, unambiguous about spaces.
std::string argv_text(const std::vector<std::string>& argv) {
  if (argv.empty()) return "(none)";
  std::string out = "[";
  for (const auto& arg : argv) {
    if (out.size() > 1) out += ", ";
    out += json(arg).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return out + "]";
}

std::string size_text(int64_t bytes) {
  return fmt::format("{} ({} bytes)", core::human_size(static_cast<uint64_t>(bytes)), bytes);
}

void print_list(const char* label, const std::vector<std::string>& items) {
  if (items.empty()) {
    std::printf("  %-13s(none)\n", label);
    return;
  }
  for (size_t i = 0; i < items.size(); ++i)
    std::printf("  %-13s%s\n", i == 0 ? label : "", items[i].c_str());
}

void print_packages(const std::vector<image::DpkgPackage>& packages) {
  std::printf("  %-13s%zu\n", "Packages:", packages.size());
  if (packages.empty()) return;
  size_t w_name = 4, w_version = 7, w_arch = 4;
  for (const auto& p : packages) {
    w_name = std::max(w_name, p.name.size());
    w_version = std::max(w_version, p.version.size());
    w_arch = std::max(w_arch, p.architecture.size());
  }
  std::string header = fmt::format("    {:<{}}  {:<{}}  {:<{}}  {}", "NAME", w_name, "VERSION",
                                   w_version, "ARCH", w_arch, "SOURCE");
  std::printf("%s\n", header.c_str());
  for (const auto& p : packages) {
    std::string source = p.source;
    if (p.source_version != p.version) source += " (" + p.source_version + ")";
    std::string line = fmt::format("    {:<{}}  {:<{}}  {:<{}}  {}", p.name, w_name, p.version,
                                   w_version, p.architecture, w_arch, source);
    std::printf("%s\n", line.c_str());
  }
}

void print_platform(const PlatformReport& r) {
  const oci::PlatformImage& img = *r.image;
  const oci::ContainerConfig& c = img.config.config;
  std::printf("\nPlatform %s\n", img.config.platform.str().c_str());
  std::printf("  %-13s%s\n",
              "Tags:", img.ref_names.empty() ? "(none)" : core::join(img.ref_names, ", ").c_str());
  std::printf("  %-13s%s\n", "Manifest:", img.manifest_descriptor.digest.str().c_str());
  std::printf("  %-13s%s\n", "Config:", img.manifest.config.digest.str().c_str());
  std::printf("  %-13s%s\n", "Created:", core::format_rfc3339(img.config.created).c_str());
  std::string distro = "(unknown)";
  if (r.os) {
    distro = r.os->get("PRETTY_NAME");
    if (distro.empty()) distro = r.os->get("NAME");
    if (!r.os->debian_version.empty())
      distro += (distro.empty() ? "Debian " : ", Debian ") + r.os->debian_version;
  }
  std::printf("  %-13s%s\n", "Distro:", distro.c_str());
  std::printf("  %-13s%s\n", "User:", or_none(c.user).c_str());
  std::printf("  %-13s%s\n", "Entrypoint:", argv_text(c.entrypoint).c_str());
  std::printf("  %-13s%s\n", "Cmd:", argv_text(c.cmd).c_str());
  std::printf("  %-13s%s\n", "Workdir:", or_none(c.working_dir).c_str());
  print_list("Env:", c.env);
  print_list("Ports:", std::vector<std::string>(c.exposed_ports.begin(), c.exposed_ports.end()));
  std::vector<std::string> labels;
  for (const auto& [k, v] : c.labels) labels.push_back(k + "=" + v);
  print_list("Labels:", labels);
  std::printf("  %-13s%zu\n", "Layers:", r.layers.size());
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    std::printf("    [%zu] %s\n", i, l.info.descriptor.digest.str().c_str());
    std::printf("        %s\n", l.info.descriptor.media_type.c_str());
    std::printf("        compressed %s, uncompressed %s\n",
                size_text(l.info.descriptor.size).c_str(),
                size_text(l.info.uncompressed_size).c_str());
    if (!l.created_by.empty()) std::printf("        %s\n", l.created_by.c_str());
  }
  std::printf("  %-13scompressed %s, uncompressed %s, %zu files\n",
              "Size:", size_text(r.compressed).c_str(), size_text(r.uncompressed).c_str(), r.files);
  print_packages(r.packages);
}

void print_text(const image::ImageSource& source, const std::vector<PlatformReport>& reports) {
  const image::SourceName& ref = source.name();
  std::printf("%-15s%s\n", "Image:", ref.text.c_str());
  const char* format = ref.transport == "oci-layout" ? "OCI image layout" : ref.transport.c_str();
  std::printf("%-15s%s (%s)\n", "Format:", format, ref.where.c_str());
  if (source.tops().size() == 1)
    std::printf("%-15s%s\n", "Digest:", source.tops()[0].digest.str().c_str());
  for (const auto& s : source.indexes()) {
    std::printf("%-15s%s (%zu manifests%s)\n", "Index:", s.descriptor.digest.str().c_str(),
                s.index.manifests.size(),
                s.ref_names.empty() ? "" : (", tags: " + core::join(s.ref_names, ", ")).c_str());
    size_t width = 13;
    for (const auto& m : s.index.manifests)
      if (m.platform) width = std::max(width, m.platform->str().size() + 2);
    for (const auto& m : s.index.manifests) {
      std::string line = fmt::format("  {:<{}}{}", m.platform ? m.platform->str() : "(no platform)",
                                     width, m.digest.str());
      std::printf("%s\n", line.c_str());
    }
  }
  for (const auto& r : reports) print_platform(r);
}

}  // namespace

Command inspect_command() {
  return {
      "inspect", "Show an image's platforms, config, layers, packages and sizes",
      [](CLI::App& sub, GlobalOptions&) -> Action {
        auto a = std::make_shared<InspectArgs>();
        sub.add_option("image", a->image,
                       "OCI layout folder (DIR, DIR:TAG, oci:DIR[:TAG]) or docker-archive tar "
                       "(FILE, docker-archive:FILE)")
            ->required();
        add_transport_options(sub, a->transport);
        sub.add_option("--platform", a->platform,
                       "Only this platform, e.g. linux/arm64 (default: all)");
        sub.add_flag("--json", a->as_json, "Print one JSON document for scripts");
        return [a]() -> core::Status {
          DISTILL_ASSIGN(auto source, transport::open_image(a->image, a->transport));
          DISTILL_ASSIGN(auto selected, source->select_platform(a->platform));
          std::vector<PlatformReport> reports;
          for (const oci::PlatformImage* img : selected) {
            DISTILL_ASSIGN(PlatformReport r, inspect_platform(*source, *img));
            reports.push_back(std::move(r));
          }
          if (a->as_json) {
            std::string out =
                report_json(*source, reports).dump(2, ' ', false, json::error_handler_t::replace);
            std::printf("%s\n", out.c_str());
          } else {
            print_text(*source, reports);
          }
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
