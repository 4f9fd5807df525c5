#include "sbom/spdx.hpp"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "core/time.hpp"
#include "oci/image_config.hpp"
#include "sbom/copyright_license.hpp"
#include "sbom/purl.hpp"

namespace distill::sbom {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view kNoAssertion = "NOASSERTION";
constexpr std::string_view kImageId = "SPDXRef-Image";

// SPDX ids hold [A-Za-z0-9.-] only.
std::string id_part(std::string_view s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '-';
  return out;
}

void collect_refs(const std::string& expression, std::set<std::string>& refs) {
  std::string word;
  for (char c : expression + " ") {
    if (c == ' ' || c == '(' || c == ')') {
      if (is_license_ref(word)) refs.insert(word);
      word.clear();
    } else {
      word += c;
    }
  }
}

json spdx_package_json(const ImageInventory& inv, const image::DpkgPackage& p, size_t index,
                       std::string_view distro, std::set<std::string>& refs) {
  std::string license = declared_license(inv, p.name);
  collect_refs(license, refs);
  json j = {{"SPDXID", fmt::format("SPDXRef-Package-{}-{}", index, id_part(p.name))},
            {"name", p.name},
            {"versionInfo", p.version},
            {"supplier", kNoAssertion},
            {"downloadLocation", kNoAssertion},
            {"filesAnalyzed", false},
            {"licenseConcluded", kNoAssertion},
            {"licenseDeclared", license.empty() ? std::string(kNoAssertion) : license},
            {"copyrightText", kNoAssertion},
            {"sourceInfo", fmt::format("built package from: {} {}", p.source, p.source_version)},
            {"primaryPackagePurpose", "LIBRARY"},
            {"externalRefs",
             {{{"referenceCategory", "PACKAGE-MANAGER"},
               {"referenceType", "purl"},
               {"referenceLocator", deb_purl(p, distro)}}}}};
  return j;
}

}  // namespace

json spdx_document(const ImageInventory& inv, const DocumentInfo& info) {
  std::string hex = inv.digest.substr(inv.digest.find(':') + 1);
  json image = {{"SPDXID", kImageId},
                {"name", inv.name},
                {"versionInfo", inv.digest},
                {"downloadLocation", kNoAssertion},
                {"filesAnalyzed", false},
                {"checksums", {{{"algorithm", "SHA256"}, {"checksumValue", hex}}}},
                {"primaryPackagePurpose", "CONTAINER"},
                {"comment", "platform " + inv.platform}};
  json packages = json::array({std::move(image)});
  json relationships = json::array({{{"spdxElementId", "SPDXRef-DOCUMENT"},
                                     {"relationshipType", "DESCRIBES"},
                                     {"relatedSpdxElement", kImageId}}});
  std::set<std::string> refs;
  std::string distro = purl_distro(inv);
  for (size_t i = 0; i < inv.packages.size(); ++i) {
    json p = spdx_package_json(inv, inv.packages[i], i, distro, refs);
    relationships.push_back({{"spdxElementId", kImageId},
                             {"relationshipType", "CONTAINS"},
                             {"relatedSpdxElement", p["SPDXID"]}});
    packages.push_back(std::move(p));
  }
  json doc = {{"spdxVersion", "SPDX-2.3"},
              {"dataLicense", "CC0-1.0"},
              {"SPDXID", "SPDXRef-DOCUMENT"},
              {"name", inv.name},
              {"documentNamespace", "urn:uuid:" + derived_uuid(inv.digest, "spdx")},
              {"creationInfo",
               {{"created", core::format_rfc3339(info.created)},
                {"creators", {"Tool: distill-" + info.tool_version}}}},
              {"documentDescribes", {kImageId}},
              {"packages", std::move(packages)},
              {"relationships", std::move(relationships)}};
  if (!refs.empty()) {
    json extracted = json::array();
    for (const auto& r : refs)
      extracted.push_back(
          {{"licenseId", r},
           {"name", r.substr(std::string_view("LicenseRef-").size())},
           {"extractedText",
            "A license named in a Debian machine-readable copyright file that has no SPDX "
            "identifier; see usr/share/doc/<package>/copyright in the image."}});
    doc["hasExtractedLicensingInfos"] = std::move(extracted);
  }
  return doc;
}

}  // namespace distill::sbom
