#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct archive;  // libarchive's, at global scope

namespace distill::core {

// Decompresses a whole buffer with libarchive's raw reader. The format (xz,
// gzip, zstd, bzip2 or none) is detected from the data, not trusted from a name.
// Output beyond `max_bytes` is an error as soon as it appears, so a small
// input that expands without end (a decompression bomb) costs no more memory
// than the limit.
Result<std::string> decompress(std::string_view data, std::string_view where,
                               uint64_t max_bytes = UINT64_MAX);

// gzip, xz, bzip2, zstd and lzma, built into libarchive. Never the "all" set:
// it also runs external programs (lrzip, lzop, ...) on untrusted bytes.
Status enable_builtin_filters(::archive* a, const std::string& where);

}  // namespace distill::core
