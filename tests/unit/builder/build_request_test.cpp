#include "builder/build_request.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

class BuildRequestTest : public test_support::TempFolderTest {
 protected:
  std::string spec(const std::string& rel) {
    std::string file = path(rel);
    EXPECT_TRUE(core::make_dirs(file.substr(0, file.rfind('/'))).ok());
    EXPECT_TRUE(core::write_file_atomic(file, "distro: debian12\nbase: static\n").ok());
    return file;
  }
};

TEST_F(BuildRequestTest, ImagesAreNamedAfterTheirSpecFileOrFolder) {
  EXPECT_EQ(builder::image_name_of("specs/web.yaml"), "web");
  EXPECT_EQ(builder::image_name_of("worker/distill.yaml"), "worker");
  EXPECT_EQ(builder::image_name_of("/srv/apps/api/distill.yml"), "api");
}

TEST_F(BuildRequestTest, AFolderHoldsItsYamlFilesAndSubfoldersSpecsSorted) {
  std::string b = spec("specs/b.yaml");
  std::string a = spec("specs/a.yml");
  std::string c = spec("specs/c/distill.yaml");
  ASSERT_TRUE(core::write_file_atomic(dir_->path() + "/specs/notes.txt", "x").ok());
  ASSERT_TRUE(core::make_dirs(dir_->path() + "/specs/empty").ok());
  auto files = builder::expand_spec_paths({dir_->path() + "/specs/"});
  ASSERT_TRUE(files.ok()) << files.error().message();
  EXPECT_THAT(*files, ElementsAre(a, b, c));
  auto none = builder::expand_spec_paths({dir_->path() + "/specs/empty"});
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().what, HasSubstr("holds no spec"));
  auto fallback = builder::expand_spec_paths({});
  ASSERT_TRUE(fallback.ok());
  EXPECT_THAT(*fallback, ElementsAre("distill.yaml"));
}

TEST_F(BuildRequestTest, SeveralSpecsWriteOneOutputEachUnderTheOutputFolder) {
  builder::BuildRequest r;
  r.spec_paths = {spec("web.yaml"), spec("worker/distill.yaml")};
  r.output = dir_->path() + "/out";
  auto plans = builder::plan_builds(r);
  ASSERT_TRUE(plans.ok()) << plans.error().message();
  ASSERT_EQ(plans->size(), 2u);
  EXPECT_EQ((*plans)[0].name, "web");
  EXPECT_EQ((*plans)[0].options.output, dir_->path() + "/out/web");
  EXPECT_EQ((*plans)[1].options.output, dir_->path() + "/out/worker");
  r.format = "docker";
  r.output.clear();
  plans = builder::plan_builds(r);
  ASSERT_TRUE(plans.ok());
  EXPECT_EQ((*plans)[1].options.output, "images/worker.tar");
}

TEST_F(BuildRequestTest, OneSpecKeepsItsOutput) {
  builder::BuildRequest r;
  r.spec_paths = {spec("web.yaml")};
  r.push = {"127.0.0.1:5000/web"};
  auto plans = builder::plan_builds(r);
  ASSERT_TRUE(plans.ok()) << plans.error().message();
  ASSERT_EQ(plans->size(), 1u);
  EXPECT_EQ(plans->front().options.output, "image");
}

TEST_F(BuildRequestTest, FlagsNamingOneImageAreRefusedWithSeveralSpecs) {
  builder::BuildRequest r;
  r.spec_paths = {spec("web.yaml"), spec("api.yaml")};
  r.push = {"127.0.0.1:5000/web"};
  auto plans = builder::plan_builds(r);
  ASSERT_FALSE(plans.ok());
  EXPECT_EQ(plans.error().where, "--push");
  r.push.clear();
  r.tags = {"web:1"};
  plans = builder::plan_builds(r);
  ASSERT_FALSE(plans.ok());
  EXPECT_EQ(plans.error().where, "--tag");
}

TEST_F(BuildRequestTest, TwoSpecsMakingOneNameAreRefused) {
  builder::BuildRequest r;
  r.spec_paths = {spec("a/web.yaml"), spec("b/web.yaml")};
  auto plans = builder::plan_builds(r);
  ASSERT_FALSE(plans.ok());
  EXPECT_THAT(plans.error().what, HasSubstr("also makes an image named 'web'"));
  r.spec_paths = {spec("web.yaml"), spec(".hidden.yaml")};
  plans = builder::plan_builds(r);
  ASSERT_FALSE(plans.ok());
  EXPECT_THAT(plans.error().what, HasSubstr("cannot name an image output after it"));
}

}  // namespace
