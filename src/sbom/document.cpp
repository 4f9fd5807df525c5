#include "sbom/document.hpp"

#include "core/sha256.hpp"
#include "sbom/copyright_license.hpp"

namespace distill::sbom {

std::string derived_uuid(std::string_view digest, std::string_view salt) {
  std::string h = core::sha256_hex(std::string(salt) + "\n" + std::string(digest));
  h[12] = '5';                                                  // version
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];  // RFC 4122 variant
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string purl_distro(const ImageInventory& inv) {
  if (!inv.os) return "";
  if (auto v = inv.os->get("VERSION_ID"); !v.empty()) return "debian-" + v;
  if (auto c = inv.os->get("VERSION_CODENAME"); !c.empty()) return "debian-" + c;
  return "";
}

std::string declared_license(const ImageInventory& inv, const std::string& package) {
  auto it = inv.copyrights.find(package);
  return it == inv.copyrights.end() ? "" : spdx_license_from_copyright(it->second);
}

}  // namespace distill::sbom
