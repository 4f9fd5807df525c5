#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vuln/matcher.hpp"
#include "vuln/openvex.hpp"

namespace distill::vuln {

// A finding an OpenVEX statement says does not concern this image.
struct SuppressedFinding {
  Finding finding;
  VexStatus status = VexStatus::kNotAffected;  // kNotAffected or kFixed
  std::string justification;
  std::string impact_statement;
  std::string document;  // the file that said so
  size_t statement = 0;  // its index there
  std::string product;   // the product "@id" that matched
};

// "VEX not_affected: vulnerable_code_not_in_execute_path: <impact statement>
// (vex.json, statement 2)": why a finding is suppressed, in one line.
std::string vex_reason(const SuppressedFinding& s);

// What a scanned image is to VEX statements: the platform image's manifest
// digest ("sha256:..."), as pkg:oci/NAME@sha256:... names it.
struct VexSubject {
  std::string image_digest;
};

// Whether `product` (a purl) names the finding's package: pkg:deb by source
// or binary name, pkg:pypi/npm/golang/maven as sbom::lang_purl spells the
// package; a version, when given, must be the installed one; qualifiers are
// not compared.
bool vex_names_package(std::string_view product, const Finding& f);

// Applies the statements of `docs` to `findings`: for each finding, the
// statements about its id (name or alias) and its product - the image by
// digest (all its packages, or the listed subcomponents), or its package
// itself - are considered, and the latest (by timestamp; on a tie the later
// one read) decides. not_affected and fixed move the finding to the result;
// affected and under_investigation leave it reported.
std::vector<SuppressedFinding> apply_vex(std::vector<Finding>& findings,
                                         const std::vector<VexDocument>& docs,
                                         const VexSubject& subject);

}  // namespace distill::vuln
