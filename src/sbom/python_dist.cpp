#include "sbom/python_dist.hpp"

#include <string>

#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"

namespace distill::sbom {
namespace {

constexpr std::string_view kDistInfoMetadata = ".dist-info/METADATA";
constexpr std::string_view kEggInfoMetadata = ".egg-info/PKG-INFO";
constexpr size_t kMaxPythonField = 1024;

}  // namespace

bool is_python_metadata_file(std::string_view path) {
  return path.ends_with(kDistInfoMetadata) || path.ends_with(kEggInfoMetadata);
}

std::string python_record_path(std::string_view metadata_path) {
  if (!metadata_path.ends_with(kDistInfoMetadata)) return "";
  return std::string(metadata_path.substr(0, metadata_path.size() - 8)) + "RECORD";
}

std::optional<LangPackage> parse_python_metadata(std::string_view text) {
  LangPackage p;
  p.ecosystem = std::string(kPyPI);
  std::string license, expression;
  std::string* last = nullptr;
  for (std::string_view line : core::lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the description follows
    if (line.front() == ' ' || line.front() == '\t') {
      // A continuation: a License spanning lines is a license text, not a name.
      if (last == &license) license.clear();
      last = nullptr;
      continue;
    }
    last = nullptr;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = core::trim_space(line.substr(colon + 1));
    if (value.size() > kMaxPythonField) continue;
    if (core::iequals(key, "Name") && p.name.empty()) {
      p.name = std::string(value);
    } else if (core::iequals(key, "Version") && p.version.empty()) {
      p.version = std::string(value);
    } else if (core::iequals(key, "License-Expression") && expression.empty()) {
      expression = std::string(value);
    } else if (core::iequals(key, "License") && license.empty()) {
      license = std::string(value);
      last = &license;
    }
  }
  if (p.name.empty() || p.version.empty()) return std::nullopt;
  p.license = !expression.empty() ? expression : (license == "UNKNOWN" ? "" : license);
  return p;
}

}  // namespace distill::sbom
