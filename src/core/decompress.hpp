#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::core {

// Decompresses a whole buffer with libarchive's raw reader. The format (xz,
// gzip, zstd, bzip2 or none) is detected from the data, not trusted from a name.
Result<std::string> decompress(std::string_view data, std::string_view where);

}  // namespace distill::core
