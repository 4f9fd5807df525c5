#include "oci/digest.hpp"

#include <gtest/gtest.h>

using distill::oci::Digest;

namespace {

const std::string kEmptyHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Digest, OfComputesSha256) {
  EXPECT_EQ(Digest::of("").str(), "sha256:" + kEmptyHex);
  EXPECT_EQ(Digest::of("").hex(), kEmptyHex);
}

TEST(Digest, ParsesAndRoundTrips) {
  auto d = Digest::parse("sha256:" + kEmptyHex);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hex(), kEmptyHex);
  EXPECT_EQ(*d, Digest::of(""));
  EXPECT_FALSE(d->empty());
}

TEST(Digest, RejectsMalformed) {
  EXPECT_FALSE(Digest::parse(kEmptyHex).ok());                        // no algorithm
  EXPECT_FALSE(Digest::parse("sha512:" + kEmptyHex).ok());            // other algorithm
  EXPECT_FALSE(Digest::parse("sha256:" + kEmptyHex.substr(1)).ok());  // short
  std::string upper = kEmptyHex;
  upper[0] = 'E';
  EXPECT_FALSE(Digest::parse("sha256:" + upper).ok());  // the spec wants lowercase
  EXPECT_FALSE(Digest::parse("sha256:../../etc/passwd").ok());
  auto err = Digest::parse("md5:abc");
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.error().what.find("unsupported digest algorithm"), std::string::npos);
}

TEST(Digest, DefaultIsEmpty) {
  Digest d;
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.str(), "");
}

}  // namespace
