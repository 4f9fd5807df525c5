#pragma once

#include <optional>
#include <string_view>

#include "sbom/lang_package.hpp"

namespace distill::sbom {

// "<dir>/<x>.dist-info/METADATA" (wheels, pip) or "<dir>/<x>.egg-info/PKG-INFO"
// (setuptools), wherever they are: site-packages, dist-packages, a
// `pip install --target` folder.
bool is_python_metadata_file(std::string_view path);

// The dist-info's "RECORD" beside a METADATA path, "" for an egg-info.
std::string python_record_path(std::string_view metadata_path);

// Name, Version and License-Expression (else License, when it is one line)
// of core metadata (an RFC 822 header block; the body after the first empty
// line is the description and is not read). nullopt without a Name or a
// Version. The location is left to the caller.
std::optional<LangPackage> parse_python_metadata(std::string_view text);

}  // namespace distill::sbom
