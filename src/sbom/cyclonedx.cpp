#include "sbom/cyclonedx.hpp"

#include "core/time.hpp"
#include "oci/image_config.hpp"
#include "sbom/purl.hpp"

namespace distill::sbom {

using json = nlohmann::ordered_json;

json cyclonedx_document(const ImageInventory& inv, const DocumentInfo& info) {
  std::string hex = inv.digest.substr(inv.digest.find(':') + 1);
  std::string image_ref = "image:" + inv.digest;
  std::string distro = purl_distro(inv);
  json components = json::array();
  json depends = json::array();
  for (const auto& p : inv.packages) {
    std::string purl = deb_purl(p, distro);
    json c = {{"type", "library"},
              {"bom-ref", purl},
              {"name", p.name},
              {"version", p.version},
              {"purl", purl}};
    if (std::string license = declared_license(inv, p.name); !license.empty())
      c["licenses"] = json::array({{{"expression", license}}});
    c["properties"] =
        json::array({{{"name", "distill:deb:source"}, {"value", p.source}},
                     {{"name", "distill:deb:source_version"}, {"value", p.source_version}},
                     {{"name", "distill:deb:architecture"}, {"value", p.architecture}}});
    components.push_back(std::move(c));
    depends.push_back(purl);
  }
  for (const auto& p : inv.lang_packages) {
    std::string purl = lang_purl(p);
    json c = {{"type", "library"},
              {"bom-ref", purl},
              {"name", p.name},
              {"version", p.version},
              {"purl", purl}};
    if (!p.license.empty()) c["licenses"] = json::array({{{"license", {{"name", p.license}}}}});
    json occurrences = json::array();
    for (const auto& l : p.locations) occurrences.push_back({{"location", "/" + l}});
    c["evidence"] = {{"occurrences", std::move(occurrences)}};
    c["properties"] = json::array({{{"name", "distill:ecosystem"}, {"value", p.ecosystem}}});
    components.push_back(std::move(c));
    depends.push_back(purl);
  }
  json image = {{"type", "container"},
                {"bom-ref", image_ref},
                {"name", inv.name},
                {"version", inv.digest},
                {"hashes", {{{"alg", "SHA-256"}, {"content", hex}}}},
                {"properties", {{{"name", "distill:platform"}, {"value", inv.platform}}}}};
  return {{"bomFormat", "CycloneDX"},
          {"specVersion", "1.5"},
          {"serialNumber", "urn:uuid:" + derived_uuid(inv.digest, "cyclonedx")},
          {"version", 1},
          {"metadata",
           {{"timestamp", core::format_rfc3339(info.created)},
            {"tools",
             {{"components",
               {{{"type", "application"}, {"name", "distill"}, {"version", info.tool_version}}}}}},
            {"component", std::move(image)}}},
          {"components", std::move(components)},
          {"dependencies", {{{"ref", image_ref}, {"dependsOn", std::move(depends)}}}}};
}

}  // namespace distill::sbom
