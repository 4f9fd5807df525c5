#include "debian/lock_fetch.hpp"

#include <gtest/gtest.h>

using namespace distill;
using namespace distill::debian;

namespace {

Lockfile two_arch_lock() {
  Lockfile lock;
  lock.distro = "debian12";
  for (const char* arch : {"amd64", "arm64"}) {
    LockedPackage p;
    p.name = "libc6";
    p.version = "2.36";
    p.architecture = arch;
    lock.archs[arch].packages.push_back(p);
  }
  return lock;
}

TEST(LockForArchs, KeepsTheArchsAsked) {
  auto all = lock_for_archs(two_arch_lock(), {}, "l.json");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->archs.size(), 2u);
  auto one = lock_for_archs(two_arch_lock(), {"arm64"}, "l.json");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->archs.size(), 1u);
  EXPECT_EQ(one->archs.begin()->first, "arm64");
}

TEST(LockForArchs, AnArchNotLockedIsAnError) {
  auto r = lock_for_archs(two_arch_lock(), {"riscv64"}, "l.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "l.json: no packages locked for riscv64 (run 'distill lock --arch riscv64')");
}

}  // namespace
