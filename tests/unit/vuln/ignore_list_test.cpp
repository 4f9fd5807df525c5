#include "vuln/ignore_list.hpp"

#include <gtest/gtest.h>

using namespace distill::vuln;

namespace {

TEST(IgnoreList, IdsWithReasons) {
  auto l = parse_ignore_list(
      "# accepted risks\n\nCVE-2023-1  not reachable: no X.509 parsing\r\n"
      "\tCVE-2023-2\tdisputed upstream  \n",
      "ignore.txt");
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->size(), 2u);
  EXPECT_EQ(l->at("CVE-2023-1"), "not reachable: no X.509 parsing");
  EXPECT_EQ(l->at("CVE-2023-2"), "disputed upstream");
}

TEST(IgnoreList, ReasonIsRequired) {
  auto l = parse_ignore_list("CVE-2023-1 ok\nCVE-2023-2\n", "ignore.txt");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().where, "ignore.txt:2");
  EXPECT_NE(l.error().what.find("CVE-2023-2"), std::string::npos);
}

TEST(IgnoreList, DuplicatesAreErrors) {
  auto l = parse_ignore_list("CVE-2023-1 a\nCVE-2023-1 b\n", "ignore.txt");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().where, "ignore.txt:2");
}

}  // namespace
