#include "sbom/jar_packages.hpp"

#include <archive.h>
#include <archive_entry.h>

#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "oci/archive_util.hpp"

namespace distill::sbom {
namespace {

constexpr int64_t kMaxPomProperties = 64 << 10;
constexpr int64_t kMaxNestedJar = 32 << 20;
constexpr size_t kMaxJarMembers = 200'000;
constexpr std::string_view kMavenDir = "META-INF/maven/";
constexpr std::string_view kPomProperties = "/pom.properties";

// META-INF/maven/<group>/<artifact>/pom.properties, exactly two folders deep.
bool is_pom_properties(std::string_view name) {
  if (!name.starts_with(kMavenDir) || !name.ends_with(kPomProperties)) return false;
  std::string_view middle =
      name.substr(kMavenDir.size(), name.size() - kMavenDir.size() - kPomProperties.size());
  auto parts = core::split(middle, '/');
  return parts.size() == 2 && !parts[0].empty() && !parts[1].empty();
}

bool is_nested_library(std::string_view name) {
  return (name.starts_with("BOOT-INF/lib/") || name.starts_with("WEB-INF/lib/") ||
          name.starts_with("lib/")) &&
         name.ends_with(".jar") && name.find('/', name.rfind('/') + 1) == std::string_view::npos;
}

// The member's content, at most `max` bytes; nullopt when it is bigger.
core::Result<std::optional<std::string>> read_jar_member(archive* a, int64_t max) {
  std::string data;
  char buf[65536];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) return core::make_error("", oci::archive_error(a));
    if (n == 0) return std::optional<std::string>(std::move(data));
    if (static_cast<int64_t>(data.size()) + n > max) return std::optional<std::string>();
    data.append(buf, static_cast<size_t>(n));
  }
}

core::Result<std::vector<JarPackage>> walk_jar(archive* a, bool nested) {
  std::vector<JarPackage> out;
  archive_entry* entry = nullptr;
  for (size_t members = 0;; ++members) {
    if (members > kMaxJarMembers) return core::make_error("", "more than 200000 members");
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return core::make_error("", oci::archive_error(a));
    const char* raw = archive_entry_pathname(entry);
    std::string name = raw ? raw : "";
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    if (is_pom_properties(name)) {
      DISTILL_ASSIGN(auto text, read_jar_member(a, kMaxPomProperties));
      if (!text) continue;
      if (auto p = parse_pom_properties(*text)) out.push_back({std::move(*p), ""});
    } else if (!nested && is_nested_library(name)) {
      DISTILL_ASSIGN(auto data, read_jar_member(a, kMaxNestedJar));
      if (!data) continue;
      auto inner = read_jar_memory(*data, true);
      if (!inner.ok()) continue;
      for (auto& jp : *inner) out.push_back({std::move(jp.package), name});
    }
  }
  return out;
}

oci::ArchiveReader new_zip_reader() {
  oci::ArchiveReader a(archive_read_new());
  archive_read_support_format_zip(a.get());
  return a;
}

}  // namespace

bool is_java_archive(std::string_view path) {
  return path.ends_with(".jar") || path.ends_with(".war") || path.ends_with(".ear");
}

std::optional<LangPackage> parse_pom_properties(std::string_view text) {
  std::string group, artifact, version;
  for (std::string_view line : core::lines(text)) {
    line = core::trim_space(line);
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = core::trim_space(line.substr(0, eq));
    std::string value(core::trim_space(line.substr(eq + 1)));
    if (key == "groupId") group = value;
    if (key == "artifactId") artifact = value;
    if (key == "version") version = value;
  }
  if (group.empty() || artifact.empty() || version.empty()) return std::nullopt;
  LangPackage p;
  p.ecosystem = std::string(kMaven);
  p.name = group + ":" + artifact;
  p.version = std::move(version);
  return p;
}

core::Result<std::vector<JarPackage>> read_jar_file(const std::string& host_path) {
  oci::ScopedUtf8Locale utf8;
  DISTILL_TRY(utf8.status());
  oci::ArchiveReader a = new_zip_reader();
  if (archive_read_open_filename(a.get(), host_path.c_str(), 1 << 16) != ARCHIVE_OK)
    return core::make_error("", oci::archive_error(a.get()));
  return walk_jar(a.get(), false);
}

core::Result<std::vector<JarPackage>> read_jar_memory(std::string_view data, bool nested) {
  oci::ScopedUtf8Locale utf8;
  DISTILL_TRY(utf8.status());
  oci::ArchiveReader a = new_zip_reader();
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK)
    return core::make_error("", oci::archive_error(a.get()));
  return walk_jar(a.get(), nested);
}

}  // namespace distill::sbom
