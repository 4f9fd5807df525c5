#include "image/inspection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/units.hpp"
#include "oci/image_config.hpp"

namespace distill::image {
namespace {

using InspectJson = nlohmann::ordered_json;

// The config's history, minus empty_layer entries, lines up with the layers.
void attach_history(const oci::ImageConfig& config, std::vector<InspectedLayer>& layers) {
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

core::Result<PlatformInspection> inspect_platform(ImageSource& source,
                                                  const oci::PlatformImage& img) {
  RootfsOptions options;
  options.keep_content = [](std::string_view path) {
    return is_dpkg_database_file(path) || is_os_release_file(path);
  };
  auto read = RootfsView::read(source.reader(), img, options);
  if (!read.ok()) return in_image(source.name().where, read.error());
  const RootfsView& fs = *read;
  PlatformInspection r;
  r.image = &img;
  for (const auto& info : fs.layers()) {
    r.layers.push_back({info, {}, {}});
    r.compressed += info.descriptor.size;
    r.uncompressed += info.uncompressed_size;
  }
  attach_history(img.config, r.layers);
  r.files = fs.entries().size();
  auto os = read_os_release(fs);
  if (!os.ok()) return in_image(source.name().where, os.error());
  r.os = std::move(*os);
  auto packages = read_dpkg_packages(fs);
  if (!packages.ok()) return in_image(source.name().where, packages.error());
  r.packages = std::move(*packages);
  return r;
}

// --- JSON ------------------------------------------------------------------

InspectJson descriptor_json(const oci::Descriptor& d) {
  return {{"digest", d.digest.str()}, {"media_type", d.media_type}, {"size", d.size}};
}

InspectJson index_json(const IndexSummary& s) {
  InspectJson j = descriptor_json(s.descriptor);
  j["ref_names"] = s.ref_names;
  InspectJson manifests = InspectJson::array();
  for (const auto& m : s.index.manifests) {
    InspectJson mj = descriptor_json(m);
    mj["platform"] = m.platform ? InspectJson(m.platform->str()) : InspectJson(nullptr);
    manifests.push_back(std::move(mj));
  }
  j["manifests"] = std::move(manifests);
  return j;
}

InspectJson distro_json(const std::optional<OsRelease>& os) {
  if (!os) return nullptr;
  return {{"pretty_name", os->get("PRETTY_NAME")},
          {"name", os->get("NAME")},
          {"id", os->get("ID")},
          {"version_id", os->get("VERSION_ID")},
          {"version_codename", os->get("VERSION_CODENAME")},
          {"debian_version", os->debian_version},
          {"file", os->file}};
}

InspectJson package_json(const DpkgPackage& p) {
  return {{"name", p.name},
          {"version", p.version},
          {"architecture", p.architecture},
          {"source", p.source},
          {"source_version", p.source_version},
          {"installed_size_kib",
           p.installed_size_kib ? InspectJson(*p.installed_size_kib) : InspectJson(nullptr)},
          {"status", p.status},
          {"database_file", p.database_file}};
}

InspectJson platform_json(const PlatformInspection& r) {
  const oci::PlatformImage& img = *r.image;
  const oci::ImageConfig& cfg = img.config;
  const oci::ContainerConfig& c = cfg.config;
  InspectJson j;
  j["platform"] = cfg.platform.str();
  j["os"] = cfg.platform.os;
  j["architecture"] = cfg.platform.architecture;
  j["variant"] = cfg.platform.variant;
  j["ref_names"] = img.ref_names;
  InspectJson manifest = descriptor_json(img.manifest_descriptor);
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
  j["healthcheck"] = nullptr;
  if (c.healthcheck)
    j["healthcheck"] = {{"test", c.healthcheck->test},
                        {"interval", c.healthcheck->interval},
                        {"timeout", c.healthcheck->timeout},
                        {"start_period", c.healthcheck->start_period},
                        {"retries", c.healthcheck->retries}};
  InspectJson history = InspectJson::array();
  for (const auto& h : cfg.history)
    history.push_back(
        {{"created_by", h.created_by}, {"comment", h.comment}, {"empty_layer", h.empty_layer}});
  j["history"] = std::move(history);
  InspectJson layers = InspectJson::array();
  for (const auto& l : r.layers) {
    InspectJson lj = descriptor_json(l.info.descriptor);
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
  InspectJson packages = InspectJson::array();
  for (const auto& p : r.packages) packages.push_back(package_json(p));
  j["packages"] = std::move(packages);
  return j;
}

// --- text ------------------------------------------------------------------

std::string or_none(const std::string& s) {
  return s.empty() ? "(none)" : s;
}

// ["a", "b c"]: the exec form, unambiguous about spaces.
std::string exec_form_text(const std::vector<std::string>& argv) {
  if (argv.empty()) return "(none)";
  std::string out = "[";
  for (const auto& arg : argv) {
    if (out.size() > 1) out += ", ";
    out += InspectJson(arg).dump(-1, ' ', false, InspectJson::error_handler_t::replace);
  }
  return out + "]";
}

std::string size_text(int64_t bytes) {
  return fmt::format("{} ({} bytes)", core::human_size(static_cast<uint64_t>(bytes)), bytes);
}

// "  Label:       value", the label column 13 wide.
// Values come from the image: control bytes (a NUL, a newline in an Env
// value) are escaped so each field stays on its line, whole.
// "1.5s" from nanoseconds.
std::string seconds_text(int64_t ns) {
  std::string s = fmt::format("{:.3f}", static_cast<double>(ns) / 1e9);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + "s";
}

// The test's exec form, then what the image sets of its timing; what it
// leaves at 0 is the runtime's default and not shown.
std::string healthcheck_text(const std::optional<oci::Healthcheck>& h) {
  if (!h) return "(none)";
  if (h->test.size() == 1 && h->test[0] == "NONE") return "disabled ([\"NONE\"])";
  std::string out = exec_form_text(h->test);
  if (h->interval) out += ", interval " + seconds_text(h->interval);
  if (h->timeout) out += ", timeout " + seconds_text(h->timeout);
  if (h->start_period) out += ", start period " + seconds_text(h->start_period);
  if (h->retries) out += fmt::format(", {} retries", h->retries);
  return out;
}

void add_field(std::string& out, std::string_view label, std::string_view value) {
  out += fmt::format("  {:<13}{}\n", label, core::escape_control(value));
}

void add_list(std::string& out, std::string_view label, const std::vector<std::string>& items) {
  if (items.empty()) return add_field(out, label, "(none)");
  for (size_t i = 0; i < items.size(); ++i) add_field(out, i == 0 ? label : "", items[i]);
}

void add_packages(std::string& out, const std::vector<DpkgPackage>& packages) {
  add_field(out, "Packages:", std::to_string(packages.size()));
  if (packages.empty()) return;
  size_t w_name = 4, w_version = 7, w_arch = 4;
  for (const auto& p : packages) {
    w_name = std::max(w_name, p.name.size());
    w_version = std::max(w_version, p.version.size());
    w_arch = std::max(w_arch, p.architecture.size());
  }
  out += fmt::format("    {:<{}}  {:<{}}  {:<{}}  {}\n", "NAME", w_name, "VERSION", w_version,
                     "ARCH", w_arch, "SOURCE");
  for (const auto& p : packages) {
    std::string source = p.source;
    if (p.source_version != p.version) source += " (" + p.source_version + ")";
    out += fmt::format("    {:<{}}  {:<{}}  {:<{}}  {}\n", p.name, w_name, p.version, w_version,
                       p.architecture, w_arch, source);
  }
}

std::string distro_text(const std::optional<OsRelease>& os) {
  if (!os) return "(unknown)";
  std::string distro = os->get("PRETTY_NAME");
  if (distro.empty()) distro = os->get("NAME");
  if (!os->debian_version.empty())
    distro += (distro.empty() ? "Debian " : ", Debian ") + os->debian_version;
  return distro;
}

void add_platform(std::string& out, const PlatformInspection& r) {
  const oci::PlatformImage& img = *r.image;
  const oci::ContainerConfig& c = img.config.config;
  out += fmt::format("\nPlatform {}\n", img.config.platform.str());
  add_field(out, "Tags:", img.ref_names.empty() ? "(none)" : core::join(img.ref_names, ", "));
  add_field(out, "Manifest:", img.manifest_descriptor.digest.str());
  add_field(out, "Config:", img.manifest.config.digest.str());
  add_field(out, "Created:", core::format_rfc3339(img.config.created));
  add_field(out, "Distro:", distro_text(r.os));
  add_field(out, "User:", or_none(c.user));
  add_field(out, "Entrypoint:", exec_form_text(c.entrypoint));
  add_field(out, "Cmd:", exec_form_text(c.cmd));
  add_field(out, "Workdir:", or_none(c.working_dir));
  add_list(out, "Env:", c.env);
  add_list(out, "Ports:", std::vector<std::string>(c.exposed_ports.begin(), c.exposed_ports.end()));
  std::vector<std::string> labels;
  for (const auto& [k, v] : c.labels) labels.push_back(k + "=" + v);
  add_list(out, "Labels:", labels);
  add_field(out, "Healthcheck:", healthcheck_text(c.healthcheck));
  add_field(out, "Layers:", std::to_string(r.layers.size()));
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    out += fmt::format("    [{}] {}\n", i, l.info.descriptor.digest.str());
    out += fmt::format("        {}\n", l.info.descriptor.media_type);
    out += fmt::format("        compressed {}, uncompressed {}\n",
                       size_text(l.info.descriptor.size), size_text(l.info.uncompressed_size));
    if (!l.created_by.empty()) out += fmt::format("        {}\n", l.created_by);
  }
  add_field(out, "Size:",
            fmt::format("compressed {}, uncompressed {}, {} files", size_text(r.compressed),
                        size_text(r.uncompressed), r.files));
  add_packages(out, r.packages);
}

std::string format_text(const std::string& transport) {
  return transport == "oci-layout" ? "OCI image layout" : transport;
}

}  // namespace

core::Result<Inspection> inspect_image(ImageSource& source, const InspectOptions& options) {
  DISTILL_ASSIGN(auto selected, source.select_platform(options.platform));
  Inspection out;
  out.source = &source;
  for (const oci::PlatformImage* img : selected) {
    DISTILL_ASSIGN(PlatformInspection r, inspect_platform(source, *img));
    out.images.push_back(std::move(r));
  }
  return out;
}

nlohmann::ordered_json inspection_json(const Inspection& inspection) {
  const ImageSource& source = *inspection.source;
  const SourceName& ref = source.name();
  InspectJson j;
  j["reference"] = ref.text;
  j["format"] = ref.transport;
  j["path"] = ref.where;
  j["tag"] = ref.tag.empty() ? InspectJson(nullptr) : InspectJson(ref.tag);
  j["digest"] =
      source.tops().size() == 1 ? InspectJson(source.tops()[0].digest.str()) : InspectJson(nullptr);
  InspectJson indexes = InspectJson::array();
  for (const auto& s : source.indexes()) indexes.push_back(index_json(s));
  j["indexes"] = std::move(indexes);
  InspectJson images = InspectJson::array();
  for (const auto& r : inspection.images) images.push_back(platform_json(r));
  j["images"] = std::move(images);
  return j;
}

std::string inspection_text(const Inspection& inspection) {
  const ImageSource& source = *inspection.source;
  const SourceName& ref = source.name();
  std::string out = fmt::format("{:<15}{}\n", "Image:", ref.text);
  out += fmt::format("{:<15}{} ({})\n", "Format:", format_text(ref.transport), ref.where);
  if (source.tops().size() == 1)
    out += fmt::format("{:<15}{}\n", "Digest:", source.tops()[0].digest.str());
  for (const auto& s : source.indexes()) {
    out += fmt::format("{:<15}{} ({} manifests{})\n", "Index:", s.descriptor.digest.str(),
                       s.index.manifests.size(),
                       s.ref_names.empty() ? "" : ", tags: " + core::join(s.ref_names, ", "));
    size_t width = 13;
    for (const auto& m : s.index.manifests)
      if (m.platform) width = std::max(width, m.platform->str().size() + 2);
    for (const auto& m : s.index.manifests)
      out += fmt::format("  {:<{}}{}\n", m.platform ? m.platform->str() : "(no platform)", width,
                         m.digest.str());
  }
  for (const auto& r : inspection.images) add_platform(out, r);
  return out;
}

}  // namespace distill::image
