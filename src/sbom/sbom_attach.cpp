#include "sbom/sbom_attach.hpp"

#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "registry/reference.hpp"
#include "registry/referrers.hpp"

namespace distill::sbom {

core::Result<SbomFormat> detect_sbom_format(std::string_view text, std::string_view where) {
  auto parsed = core::parse_json(text);
  nlohmann::json j = parsed.ok() ? std::move(parsed).value() : nlohmann::json();
  if (j.is_object() && j.contains("spdxVersion")) return SbomFormat::kSpdxJson;
  if (j.is_object() && j.contains("bomFormat") && j["bomFormat"] == "CycloneDX")
    return SbomFormat::kCycloneDxJson;
  return core::make_error(std::string(where), "is neither an SPDX nor a CycloneDX JSON document",
                          "write one with distill sbom");
}

core::Result<std::vector<oci::Descriptor>> attach_sboms(const std::vector<PlatformSbom>& sboms,
                                                        SbomFormat format, const std::string& dst,
                                                        const registry::RemoteOptions& remote) {
  DISTILL_ASSIGN(registry::Reference ref, registry::parse_reference(dst));
  DISTILL_ASSIGN(auto conn, registry::Remote::connect(ref.registry, remote));
  std::vector<oci::Descriptor> pushed;
  for (const auto& s : sboms) {
    registry::Artifact a;
    a.artifact_type = std::string(sbom_media_type(format));
    a.media_type = a.artifact_type;
    a.data = s.text;
    DISTILL_ASSIGN(oci::Descriptor d,
                   registry::push_referrer(conn->client(), ref.repository, s.manifest, a));
    pushed.push_back(std::move(d));
  }
  return pushed;
}

}  // namespace distill::sbom
