#include "runtime/user.hpp"

#include <gtest/gtest.h>

using namespace distill::runtime;

namespace {

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
constexpr const char* kGroup =
    "root:x:0:\n"
    "tty:x:5:nonroot\n"
    "nogroup:x:65534:\n"
    "nonroot:x:65532:\n";

TEST(ResolveUser, EmptyIsRoot) {
  auto u = resolve_user("", kPasswd, kGroup);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->uid, 0u);
  EXPECT_EQ(u->gid, 0u);
}

TEST(ResolveUser, NameTakesUidAndPrimaryGroupAndMemberships) {
  auto u = resolve_user("nonroot", kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->uid, 65532u);
  EXPECT_EQ(u->gid, 65532u);
  EXPECT_EQ(u->additional_gids, std::vector<uint32_t>{5});
}

TEST(ResolveUser, NumbersAndGroups) {
  auto a = resolve_user("65532", kPasswd, kGroup);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->gid, 65532u) << "a known uid gets its passwd gid";
  auto b = resolve_user("1234", kPasswd, kGroup);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->uid, 1234u);
  EXPECT_EQ(b->gid, 0u);
  auto c = resolve_user("1234:99", kPasswd, kGroup);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->gid, 99u);
  auto d = resolve_user("nobody:nonroot", kPasswd, kGroup);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->uid, 65534u);
  EXPECT_EQ(d->gid, 65532u);
}

TEST(ResolveUser, UnknownNamesAreErrors) {
  auto a = resolve_user("alice", kPasswd, kGroup);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().what.find("no user 'alice' in /etc/passwd"), std::string::npos);
  auto b = resolve_user("nonroot:wheel", kPasswd, kGroup);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().what.find("no group 'wheel'"), std::string::npos);
  EXPECT_FALSE(resolve_user("nonroot", "", "").ok()) << "no /etc/passwd: names are unknown";
}

}  // namespace
