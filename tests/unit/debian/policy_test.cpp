#include "debian/policy.hpp"

#include <gtest/gtest.h>

namespace distill::debian {
namespace {

TEST(Policy, DistrolessBlocksEveryShell) {
  Policy p = Policy::distroless();
  for (const char* shell : {"bash", "dash", "busybox", "busybox-static", "zsh", "ksh", "ksh93u+m",
                            "mksh", "tcsh", "csh", "fish", "yash", "posh", "sash", "rc", "es"}) {
    EXPECT_TRUE(p.shells.contains(shell)) << shell;
    EXPECT_EQ(p.implicit_block_reason(shell, false), "shell") << shell;
  }
}

TEST(Policy, DistrolessBlocksPackageManagers) {
  Policy p = Policy::distroless();
  for (const char* pm : {"dpkg", "apt", "apt-utils", "aptitude", "debconf", "debconf-i18n",
                         "cdebconf", "dselect", "install-info"}) {
    EXPECT_TRUE(p.package_managers.contains(pm)) << pm;
    EXPECT_EQ(p.implicit_block_reason(pm, false), "package manager") << pm;
  }
  // Maintainer-script helpers are not package managers.
  EXPECT_EQ(p.implicit_block_reason("adduser", false), "");
  EXPECT_EQ(p.implicit_block_reason("init-system-helpers", false), "");
}

TEST(Policy, MostSpecificReasonWins) {
  Policy p = Policy::distroless();
  EXPECT_EQ(p.implicit_block_reason("dash", true), "shell");
  EXPECT_EQ(p.implicit_block_reason("dpkg", true), "package manager");
  EXPECT_EQ(p.implicit_block_reason("coreutils", true), "essential");
}

TEST(Policy, OrdinaryPackagesPass) {
  Policy p = Policy::distroless();
  EXPECT_EQ(p.implicit_block_reason("libc6", false), "");
  EXPECT_EQ(p.implicit_block_reason("python3", false), "");
  // Names are matched exactly, not by prefix.
  EXPECT_EQ(p.implicit_block_reason("bash-completion", false), "");
  EXPECT_EQ(p.implicit_block_reason("libapt-pkg6.0", false), "");
}

TEST(Policy, EssentialCanBeKept) {
  Policy p = Policy::distroless();
  p.drop_essential = false;
  EXPECT_EQ(p.implicit_block_reason("coreutils", true), "");
  EXPECT_EQ(p.implicit_block_reason("bash", true), "shell");
}

TEST(Policy, DefaultsAreStrict) {
  Policy p = Policy::distroless();
  EXPECT_TRUE(p.drop_essential);
  EXPECT_FALSE(p.allow_shells);
  // An empty policy blocks nothing but essential packages.
  Policy empty;
  EXPECT_EQ(empty.implicit_block_reason("bash", false), "");
  EXPECT_EQ(empty.implicit_block_reason("base-files", true), "essential");
}

}  // namespace
}  // namespace distill::debian
