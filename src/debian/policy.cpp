#include "debian/policy.hpp"

namespace distill::debian {

Policy Policy::distroless() {
  Policy p;
  // Every interpreter that can serve as /bin/sh or a login shell. A shell is
  // the first thing an attacker wants inside a container, and nothing a
  // distroless workload runs needs one.
  p.shells = {"bash", "dash", "busybox", "busybox-static", "zsh",  "ksh",  "ksh93u+m", "mksh",
              "tcsh", "csh",  "fish",    "yash",           "posh", "sash", "rc",       "es"};
  // Tools that install, remove or configure packages at runtime. The image is
  // immutable and carries no dpkg database to operate on, so these would only
  // be dead weight (and apt/debconf drag in perl and a shell).
  // install-info is listed too: it only registers Info manuals while packages
  // are being installed (dpkg shipped it until 1.15.4). Packages ask for it as
  // "dpkg (>= 1.15.4) | install-info", so once dpkg is blocked the resolver
  // would otherwise fall back to it; python3 pulls it in via readline-common.
  // Not listed: adduser, init-system-helpers, ucf. They are maintainer-script
  // helpers rather than package managers; a spec that does not want them
  // excludes them explicitly.
  p.package_managers = {"dpkg",     "apt",          "apt-utils", "aptitude",    "debconf",
                        "cdebconf", "debconf-i18n", "dselect",   "install-info"};
  return p;
}

std::string_view Policy::implicit_block_reason(std::string_view name, bool essential) const {
  // Most specific reason first: dash is Essential too, but "shell" says why
  // it matters.
  if (shells.contains(name)) return "shell";
  if (package_managers.contains(name)) return "package manager";
  if (drop_essential && essential) return "essential";
  return {};
}

}  // namespace distill::debian
