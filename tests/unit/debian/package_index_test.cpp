#include "debian/package_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "packages_text.hpp"

namespace distill::debian {
namespace {

using distill::debian::test_util::make_index;
using distill::debian::test_util::Pkg;
using distill::debian::test_util::test_origin;

const std::string kSha(64, 'c');

std::string full_stanza() {
  return "Package: python3.11-minimal\n"
         "Source: python3.11\n"
         "Version: 3.11.2-6+deb12u1\n"
         "Installed-Size: 5956\n"
         "Maintainer: Test <test@example.invalid>\n"
         "Architecture: amd64\n"
         "Multi-Arch: allowed\n"
         "Essential: yes\n"
         "Provides: python3.11-x (= 3.11.2), python3-any\n"
         "Pre-Depends: libc6 (>= 2.36)\n"
         "Depends: libexpat1 (>= 2.1~beta3),\n"
         " zlib1g (>= 1:1.2.0)\n"
         "Description: Minimal subset\n"
         " of the Python language\n"
         "Priority: optional\n"
         "Filename: pool/main/p/python3.11/python3.11-minimal_3.11.2-6+deb12u1_amd64.deb\n"
         "Size: 2064508\n"
         "SHA256: " +
         kSha + "\n";
}

TEST(PackageIndex, FillsEveryField) {
  std::string text =
      full_stanza() + "\n" + distill::debian::test_util::stanza(Pkg{.name = "zlib1g"});
  auto index = PackageIndex::parse(test_origin("bookworm-security"), text);
  ASSERT_TRUE(index.ok()) << index.error().message();
  const auto& entries = (*index)->entries();
  ASSERT_EQ(entries.size(), 2u);
  const PackageEntry& e = entries[0];
  EXPECT_EQ(e.name, "python3.11-minimal");
  EXPECT_EQ(e.version, "3.11.2-6+deb12u1");
  EXPECT_EQ(e.architecture, "amd64");
  EXPECT_EQ(e.multi_arch, "allowed");
  EXPECT_EQ(e.essential, "yes");
  EXPECT_TRUE(e.is_essential());
  EXPECT_EQ(e.priority, "optional");
  EXPECT_EQ(e.pre_depends, "libc6 (>= 2.36)");
  EXPECT_EQ(e.depends, "libexpat1 (>= 2.1~beta3),\n zlib1g (>= 1:1.2.0)");
  EXPECT_EQ(e.provides, "python3.11-x (= 3.11.2), python3-any");
  EXPECT_EQ(e.source, "python3.11");
  EXPECT_EQ(e.filename, "pool/main/p/python3.11/python3.11-minimal_3.11.2-6+deb12u1_amd64.deb");
  EXPECT_EQ(e.sha256, kSha);
  EXPECT_EQ(e.size, 2064508u);
  EXPECT_EQ(e.installed_size, 5956u);
  // The stanza is kept verbatim (without the separating blank line) for status.d.
  EXPECT_EQ(std::string(e.stanza) + "\n", full_stanza());
  EXPECT_EQ(e.origin, &(*index)->origin());
  EXPECT_EQ(e.origin->suite, "bookworm-security");

  const PackageEntry& z = entries[1];
  EXPECT_EQ(z.name, "zlib1g");
  EXPECT_FALSE(z.is_essential());
  EXPECT_TRUE(z.multi_arch.empty());
  EXPECT_TRUE(z.pre_depends.empty());
  EXPECT_EQ(z.origin, e.origin);
}

TEST(PackageIndex, FieldNamesAreCaseInsensitive) {
  std::string text =
      "package: a\nVERSION: 1\narchitecture: all\nfilename: pool/a.deb\n"
      "size: 7\nsha256: " +
      kSha + "\nDEPENDS: b\n";
  auto index = PackageIndex::parse(test_origin(), text);
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ((*index)->entries().size(), 1u);
  EXPECT_EQ((*index)->entries()[0].name, "a");
  EXPECT_EQ((*index)->entries()[0].depends, "b");
  EXPECT_EQ((*index)->entries()[0].size, 7u);
  EXPECT_EQ((*index)->entries()[0].installed_size, 0u);  // optional field
}

TEST(PackageIndex, EmptyIndexHasNoEntries) {
  auto index = PackageIndex::parse(test_origin(), "");
  ASSERT_TRUE(index.ok()) << index.error().message();
  EXPECT_TRUE((*index)->entries().empty());
}

TEST(PackageIndex, OriginLabelNamesSuiteComponentArch) {
  EXPECT_EQ(test_origin("bookworm-updates", "contrib", "arm64").label(),
            "bookworm-updates/contrib/arm64");
}

// Drops `field` from the second stanza and expects an error at its first line.
struct MissingCase {
  std::string field;
  std::string what;
};

class MissingField : public ::testing::TestWithParam<MissingCase> {};

TEST_P(MissingField, IsAnErrorNamingIndexAndLine) {
  std::string first = distill::debian::test_util::stanza(Pkg{.name = "first"});
  std::string second;
  for (std::string_view line :
       {"Package: second", "Version: 2", "Architecture: all", "Filename: pool/s.deb", "Size: 10"}) {
    if (!std::string(line).starts_with(GetParam().field + ":")) second += std::string(line) + "\n";
  }
  if (GetParam().field != "SHA256") second += "SHA256: " + kSha + "\n";
  size_t first_lines = static_cast<size_t>(std::count(first.begin(), first.end(), '\n'));
  auto index = PackageIndex::parse(test_origin(), first + "\n" + second);
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().where, "bookworm/main/amd64 Packages:" + std::to_string(first_lines + 2));
  EXPECT_EQ(index.error().what, GetParam().what);
}

INSTANTIATE_TEST_SUITE_P(
    PackageIndex, MissingField,
    ::testing::Values(MissingCase{"Package", "stanza lacks Package"},
                      MissingCase{"Version", "stanza of second lacks Version"},
                      MissingCase{"Architecture", "stanza of second lacks Architecture"},
                      MissingCase{"Filename", "stanza of second lacks Filename"},
                      MissingCase{"Size", "stanza of second lacks Size"},
                      MissingCase{"SHA256", "stanza of second lacks SHA256"}));

TEST(PackageIndex, EmptyRequiredValueIsAnError) {
  std::string text =
      "Package: a\nVersion:\nArchitecture: all\nFilename: pool/a.deb\nSize: 7\n"
      "SHA256: " +
      kSha + "\n";
  auto index = PackageIndex::parse(test_origin(), text);
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().where, "bookworm/main/amd64 Packages:2");
  EXPECT_EQ(index.error().what, "Version of a is empty");
}

std::string with_line(const std::string& stanza, const std::string& field,
                      const std::string& value) {
  std::string out;
  size_t pos = 0;
  while (pos < stanza.size()) {
    size_t nl = stanza.find('\n', pos);
    std::string line = stanza.substr(pos, nl - pos);
    if (line.starts_with(field + ":")) line = field + ": " + value;
    out += line + "\n";
    pos = nl + 1;
  }
  return out;
}

size_t line_number_of(const std::string& text, const std::string& field) {
  size_t pos = text.find("\n" + field + ":");
  return static_cast<size_t>(std::count(text.begin(), text.begin() + pos + 1, '\n')) + 1;
}

TEST(PackageIndex, RejectsMalformedSha256WithItsLine) {
  std::string first = distill::debian::test_util::stanza(Pkg{.name = "first"}) + "\n";
  for (std::string bad : {std::string(64, 'A'), std::string(63, 'a'), std::string(65, 'a'),
                          std::string(63, 'a') + "g"}) {
    std::string text =
        first + with_line(distill::debian::test_util::stanza(Pkg{.name = "second"}), "SHA256", bad);
    auto index = PackageIndex::parse(test_origin(), text);
    ASSERT_FALSE(index.ok()) << bad;
    size_t line = line_number_of(text.substr(first.size()), "SHA256") +
                  static_cast<size_t>(std::count(first.begin(), first.end(), '\n'));
    EXPECT_EQ(index.error().where, "bookworm/main/amd64 Packages:" + std::to_string(line));
    EXPECT_EQ(index.error().what, "SHA256 of second is not 64 lowercase hex digits");
  }
}

TEST(PackageIndex, RejectsNonNumericSizes) {
  for (std::string bad : {"12a", "-1", "1.5", "", " 9x"}) {
    std::string text = with_line(distill::debian::test_util::stanza(Pkg{.name = "p"}), "Size", bad);
    auto index = PackageIndex::parse(test_origin(), text);
    ASSERT_FALSE(index.ok()) << bad;
    EXPECT_EQ(index.error().where,
              "bookworm/main/amd64 Packages:" + std::to_string(line_number_of(text, "Size")));
  }
  std::string text =
      with_line(distill::debian::test_util::stanza(Pkg{.name = "p"}), "Installed-Size", "lots");
  auto index = PackageIndex::parse(test_origin(), text);
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().where, "bookworm/main/amd64 Packages:" +
                                     std::to_string(line_number_of(text, "Installed-Size")));
  EXPECT_EQ(index.error().what, "Installed-Size of p is not a number: 'lots'");
}

TEST(PackageIndex, Deb822SyntaxErrorsPropagate) {
  auto index = PackageIndex::parse(test_origin(), "Package: a\nnocolonhere\n");
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().message().find("bookworm/main/amd64 Packages"), std::string::npos)
      << index.error().message();
}

// --- PackageUniverse -------------------------------------------------------

std::vector<std::string> versions(std::span<const PackageEntry* const> list) {
  std::vector<std::string> out;
  for (const PackageEntry* e : list)
    out.push_back(std::string(e->version) + "@" + e->origin->suite);
  return out;
}

TEST(PackageUniverse, CandidatesAreSortedByDpkgVersionOrder) {
  PackageUniverse u;
  u.add(make_index({Pkg{.name = "x", .version = "1.0"}, Pkg{.name = "x", .version = "1.0~rc1"},
                    Pkg{.name = "y"}}));
  u.add(make_index({Pkg{.name = "x", .version = "1.0+deb12u1"}, Pkg{.name = "x", .version = "1.0"},
                    Pkg{.name = "x", .version = "1:0.5"}, Pkg{.name = "x", .version = "1.0-0.1"}},
                   "bookworm-security"));
  EXPECT_EQ(versions(u.candidates("x")),
            (std::vector<std::string>{"1:0.5@bookworm-security", "1.0+deb12u1@bookworm-security",
                                      "1.0-0.1@bookworm-security", "1.0@bookworm",
                                      "1.0@bookworm-security", "1.0~rc1@bookworm"}));
  EXPECT_EQ(u.candidates("y").size(), 1u);
  EXPECT_TRUE(u.candidates("nope").empty());
  EXPECT_EQ(u.size(), 7u);
  EXPECT_EQ(u.indices().size(), 2u);
}

TEST(PackageUniverse, ProvidesRecordsVersions) {
  PackageUniverse u;
  u.add(make_index({Pkg{.name = "exim4", .provides = "mail-transport-agent, mta-x (= 4.96)"},
                    Pkg{.name = "postfix", .provides = "mail-transport-agent"},
                    Pkg{.name = "plain"}}));
  const auto& mta = u.providers("mail-transport-agent");
  ASSERT_EQ(mta.size(), 2u);
  EXPECT_EQ(mta[0].entry->name, "exim4");
  EXPECT_TRUE(mta[0].version.empty());
  EXPECT_EQ(mta[1].entry->name, "postfix");
  const auto& x = u.providers("mta-x");
  ASSERT_EQ(x.size(), 1u);
  EXPECT_EQ(x[0].version, "4.96");
  EXPECT_TRUE(u.providers("plain").empty());
  EXPECT_TRUE(u.candidates("mail-transport-agent").empty());
}

TEST(PackageUniverse, AddingAfterAQueryRebuilds) {
  PackageUniverse u;
  u.add(make_index({Pkg{.name = "x", .version = "1"}}));
  EXPECT_EQ(u.candidates("x").size(), 1u);
  EXPECT_TRUE(u.providers("v").empty());
  u.add(make_index({Pkg{.name = "x", .version = "2", .provides = "v"}}, "bookworm-updates"));
  ASSERT_EQ(u.candidates("x").size(), 2u);
  EXPECT_EQ(u.candidates("x")[0]->version, "2");
  EXPECT_EQ(u.providers("v").size(), 1u);
}

TEST(PackageUniverse, SurvivesBeingMoved) {
  PackageUniverse u;
  // Short provided names live in std::string's inline buffer; moving the
  // universe must not leave the lookup keys dangling.
  u.add(make_index({Pkg{.name = "p", .provides = "v (= 1)"}}));
  ASSERT_EQ(u.providers("v").size(), 1u);
  PackageUniverse moved = std::move(u);
  ASSERT_EQ(moved.providers("v").size(), 1u);
  EXPECT_EQ(moved.providers("v")[0].version, "1");
  EXPECT_EQ(moved.candidates("p").size(), 1u);
}

}  // namespace
}  // namespace distill::debian
