#pragma once

#include <set>
#include <string>
#include <string_view>

namespace distill::debian {

// What a distroless image must not pull in implicitly. Dependencies on these
// are dropped and reported instead of followed.
struct Policy {
  std::set<std::string, std::less<>> shells;            // bash, dash, busybox, zsh, ...
  std::set<std::string, std::less<>> package_managers;  // dpkg, apt, debconf, ...
  bool drop_essential = true;                           // Essential: yes packages only when named
  bool allow_shells = false;                            // explicit opt-in needed to name a shell

  static Policy distroless();
  // Empty when `name` may be pulled in implicitly, else the reason.
  std::string_view implicit_block_reason(std::string_view name, bool essential) const;
};

}  // namespace distill::debian
