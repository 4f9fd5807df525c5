#include "debian/lockfile.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace distill::debian;

namespace {

LockedPackage pkg(const std::string& name, const std::string& suite = "bookworm") {
  return {name,
          "1.0-1",
          "amd64",
          suite,
          "pool/main/x/" + name + "/" + name + "_1.0-1_amd64.deb",
          std::string(64, 'a'),
          1234};
}

Lockfile sample() {
  Lockfile lock;
  lock.distro = "debian12";
  lock.packages = {"python3", "base-files", "python3"};
  lock.exclude = {"mawk"};
  LockedArch& a = lock.archs["amd64"];
  a.indices = {{"bookworm-updates", "main", "main/binary-amd64/Packages", std::string(64, 'b')},
               {"bookworm", "main", "main/binary-amd64/Packages", std::string(64, 'c')}};
  a.packages = {pkg("zlib1g"), pkg("libc6", "bookworm-security")};
  return lock;
}

TEST(LockfileTest, RoundTripsAndIsCanonical) {
  Lockfile lock = sample();
  lock.base = "python3";
  lock.archs["amd64"].extract = {pkg("ca-certificates")};
  std::string text = lock.to_json();
  auto parsed = Lockfile::parse(text, "distill.lock");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->to_json(), text);
  EXPECT_EQ(parsed->base, "python3");
  ASSERT_EQ(parsed->archs.at("amd64").extract.size(), 1u);
  EXPECT_EQ(parsed->archs.at("amd64").extract[0].name, "ca-certificates");
  // Sorted: packages by name, indices by suite, request lists de-duplicated.
  EXPECT_LT(text.find("\"libc6\""), text.find("\"zlib1g\""));
  EXPECT_LT(text.find("\"bookworm\""), text.find("\"bookworm-updates\""));
  EXPECT_NE(text.find("\"packages\": [\n      \"base-files\",\n      \"python3\"\n    ]"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(LockfileTest, OptionalFieldsAreOmittedWhenEmpty) {
  std::string text = sample().to_json();
  EXPECT_EQ(text.find("extract"), std::string::npos);
  EXPECT_EQ(text.find("\"base\""), std::string::npos);
  auto parsed = Lockfile::parse(text, "distill.lock");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->base.empty());
  EXPECT_TRUE(parsed->archs.at("amd64").extract.empty());
}

TEST(LockfileTest, RefusesUnsafeOrMalformedEntries) {
  auto with = [](auto edit) {
    Lockfile lock = sample();
    edit(lock);
    return Lockfile::parse(lock.to_json(), "x.lock");
  };
  for (const char* bad : {"../etc/passwd", "/pool/a.deb", "pool//a.deb", "http://h/a.deb",
                          "pool/a.deb?x", "pool\\a.deb"}) {
    auto r = with([&](Lockfile& l) { l.archs["amd64"].packages[0].filename = bad; });
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find("x.lock"), std::string::npos);
  }
  auto r = with([](Lockfile& l) {
    l.archs["amd64"].extract = {pkg("ca-certificates")};
    l.archs["amd64"].extract[0].sha256 = "abc";
  });
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(Lockfile::parse("{", "x.lock").ok());
  EXPECT_FALSE(Lockfile::parse("{\"version\": 2}", "x.lock").ok());
  std::string text = sample().to_json();
  text.replace(text.find("\"size\": 1234"), 12, "\"size\": \"big\"");
  EXPECT_FALSE(Lockfile::parse(text, "x.lock").ok());
}

}  // namespace
