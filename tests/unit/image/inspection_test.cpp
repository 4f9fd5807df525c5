#include "image/inspection.hpp"

#include <gtest/gtest.h>

#include "transport/open.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::image;
using namespace distill::image::test_util;

namespace {

class InspectionTest : public TempFolderTest {
 protected:
  std::unique_ptr<ImageSource> open_inspected_layout() {
    std::string tar = make_tar(
        {dir("etc"),
         file("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"),
         dir("var/lib/dpkg/status.d"),
         file("var/lib/dpkg/status.d/libc6",
              "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\nSource: glibc\n")});
    oci::Image img = image_of(dir_->path(), {tar});
    img.config.config.entrypoint = {"/app", "a b"};
    write_layout(path("layout"), {img});
    auto source = transport::open_image(path("layout"));
    EXPECT_TRUE(source.ok()) << source.error().message();
    return source.ok() ? std::move(*source) : nullptr;
  }
};

TEST_F(InspectionTest, ReadsLayersDistroAndPackages) {
  auto source = open_inspected_layout();
  ASSERT_TRUE(source);
  auto inspection = inspect_image(*source, {});
  ASSERT_TRUE(inspection.ok()) << inspection.error().message();
  ASSERT_EQ(inspection->images.size(), 1u);
  const PlatformInspection& p = inspection->images[0];
  ASSERT_EQ(p.layers.size(), 1u);
  EXPECT_EQ(p.layers[0].created_by, "layer 0");
  ASSERT_EQ(p.packages.size(), 1u);
  EXPECT_EQ(p.packages[0].source, "glibc");
  ASSERT_TRUE(p.os);

  auto j = inspection_json(*inspection);
  EXPECT_EQ(j["format"], "oci-layout");
  EXPECT_EQ(j["images"][0]["platform"], "linux/amd64");
  EXPECT_EQ(j["images"][0]["package_count"], 1);
  EXPECT_EQ(j["images"][0]["distro"]["id"], "debian");
  EXPECT_EQ(j["images"][0]["layers"][0]["created_by"], "layer 0");

  std::string text = inspection_text(*inspection);
  EXPECT_EQ(text.rfind("Image:         " + path("layout") + "\n", 0), 0u) << text;
  EXPECT_NE(text.find("\n  Distro:      Debian GNU/Linux 12 (bookworm)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\n  Entrypoint:  [\"/app\", \"a b\"]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  Env:         (none)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n    libc6  2.36-9   amd64  glibc\n"), std::string::npos) << text;
}

// docker and podman run the config's Healthcheck; inspect shows it.
TEST_F(InspectionTest, ShowsTheHealthcheck) {
  std::string tar = make_tar({dir("etc")});
  oci::Image img = image_of(dir_->path(), {tar});
  img.config.config.healthcheck =
      oci::Healthcheck{{"CMD", "/usr/local/bin/distill-health", "http://127.0.0.1:8080/"},
                       int64_t{10'000'000'000},
                       int64_t{1'500'000'000},
                       0,
                       3};
  write_layout(path("layout"), {img});
  auto source = transport::open_image(path("layout"));
  ASSERT_TRUE(source.ok()) << source.error().message();
  auto inspection = inspect_image(**source, {});
  ASSERT_TRUE(inspection.ok()) << inspection.error().message();
  std::string text = inspection_text(*inspection);
  EXPECT_NE(text.find("\n  Healthcheck: [\"CMD\", \"/usr/local/bin/distill-health\", "
                      "\"http://127.0.0.1:8080/\"], interval 10s, timeout 1.5s, 3 retries\n"),
            std::string::npos)
      << text;
  auto j = inspection_json(*inspection)["images"][0]["healthcheck"];
  EXPECT_EQ(j["test"][0], "CMD");
  EXPECT_EQ(j["interval"], 10'000'000'000);
  EXPECT_EQ(j["timeout"], 1'500'000'000);
  EXPECT_EQ(j["start_period"], 0);
  EXPECT_EQ(j["retries"], 3);

  // Without one: "(none)" and null.
  auto plain = open_inspected_layout();
  ASSERT_TRUE(plain);
  auto none = inspect_image(*plain, {});
  ASSERT_TRUE(none.ok());
  EXPECT_NE(inspection_text(*none).find("\n  Healthcheck: (none)\n"), std::string::npos);
  EXPECT_TRUE(inspection_json(*none)["images"][0]["healthcheck"].is_null());
}

TEST_F(InspectionTest, AnUnknownPlatformIsAnError) {
  auto source = open_inspected_layout();
  ASSERT_TRUE(source);
  EXPECT_FALSE(inspect_image(*source, {"linux/s390x"}).ok());
}

}  // namespace
