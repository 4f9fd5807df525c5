#include "vuln/release.hpp"

#include "debian/distro.hpp"

namespace distill::vuln {

core::Result<std::string> image_codename(const std::optional<image::OsRelease>& os) {
  if (!os)
    return core::make_error("image", "has no os-release or debian_version",
                            "only Debian images can be scanned");
  std::string id = os->get("ID");
  if (!id.empty() && id != "debian")
    return core::make_error(os->file, "the image's distribution is \"" + id + "\", not Debian",
                            "only Debian images can be scanned");
  if (std::string c = os->get("VERSION_CODENAME"); !c.empty()) return c;
  if (auto c = debian::codename_for_version(os->get("VERSION_ID"))) return *c;
  const std::string& dv = os->debian_version;
  if (auto slash = dv.find('/'); slash != std::string::npos) return dv.substr(0, slash);
  if (auto c = debian::codename_for_version(dv.substr(0, dv.find('.')))) return *c;
  return core::make_error(os->file.empty() ? "etc/debian_version" : os->file,
                          "cannot tell the Debian release",
                          "expected VERSION_CODENAME, VERSION_ID or a numeric debian_version");
}

}  // namespace distill::vuln
