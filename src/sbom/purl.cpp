#include "sbom/purl.hpp"

#include <fmt/format.h>

namespace distill::sbom {

std::string purl_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_' || c == '~' || c == ':';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string deb_purl(const image::DpkgPackage& p, std::string_view distro) {
  std::string purl = "pkg:deb/debian/" + purl_encode(p.name) + "@" + purl_encode(p.version);
  std::string qualifiers;
  if (!p.architecture.empty()) qualifiers += "arch=" + purl_encode(p.architecture);
  if (!distro.empty())
    qualifiers += (qualifiers.empty() ? "" : "&") + std::string("distro=") + purl_encode(distro);
  return qualifiers.empty() ? purl : purl + "?" + qualifiers;
}

std::string pep503_name(std::string_view name) {
  std::string out;
  bool pending_dash = false;
  for (char ch : name) {
    if (ch == '.' || ch == '-' || ch == '_') {
      pending_dash = true;
      continue;
    }
    if (pending_dash && !out.empty()) out += '-';
    pending_dash = false;
    out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out;
}

namespace {

// Each '/'-separated segment encoded, the slashes kept (a purl namespace).
std::string purl_path(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out += purl_encode(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string lang_purl(const LangPackage& p) {
  std::string version = "@" + purl_encode(p.version);
  if (p.ecosystem == kPyPI) return "pkg:pypi/" + purl_encode(pep503_name(p.name)) + version;
  if (p.ecosystem == kNpm) return "pkg:npm/" + purl_path(p.name) + version;
  if (p.ecosystem == kGo) return "pkg:golang/" + purl_path(p.name) + version;
  if (p.ecosystem == kMaven) {
    size_t colon = p.name.find(':');
    std::string group = p.name.substr(0, colon);
    std::string artifact = colon == std::string::npos ? "" : p.name.substr(colon + 1);
    return "pkg:maven/" + purl_encode(group) + "/" + purl_encode(artifact) + version;
  }
  return "pkg:generic/" + purl_encode(p.name) + version;
}

}  // namespace distill::sbom
