#include "builder/lock_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builder/spec_request.hpp"

using namespace distill;
using ::testing::HasSubstr;

namespace {

class LockCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.distro = "debian12";
    spec_.packages = {"libc6"};
    preset_.name = "static";
    preset_.roots = {"base-files", "tzdata"};
    preset_.exclude = {"mawk"};
    preset_.extract_only = {"ca-certificates"};
    debian::SolveRequest req = builder::solve_request(spec_, preset_);
    lock_.distro = "debian12";
    lock_.packages = req.packages;
    lock_.exclude = req.exclude;
    lock_.archs["amd64"].extract.push_back({});
    lock_.archs["amd64"].extract.back().name = "ca-certificates";
  }

  std::string error(const std::vector<std::string>& archs = {"amd64"}) {
    auto s = builder::check_lock(lock_, "distill.lock", spec_, preset_, archs);
    return s.ok() ? "" : s.error().message();
  }

  builder::Spec spec_;
  builder::Preset preset_;
  debian::Lockfile lock_;
};

TEST_F(LockCheckTest, AcceptsALockOfTheSameRequestInAnyOrder) {
  std::reverse(lock_.packages.begin(), lock_.packages.end());
  lock_.packages.push_back("tzdata");  // duplicates do not matter either
  EXPECT_EQ(error(), "");
}

TEST_F(LockCheckTest, NamesTheDifference) {
  spec_.distro = "debian13";
  EXPECT_THAT(error(), HasSubstr("locked for debian12, the spec says debian13"));
  spec_.distro = "debian12";
  spec_.packages.push_back("netbase");
  EXPECT_THAT(error(), HasSubstr("its packages differ from the spec's (preset static"));
  spec_.packages.pop_back();
  spec_.exclude = {"perl"};
  EXPECT_THAT(error(), HasSubstr("its exclude list differs"));
  spec_.exclude.clear();
  EXPECT_THAT(error({"amd64", "arm64"}), HasSubstr("nothing locked for arm64"));
  spec_.debug = true;
  EXPECT_THAT(error(), HasSubstr("amd64: busybox-static is not locked"));
  EXPECT_THAT(error(), HasSubstr("distill.lock"));
}

}  // namespace
