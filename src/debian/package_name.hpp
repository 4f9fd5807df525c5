#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::debian {

// Debian policy 5.6.1: lowercase letters, digits, '+', '-' and '.', starting
// with a letter or digit. Names from an index or lockfile end up in file
// names, so nothing else may pass.
bool is_valid_package_name(std::string_view name);

// "amd64", "arm64", "all", "x32": lowercase letters, digits and '-'.
bool is_valid_architecture(std::string_view arch);

// Package, version and architecture as one check, for whatever names a
// package: an index stanza, a lockfile entry. `where` starts the error.
core::Status check_package_id(std::string_view where, std::string_view name,
                              std::string_view version, std::string_view architecture);

// "name_version_arch.deb", the epoch's colon written as '%' as in Debian's
// pool. Refuses what check_package_id refuses, so the result is always one
// plain file name.
core::Result<std::string> deb_file_name(std::string_view name, std::string_view version,
                                        std::string_view architecture);

}  // namespace distill::debian
