#include "vuln/severity.hpp"

#include <gtest/gtest.h>

using namespace distill::vuln;

namespace {

TEST(Severity, FromTrackerUrgency) {
  EXPECT_EQ(severity_from_urgency("unimportant"), Severity::kNegligible);
  EXPECT_EQ(severity_from_urgency("low"), Severity::kLow);
  EXPECT_EQ(severity_from_urgency("low*"), Severity::kLow);
  EXPECT_EQ(severity_from_urgency("medium**"), Severity::kMedium);
  EXPECT_EQ(severity_from_urgency("high**"), Severity::kHigh);
  EXPECT_EQ(severity_from_urgency("end-of-life"), Severity::kUnknown);
  EXPECT_EQ(severity_from_urgency("not yet assigned"), Severity::kUnknown);
  EXPECT_EQ(severity_from_urgency(""), Severity::kUnknown);
}

TEST(Severity, NamesRoundTripAndOrder) {
  for (auto s : {Severity::kUnknown, Severity::kNegligible, Severity::kLow, Severity::kMedium,
                 Severity::kHigh, Severity::kCritical})
    EXPECT_EQ(parse_severity(severity_name(s)), s);
  EXPECT_EQ(parse_severity("HIGH"), Severity::kHigh);
  EXPECT_EQ(parse_severity("severe"), std::nullopt);
  EXPECT_LT(Severity::kLow, Severity::kMedium);
  EXPECT_LT(Severity::kUnknown, Severity::kNegligible);
}

}  // namespace
