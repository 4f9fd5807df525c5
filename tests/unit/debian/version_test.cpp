#include "debian/version.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/process.hpp"

using namespace distill::debian;
using ::testing::HasSubstr;

namespace {

Version version_ok(std::string_view text) {
  auto v = Version::parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << (v.ok() ? "" : v.error().message());
  return v.ok() ? *v : Version{};
}

void expect_parsed(std::string_view text, unsigned long epoch, std::string_view upstream,
                   std::string_view revision) {
  Version v = version_ok(text);
  EXPECT_EQ(v.epoch, epoch) << text;
  EXPECT_EQ(v.upstream, upstream) << text;
  EXPECT_EQ(v.revision, revision) << text;
}

std::string version_error(std::string_view text) {
  auto v = Version::parse(text);
  EXPECT_FALSE(v.ok()) << "'" << text << "' parsed";
  return v.ok() ? "" : v.error().message();
}

// Checks a < b through every entry point, both ways round.
void expect_less(std::string_view a, std::string_view b) {
  EXPECT_EQ(compare_versions(a, b), -1) << a << " < " << b;
  EXPECT_EQ(compare_versions(b, a), 1) << b << " > " << a;
  EXPECT_LT(compare(version_ok(a), version_ok(b)), 0) << a << " < " << b;
  EXPECT_GT(compare(version_ok(b), version_ok(a)), 0) << b << " > " << a;
}

void expect_equal(std::string_view a, std::string_view b) {
  EXPECT_EQ(compare_versions(a, b), 0) << a << " == " << b;
  EXPECT_EQ(compare_versions(b, a), 0) << b << " == " << a;
  EXPECT_EQ(compare(version_ok(a), version_ok(b)), 0) << a << " == " << b;
}

}  // namespace

// The parse cases of dpkg's lib/dpkg/t/t-version.c.
TEST(VersionParse, DpkgVectors) {
  expect_parsed("0", 0, "0", "");
  expect_parsed("0:0", 0, "0", "");
  expect_parsed("0:0-0", 0, "0", "0");
  expect_parsed("0:0.0-0.0", 0, "0.0", "0.0");
  expect_parsed("1:0", 1, "0", "");
  expect_parsed("5:1", 5, "1", "");
  // The revision starts after the last hyphen, the upstream after the first colon.
  expect_parsed("0:0-0-0", 0, "0-0", "0");
  expect_parsed("0:0-0-0-0", 0, "0-0-0", "0");
  expect_parsed("0:0:0-0", 0, "0:0", "0");
  expect_parsed("0:0:0:0-0", 0, "0:0:0", "0");
  expect_parsed("0:0:0-0-0", 0, "0:0-0", "0");
  expect_parsed("0:0-0:0-0", 0, "0-0:0", "0");
  expect_parsed("0:09azAZ.-+~:-0", 0, "09azAZ.-+~:", "0");
  expect_parsed("0:0-azAZ09.+~", 0, "0", "azAZ09.+~");
  expect_parsed("  \t0:0-1", 0, "0", "1");
  expect_parsed("0:0-1\t  ", 0, "0", "1");
  expect_parsed("\t  0:0-1  \t", 0, "0", "1");
  expect_parsed("2147483647:1", 2147483647ul, "1", "");
  expect_parsed("007:1", 7, "1", "");
}

TEST(VersionParse, NoLeadingDigitIsOnlyAWarningInDpkg) {
  expect_parsed("0:abc3-0", 0, "abc3", "0");
  expect_parsed("~1", 0, "~1", "");
}

TEST(VersionParse, RejectsWhatDpkgRejects) {
  EXPECT_THAT(version_error(""), HasSubstr("empty"));
  EXPECT_THAT(version_error("  "), HasSubstr("empty"));
  EXPECT_THAT(version_error("0:"), HasSubstr("nothing after colon"));
  EXPECT_THAT(version_error(":1.0"), HasSubstr("epoch in version is empty"));
  EXPECT_THAT(version_error("1.0-"), HasSubstr("revision number is empty"));
  EXPECT_THAT(version_error("-1"), HasSubstr("upstream version is empty"));
  EXPECT_THAT(version_error("0:0 0-1"), HasSubstr("embedded spaces"));
  EXPECT_THAT(version_error("-1:0-1"), HasSubstr("epoch"));
  EXPECT_THAT(version_error("999999999999999999999999:0-1"), HasSubstr("too big"));
  EXPECT_THAT(version_error("2147483648:1"), HasSubstr("too big"));
  EXPECT_THAT(version_error("a:0-0"), HasSubstr("not a number"));
  EXPECT_THAT(version_error("A:0-0"), HasSubstr("not a number"));
  EXPECT_THAT(version_error("1.0:3"), HasSubstr("not a number"));
  for (char c : std::string_view("!#@$%&/|\\<>()[]{};,_=*^'")) {
    std::string upstream = std::string("0:0") + c + "-0";
    EXPECT_THAT(version_error(upstream), HasSubstr("in version number")) << upstream;
    std::string revision = std::string("0:0-0") + c;
    EXPECT_THAT(version_error(revision), HasSubstr("in revision number")) << revision;
  }
  EXPECT_THAT(version_error("0:0-0:0"), HasSubstr("in revision number"));
  EXPECT_THAT(version_error("0:0-0-"), HasSubstr("revision number is empty"));
}

TEST(VersionParse, ErrorNamesTheVersion) {
  auto v = Version::parse("1.0-");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error().where, HasSubstr("1.0-"));
}

TEST(VersionParse, StrRoundTrips) {
  EXPECT_EQ(version_ok("1:2.30-1+b1").str(), "1:2.30-1+b1");
  EXPECT_EQ(version_ok("2.30").str(), "2.30");
  EXPECT_EQ(version_ok("0:2.30-1").str(), "2.30-1");  // epoch 0 is implicit
  EXPECT_EQ(version_ok("1.0-2-3").str(), "1.0-2-3");
  EXPECT_EQ(version_ok("0:1:2").str(), "0:1:2");  // without "0:" it would not parse
}

// The comparison cases of dpkg's t-version.c and deb-version(7).
TEST(VersionCompare, DpkgVectors) {
  expect_equal("0-0", "0-0");
  expect_equal("0-00", "00-0");
  expect_equal("1:2-3", "1:2-3");
  expect_less("0:0-0", "1:0-0");
  expect_less("0:a-0", "0:b-0");
  expect_less("0:0-a", "0:0-b");
  // deb-version(7): ~ sorts before everything, even the end of the string.
  expect_less("1.0~~", "1.0~~a");
  expect_less("1.0~~a", "1.0~");
  expect_less("1.0~", "1.0");
  expect_less("1.0", "1.0a");
}

TEST(VersionCompare, Tilde) {
  expect_less("1.0~rc1", "1.0");
  expect_less("1.0~rc1", "1.0~rc2");
  expect_less("1.0~beta", "1.0~rc1");
  expect_less("2.1~beta3", "2.1");
  expect_less("1.0-1~", "1.0-1");
  expect_less("1.0-1~bpo1", "1.0-1");
  expect_less("1.0~", "1.0-0");
}

TEST(VersionCompare, BinNmuAndSuffixes) {
  expect_less("1.0", "1.0+b1");
  expect_less("1.0-1", "1.0-1+b1");
  expect_less("1.0+b1", "1.0+b2");
  expect_less("1.0+b9", "1.0+b10");
  expect_less("1.0+dfsg", "1.0.1");  // '+' sorts before '.'
  expect_less("1.0a", "1.0+");       // letters before non-letters
  expect_less("1.0Z", "1.0a");       // ASCII among letters
  expect_less("1.0", "1.0.0");
}

TEST(VersionCompare, Epochs) {
  expect_less("2", "1:0");
  expect_less("9:9", "10:1");
  expect_less("1:1.0", "2:0.1");
  expect_equal("0:1.0", "1.0");
  expect_equal("00:1.0", "0:1.0");
  expect_less("1:99", "1:100");
}

TEST(VersionCompare, Revisions) {
  expect_equal("1.0-0", "1.0");
  expect_less("1.0", "1.0-1");
  expect_less("1.0-1", "1.0-2");
  expect_less("1.0-9", "1.0-10");
  expect_less("1.0-1", "1.0-1.1");
  expect_less("1.0-2", "1.0-1-1");  // upstream "1.0-1" beats "1.0" before revisions count
}

TEST(VersionCompare, LeadingZerosAndLongNumbers) {
  expect_equal("1.2.3", "1.2.03");
  expect_equal("1.0", "1.00");
  expect_equal("1.000000000000000000000000000001", "1.1");
  expect_less("1.99999999999999999999999999", "1.100000000000000000000000000");
  expect_less("18446744073709551615", "18446744073709551616");
  expect_less("2.0", "10.0");
  expect_less("1.9", "1.10");
}

TEST(VersionCompare, MalformedInputDoesNotCrash) {
  // Not valid versions; compare_versions still gives a total, symmetric answer.
  EXPECT_EQ(compare_versions("", ""), 0);
  EXPECT_EQ(compare_versions("", "1"), -1);
  EXPECT_EQ(compare_versions(":", "::"), -compare_versions("::", ":"));
  EXPECT_EQ(compare_versions("a:1", "1"), 1);  // bad epoch: the whole text is upstream
  EXPECT_EQ(compare_versions("1-", "1"), 0);
  EXPECT_EQ(compare_versions("\xff", "a"), 1);
  // dpkg sees C strings: an embedded NUL ends the version.
  using namespace std::string_view_literals;
  EXPECT_EQ(compare_versions("1.0\0"
                             "5"sv,
                             "1.0"),
            0);
  EXPECT_EQ(compare_versions("\0"
                             "9"sv,
                             "1"),
            -1);
  EXPECT_FALSE(Version::parse("1.0\0"
                              "5"sv)
                   .ok());
}

namespace {

// Random versions from an alphabet that exercises every rule: digit runs with
// leading zeros, letters of both cases, '~' '+' '.' '-' ':', optional epoch
// and revision.
class VersionGenerator {
 public:
  explicit VersionGenerator(uint32_t seed) : rng_(seed) {}

  std::string version() {
    std::string out;
    bool epoch = chance(30);
    if (epoch) out += digits(1 + pick(2)) + ":";
    bool revision = chance(60);
    out += chance(95) ? digits(1 + pick(3)) : std::string(1, pick_of("a~+"));
    out += tail(pick(8), epoch, revision);
    if (revision) out += "-" + revision_part();
    return out;
  }

  // A close relative of `v`: same prefix, different tail, so the comparison
  // reaches deep into the rules instead of stopping at the first digit.
  std::string mutate(const std::string& v) {
    size_t colon = v.find(':');
    size_t keep_from = colon == std::string::npos ? 1 : colon + 2;
    size_t hyphen = v.rfind('-');
    std::string out = v;
    switch (pick(5)) {
      case 0:  // new revision or none
        if (hyphen != std::string::npos) out = v.substr(0, hyphen);
        // An upstream holding a hyphen needs a revision after it.
        if (out.find('-') != std::string::npos || chance(70)) out += "-" + revision_part();
        break;
      case 1:  // append a suffix to upstream
        if (hyphen != std::string::npos)
          out = v.substr(0, hyphen) + tail(1 + pick(3), false, false) + v.substr(hyphen);
        else
          out = v + tail(1 + pick(3), false, false);
        break;
      case 2:  // change the epoch
        out = (colon == std::string::npos ? v : v.substr(colon + 1));
        if (chance(70)) out = digits(1 + pick(2)) + ":" + out;
        break;
      default: {  // replace one character with a safe one
        size_t end = hyphen == std::string::npos ? v.size() : hyphen;
        if (end > keep_from) {
          size_t at = keep_from + pick(static_cast<int>(end - keep_from));
          out[at] = pick_of("0123456789abzAZ~+.");
        }
      }
    }
    return out;
  }

 private:
  bool chance(size_t percent) { return pick(100) < percent; }
  size_t pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  char pick_of(std::string_view set) { return set[pick(static_cast<int>(set.size()))]; }

  std::string digits(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += chance(30) ? '0' : pick_of("0123456789");
    return out;
  }

  std::string tail(size_t n, bool epoch, bool revision) {
    std::string out;
    std::string alphabet = "0123456789.~+abzAZ";
    if (revision) alphabet += '-';  // only unambiguous with a revision after it
    if (epoch) alphabet += ':';     // only valid once an epoch is present
    for (size_t i = 0; i < n; ++i) {
      if (chance(35))
        out += digits(1 + pick(4));
      else
        out += pick_of(alphabet);
    }
    return out;
  }

  std::string revision_part() {
    std::string out = chance(85) ? digits(1 + pick(2)) : std::string(1, pick_of("a~+."));
    size_t n = pick(5);
    for (size_t i = 0; i < n; ++i) out += pick_of("0123456789.~+abzAZ");
    return out;
  }

  std::mt19937 rng_;
};

std::string quote(const std::string& v) {
  return "'" + v + "'";
}

const char* op_for(int c) {
  return c < 0 ? "lt" : c == 0 ? "eq" : "gt";
}

}  // namespace

// Every random pair is checked against the real dpkg. One sh process runs all
// comparisons, split in two background halves: each line asks dpkg to confirm
// our answer and prints the pair's index only when dpkg disagrees.
TEST(VersionCompare, AgreesWithDpkgOnRandomPairs) {
  if (distill::core::find_program("dpkg").empty())
    GTEST_FAIL() << "dpkg is needed: it judges our version order";
  constexpr size_t kPairs = 10000;
  VersionGenerator gen(20240611);
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(kPairs);
  while (pairs.size() < kPairs) {
    std::string a = gen.version();
    std::string b = gen.mutate(a);
    if (!Version::parse(b).ok()) b = gen.version();
    if (pairs.size() % 5 == 0) b = gen.version();  // some unrelated pairs too
    if (pairs.size() % 97 == 0) b = a;             // and some identical ones
    pairs.emplace_back(std::move(a), std::move(b));
  }

  std::vector<int> ours(kPairs);
  std::ostringstream script;
  script << "export LC_ALL=C\n";  // dpkg skips loading translations
  constexpr int kGroups = 2;
  for (int g = 0; g < kGroups; ++g) {
    script << "{\n";
    // A canary dpkg must reject, proving that disagreements do get reported.
    script << "dpkg --compare-versions 1 gt 2 || echo canary\n";
    for (size_t i = g; i < kPairs; i += kGroups) {
      const auto& [a, b] = pairs[i];
      auto pa = Version::parse(a), pb = Version::parse(b);
      ASSERT_TRUE(pa.ok()) << a << ": " << pa.error().message();
      ASSERT_TRUE(pb.ok()) << b << ": " << pb.error().message();
      ours[i] = compare_versions(a, b);
      ASSERT_EQ(compare_versions(b, a), -ours[i]) << a << " vs " << b;
      ASSERT_EQ(compare(*pa, *pb), ours[i]) << a << " vs " << b;
      script << "dpkg --compare-versions " << quote(a) << ' ' << op_for(ours[i]) << ' ' << quote(b)
             << " 2>/dev/null || echo " << i << "\n";
    }
    script << "} &\n";
  }
  script << "wait\necho done\n";

  auto run = distill::core::system_process_runner().run({"sh", "-s"}, script.str());
  ASSERT_TRUE(run.ok()) << run.error().message();
  ASSERT_EQ(run->exit_code, 0) << run->err;

  std::istringstream lines(run->out);
  std::string line;
  int canaries = 0;
  bool done = false;
  std::vector<std::string> disagreements;
  while (std::getline(lines, line)) {
    if (line == "canary")
      ++canaries;
    else if (line == "done")
      done = true;
    else {
      size_t i = std::stoul(line);
      const auto& [a, b] = pairs[i];
      disagreements.push_back(a + " " + op_for(ours[i]) + " " + b);
    }
  }
  EXPECT_TRUE(done) << "the comparison script did not finish";
  EXPECT_EQ(canaries, kGroups) << "the harness does not report dpkg's refusals";
  EXPECT_TRUE(disagreements.empty())
      << disagreements.size() << " pairs where dpkg disagrees, e.g. '" << disagreements[0]
      << "' is false for dpkg";
}
