#include "debian/apt_sources.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"

using namespace distill::debian;
using distill::core::make_dirs;
using distill::core::TempDir;
using distill::core::write_file_atomic;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

// An apt configuration folder: <root>/sources.list and sources.list.d/.
class AptRoot {
 public:
  AptRoot() : dir_(std::move(TempDir::create().value())) {
    EXPECT_TRUE(make_dirs(dir_.path() + "/sources.list.d").ok());
  }
  const std::string& path() const { return dir_.path(); }
  void main_list(const std::string& text) {
    ASSERT_TRUE(write_file_atomic(dir_.path() + "/sources.list", text).ok());
  }
  void part(const std::string& name, const std::string& text) {
    ASSERT_TRUE(write_file_atomic(dir_.path() + "/sources.list.d/" + name, text).ok());
  }

 private:
  TempDir dir_;
};

TEST(SourcesList, ParsesEntriesOptionsAndComments) {
  auto r = parse_sources_list(
      "# a comment\n"
      "\n"
      "deb http://127.0.0.1/debian/ bookworm main contrib  # trailing comment\n"
      "deb-src http://127.0.0.1/debian bookworm main\n"
      "   deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/k.gpg] http://127.0.0.1/d trixie "
      "main\n"
      "deb [ trusted=yes ] file:/srv/repo ./\n"
      "deb cdrom:[Debian GNU/Linux 12]/ bookworm main\n",
      "sources.list");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[3].uri, "cdrom:[Debian GNU/Linux 12]");
  EXPECT_EQ((*r)[3].suite, "bookworm");
  const auto& a = (*r)[0];
  EXPECT_EQ(a.uri, "http://127.0.0.1/debian");  // trailing slash stripped
  EXPECT_EQ(a.suite, "bookworm");
  EXPECT_THAT(a.components, ElementsAre("main", "contrib"));
  EXPECT_EQ(a.origin, "sources.list:3");
  const auto& b = (*r)[1];
  EXPECT_EQ(b.uri, "http://127.0.0.1/d");
  EXPECT_EQ(b.suite, "trixie");
  EXPECT_EQ(b.options.at("arch"), "amd64,arm64");
  EXPECT_EQ(b.signed_by, "/usr/share/keyrings/k.gpg");
  const auto& c = (*r)[2];
  EXPECT_EQ(c.options.at("trusted"), "yes");
  EXPECT_EQ(c.suite, "./");
  EXPECT_TRUE(c.components.empty());
}

TEST(SourcesList, ReportsMalformedLinesWithFileAndLine) {
  auto err = [](const std::string& text) {
    auto r = parse_sources_list(text, "x.list");
    return r.ok() ? std::string("ok") : r.error().message();
  };
  EXPECT_THAT(err("\ndeb http://127.0.0.1/debian\n"),
              HasSubstr("x.list:2: entry lacks a URI or a suite"));
  EXPECT_THAT(err("deb http://127.0.0.1/debian bookworm\n"),
              HasSubstr("x.list:1: entry lacks components"));
  EXPECT_THAT(err("deb [arch=amd64 http://127.0.0.1/debian bookworm main\n"),
              HasSubstr("no closing ']'"));
  EXPECT_THAT(err("deb [arch] http://127.0.0.1/debian bookworm main\n"),
              HasSubstr("malformed option"));
  EXPECT_THAT(err("rpm http://127.0.0.1/x y z\n"), HasSubstr("unknown source type 'rpm'"));
}

TEST(Deb822Sources, ExpandsStanzasAndSkipsDisabledOnes) {
  auto r = parse_deb822_sources(
      "Types: deb deb-src\n"
      "# a comment inside the stanza\n"
      "URIs: http://127.0.0.1/debian/ http://127.0.0.2/debian\n"
      "Suites: bookworm bookworm-updates\n"
      "Components: main\n"
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
      "\n"
      "Types: deb\n"
      "URIs: http://127.0.0.1/off\n"
      "Suites: bookworm\n"
      "Components: main\n"
      "Enabled: no\n"
      "\n"
      "Types: deb-src\n"
      "URIs: http://127.0.0.1/src\n"
      "Suites: bookworm\n"
      "Components: main\n"
      "\n"
      "Types: deb\n"
      "URIs: http://127.0.0.1/debian-security\n"
      "Suites: bookworm-security\n"
      "Components: main contrib\n"
      "Architectures: amd64\n",
      "debian.sources");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].uri, "http://127.0.0.1/debian");
  EXPECT_EQ((*r)[0].suite, "bookworm");
  EXPECT_EQ((*r)[1].suite, "bookworm-updates");
  EXPECT_EQ((*r)[2].uri, "http://127.0.0.2/debian");
  EXPECT_EQ((*r)[0].signed_by, "/usr/share/keyrings/debian-archive-keyring.gpg");
  EXPECT_EQ((*r)[4].uri, "http://127.0.0.1/debian-security");
  EXPECT_THAT((*r)[4].components, ElementsAre("main", "contrib"));
  EXPECT_EQ((*r)[4].options.at("architectures"), "amd64");
  for (const auto& e : *r) EXPECT_EQ(e.uri.find("off"), std::string::npos);
}

TEST(Deb822Sources, ReportsMissingFields) {
  auto err = [](const std::string& text) {
    auto r = parse_deb822_sources(text, "d.sources");
    return r.ok() ? std::string("ok") : r.error().message();
  };
  EXPECT_THAT(err("URIs: http://127.0.0.1/d\nSuites: a\nComponents: main\n"),
              HasSubstr("d.sources:1: stanza lacks Types"));
  EXPECT_THAT(err("Types: deb\nSuites: a\nComponents: main\n"), HasSubstr("lacks URIs"));
  EXPECT_THAT(err("Types: deb\nURIs: http://127.0.0.1/d\nComponents: main\n"),
              HasSubstr("lacks Suites"));
  EXPECT_THAT(err("Types: deb\nURIs: http://127.0.0.1/d\nSuites: a\n"),
              HasSubstr("lacks Components"));
  EXPECT_EQ(err("Types: deb\nURIs: http://127.0.0.1/d\nSuites: ./\n"), "ok");  // flat repository
}

TEST(AptSources, ReadsOnlyListAndSourcesFiles) {
  AptRoot root;
  root.main_list("deb http://127.0.0.1/main-list bookworm main\n");
  root.part("b.sources",
            "Types: deb\nURIs: http://127.0.0.1/b\nSuites: bookworm\nComponents: main\n");
  root.part("a.list", "deb http://127.0.0.1/a bookworm main\n");
  root.part("c.list.disabled", "deb http://127.0.0.1/disabled bookworm main\n");
  root.part("d.sources.disabled-by-admin",
            "Types: deb\nURIs: http://127.0.0.1/x\nSuites: s\nComponents: c\n");
  root.part("e.list.save", "deb http://127.0.0.1/save bookworm main\n");
  root.part("f~.list", "deb http://127.0.0.1/backup bookworm main\n");  // apt skips odd names
  auto r = read_apt_sources(root.path());
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::vector<std::string> uris;
  for (const auto& e : *r) uris.push_back(e.uri);
  EXPECT_THAT(
      uris, ElementsAre("http://127.0.0.1/main-list", "http://127.0.0.1/a", "http://127.0.0.1/b"));
}

TEST(AptSources, MissingFilesMeanNoEntries) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  auto r = read_apt_sources(dir->path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(HostMirrors, FindsArchiveAndSecurityInDeb822) {
  AptRoot root;
  root.part("debian.sources",
            "Types: deb\n"
            "URIs: http://127.0.0.1/debian/\n"
            "Suites: bookworm bookworm-updates\n"
            "Components: main\n"
            "\n"
            "Types: deb\n"
            "URIs: http://127.0.0.1/debian-security/\n"
            "Suites: bookworm-security\n"
            "Components: main\n");
  root.part("other.list", "deb http://127.0.0.1/vendor nodistro main\n");
  auto m = host_mirrors(root.path());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->archive, "http://127.0.0.1/debian");
  EXPECT_EQ(m->security, "http://127.0.0.1/debian-security");
}

TEST(HostMirrors, SkipsNonDebianSuitesAndUnfetchableSchemes) {
  AptRoot root;
  root.main_list(
      "deb cdrom:[Debian 12]/ bookworm main\n"
      "deb http://127.0.0.1/vendor nodistro main\n"
      "deb https://127.0.0.1/mirror/debian trixie-updates main\n");
  auto m = host_mirrors(root.path());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->archive, "https://127.0.0.1/mirror/debian");
  EXPECT_EQ(m->security, "https://127.0.0.1/mirror/debian-security");  // convention
}

TEST(HostMirrors, SecurityRecognisedByUriPath) {
  AptRoot root;
  root.main_list(
      "deb http://127.0.0.2/sec/debian-security bookworm/updates main\n"
      "deb http://127.0.0.1/debian bookworm main\n");
  auto m = host_mirrors(root.path());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->archive, "http://127.0.0.1/debian");
  EXPECT_EQ(m->security, "http://127.0.0.2/sec/debian-security");
}

TEST(HostMirrors, DisabledEntriesDoNotCount) {
  AptRoot root;
  root.part("debian.sources",
            "Types: deb\nURIs: http://127.0.0.1/debian\nSuites: bookworm\nComponents: main\n"
            "Enabled: no\n");
  root.part("old.list.disabled", "deb http://127.0.0.1/debian bookworm main\n");
  auto m = host_mirrors(root.path());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().where, root.path());
  EXPECT_THAT(m.error().what, HasSubstr("no Debian archive"));
  EXPECT_THAT(m.error().hint, HasSubstr("--mirror"));
}

TEST(HostMirrors, BrokenFileIsAnErrorWithHint) {
  AptRoot root;
  root.part("bad.list", "deb http://127.0.0.1/debian\n");
  auto m = host_mirrors(root.path());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.error().message(), HasSubstr("bad.list:1"));
  EXPECT_THAT(m.error().hint, HasSubstr("--mirror"));
}

TEST(MirrorsFromFlag, DerivesSecurityMirror) {
  auto m = mirrors_from_flag("http://127.0.0.1/debian//");
  EXPECT_EQ(m.archive, "http://127.0.0.1/debian");
  EXPECT_EQ(m.security, "http://127.0.0.1/debian-security");
  auto both = mirrors_from_flag("http://127.0.0.1/debian/", "http://127.0.0.2/sec/");
  EXPECT_EQ(both.archive, "http://127.0.0.1/debian");
  EXPECT_EQ(both.security, "http://127.0.0.2/sec");
}

}  // namespace
