#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::debian {

// A Debian version [epoch:]upstream[-revision], compared exactly as dpkg does
// (deb-version(7)): epochs numerically, then upstream and revision with the
// rule that '~' sorts before everything, even the end of the string.
struct Version {
  unsigned long epoch = 0;
  std::string upstream;
  std::string revision;

  // Validates like dpkg: numeric epoch, non-empty upstream and revision,
  // allowed characters only. An upstream that does not start with a digit is
  // accepted, since dpkg only warns about it and real archives contain some.
  static core::Result<Version> parse(std::string_view text);
  std::string str() const;
};

int compare(const Version& a, const Version& b);
// Compares two version strings without allocating. Malformed input compares
// by the same rules dpkg applies to what it can parse.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace distill::debian
