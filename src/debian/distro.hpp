#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::debian {

// A supported Debian release and the suites a distroless build draws from.
struct Distro {
  std::string id;        // debian12
  std::string codename;  // bookworm
  std::string version;   // 12
  // <codename>, <codename>-updates (archive mirror), <codename>-security
  // (security mirror), in that order.
  std::vector<std::string> suites() const;
  static bool is_security_suite(std::string_view suite);
};

// "debian12", "debian13", "bookworm", "trixie" -> Distro.
core::Result<Distro> find_distro(std::string_view name);

}  // namespace distill::debian
