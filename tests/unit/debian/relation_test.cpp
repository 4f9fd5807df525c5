#include "debian/relation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace distill::debian;
using ::testing::HasSubstr;

namespace {

std::vector<Alternatives> relations_ok(std::string_view field) {
  auto r = parse_relations(field, "test Depends");
  EXPECT_TRUE(r.ok()) << field << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : std::vector<Alternatives>{};
}

// "a | b (>= 1), c" back from the parse, to compare whole structures at once.
std::string render(const std::vector<Alternatives>& groups) {
  std::string out;
  for (const Alternatives& alts : groups) {
    if (!out.empty()) out += ", ";
    for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i].str();
  }
  return out;
}

distill::core::Error relations_error(std::string_view field) {
  auto r = parse_relations(field, "libfoo Depends");
  EXPECT_FALSE(r.ok()) << "'" << field << "' parsed as '" << (r.ok() ? render(*r) : "") << "'";
  return r.ok() ? distill::core::Error{} : r.error();
}

}  // namespace

TEST(Relations, TheFullGrammar) {
  auto groups = relations_ok("a | b (>= 1.0), c:any, d (<< 2) [amd64], e <!nocheck>");
  ASSERT_EQ(groups.size(), 4u);
  ASSERT_EQ(groups[0].size(), 2u);
  EXPECT_EQ(groups[0][0].name, "a");
  EXPECT_EQ(groups[0][0].op, RelOp::Any);
  EXPECT_EQ(groups[0][0].version, "");
  EXPECT_EQ(groups[0][1].name, "b");
  EXPECT_EQ(groups[0][1].op, RelOp::Ge);
  EXPECT_EQ(groups[0][1].version, "1.0");
  ASSERT_EQ(groups[1].size(), 1u);
  EXPECT_EQ(groups[1][0].name, "c");
  EXPECT_EQ(groups[1][0].arch_qualifier, "any");
  EXPECT_EQ(groups[2][0].name, "d");
  EXPECT_EQ(groups[2][0].op, RelOp::Lt);
  EXPECT_EQ(groups[2][0].version, "2");
  EXPECT_EQ(groups[3][0].name, "e");
  EXPECT_EQ(groups[3][0].op, RelOp::Any);
  EXPECT_EQ(render(groups), "a | b (>= 1.0), c:any, d (<< 2), e");
}

TEST(Relations, EmptyFieldHasNoGroups) {
  EXPECT_TRUE(relations_ok("").empty());
  EXPECT_TRUE(relations_ok("  \n\t ").empty());
}

TEST(Relations, EveryOperator) {
  auto groups = relations_ok("a (<< 1), b (<= 1), c (= 1), d (>= 1), e (>> 1), f (< 1), g (> 1)");
  ASSERT_EQ(groups.size(), 7u);
  EXPECT_EQ(groups[0][0].op, RelOp::Lt);
  EXPECT_EQ(groups[1][0].op, RelOp::Le);
  EXPECT_EQ(groups[2][0].op, RelOp::Eq);
  EXPECT_EQ(groups[3][0].op, RelOp::Ge);
  EXPECT_EQ(groups[4][0].op, RelOp::Gt);
  // Deprecated single-character forms mean "or equal", as in dpkg.
  EXPECT_EQ(groups[5][0].op, RelOp::Le);
  EXPECT_EQ(groups[6][0].op, RelOp::Ge);
  EXPECT_EQ(to_string(RelOp::Any), "");
  EXPECT_EQ(to_string(RelOp::Lt), "<<");
  EXPECT_EQ(to_string(RelOp::Le), "<=");
  EXPECT_EQ(to_string(RelOp::Eq), "=");
  EXPECT_EQ(to_string(RelOp::Ge), ">=");
  EXPECT_EQ(to_string(RelOp::Gt), ">>");
}

TEST(Relations, WhitespaceAndNewlinesAnywhere) {
  std::string folded =
      "\n libc6 (>= 2.34),\n libgcc-s1\n   (>=3.0) ,libstdc++6(>= 12)|\n\tlibc++1 ,"
      "\n python3:any(>=\n 3.11~)\n";
  EXPECT_EQ(render(relations_ok(folded)),
            "libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 12) | libc++1, "
            "python3:any (>= 3.11~)");
  EXPECT_EQ(render(relations_ok("a(=1)|b")), "a (= 1) | b");
  EXPECT_EQ(render(relations_ok("a ( >= 1:2.0-3 ) ")), "a (>= 1:2.0-3)");
}

TEST(Relations, ArchQualifiers) {
  auto groups = relations_ok("python3:any, libc6:amd64 (>= 2), perl:native, gcc-12:arm64 | gcc");
  EXPECT_EQ(groups[0][0].arch_qualifier, "any");
  EXPECT_EQ(groups[1][0].arch_qualifier, "amd64");
  EXPECT_EQ(groups[1][0].version, "2");
  EXPECT_EQ(groups[2][0].arch_qualifier, "native");
  EXPECT_EQ(groups[3][0].name, "gcc-12");
  EXPECT_EQ(groups[3][0].arch_qualifier, "arm64");
  EXPECT_EQ(groups[3][1].arch_qualifier, "");
}

TEST(Relations, RestrictionsAreSkipped) {
  EXPECT_EQ(render(relations_ok("a [amd64 !i386], b (>= 1) [linux-any] <!nocheck> <stage1 cross>,"
                                " c <!nocheck> | d [!hurd-i386]")),
            "a, b (>= 1), c | d");
}

TEST(Relations, RealWorldField) {
  auto groups = relations_ok(
      "libc6 (>= 2.34), libexpat1 (>= 2.1~beta3), libpython3.11-stdlib (= 3.11.2-6), "
      "media-types | mime-support, tzdata, zlib1g (>= 1:1.2.0)");
  ASSERT_EQ(groups.size(), 6u);
  EXPECT_EQ(groups[2][0].name, "libpython3.11-stdlib");
  EXPECT_EQ(groups[2][0].version, "3.11.2-6");
  EXPECT_EQ(groups[3].size(), 2u);
  EXPECT_EQ(groups[5][0].version, "1:1.2.0");
}

TEST(Relations, StrFormatsOneRelation) {
  Relation r{"libc6", "any", RelOp::Ge, "2.34"};
  EXPECT_EQ(r.str(), "libc6:any (>= 2.34)");
  EXPECT_EQ((Relation{"zlib1g", "", RelOp::Any, ""}.str()), "zlib1g");
}

TEST(Relations, MalformedInputsNameWhereAndText) {
  auto e = relations_error("libc6, foo (>= )");
  EXPECT_EQ(e.where, "libfoo Depends");
  EXPECT_THAT(e.what, HasSubstr("'foo (>= )'"));
  EXPECT_THAT(e.what, HasSubstr("missing version"));

  e = relations_error("foo (>=");
  EXPECT_THAT(e.what, HasSubstr("'foo (>='"));
  EXPECT_THAT(e.what, HasSubstr("missing version"));

  e = relations_error("foo (>= 1.0");
  EXPECT_THAT(e.what, HasSubstr("expected ')'"));

  e = relations_error("| bar");
  EXPECT_THAT(e.what, HasSubstr("'| bar'"));
  EXPECT_THAT(e.what, HasSubstr("missing package name"));

  e = relations_error("foo (!= 1.0)");
  EXPECT_THAT(e.what, HasSubstr("missing relation operator"));
  e = relations_error("foo (=> 1.0)");
  EXPECT_THAT(e.what, HasSubstr("unknown relation operator '=>'"));
  e = relations_error("foo (<> 1.0)");
  EXPECT_THAT(e.what, HasSubstr("unknown relation operator '<>'"));
  e = relations_error("foo (1.0)");
  EXPECT_THAT(e.what, HasSubstr("missing relation operator"));
}

TEST(Relations, MoreMalformedInputs) {
  EXPECT_THAT(relations_error("a |").what, HasSubstr("missing package name"));
  EXPECT_THAT(relations_error("a, , b").what, HasSubstr("missing package name"));
  EXPECT_THAT(relations_error("a,").what, HasSubstr("missing package name"));
  EXPECT_THAT(relations_error("a b").what, HasSubstr("unexpected 'b'"));
  EXPECT_THAT(relations_error("a)").what, HasSubstr("unexpected ')'"));
  EXPECT_THAT(relations_error("a:").what, HasSubstr("architecture qualifier"));
  EXPECT_THAT(relations_error("-a").what, HasSubstr("must start with a letter or digit"));
  EXPECT_THAT(relations_error("a [amd64").what, HasSubstr("unterminated architecture restriction"));
  EXPECT_THAT(relations_error("a []").what, HasSubstr("empty architecture restriction"));
  EXPECT_THAT(relations_error("a <!nocheck").what, HasSubstr("unterminated build profile"));
  EXPECT_THAT(relations_error("a (>= 1.0 2)").what, HasSubstr("expected ')'"));
  EXPECT_THAT(relations_error("a (>= 1_0)").what, HasSubstr("invalid character"));
  EXPECT_THAT(relations_error("a (>= 1.0-)").what, HasSubstr("revision number is empty"));
}

TEST(Relations, ErrorTextIsTheOffendingGroupOnOneLine) {
  auto e = relations_error("ok1,\n bad\n (>=\n ),\n ok2");
  EXPECT_THAT(e.what, HasSubstr("'bad (>= )'"));
  EXPECT_THAT(e.what, ::testing::Not(HasSubstr("ok2")));
}

TEST(VersionSatisfies, EveryOperator) {
  EXPECT_TRUE(version_satisfies("1.0", RelOp::Any, ""));
  EXPECT_TRUE(version_satisfies("anything", RelOp::Any, "9"));

  EXPECT_TRUE(version_satisfies("1.0~rc1", RelOp::Lt, "1.0"));
  EXPECT_FALSE(version_satisfies("1.0", RelOp::Lt, "1.0"));
  EXPECT_FALSE(version_satisfies("1.0+b1", RelOp::Lt, "1.0"));

  EXPECT_TRUE(version_satisfies("1.0~rc1", RelOp::Le, "1.0"));
  EXPECT_TRUE(version_satisfies("1.0", RelOp::Le, "1.0"));
  EXPECT_FALSE(version_satisfies("1.0+b1", RelOp::Le, "1.0"));

  EXPECT_TRUE(version_satisfies("1.0", RelOp::Eq, "1.0"));
  EXPECT_TRUE(version_satisfies("0:1.0-0", RelOp::Eq, "1.0"));
  EXPECT_FALSE(version_satisfies("1.0-1", RelOp::Eq, "1.0"));

  EXPECT_TRUE(version_satisfies("1.0+b1", RelOp::Ge, "1.0"));
  EXPECT_TRUE(version_satisfies("1.0", RelOp::Ge, "1.0"));
  EXPECT_FALSE(version_satisfies("1.0~rc1", RelOp::Ge, "1.0"));

  EXPECT_TRUE(version_satisfies("1:0.1", RelOp::Gt, "2.0"));
  EXPECT_FALSE(version_satisfies("1.0", RelOp::Gt, "1.0"));
  EXPECT_FALSE(version_satisfies("1.0~rc1", RelOp::Gt, "1.0"));
}

TEST(VersionSatisfies, ParsedRelationsApply) {
  auto groups = relations_ok("libexpat1 (>= 2.1~beta3), libc6 (< 2.37)");
  const Relation& expat = groups[0][0];
  EXPECT_TRUE(version_satisfies("2.5.0-1", expat.op, expat.version));
  EXPECT_TRUE(version_satisfies("2.1~beta3", expat.op, expat.version));
  EXPECT_FALSE(version_satisfies("2.1~beta2", expat.op, expat.version));
  const Relation& libc = groups[1][0];  // deprecated "<" is "<="
  EXPECT_TRUE(version_satisfies("2.37", libc.op, libc.version));
  EXPECT_FALSE(version_satisfies("2.37-1", libc.op, libc.version));
}
