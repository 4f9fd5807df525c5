#include "verify/finding_ignore.hpp"

#include <gtest/gtest.h>

namespace distill::verify {
namespace {

TEST(FindingIgnoreTest, ParsesIdPathAndBoth) {
  auto id = parse_finding_ignore("DISTILL-0006");
  ASSERT_TRUE(id.ok()) << id.error().message();
  EXPECT_EQ(id->id, "DISTILL-0006");
  EXPECT_EQ(id->path, "");
  auto path = parse_finding_ignore("/opt/jre/lib/libawt_xawt.so");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->id, "");
  EXPECT_EQ(path->path, "/opt/jre/lib/libawt_xawt.so");
  auto both = parse_finding_ignore("DISTILL-0011:/opt/jre/lib/");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->id, "DISTILL-0011");
  EXPECT_EQ(both->path, "/opt/jre/lib/");
}

TEST(FindingIgnoreTest, RefusesUnknownIdsAndUncleanPaths) {
  for (const char* bad : {"", "DISTILL-9999", "NOPE:/x", "DISTILL-0006/x", "/", "/a//b", "/a/../b",
                          "/./a", "DISTILL-0006:/a/.."}) {
    auto r = parse_finding_ignore(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_EQ(parse_finding_ignore("DISTILL-9999").error().message(),
            "ignore entry 'DISTILL-9999': no such check: DISTILL-9999 (docs/lint.md lists the "
            "check ids)");
}

TEST(FindingIgnoreTest, MatchesByIdPathOrFolder) {
  auto m = [](const char* text, const char* id, const char* path) {
    auto r = parse_finding_ignore(text);
    EXPECT_TRUE(r.ok()) << text;
    return r.ok() && r->matches(id, path);
  };
  EXPECT_TRUE(m("DISTILL-0006", "DISTILL-0006", "/a"));
  EXPECT_TRUE(m("DISTILL-0006", "DISTILL-0006", ""));
  EXPECT_FALSE(m("DISTILL-0006", "DISTILL-0011", "/a"));
  EXPECT_TRUE(m("/a/lib.so", "DISTILL-0006", "/a/lib.so"));
  EXPECT_FALSE(m("/a/lib.so", "DISTILL-0006", "/a/lib.so.1"));
  EXPECT_FALSE(m("/a", "DISTILL-0006", "/a/lib.so"));
  EXPECT_TRUE(m("/a/", "DISTILL-0006", "/a/b/lib.so"));
  EXPECT_FALSE(m("/a/", "DISTILL-0006", "/ab/lib.so"));
  EXPECT_FALSE(m("/a/", "CIS-DI-0001", ""));
  EXPECT_TRUE(m("DISTILL-0011:/a/", "DISTILL-0011", "/a/x.so"));
  EXPECT_FALSE(m("DISTILL-0011:/a/", "DISTILL-0006", "/a/x.so"));
  std::vector<FindingIgnore> list = {*parse_finding_ignore("DISTILL-0001"),
                                     *parse_finding_ignore("/x")};
  EXPECT_TRUE(any_ignore_matches(list, "DISTILL-0002", "/x"));
  EXPECT_TRUE(any_ignore_matches(list, "DISTILL-0001", "/y"));
  EXPECT_FALSE(any_ignore_matches(list, "DISTILL-0002", "/y"));
  EXPECT_FALSE(any_ignore_matches({}, "DISTILL-0002", "/y"));
}

}  // namespace
}  // namespace distill::verify
