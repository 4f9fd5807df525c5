#include "sbom/purl.hpp"

#include <gtest/gtest.h>

using namespace distill;
using namespace distill::sbom;

namespace {

image::DpkgPackage purl_pkg(std::string name, std::string version, std::string arch) {
  image::DpkgPackage p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.architecture = std::move(arch);
  return p;
}

TEST(Purl, DebianPackages) {
  EXPECT_EQ(deb_purl(purl_pkg("libc6", "2.36-9+deb12u4", "amd64"), "debian-12"),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
  EXPECT_EQ(deb_purl(purl_pkg("libstdc++6", "12.2.0-14", "arm64"), "debian-12"),
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=arm64&distro=debian-12");
  EXPECT_EQ(deb_purl(purl_pkg("bsdutils", "1:2.38.1-5+b1", "amd64"), ""),
            "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64");
  EXPECT_EQ(deb_purl(purl_pkg("tzdata", "2024a-0+deb12u1~x", ""), ""),
            "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1~x");
}

TEST(Purl, EncodesEverythingOutsideTheUnreservedSet) {
  EXPECT_EQ(purl_encode("a b/c?d&e=f#g%\xc3\xa9"), "a%20b%2Fc%3Fd%26e%3Df%23g%25%C3%A9");
  EXPECT_EQ(purl_encode("Az09.-_~:"), "Az09.-_~:");
}

}  // namespace

TEST(Purl, ParseForMatching) {
  auto p = distill::sbom::parse_purl("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64#sub");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, "deb");
  EXPECT_EQ(p->path, "debian/libc6");
  EXPECT_EQ(p->version, "2.36-9+deb12u4");
  auto npm = distill::sbom::parse_purl("pkg:NPM/%40scope/name");
  ASSERT_TRUE(npm);
  EXPECT_EQ(npm->type, "npm");
  EXPECT_EQ(npm->path, "@scope/name");
  EXPECT_EQ(npm->version, "");
  auto raw = distill::sbom::parse_purl("pkg:npm/@scope/name@1.0.0");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->path, "@scope/name");
  EXPECT_EQ(raw->version, "1.0.0");
  auto oci = distill::sbom::parse_purl("pkg:oci/app@sha256%3Aabc?tag=1");
  ASSERT_TRUE(oci);
  EXPECT_EQ(oci->version, "sha256:abc");
  for (const char* bad : {"", "pkg:", "pkg:deb", "pkg:/x", "deb/debian/x", "pkg:deb/x%4",
                          "pkg:deb/x%zz", "pkg:deb/debian/"})
    EXPECT_FALSE(distill::sbom::parse_purl(bad)) << bad;
}
