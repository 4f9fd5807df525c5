// libFuzzer target: relation fields. A parsed field, printed back with
// Relation::str(), must parse to the same relations.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "debian/relation.hpp"

using namespace distill::debian;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::string render(const std::vector<Alternatives>& groups) {
  std::string out;
  for (const Alternatives& alts : groups) {
    if (!out.empty()) out += ", ";
    for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i].str();
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view field(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_relations(field, "fuzz");
  if (!parsed.ok()) {
    check(parsed.error().where == "fuzz" && !parsed.error().what.empty());
    return 0;
  }
  for (const Alternatives& alts : *parsed) {
    check(!alts.empty());
    for (const Relation& r : alts) {
      check(!r.name.empty());
      check((r.op == RelOp::Any) == r.version.empty());
      if (r.op == RelOp::Any) continue;
      bool reflexive = r.op == RelOp::Le || r.op == RelOp::Eq || r.op == RelOp::Ge;
      check(version_satisfies(r.version, r.op, r.version) == reflexive);
    }
  }
  std::string text = render(*parsed);
  auto again = parse_relations(text, "rendered");
  check(again.ok() && render(*again) == text);
  return 0;
}
