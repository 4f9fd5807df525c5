#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "oci/digest.hpp"
#include "sbom/intoto.hpp"
#include "sbom/sbom_file.hpp"

// The statements `distill attest` signs about an image and the checks
// `distill verify` makes between them (docs/attestations.md). No keys and
// no registry here: image_attest does those.
namespace distill::sbom {

// distill's buildType and builder id: URNs, stable, naming no host.
inline constexpr std::string_view kDistillBuildType = "urn:distill:build-type:image:v1";
inline constexpr std::string_view kDistillBuilderId = "urn:distill:builder";
inline constexpr std::string_view kSpdxPredicateType = "https://spdx.dev/Document";
inline constexpr std::string_view kCycloneDxPredicateType = "https://cyclonedx.org/bom";
// A resolved dependency's role: "install" (a .deb installed), "extract" (a
// .deb only read for data, so no SBOM lists it) or "index" (a Packages
// index the lockfile pins).
inline constexpr std::string_view kDependencyUseAnnotation = "distill.use";
// The role of a file the spec copies into the image (`files`).
inline constexpr std::string_view kFileUse = "file";

// What a provenance statement records besides the image.
struct ProvenanceInput {
  std::string architecture;                // the image's, e.g. "amd64"
  const debian::Lockfile* lock = nullptr;  // nullptr: no resolved dependencies
  std::string lock_name;                   // the lockfile's file name (no folder)
  std::string lock_text;
  std::string spec_name;  // "" when no spec was given
  std::string spec_text;
  int64_t source_date_epoch = 0;          // the image config's creation time
  std::string compression = "gzip";       // its layers'
  bool debug = false;                     // the spec's debug variant
  std::vector<ResourceDescriptor> files;  // the spec's files (builder::file_dependencies)
};

// The SLSA provenance of an image: externalParameters name the spec and the
// lockfile by file name and SHA-256, the architecture, the build's
// SOURCE_DATE_EPOCH, compression and variant (what a rebuild needs); every
// .deb of the lockfile's architecture (installed or extract-only), every
// index it pins and every file the spec copies is a resolved dependency;
// times from SOURCE_DATE_EPOCH.
core::Result<Provenance> image_provenance(const ProvenanceInput& in);

// The statement of an SBOM document about `subject`: the predicate is the
// document itself, its type SPDX's or CycloneDX's.
core::Result<Statement> sbom_statement(ResourceDescriptor subject, SbomFormat format,
                                       std::string_view document);

// "debian/NAME@VERSION?arch=ARCH" for a pkg:deb purl; "" for any other.
std::string deb_identity(std::string_view purl);

// The .deb dependencies of a provenance predicate: identity -> sha256.
struct ProvenanceDebs {
  std::map<std::string, std::string> installed;
  std::map<std::string, std::string> extract;
  std::map<std::string, std::string> indices;  // "dists/SUITE/PATH" -> sha256
  std::map<std::string, std::string> files;    // path in the image -> sha256
  std::string architecture;                    // externalParameters' architecture
};
core::Result<ProvenanceDebs> provenance_debs(const nlohmann::json& predicate);

// A file externalParameters name: its name and SHA-256 ("" : none named).
struct NamedInput {
  std::string name;
  std::string sha256;
};

// What `distill verify --rebuild` builds from: the provenance's
// externalParameters and the distill version that built the image.
struct ProvenanceParameters {
  std::string architecture;
  NamedInput spec;
  NamedInput lock;
  int64_t source_date_epoch = 0;
  std::string compression = "gzip";
  bool debug = false;
  std::string distill_version;
};
core::Result<ProvenanceParameters> provenance_parameters(const nlohmann::json& predicate);

// The pkg:deb identities an SPDX or CycloneDX predicate lists.
core::Result<std::set<std::string>> sbom_debs(const Statement& s);

// One line per difference between the installed .debs of the provenance
// and an SBOM's packages; empty when they are the same.
std::vector<std::string> compare_with_sbom(const ProvenanceDebs& p,
                                           const std::set<std::string>& sbom);

// One line per difference between the provenance's .debs and indices and
// the lockfile's for the provenance's architecture, digests included.
std::vector<std::string> compare_with_lock(const ProvenanceDebs& p, const debian::Lockfile& lock);

}  // namespace distill::sbom
