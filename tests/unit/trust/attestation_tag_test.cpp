#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oci/media_types.hpp"
#include "trust/signature_manifest.hpp"
#include "trust/simple_signing.hpp"

namespace distill::trust {
namespace {

const oci::Digest kAttImage = oci::Digest::of("image manifest");

TEST(TrustAttestationTag, TagIsCosignsAttScheme) {
  EXPECT_EQ(attestation_tag(kAttImage), "sha256-" + kAttImage.hex() + ".att");
}

TEST(TrustAttestationTag, PutsOneLayerPerPredicateTypeReplacingTheSameType) {
  auto first = put_attestation(std::nullopt, "https://slsa.dev/provenance/v1", "env-1");
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_EQ(first->manifest.layers.size(), 1u);
  const oci::Descriptor& l = first->manifest.layers[0];
  EXPECT_EQ(l.media_type, kDsseEnvelopeMediaType);
  EXPECT_EQ(l.digest, oci::Digest::of("env-1"));
  EXPECT_EQ(l.annotations.at("predicateType"), "https://slsa.dev/provenance/v1");
  EXPECT_EQ(l.annotations.at(std::string(kSignatureAnnotation)), "");

  auto second = put_attestation(first->manifest, "https://spdx.dev/Document", "env-2");
  ASSERT_TRUE(second.ok());
  auto third = put_attestation(second->manifest, "https://slsa.dev/provenance/v1", "env-3");
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->manifest.layers.size(), 2u);
  EXPECT_EQ(third->manifest.layers[0].digest, oci::Digest::of("env-2"));
  EXPECT_EQ(third->manifest.layers[1].digest, oci::Digest::of("env-3"));
  // The config lists exactly the layers kept, and the manifest names it.
  auto config = nlohmann::json::parse(third->config);
  EXPECT_EQ(config["rootfs"]["diff_ids"],
            nlohmann::json({oci::Digest::of("env-2").str(), oci::Digest::of("env-3").str()}));
  EXPECT_EQ(third->manifest.config.digest, oci::Digest::of(third->config));
  EXPECT_EQ(third->manifest.media_type, oci::kMediaTypeManifest);
}

}  // namespace
}  // namespace distill::trust
