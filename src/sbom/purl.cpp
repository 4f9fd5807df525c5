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

}  // namespace distill::sbom
