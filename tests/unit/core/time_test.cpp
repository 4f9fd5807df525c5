#include "core/time.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace distill::core {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kJul11 = 1783764997;  // Sat, 11 Jul 2026 10:16:37 UTC

TEST(Rfc2822Date, ParsesRfc2822InUtc) {
  EXPECT_EQ(parse_rfc2822_date("Sat, 11 Jul 2026 10:16:37 UTC"), kJul11);
  EXPECT_EQ(parse_rfc2822_date("Sat, 11 Jul 2026 10:16:37 GMT"), kJul11);
  EXPECT_EQ(parse_rfc2822_date("11 Jul 2026 10:16:37 UTC"), kJul11);  // weekday optional
  EXPECT_EQ(parse_rfc2822_date("Sat,  1 Jan 1970 00:00:00 UTC"), 0);
  EXPECT_EQ(parse_rfc2822_date("Thu, 29 Feb 2024 23:59:59 UTC"), 1709251199);
}

TEST(Rfc2822Date, HonoursNumericOffsets) {
  EXPECT_EQ(parse_rfc2822_date("Sat, 11 Jul 2026 12:16:37 +0200"), kJul11);
  EXPECT_EQ(parse_rfc2822_date("Sat, 11 Jul 2026 05:16:37 -0500"), kJul11);
}

TEST(Rfc2822Date, IgnoresTheLocalTimeZone) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "America/New_York", 1);
  ::tzset();
  auto parsed = parse_rfc2822_date("Sat, 11 Jul 2026 10:16:37 UTC");
  std::string formatted = format_rfc2822_date(kJul11);
  if (old)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
  EXPECT_EQ(parsed, kJul11);
  EXPECT_EQ(formatted, "Sat, 11 Jul 2026 10:16:37 UTC");
}

TEST(Rfc2822Date, RejectsMalformedDates) {
  for (const char* bad :
       {"", "yesterday", "Sat, 11 Jux 2026 10:16:37 UTC", "Sat, 31 Feb 2026 10:16:37 UTC",
        "Sat, 11 Jul 2026 25:16:37 UTC", "Sat, 11 Jul 2026 10:16:37",
        "Sat, 11 Jul 2026 10:16:37 CEST", "Sat, 11 Jul 2026 10:16:37 UTC trailing",
        "Sat 11 Jul 2026 10:16:37 UTC", "Sat, 11 Jul 26 10:16:37 UTC"}) {
    EXPECT_EQ(parse_rfc2822_date(bad), std::nullopt) << bad;
  }
}

TEST(Rfc2822Date, FormatRoundTrips) {
  EXPECT_EQ(format_rfc2822_date(0), "Thu, 01 Jan 1970 00:00:00 UTC");
  EXPECT_EQ(parse_rfc2822_date(format_rfc2822_date(1709251199)), 1709251199);
}

TEST(Rfc3339, FormatsAndParses) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(*parse_rfc3339("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_EQ(*parse_rfc3339("2023-11-14T22:13:20.123456789Z"), 1700000000);
  EXPECT_EQ(*parse_rfc3339("2023-11-15T00:13:20+02:00"), 1700000000);
  EXPECT_FALSE(parse_rfc3339("2023-11-14 22:13").ok());
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20").ok());  // no zone
  EXPECT_FALSE(parse_rfc3339("2023-13-14T22:13:20Z").ok());
}

TEST(Rfc3339, ErrorNamesTheTimestamp) {
  auto r = parse_rfc3339("yesterday");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "timestamp 'yesterday': is not an RFC 3339 time (expected e.g. 1970-01-01T00:00:00Z)");
}

// Sets or clears SOURCE_DATE_EPOCH for one test, restoring it afterwards.
class ScopedEpoch {
 public:
  explicit ScopedEpoch(const char* value) {
    const char* old = std::getenv("SOURCE_DATE_EPOCH");
    if (old) saved_ = old;
    if (value)
      ::setenv("SOURCE_DATE_EPOCH", value, 1);
    else
      ::unsetenv("SOURCE_DATE_EPOCH");
  }
  ~ScopedEpoch() {
    if (saved_)
      ::setenv("SOURCE_DATE_EPOCH", saved_->c_str(), 1);
    else
      ::unsetenv("SOURCE_DATE_EPOCH");
  }

 private:
  std::optional<std::string> saved_;
};

TEST(SourceDateEpoch, UnsetOrEmptyIsNone) {
  {
    ScopedEpoch e(nullptr);
    auto r = source_date_epoch();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, std::nullopt);
  }
  ScopedEpoch e("");
  auto r = source_date_epoch();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, std::nullopt);
}

TEST(SourceDateEpoch, ParsesSeconds) {
  ScopedEpoch e("1700000000");
  auto r = source_date_epoch();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1700000000);
}

TEST(SourceDateEpoch, RefusesWhatIsNotSeconds) {
  for (const char* bad : {"-1", "12abc", "abc", " 5", "1.5"}) {
    ScopedEpoch e(bad);
    auto r = source_date_epoch();
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().where, "SOURCE_DATE_EPOCH");
    EXPECT_THAT(r.error().what, HasSubstr("not a number of seconds: '"));
  }
}

}  // namespace
}  // namespace distill::core
