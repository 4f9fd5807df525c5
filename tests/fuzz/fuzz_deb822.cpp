// libFuzzer target: Deb822Document::parse on arbitrary bytes. Besides memory
// safety it checks that every view stays inside the document and that a
// document rebuilt from the stanzas' raw text parses to the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "debian/deb822.hpp"

using namespace distill::debian;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto doc = Deb822Document::parse(input, "fuzz");
  if (!doc.ok()) {
    check(doc.error().where.rfind("fuzz:", 0) == 0);
    return 0;
  }
  std::string_view text = doc->text();
  std::string rebuilt;
  for (const Paragraph& p : doc->paragraphs()) {
    check(!p.fields.empty());
    check(inside(p.raw, text));
    for (const Field& f : p.fields) {
      check(!f.name.empty());
      check(inside(f.name, p.raw));
      check(inside(f.value, p.raw));
      // No duplicates, so the lookup finds this very field.
      auto got = p.get(f.name);
      check(got.has_value() && got->data() == f.value.data());
      check(fold_value(f.value).find('\n') == std::string::npos);
      for (std::string_view line : value_lines(f.value))
        check(line.find('\n') == std::string_view::npos);
    }
    rebuilt.append(p.raw).append("\n\n");
  }
  // A stray '\r' next to the newlines added above would be normalised away.
  if (text.find('\r') != std::string_view::npos) return 0;
  auto again = Deb822Document::parse(rebuilt, "rebuilt");
  check(again.ok());
  check(again->paragraphs().size() == doc->paragraphs().size());
  for (size_t i = 0; i < doc->paragraphs().size(); ++i) {
    const Paragraph& a = doc->paragraphs()[i];
    const Paragraph& b = again->paragraphs()[i];
    check(a.raw == b.raw && a.fields.size() == b.fields.size());
    for (size_t j = 0; j < a.fields.size(); ++j)
      check(a.fields[j].name == b.fields[j].name && a.fields[j].value == b.fields[j].value);
  }
  return 0;
}
