#include "sbom/attestation.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "core/sha256.hpp"

namespace distill::sbom {
namespace {

debian::Lockfile attestation_lock() {
  debian::Lockfile l;
  l.distro = "debian12";
  debian::LockedArch a;
  a.indices = {{"bookworm", "main", "main/binary-amd64/Packages.xz", std::string(64, 'a')}};
  a.packages = {{"libc6", "2.36-9+deb12u4", "amd64", "bookworm", "pool/main/g/glibc/libc6.deb",
                 std::string(64, 'b'), 10},
                {"tzdata", "2024a-0+deb12u1", "all", "bookworm", "pool/main/t/tzdata/tzdata.deb",
                 std::string(64, 'c'), 20}};
  a.extract = {{"ca-certificates", "20230311", "all", "bookworm",
                "pool/main/c/ca-certificates/ca.deb", std::string(64, 'd'), 30}};
  l.archs["amd64"] = a;
  return l;
}

ProvenanceInput attestation_input(std::string arch, const debian::Lockfile* lock) {
  ProvenanceInput in;
  in.architecture = std::move(arch);
  in.lock = lock;
  in.lock_name = "distill.lock";
  return in;
}

class SbomAttestation : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("SOURCE_DATE_EPOCH"); }
  void TearDown() override { unsetenv("SOURCE_DATE_EPOCH"); }
};

TEST_F(SbomAttestation, ProvenanceRecordsSpecLockAndEveryPinnedFile) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  debian::Lockfile lock = attestation_lock();
  ProvenanceInput in = attestation_input("amd64", &lock);
  in.lock_text = "LOCK";
  in.spec_name = "distill.yaml";
  in.spec_text = "SPEC";
  auto p = image_provenance(in);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->build_type, kDistillBuildType);
  EXPECT_EQ(p->builder_id, kDistillBuilderId);
  EXPECT_EQ(p->external_parameters["spec"]["digest"]["sha256"], core::sha256_hex("SPEC"));
  EXPECT_EQ(p->external_parameters["lock"]["name"], "distill.lock");
  EXPECT_EQ(p->external_parameters["architecture"], "amd64");
  ASSERT_EQ(p->resolved_dependencies.size(), 4u);
  const ResourceDescriptor& libc = p->resolved_dependencies[0];
  EXPECT_EQ(libc.name, "libc6");
  EXPECT_EQ(libc.uri, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64");
  EXPECT_EQ(libc.digest.at("sha256"), std::string(64, 'b'));
  EXPECT_EQ(libc.annotations.at("distill.use"), "install");
  EXPECT_EQ(p->resolved_dependencies[2].annotations.at("distill.use"), "extract");
  EXPECT_EQ(p->resolved_dependencies[3].name, "dists/bookworm/main/binary-amd64/Packages.xz");
  EXPECT_EQ(p->started_on, 1700000000);
  // Deterministic: the same inputs, the same statement bytes.
  ResourceDescriptor subject{"r", "", {{"sha256", std::string(64, 'e')}}, {}};
  auto a = provenance_statement({subject}, *p);
  auto b = provenance_statement({subject}, *image_provenance(in));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*statement_payload(*a), *statement_payload(*b));
}

TEST_F(SbomAttestation, ProvenanceRecordsTheSpecsFilesAndWhatARebuildNeeds) {
  debian::Lockfile lock = attestation_lock();
  ProvenanceInput in = attestation_input("amd64", &lock);
  in.lock_text = "LOCK";
  in.spec_name = "distill.yaml";
  in.spec_text = "SPEC";
  in.source_date_epoch = 1700000000;
  in.compression = "zstd";
  in.files = {{"/app/main.py", "", {{"sha256", std::string(64, 'f')}}, {{"distill.use", "file"}}}};
  auto p = image_provenance(in);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->external_parameters["sourceDateEpoch"], 1700000000);
  EXPECT_EQ(p->external_parameters["compression"], "zstd");
  EXPECT_EQ(p->external_parameters["debug"], false);
  ASSERT_EQ(p->resolved_dependencies.size(), 5u);
  EXPECT_EQ(p->resolved_dependencies[4].name, "/app/main.py");
  // Read back from the predicate as verify --rebuild reads it.
  ResourceDescriptor subject{"r", "", {{"sha256", std::string(64, 'e')}}, {}};
  auto s = provenance_statement({subject}, *p);
  ASSERT_TRUE(s.ok());
  auto parsed = parse_statement(*statement_payload(*s), "test");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  auto debs = provenance_debs(parsed->predicate);
  ASSERT_TRUE(debs.ok()) << debs.error().message();
  EXPECT_EQ(debs->files,
            (std::map<std::string, std::string>{{"/app/main.py", std::string(64, 'f')}}));
  EXPECT_EQ(debs->installed.size(), 2u);
  auto params = provenance_parameters(parsed->predicate);
  ASSERT_TRUE(params.ok()) << params.error().message();
  EXPECT_EQ(params->architecture, "amd64");
  EXPECT_EQ(params->spec.name, "distill.yaml");
  EXPECT_EQ(params->spec.sha256, core::sha256_hex("SPEC"));
  EXPECT_EQ(params->lock.sha256, core::sha256_hex("LOCK"));
  EXPECT_EQ(params->source_date_epoch, 1700000000);
  EXPECT_EQ(params->compression, "zstd");
  EXPECT_FALSE(params->debug);
  EXPECT_EQ(params->distill_version, DISTILL_VERSION);
}

TEST_F(SbomAttestation, ProvenanceParametersRefuseAnotherBuildTypeAndAMissingEpoch) {
  nlohmann::json pred = {{"buildDefinition",
                          {{"buildType", "https://example.invalid/other"},
                           {"externalParameters", {{"architecture", "amd64"}}}}}};
  auto other = provenance_parameters(pred);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message().find("was not made by distill"), std::string::npos);
  pred["buildDefinition"]["buildType"] = 7;  // not a string: refused, nothing thrown
  EXPECT_FALSE(provenance_parameters(pred).ok());
  pred["buildDefinition"]["buildType"] = kDistillBuildType;
  auto old = provenance_parameters(pred);
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message().find("records no sourceDateEpoch"), std::string::npos);
  // Fields of the wrong type read as their defaults, never thrown.
  pred["buildDefinition"]["externalParameters"]["sourceDateEpoch"] = 5;
  pred["buildDefinition"]["externalParameters"]["compression"] = 1;
  pred["buildDefinition"]["externalParameters"]["debug"] = "yes";
  pred["runDetails"] = {{"builder", {{"version", {{"distill", 3}}}}}};
  auto odd = provenance_parameters(pred);
  ASSERT_TRUE(odd.ok()) << odd.error().message();
  EXPECT_EQ(odd->compression, "gzip");
  EXPECT_FALSE(odd->debug);
  EXPECT_EQ(odd->distill_version, "");
}

TEST_F(SbomAttestation, ProvenanceRefusesALockWithoutTheArchitecture) {
  debian::Lockfile lock = attestation_lock();
  ProvenanceInput in = attestation_input("arm64", &lock);
  auto p = image_provenance(in);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("pins nothing for arm64"), std::string::npos);
}

TEST_F(SbomAttestation, DebIdentityKeepsNameVersionArchOnly) {
  EXPECT_EQ(deb_identity("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"),
            "debian/libc6@2.36-9+deb12u4?arch=amd64");
  EXPECT_EQ(deb_identity("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?distro=debian-12&arch=amd64"),
            "debian/libc6@2.36-9+deb12u4?arch=amd64");
  EXPECT_EQ(deb_identity("pkg:pypi/requests@2.0"), "");
  EXPECT_EQ(deb_identity("not a purl"), "");
}

Statement attestation_spdx(std::vector<std::string> purls) {
  nlohmann::json pkgs = nlohmann::json::array();
  for (const auto& p : purls)
    pkgs.push_back({{"name", "x"},
                    {"externalRefs",
                     {{{"referenceCategory", "PACKAGE-MANAGER"},
                       {"referenceType", "purl"},
                       {"referenceLocator", p}}}}});
  return {{}, std::string(kSpdxPredicateType), {{"packages", pkgs}}};
}

TEST_F(SbomAttestation, ComparesProvenanceWithSbomAndLock) {
  debian::Lockfile lock = attestation_lock();
  auto p = image_provenance(attestation_input("amd64", &lock));
  ASSERT_TRUE(p.ok());
  auto pred = provenance_predicate(*p);
  ASSERT_TRUE(pred.ok());
  auto debs = provenance_debs(*pred);
  ASSERT_TRUE(debs.ok()) << debs.error().message();
  EXPECT_EQ(debs->installed.size(), 2u);
  EXPECT_EQ(debs->extract.size(), 1u);
  EXPECT_EQ(debs->indices.size(), 1u);

  auto listed = sbom_debs(
      attestation_spdx({"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
                        "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
                        "pkg:pypi/requests@2.0"}));
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(compare_with_sbom(*debs, *listed).empty());
  EXPECT_TRUE(compare_with_lock(*debs, lock).empty());

  // An SBOM with another libc6 version: one missing each way.
  auto other = sbom_debs(attestation_spdx({"pkg:deb/debian/libc6@2.36-9?arch=amd64",
                                           "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all"}));
  auto diff = compare_with_sbom(*debs, *other);
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_NE(diff[0].find("1 packages of the SBOM are not in the provenance: "
                         "debian/libc6@2.36-9?arch=amd64"),
            std::string::npos)
      << diff[0];

  // A lockfile whose libc6 has another digest.
  debian::Lockfile changed = lock;
  changed.archs["amd64"].packages[0].sha256 = std::string(64, 'f');
  auto ldiff = compare_with_lock(*debs, changed);
  ASSERT_EQ(ldiff.size(), 1u);
  EXPECT_NE(ldiff[0].find("1 .debs have another sha256 in the provenance than in the lockfile"),
            std::string::npos)
      << ldiff[0];
}

TEST_F(SbomAttestation, CycloneDxComponentsAreReadToo) {
  Statement s{{},
              std::string(kCycloneDxPredicateType),
              {{"components", {{{"purl", "pkg:deb/debian/a@1?arch=all"}}}}}};
  auto listed = sbom_debs(s);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, std::set<std::string>({"debian/a@1?arch=all"}));
  Statement not_sbom{{}, std::string(kSlsaProvenanceV1), {}};
  EXPECT_FALSE(sbom_debs(not_sbom).ok());
}

TEST_F(SbomAttestation, SbomStatementCarriesTheDocument) {
  ResourceDescriptor subject{"r", "", {{"sha256", std::string(64, 'e')}}, {}};
  auto s = sbom_statement(subject, SbomFormat::kCycloneDxJson, R"({"bomFormat":"CycloneDX"})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->predicate_type, kCycloneDxPredicateType);
  EXPECT_EQ(s->predicate["bomFormat"], "CycloneDX");
  EXPECT_FALSE(sbom_statement(subject, SbomFormat::kSpdxJson, "not json").ok());
}

}  // namespace
}  // namespace distill::sbom
