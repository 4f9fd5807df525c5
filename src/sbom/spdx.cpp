#include "sbom/spdx.hpp"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "core/strings.hpp"
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

// A license text that reads as an SPDX expression of listed-looking ids
// ("MIT", "Apache-2.0 OR MIT"); anything else (a sentence, a URL) is not
// asserted.
bool spdx_expression_like(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  bool want_id = true;
  for (std::string_view word : core::split(s, ' ')) {
    if (word.empty()) return false;
    std::string_view bare = word;
    while (!bare.empty() && bare.front() == '(') bare.remove_prefix(1);
    while (!bare.empty() && bare.back() == ')') bare.remove_suffix(1);
    if (!want_id && (bare == "AND" || bare == "OR" || bare == "WITH")) {
      want_id = true;
      continue;
    }
    if (!want_id || bare.empty() || bare.starts_with("LicenseRef-")) return false;
    for (char c : bare)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+')
        return false;
    want_id = false;
  }
  return !want_id;
}

std::string_view source_kind(std::string_view ecosystem) {
  if (ecosystem == kPyPI) return "Python package metadata";
  if (ecosystem == kNpm) return "npm package-lock.json and package.json";
  if (ecosystem == kGo) return "Go module build information";
  return "Maven pom.properties in a Java archive";
}

std::string rooted_locations(const LangPackage& p) {
  std::vector<std::string> rooted;
  for (const auto& l : p.locations) rooted.push_back("/" + l);
  return core::join(rooted, ", ");
}

json spdx_lang_package_json(const LangPackage& p, size_t index) {
  std::string license = spdx_expression_like(p.license) ? p.license : std::string(kNoAssertion);
  json j = {{"SPDXID",
             fmt::format("SPDXRef-Package-{}-{}-{}", id_part(p.ecosystem), index, id_part(p.name))},
            {"name", p.name},
            {"versionInfo", p.version},
            {"supplier", kNoAssertion},
            {"downloadLocation", kNoAssertion},
            {"filesAnalyzed", false},
            {"licenseConcluded", kNoAssertion},
            {"licenseDeclared", license},
            {"copyrightText", kNoAssertion},
            {"sourceInfo", fmt::format("acquired package info from {}: {}",
                                       source_kind(p.ecosystem), rooted_locations(p))},
            {"primaryPackagePurpose", "LIBRARY"},
            {"externalRefs",
             {{{"referenceCategory", "PACKAGE-MANAGER"},
               {"referenceType", "purl"},
               {"referenceLocator", lang_purl(p)}}}}};
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
  for (size_t i = 0; i < inv.lang_packages.size(); ++i) {
    json p = spdx_lang_package_json(inv.lang_packages[i], i);
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
