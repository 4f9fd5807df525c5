#include "effects/java_truststore.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "core/process.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "core/temp_dir.hpp"

namespace distill::effects {
namespace {

struct JksTestCa {
  std::string pem;
  std::string der;
  // As keytool prints it: "AB:CD:...".
  std::string fingerprint;
};

struct JksPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct JksTestX509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct JksTestBioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct JksExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

std::string jks_fingerprint(const std::string& der) {
  std::string hex = core::ascii_upper(core::sha256_hex(der));
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) out += (i ? ":" : "") + hex.substr(i, 2);
  return out;
}

// A self-signed P-256 CA certificate, valid for ten years from now.
JksTestCa jks_make_ca(const std::string& common_name, long serial) {
  std::unique_ptr<EVP_PKEY, JksPkeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, JksTestX509Free> x(X509_new());
  EXPECT_TRUE(key && x);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 10L * 365 * 86400);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x.get(), name);
  std::unique_ptr<X509_EXTENSION, JksExtFree> ca(
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE"));
  X509_add_ext(x.get(), ca.get(), -1);
  EXPECT_GT(X509_sign(x.get(), key.get(), EVP_sha256()), 0);

  std::unique_ptr<BIO, JksTestBioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  JksTestCa out;
  out.pem.assign(data, static_cast<size_t>(len));
  unsigned char* der = nullptr;
  int der_len = i2d_X509(x.get(), &der);
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  out.fingerprint = jks_fingerprint(out.der);
  return out;
}

const std::vector<JksTestCa>& jks_cas() {
  static const std::vector<JksTestCa> kCas = {jks_make_ca("distill test root A", 1),
                                              jks_make_ca("distill test root B", 2),
                                              jks_make_ca("distill test root \xC3\x9C", 3)};
  return kCas;
}

std::vector<TrustedCert> jks_three_certs() {
  return {{"debian:test_root_a.pem", jks_cas()[0].pem},
          {"distill:Corp-CA.crt", jks_cas()[1].pem},
          {"distill:bundle.pem", jks_cas()[2].pem}};
}

// What a JKS file holds, read back the way JavaKeyStore.engineLoad does.
struct JksReadEntry {
  std::string alias;
  uint64_t date_ms = 0;
  std::string type;
  std::string der;
};

struct JksReader {
  std::string_view s;
  size_t pos = 0;
  uint64_t num(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s.at(pos++));
    return v;
  }
  std::string str(size_t n) {
    std::string out(s.substr(pos, n));
    EXPECT_EQ(out.size(), n);
    pos += n;
    return out;
  }
};

std::string jks_test_sha1(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

// Checks the header and the integrity digest (ASCII password) too.
std::vector<JksReadEntry> jks_read(std::string_view jks, std::string_view password = "changeit") {
  JksReader r{jks};
  EXPECT_EQ(r.num(4), 0xFEEDFEEDu);
  EXPECT_EQ(r.num(4), 2u);
  std::vector<JksReadEntry> out(r.num(4));
  for (JksReadEntry& e : out) {
    EXPECT_EQ(r.num(4), 2u);  // trusted certificate
    e.alias = r.str(r.num(2));
    e.date_ms = r.num(8);
    e.type = r.str(r.num(2));
    e.der = r.str(r.num(4));
  }
  EXPECT_EQ(jks.size() - r.pos, 20u);
  std::string keyed;
  for (char c : password) keyed += std::string(1, '\0') + c;
  keyed += "Mighty Aphrodite";
  keyed += jks.substr(0, r.pos);
  EXPECT_EQ(jks.substr(r.pos), jks_test_sha1(keyed));
  return out;
}

std::vector<std::string> jks_aliases(const std::vector<JksReadEntry>& entries) {
  std::vector<std::string> out;
  for (const JksReadEntry& e : entries) out.push_back(e.alias);
  return out;
}

std::string jks_keytool() {
  std::string path = core::find_program("keytool");
  // Not a skip: the JDK is in install-deps.sh, and without it nothing here
  // would show that Java reads the file.
  EXPECT_FALSE(path.empty()) << "keytool not found: install openjdk-17-jdk-headless";
  return path;
}

// keytool with its messages in English, whatever the locale: the checks read them.
core::ProcessResult jks_run(std::vector<std::string> argv) {
  argv.insert(argv.begin() + 1, {"-J-Duser.language=en", "-J-Duser.country=US"});
  auto r = core::system_process_runner().run(argv);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : core::ProcessResult{};
}

// alias -> SHA-256 fingerprint, from `keytool -list` output.
std::map<std::string, std::string> jks_keytool_entries(const std::string& out) {
  std::map<std::string, std::string> entries;
  std::string alias;
  for (std::string_view line : core::lines(out)) {
    if (line.find(", trustedCertEntry,") != std::string_view::npos) {
      alias = std::string(line.substr(0, line.find(", ")));
    } else if (line.starts_with("Certificate fingerprint (SHA-256): ")) {
      entries[alias] = std::string(line.substr(35));
    }
  }
  return entries;
}

struct JksFile {
  core::TempDir dir;
  std::string path;
};

JksFile jks_save(const std::string& bytes) {
  auto dir = core::TempDir::create({}, "distill-jks-test");
  EXPECT_TRUE(dir.ok());
  std::string path = dir->path() + "/cacerts";
  EXPECT_TRUE(core::write_file_atomic(path, bytes).ok());
  return {std::move(*dir), path};
}

TEST(JavaTruststore, KeytoolListsEveryAliasWithItsFingerprint) {
  auto jks = write_java_truststore(jks_three_certs(), 1700000000);
  ASSERT_TRUE(jks.ok()) << jks.error().message();
  JksFile f = jks_save(*jks);
  core::ProcessResult r = jks_run(
      {jks_keytool(), "-list", "-keystore", f.path, "-storepass", "changeit", "-storetype", "JKS"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Your keystore contains 3 entries"), std::string::npos) << r.out;
  std::map<std::string, std::string> want = {{"debian:test_root_a.pem", jks_cas()[0].fingerprint},
                                             {"distill:corp-ca.crt", jks_cas()[1].fingerprint},
                                             {"distill:bundle.pem", jks_cas()[2].fingerprint}};
  EXPECT_EQ(jks_keytool_entries(r.out), want) << r.out;
}

TEST(JavaTruststore, KeytoolRefusesAWrongPassword) {
  auto jks = write_java_truststore(jks_three_certs(), 1700000000);
  ASSERT_TRUE(jks.ok());
  JksFile f = jks_save(*jks);
  core::ProcessResult r = jks_run(
      {jks_keytool(), "-list", "-keystore", f.path, "-storepass", "wrongpw", "-storetype", "JKS"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE((r.out + r.err).find("password was incorrect"), std::string::npos) << r.out << r.err;
}

TEST(JavaTruststore, TheJdkReadsItWhateverTheDefaultStoreType) {
  // No -storetype: the JDK's default (PKCS12) with keystore.type.compat, as
  // it opens lib/security/cacerts. Another password keys the digest too.
  auto jks = write_java_truststore(jks_three_certs(), 1700000000, "s3cret");
  ASSERT_TRUE(jks.ok());
  JksFile f = jks_save(*jks);
  core::ProcessResult r =
      jks_run({jks_keytool(), "-list", "-keystore", f.path, "-storepass", "s3cret"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(jks_keytool_entries(r.out).size(), 3u) << r.out;
  EXPECT_NE(r.out.find("Keystore type: JKS"), std::string::npos) << r.out;
}

// A tree holding the host's ca-certificates files, as the package ships them.
Tree jks_host_ca_tree() {
  Tree tree;
  const std::filesystem::path root = "/usr/share/ca-certificates";
  std::error_code ec;
  for (const auto& it : std::filesystem::recursive_directory_iterator(root, ec)) {
    std::string rel = "usr/share/ca-certificates/" + it.path().lexically_relative(root).string();
    if (it.is_directory()) tree.put(oci::FsEntry::directory(rel));
    if (it.is_regular_file()) tree.put(oci::FsEntry::host_file(rel, it.path().string()));
  }
  return tree;
}

TEST(JavaTruststore, NamesCertificatesAsCaCertificatesJavaDidOnThisHost) {
  // openjdk-17-jdk-headless pulls in ca-certificates-java, whose keytool run
  // wrote the host's truststore from the same files. Not all of them: that
  // file is only rewritten when the package's hook runs (it lags behind
  // upgrades of ca-certificates) and may hold local CAs, so most entries,
  // not all, must agree in alias and fingerprint.
  Tree tree = jks_host_ca_tree();
  auto certs = debian_ca_certificates(tree);
  ASSERT_TRUE(certs.ok()) << certs.error().message();
  ASSERT_GT(certs->size(), 50u);
  ASSERT_TRUE(add_java_truststore(tree, *certs, 1700000000).ok());
  JksFile f = jks_save(tree.find("etc/ssl/certs/java/cacerts")->data);
  core::ProcessResult ours =
      jks_run({jks_keytool(), "-list", "-keystore", f.path, "-storepass", "changeit"});
  core::ProcessResult host =
      jks_run({jks_keytool(), "-list", "-cacerts", "-storepass", "changeit"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ASSERT_EQ(host.exit_code, 0) << host.err;
  std::map<std::string, std::string> our_entries = jks_keytool_entries(ours.out);
  std::map<std::string, std::string> host_entries = jks_keytool_entries(host.out);
  EXPECT_GT(our_entries.size(), 50u);
  size_t same = 0;
  for (const auto& [alias, fingerprint] : our_entries) {
    auto it = host_entries.find(alias);
    if (it != host_entries.end() && it->second == fingerprint) ++same;
  }
  EXPECT_GT(same * 2, our_entries.size()) << same << " of " << our_entries.size();
}

TEST(JavaTruststore, SameInputSameBytesWhateverTheOrder) {
  std::vector<TrustedCert> certs = jks_three_certs();
  auto a = write_java_truststore(certs, 1700000000);
  auto b = write_java_truststore(certs, 1700000000);
  std::reverse(certs.begin(), certs.end());
  auto c = write_java_truststore(certs, 1700000000);
  auto later = write_java_truststore(certs, 1700000001);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && later.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
  EXPECT_NE(*a, *later);
  std::vector<JksReadEntry> entries = jks_read(*a);
  EXPECT_EQ(jks_aliases(entries),
            (std::vector<std::string>{"debian:test_root_a.pem", "distill:bundle.pem",
                                      "distill:corp-ca.crt"}));
  for (const JksReadEntry& e : entries) {
    EXPECT_EQ(e.date_ms, 1700000000000u);
    EXPECT_EQ(e.type, "X.509");
  }
  EXPECT_EQ(entries[0].der, jks_cas()[0].der);
}

TEST(JavaTruststore, BundlesGetSuffixesAndDuplicatesAreDropped) {
  std::string all = jks_cas()[0].pem + "some text between\n" + jks_cas()[1].pem + jks_cas()[2].pem;
  auto jks = write_java_truststore(
      {{"zz", jks_cas()[2].pem}, {"bundle", all}, {"aa", jks_cas()[1].pem}}, 0);
  ASSERT_TRUE(jks.ok()) << jks.error().message();
  std::vector<JksReadEntry> entries = jks_read(*jks);
  // The second CA is kept once, under "aa" (before "bundle-2"); the third under "bundle-3".
  EXPECT_EQ(jks_aliases(entries), (std::vector<std::string>{"aa", "bundle", "bundle-3"}));
  EXPECT_EQ(entries[0].der, jks_cas()[1].der);
  EXPECT_EQ(entries[2].der, jks_cas()[2].der);
  EXPECT_EQ(entries[0].date_ms, 0u);
}

TEST(JavaTruststore, AnAliasGivenTwiceKeepsItsFirstCertificate) {
  auto jks = write_java_truststore({{"Same", jks_cas()[0].pem}, {"same", jks_cas()[1].pem}}, 0);
  ASSERT_TRUE(jks.ok());
  std::vector<JksReadEntry> entries = jks_read(*jks);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].alias, "same");
  EXPECT_EQ(entries[0].der, jks_cas()[0].der);
}

TEST(JavaTruststore, AliasesAreLowercasedAsJavaDoes) {
  auto jks = write_java_truststore(
      {{"debian:NetLock_\xC3\x81rany_\xC5\x90.pem", jks_cas()[0].pem},  // Á, Ő
       {"distill:T\xC3\x9C"
        "B\xC4\xB0TAK",
        jks_cas()[1].pem},                       // Ü, İ
       {"distill:\xD0\x96", jks_cas()[2].pem}},  // Ж
      0);
  ASSERT_TRUE(jks.ok()) << jks.error().message();
  EXPECT_EQ(jks_aliases(jks_read(*jks)),
            (std::vector<std::string>{"debian:netlock_\xC3\xA1rany_\xC5\x91.pem",
                                      "distill:t\xC3\xBC"
                                      "bi\xCC\x87tak",
                                      "distill:\xD0\xB6"}));
  auto greek = write_java_truststore({{"distill:\xCE\xA9", jks_cas()[0].pem}}, 0);  // Ω
  ASSERT_FALSE(greek.ok());
  EXPECT_NE(greek.error().message().find("U+03A9"), std::string::npos) << greek.error().message();
}

TEST(JavaTruststore, RefusesWhatIsNotAPemCertificate) {
  std::string truncated =
      jks_cas()[0].pem.substr(0, jks_cas()[0].pem.size() / 2) + "\n-----END CERTIFICATE-----\n";
  for (const std::string& bad :
       {std::string("not a certificate\n"), jks_cas()[0].der, truncated, std::string(),
        std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}) {
    auto jks = write_java_truststore(
        {{"debian:good.pem", jks_cas()[0].pem}, {"distill:broken.crt", bad}}, 0);
    ASSERT_FALSE(jks.ok());
    EXPECT_NE(jks.error().message().find("distill:broken.crt"), std::string::npos)
        << jks.error().message();
  }
  std::string key_only = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  auto jks = write_java_truststore({{"distill:key.pem", key_only}}, 0);
  ASSERT_FALSE(jks.ok());
  EXPECT_NE(jks.error().message().find("no PEM certificate"), std::string::npos);
}

TEST(JavaTruststore, RefusesEmptyInputAndBadAliases) {
  auto none = write_java_truststore({}, 0);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("no certificates"), std::string::npos);
  EXPECT_FALSE(write_java_truststore({{"", jks_cas()[0].pem}}, 0).ok());
  EXPECT_FALSE(write_java_truststore({{"a\nb", jks_cas()[0].pem}}, 0).ok());
  EXPECT_FALSE(write_java_truststore({{"a\xFF", jks_cas()[0].pem}}, 0).ok());
  EXPECT_FALSE(write_java_truststore({{"a", jks_cas()[0].pem}}, -1).ok());
  EXPECT_FALSE(write_java_truststore({{"a", jks_cas()[0].pem}}, 0, "\xFF").ok());
}

TEST(JavaTruststore, AddsTheKeystoreToATreeFromTheCaCertificatesFiles) {
  Tree tree;
  tree.put(oci::FsEntry::directory("etc"));
  for (const char* dir : {"usr", "usr/share", "usr/share/ca-certificates",
                          "usr/share/ca-certificates/mozilla", "usr/share/ca-certificates/local"})
    tree.put(oci::FsEntry::directory(dir));
  tree.put(oci::FsEntry::file("usr/share/ca-certificates/mozilla/Test_Root (A), X.crt",
                              jks_cas()[0].pem));
  tree.put(oci::FsEntry::file("usr/share/ca-certificates/local/real.pem", jks_cas()[1].pem));
  tree.put(oci::FsEntry::symlink("usr/share/ca-certificates/local/Linked.crt", "real.pem"));
  tree.put(oci::FsEntry::file("usr/share/ca-certificates/README", "not a certificate"));
  auto certs = debian_ca_certificates(tree);
  ASSERT_TRUE(certs.ok()) << certs.error().message();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[0].alias, "debian:Linked.pem");
  EXPECT_EQ((*certs)[1].alias, "debian:Test_Root_=A=__X.pem");

  certs->push_back({"distill:corp.crt", jks_cas()[2].pem});
  ASSERT_TRUE(add_java_truststore(tree, *certs, 1700000000).ok());
  const oci::FsEntry* ks = tree.find("etc/ssl/certs/java/cacerts");
  ASSERT_NE(ks, nullptr);
  EXPECT_EQ(ks->mode, 0644u);
  EXPECT_EQ(ks->mtime, 1700000000);
  EXPECT_EQ(ks->data, *write_java_truststore(*certs, 1700000000));
  EXPECT_EQ(jks_aliases(jks_read(ks->data)),
            (std::vector<std::string>{"debian:linked.pem", "debian:test_root_=a=__x.pem",
                                      "distill:corp.crt"}));
  for (const char* dir : {"etc/ssl", "etc/ssl/certs", "etc/ssl/certs/java"}) {
    ASSERT_NE(tree.find(dir), nullptr) << dir;
    EXPECT_EQ(tree.find(dir)->type, oci::EntryType::kDirectory);
  }
}

TEST(JavaTruststore, RefusesAPathThatIsNotAFolderAndATreeWithoutCertificates) {
  Tree tree;
  tree.put(oci::FsEntry::file("etc/ssl/certs", "oops"));
  EXPECT_FALSE(add_java_truststore(tree, jks_three_certs(), 0).ok());
  EXPECT_EQ(tree.find("etc/ssl/certs/java/cacerts"), nullptr);
  auto none = debian_ca_certificates(tree);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(add_java_truststore(tree, *none, 0).ok());
}

}  // namespace
}  // namespace distill::effects
