#include "sbom/copyright_license.hpp"

#include <array>
#include <cctype>
#include <set>
#include <utility>
#include <vector>

#include "core/strings.hpp"
#include "debian/deb822.hpp"

namespace distill::sbom {
namespace {

// Debian's short names (copyright-format/1.0, "License specification")
// and the SPDX identifiers they stand for, keys lower case.
constexpr std::array<std::pair<std::string_view, std::string_view>, 44> kShortNames = {{
    {"agpl-3", "AGPL-3.0-only"},
    {"agpl-3+", "AGPL-3.0-or-later"},
    {"apache-2.0", "Apache-2.0"},
    {"artistic", "Artistic-1.0-Perl"},
    {"artistic-2.0", "Artistic-2.0"},
    {"bsd-2-clause", "BSD-2-Clause"},
    {"bsd-3-clause", "BSD-3-Clause"},
    {"bsd-4-clause", "BSD-4-Clause"},
    {"bsl-1.0", "BSL-1.0"},
    {"cc0-1.0", "CC0-1.0"},
    {"curl", "curl"},
    {"expat", "MIT"},
    {"ftl", "FTL"},
    {"gfdl-1.2", "GFDL-1.2-only"},
    {"gfdl-1.2+", "GFDL-1.2-or-later"},
    {"gfdl-1.3", "GFDL-1.3-only"},
    {"gfdl-1.3+", "GFDL-1.3-or-later"},
    {"gpl-1", "GPL-1.0-only"},
    {"gpl-1+", "GPL-1.0-or-later"},
    {"gpl-2", "GPL-2.0-only"},
    {"gpl-2+", "GPL-2.0-or-later"},
    {"gpl-3", "GPL-3.0-only"},
    {"gpl-3+", "GPL-3.0-or-later"},
    {"isc", "ISC"},
    {"lgpl-2", "LGPL-2.0-only"},
    {"lgpl-2+", "LGPL-2.0-or-later"},
    {"lgpl-2.1", "LGPL-2.1-only"},
    {"lgpl-2.1+", "LGPL-2.1-or-later"},
    {"lgpl-3", "LGPL-3.0-only"},
    {"lgpl-3+", "LGPL-3.0-or-later"},
    {"mit", "MIT"},
    {"mpl-1.1", "MPL-1.1"},
    {"mpl-2.0", "MPL-2.0"},
    {"openssl", "OpenSSL"},
    {"psf-2", "PSF-2.0"},
    {"python", "Python-2.0"},
    {"unicode-dfs-2016", "Unicode-DFS-2016"},
    {"x11", "X11"},
    {"zlib", "Zlib"},
    {"zpl-2.1", "ZPL-2.1"},
    {"0bsd", "0BSD"},
    {"cc-by-4.0", "CC-BY-4.0"},
    {"cc-by-sa-4.0", "CC-BY-SA-4.0"},
    {"wtfpl", "WTFPL"},
}};

// LicenseRef-<name>, with what SPDX idstrings cannot hold ([A-Za-z0-9.-]) replaced.
std::string license_ref(std::string_view name) {
  std::string out = "LicenseRef-";
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') {
      out += c;
    } else if (c == '+') {
      out += "-plus";
    } else if (out.back() != '-') {
      out += '-';
    }
  }
  while (out.back() == '-') out.pop_back();
  return out == "LicenseRef" ? "LicenseRef-unknown" : out;
}

std::string spdx_id(std::string_view name) {
  std::string key = core::ascii_lower(name);
  for (const auto& [dep5, spdx] : kShortNames)
    if (key == dep5 || key == core::ascii_lower(spdx)) return std::string(spdx);
  return license_ref(name);
}

// One License field's first line: "GPL-2+ or Artistic", "BSD-3-clause and
// Expat", "GPL-2+ with OpenSSL exception" (kept whole, as a LicenseRef).
std::string paragraph_expression(std::string_view value) {
  std::vector<std::string> words;
  std::string word;
  for (char c : value.substr(0, value.find('\n'))) {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  std::string out, name;
  auto flush = [&] {
    if (!name.empty()) out += spdx_id(name);
    name.clear();
  };
  for (const auto& w : words) {
    std::string lw = core::ascii_lower(w);
    if (lw == "or" || lw == "and") {
      if (name.empty()) continue;
      flush();
      out += lw == "or" ? " OR " : " AND ";
    } else {
      name += (name.empty() ? "" : " ") + w;
    }
  }
  flush();
  while (out.ends_with(" OR ") || out.ends_with(" AND ")) out.erase(out.rfind(' ', out.size() - 2));
  return out;
}

}  // namespace

bool is_license_ref(std::string_view id) {
  return id.starts_with("LicenseRef-");
}

std::string spdx_license_from_copyright(std::string_view text) {
  auto doc = debian::Deb822Document::parse(std::string(text), "copyright");
  if (!doc.ok() || doc->paragraphs().empty()) return "";
  // Only the machine-readable format has License fields worth reading.
  if (doc->paragraphs().front().get_or("Format").find("copyright-format") == std::string_view::npos)
    return "";
  std::set<std::string> parts;
  for (size_t i = 0; i < doc->paragraphs().size(); ++i) {
    const debian::Paragraph& p = doc->paragraphs()[i];
    // Stand-alone License paragraphs only hold the texts the others name.
    if (i > 0 && !p.get("Files")) continue;
    auto license = p.get("License");
    if (!license) continue;
    std::string expr = paragraph_expression(*license);
    if (!expr.empty()) parts.insert(std::move(expr));
  }
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += " AND ";
    out += parts.size() > 1 && part.find(" OR ") != std::string::npos ? "(" + part + ")" : part;
  }
  return out;
}

}  // namespace distill::sbom
