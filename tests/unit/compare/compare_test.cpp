#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "compare/comparison.hpp"
#include "compare/html_report.hpp"
#include "compare/image_profile.hpp"
#include "image/image_source.hpp"
#include "transport/open.hpp"
#include "unit/image/image_test_util.hpp"

namespace distill::compare {
namespace {

using namespace image::test_util;

constexpr const char* kOsRelease = "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";

// A "regular" image: dpkg status file, info/*.list, a shell, apt, a setuid file.
std::vector<Member> regular_members() {
  return {
      dir("etc"),
      file("etc/os-release", kOsRelease),
      dir("bin"),
      file("bin/dash", std::string(100, 'd'), 0755),
      sym("bin/sh", "dash"),
      dir("usr"),
      dir("usr/bin"),
      file("usr/bin/apt-get", std::string(50, 'a'), 0755),
      file("usr/bin/passwd", std::string(20, 'p'), 04755),
      hard("usr/bin/dash-again", "bin/dash"),
      file("usr/share-readme", "hello"),
      dir("var"),
      dir("var/lib"),
      dir("var/lib/dpkg"),
      dir("var/lib/dpkg/info"),
      file("var/lib/dpkg/status",
           "Package: dash\nStatus: install ok installed\nVersion: 0.5.12-2\n"
           "Architecture: amd64\nInstalled-Size: 200\n\n"
           "Package: apt\nStatus: install ok installed\nVersion: 2.6.1\n"
           "Architecture: amd64\nInstalled-Size: 4000\n\n"
           "Package: passwd\nStatus: install ok installed\nVersion: 1:4.13\n"
           "Architecture: amd64\nInstalled-Size: 9\n\n"),
      file("var/lib/dpkg/info/dash.list", "/.\n/bin\n/bin/dash\n/bin/sh\n"),
      file("var/lib/dpkg/info/apt.md5sums", "0123456789abcdef0123456789abcdef  usr/bin/apt-get\n"),
  };
}

// A distroless image: status.d stanzas and md5sums, no shell.
std::vector<Member> distroless_members() {
  return {
      dir("etc"),
      file("etc/os-release", kOsRelease),
      dir("usr"),
      dir("usr/bin"),
      file("usr/bin/app", std::string(30, 'x'), 0755),
      dir("var"),
      dir("var/lib"),
      dir("var/lib/dpkg"),
      dir("var/lib/dpkg/status.d"),
      file("var/lib/dpkg/status.d/app", "Package: app\nVersion: 1.0\nArchitecture: amd64\n"),
      // Merged /usr: the package lists bin/app, the image has bin -> usr/bin.
      sym("bin", "usr/bin"),
      file("var/lib/dpkg/status.d/app.md5sums", "0123456789abcdef0123456789abcdef  bin/app\n"),
      file("var/lib/dpkg/status.d/base-files",
           "Package: base-files\nVersion: 12.4\nArchitecture: amd64\nInstalled-Size: 3\n"),
  };
}

class CompareTest : public TempFolderTest {
 protected:
  ImageProfile profile_of(const std::string& name, const std::vector<std::vector<Member>>& layers,
                          const vuln::AdvisoryLookup* db = nullptr) {
    std::vector<std::string> tars;
    for (const auto& l : layers) tars.push_back(make_tar(l));
    write_layout(path(name), {image_of(dir_->path(), tars)});
    auto source = transport::open_image(path(name));
    EXPECT_TRUE(source.ok()) << source.error().message();
    auto p = profile_image(**source, (*source)->images().front(), db);
    EXPECT_TRUE(p.ok()) << p.error().message();
    return p.ok() ? std::move(*p) : ImageProfile{};
  }
};

const PackageSize* find_size(const std::vector<PackageSize>& v, const std::string& name) {
  auto it = std::find_if(v.begin(), v.end(), [&](const auto& s) { return s.name == name; });
  return it == v.end() ? nullptr : &*it;
}

TEST_F(CompareTest, ProfilesARegularImage) {
  ImageProfile p = profile_of("regular", {regular_members()});
  EXPECT_EQ(p.layers, 1u);
  EXPECT_EQ(p.packages.size(), 3u);
  // dash, apt-get, passwd (the hard link's tar header says 0644).
  EXPECT_EQ(p.executables, 3u);
  EXPECT_EQ(p.shells, (std::vector<std::string>{"/bin/dash", "/bin/sh"}));
  EXPECT_EQ(p.package_managers, (std::vector<std::string>{"/usr/bin/apt-get"}));
  EXPECT_EQ(p.setuid, (std::vector<std::string>{"/usr/bin/passwd"}));
  EXPECT_GT(p.lint_count(verify::LintLevel::kWarn), 0u);
  EXPECT_FALSE(p.vulnerabilities.has_value());
  EXPECT_GT(p.compressed_size, 0);
  EXPECT_GT(p.uncompressed_size, p.compressed_size);
}

TEST_F(CompareTest, SizesPackagesFromTheirFileListsElseInstalledSize) {
  ImageProfile p = profile_of("regular", {regular_members()});
  const PackageSize* dash = find_size(p.package_sizes, "dash");
  ASSERT_NE(dash, nullptr);
  // /bin/dash only: the folder and the symlink are not regular files.
  EXPECT_EQ(dash->bytes, 100u);
  EXPECT_EQ(dash->files, 1u);
  EXPECT_EQ(dash->source, SizeSource::kFileList);
  const PackageSize* apt = find_size(p.package_sizes, "apt");
  ASSERT_NE(apt, nullptr);
  EXPECT_EQ(apt->bytes, 50u);
  const PackageSize* passwd = find_size(p.package_sizes, "passwd");
  ASSERT_NE(passwd, nullptr);
  EXPECT_EQ(passwd->bytes, 9u * 1024);
  EXPECT_EQ(passwd->source, SizeSource::kInstalledSize);
  // Largest first.
  EXPECT_EQ(p.package_sizes.front().name, "passwd");
}

TEST_F(CompareTest, CountsContentBytesOncePerHardLinkAndAcrossLayers) {
  // A later layer replaces bin/dash with a smaller file and deletes apt-get.
  ImageProfile p =
      profile_of("layered", {regular_members(),
                             {dir("bin"), file("bin/dash", std::string(10, 'n'), 0755), dir("usr"),
                              dir("usr/bin"), whiteout("usr/bin/.wh.apt-get")}});
  EXPECT_EQ(p.layers, 2u);
  EXPECT_TRUE(p.package_managers.empty());
  uint64_t expected = 10 + 20 + 5 + std::string(kOsRelease).size();
  // The dpkg files count too: measure them from the members.
  for (const auto& m : regular_members())
    if (m.kind == Member::kFile && m.path.starts_with("var/")) expected += m.data.size();
  // The hard link kept dash's old content (100 bytes), a separate inode now.
  EXPECT_EQ(p.content_bytes, expected + 100);
}

TEST_F(CompareTest, ProfilesADistrolessImage) {
  ImageProfile p = profile_of("distroless", {distroless_members()});
  EXPECT_TRUE(p.shells.empty());
  EXPECT_TRUE(p.package_managers.empty());
  EXPECT_TRUE(p.setuid.empty());
  const PackageSize* app = find_size(p.package_sizes, "app");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->bytes, 30u);
  EXPECT_EQ(app->source, SizeSource::kFileList);
  const PackageSize* base = find_size(p.package_sizes, "base-files");
  ASSERT_NE(base, nullptr);
  EXPECT_EQ(base->source, SizeSource::kInstalledSize);
}

TEST_F(CompareTest, ListsWhatOneImageCarriesThatTheOtherDoesnt) {
  Comparison c = compare_profiles(profile_of("a", {regular_members()}),
                                  profile_of("b", {distroless_members()}));
  ASSERT_EQ(c.only_in_a.size(), 3u);
  EXPECT_EQ(c.only_in_a_bytes, 100u + 50u + 9u * 1024);
  EXPECT_EQ(c.only_in_b.size(), 2u);
  auto rows = summary_rows(c);
  auto shells = std::find_if(rows.begin(), rows.end(), [](auto& r) { return r.key == "shells"; });
  ASSERT_NE(shells, rows.end());
  EXPECT_EQ(shells->a, 2u);
  EXPECT_EQ(shells->b, 0u);

  auto j = comparison_json(c);
  EXPECT_EQ(j["a"]["package_count"], 3);
  EXPECT_EQ(j["b"]["shells"].size(), 0u);
  EXPECT_TRUE(j["a"]["vulnerabilities"].is_null());
  EXPECT_EQ(j["only_in_a"]["bytes"], 100 + 50 + 9 * 1024);

  std::string table = comparison_table(c);
  EXPECT_NE(table.find("Shells"), std::string::npos);
  EXPECT_NE(table.find("Only in A (3 packages"), std::string::npos);
  EXPECT_NE(table.find("not counted"), std::string::npos);
}

class FakeAdvisories : public vuln::AdvisoryLookup {
 public:
  core::Result<std::vector<vuln::Advisory>> find(std::string_view release,
                                                 std::string_view source) const override {
    if (release != "bookworm" || source != "dash") return std::vector<vuln::Advisory>{};
    vuln::Advisory a;
    a.id = "CVE-2099-0001";
    a.source_package = "dash";
    a.release = "bookworm";
    a.status = "open";
    a.urgency = "high";
    return std::vector<vuln::Advisory>{a};
  }
};

TEST_F(CompareTest, CountsVulnerabilitiesBySeverityWhenADatabaseIsGiven) {
  FakeAdvisories db;
  ImageProfile p = profile_of("regular", {regular_members()}, &db);
  ASSERT_TRUE(p.vulnerabilities.has_value());
  EXPECT_EQ(p.vulnerabilities->at("high"), 1u);
  EXPECT_EQ(p.vulnerabilities->at("critical"), 0u);
  ImageProfile q = profile_of("distroless", {distroless_members()}, &db);
  Comparison c = compare_profiles(std::move(p), std::move(q));
  auto j = comparison_json(c);
  EXPECT_EQ(j["b"]["vulnerabilities"]["high"], 0);
  EXPECT_EQ(comparison_table(c).find("not counted"), std::string::npos);
}

TEST_F(CompareTest, HtmlReportIsSelfContainedWithAChartAndEscapes) {
  Comparison c = compare_profiles(profile_of("a", {regular_members()}),
                                  profile_of("b", {distroless_members()}));
  c.a.reference = "<a&b>";
  std::string html = html_report(c);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("<svg id=\"size-chart\""), std::string::npos);
  EXPECT_NE(html.find("data-package=\"dash\" data-a=\"100\" data-b=\"0\""), std::string::npos);
  EXPECT_NE(html.find("data-package=\"app\" data-a=\"0\" data-b=\"30\""), std::string::npos);
  EXPECT_NE(html.find("&lt;a&amp;b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<a&b>"), std::string::npos);
  EXPECT_NE(html.find("DISTILL-0001"), std::string::npos);
  // No external assets: nothing is loaded from anywhere.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(HtmlEscape, EscapesEverySpecialCharacter) {
  EXPECT_EQ(html_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

}  // namespace
}  // namespace distill::compare
