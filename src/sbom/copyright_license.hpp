#pragma once

#include <string>
#include <string_view>

namespace distill::sbom {

// The licenses a machine-readable debian/copyright file (DEP-5,
// copyright-format/1.0) declares, as one SPDX license expression: the
// License field of the header and of every Files paragraph, Debian's short
// names mapped to SPDX identifiers (GPL-2+ -> GPL-2.0-or-later, Expat -> MIT,
// ...), names SPDX does not know turned into LicenseRef-<name>, "or"/"and"
// kept, distinct paragraphs joined with AND, sorted. "" when the file is not
// machine-readable or declares nothing, so the caller can say NOASSERTION.
std::string spdx_license_from_copyright(std::string_view text);

// True for an expression part that is not an SPDX list identifier.
bool is_license_ref(std::string_view id);

}  // namespace distill::sbom
