#include "vuln/vex.hpp"

#include <algorithm>
#include <optional>

#include "sbom/purl.hpp"

namespace distill::vuln {
namespace {

bool vex_names_image(std::string_view product, const VexSubject& subject) {
  auto p = sbom::parse_purl(product);
  return p && p->type == "oci" && !subject.image_digest.empty() &&
         p->version == subject.image_digest;
}

bool vex_names_vulnerability(const VexStatement& s, const Finding& f) {
  return s.vulnerability == f.id ||
         std::find(s.aliases.begin(), s.aliases.end(), f.id) != s.aliases.end();
}

// The product of `s` that makes it speak of `f` in this image, if any.
const std::string* vex_matching_product(const VexStatement& s, const Finding& f,
                                        const VexSubject& subject) {
  for (const auto& p : s.products) {
    if (vex_names_package(p.id, f)) return &p.id;
    if (!vex_names_image(p.id, subject)) continue;
    if (p.subcomponents.empty()) return &p.id;
    for (const auto& sub : p.subcomponents)
      if (vex_names_package(sub, f)) return &p.id;
  }
  return nullptr;
}

struct VexDecision {
  const VexDocument* doc = nullptr;
  const VexStatement* statement = nullptr;
  const std::string* product = nullptr;
};

}  // namespace

std::string vex_reason(const SuppressedFinding& s) {
  std::string out = "VEX " + std::string(vex_status_name(s.status));
  if (!s.justification.empty()) out += ": " + s.justification;
  if (!s.impact_statement.empty()) out += ": " + s.impact_statement;
  return out + " (" + s.document + ", statement " + std::to_string(s.statement) + ")";
}

bool vex_names_package(std::string_view product, const Finding& f) {
  auto p = sbom::parse_purl(product);
  if (!p) return false;
  if (!p->version.empty() && p->version != f.installed_version) return false;
  if (f.ecosystem == "Debian") {
    if (p->type != "deb") return false;
    std::string_view name = p->path;
    if (size_t slash = name.rfind('/'); slash != std::string_view::npos)
      name = name.substr(slash + 1);
    return name == f.source_package ||
           std::find(f.binaries.begin(), f.binaries.end(), name) != f.binaries.end();
  }
  auto ours = sbom::parse_purl(sbom::lang_purl({f.ecosystem, f.source_package, "", "", {}}));
  if (!ours || ours->type != p->type) return false;
  // PyPI names compare normalised (PEP 503), as the ecosystem compares them.
  if (p->type == "pypi") return sbom::pep503_name(p->path) == ours->path;
  return p->path == ours->path;
}

std::vector<SuppressedFinding> apply_vex(std::vector<Finding>& findings,
                                         const std::vector<VexDocument>& docs,
                                         const VexSubject& subject) {
  std::vector<SuppressedFinding> suppressed;
  std::vector<Finding> kept;
  for (auto& f : findings) {
    VexDecision latest;
    for (const auto& doc : docs)
      for (const auto& s : doc.statements) {
        if (!vex_names_vulnerability(s, f)) continue;
        const std::string* product = vex_matching_product(s, f, subject);
        if (!product) continue;
        // Read order breaks ties: a later file or statement restates.
        if (!latest.statement || s.timestamp >= latest.statement->timestamp)
          latest = {&doc, &s, product};
      }
    const VexStatement* s = latest.statement;
    if (s && (s->status == VexStatus::kNotAffected || s->status == VexStatus::kFixed)) {
      suppressed.push_back({std::move(f), s->status, s->justification, s->impact_statement,
                            latest.doc->where, s->index, *latest.product});
      continue;
    }
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
  return suppressed;
}

}  // namespace distill::vuln
