#include "sbom/sbom_file.hpp"

#include <gtest/gtest.h>

using namespace distill;
using namespace distill::sbom;

namespace {

TEST(ImageSbom, TheFormatIsCheckedBeforeTheImageIsOpened) {
  bool opened = false;
  image::ImageOpener open = [&]() -> core::Result<std::unique_ptr<image::ImageSource>> {
    opened = true;
    return core::make_error("img", "not here");
  };
  SbomOptions o;
  o.format = "spdx-xml";
  o.no_cache = true;
  auto r = image_sbom(open, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "--format");
  EXPECT_FALSE(opened);
  o.format = "cyclonedx-json";
  EXPECT_EQ(image_sbom(open, o).error().message(), "img: not here");
  EXPECT_TRUE(opened);
}

}  // namespace
