#include "debian/distro.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using distill::debian::Distro;
using distill::debian::find_distro;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Distro, FindsByIdCodenameAndVersion) {
  for (const char* name : {"debian12", "bookworm", "12"}) {
    auto d = find_distro(name);
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_EQ(d->id, "debian12");
    EXPECT_EQ(d->codename, "bookworm");
    EXPECT_EQ(d->version, "12");
  }
  for (const char* name : {"debian13", "trixie", "13"}) {
    auto d = find_distro(name);
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_EQ(d->codename, "trixie");
  }
}

TEST(Distro, UnknownNameListsSupportedOnes) {
  auto d = find_distro("debian11");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message(), HasSubstr("debian11"));
  EXPECT_THAT(d.error().hint, HasSubstr("debian12 (bookworm, 12)"));
  EXPECT_THAT(d.error().hint, HasSubstr("debian13 (trixie, 13)"));
}

TEST(Distro, SuitesInOrder) {
  auto d = find_distro("trixie");
  ASSERT_TRUE(d.ok());
  EXPECT_THAT(d->suites(), ElementsAre("trixie", "trixie-updates", "trixie-security"));
  EXPECT_TRUE(Distro::is_security_suite("trixie-security"));
  EXPECT_FALSE(Distro::is_security_suite("trixie-updates"));
}
