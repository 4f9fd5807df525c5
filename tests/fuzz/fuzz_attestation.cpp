// libFuzzer target: an attestation as `distill verify` reads it once the
// DSSE signature holds (the key's holder is trusted, the bytes still come
// from outside): the in-toto statement, the provenance's dependencies and
// parameters (what verify --rebuild builds from), an
// SBOM's packages, and any purl. Nothing may crash; the identity of a deb
// purl is a pure function of its text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sbom/attestation.hpp"
#include "sbom/intoto.hpp"

using namespace distill;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (sbom::deb_identity(text) != sbom::deb_identity(text)) std::abort();
  auto s = sbom::parse_statement(text, "statement");
  if (!s.ok()) return 0;
  (void)sbom::provenance_parameters(s->predicate);
  auto debs = sbom::provenance_debs(s->predicate);
  auto listed = sbom::sbom_debs(s.value());
  if (debs.ok() && listed.ok()) (void)sbom::compare_with_sbom(*debs, *listed);
  if (debs.ok()) {
    debian::Lockfile lock;
    lock.archs[debs->architecture] = {};
    (void)sbom::compare_with_lock(*debs, lock);
  }
  return 0;
}
