#include "registry/credentials.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/file_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using registry::CredentialStore;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

class CredentialsTest : public test_support::TempFolderTest {
 protected:
  void write_config(const std::string& json) {
    ASSERT_TRUE(core::write_file_atomic(path("config.json"), json).ok());
  }
  CredentialStore store() { return CredentialStore(dir_->path(), core::system_process_runner()); }
};

// Puts a docker-credential-NAME script first on $PATH for one test.
class ScopedHelper {
 public:
  ScopedHelper(const std::string& dir, const std::string& name, const std::string& script)
      : old_(std::getenv("PATH") ? std::getenv("PATH") : "") {
    std::string file = dir + "/docker-credential-" + name;
    EXPECT_TRUE(core::write_file_atomic(file, "#!/bin/sh\n" + script, 0755).ok());
    ::setenv("PATH", (dir + ":" + old_).c_str(), 1);
  }
  ~ScopedHelper() { ::setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

TEST_F(CredentialsTest, ReadsAuthsEntriesUnderAnyKeyForm) {
  write_config(R"({"auths":{"https://127.0.0.1:5000/v1/":{"auth":")" +
               core::base64_encode("alice:pa:ss") + R"("}}})");
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, "pa:ss");
  auto none = store().lookup("registry.example");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(CredentialsTest, MissingConfigMeansAnonymous) {
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->empty());
}

TEST_F(CredentialsTest, MalformedAuthEntryIsAnErrorWithoutTheSecret) {
  write_config(R"({"auths":{"127.0.0.1:5000":{"auth":"bm9jb2xvbg=="}}})");  // "nocolon"
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message(), HasSubstr("malformed"));
  EXPECT_THAT(c.error().message(), Not(HasSubstr("bm9jb2xvbg")));
  EXPECT_THAT(c.error().message(), Not(HasSubstr("nocolon")));
}

TEST_F(CredentialsTest, AsksTheRegistrysCredentialHelper) {
  ScopedHelper helper(
      dir_->path(), "unittest",
      "read server\n[ \"$1\" = get ] || exit 3\n"
      "echo \"{\\\"ServerURL\\\":\\\"$server\\\",\\\"Username\\\":\\\"bob-$server\\\","
      "\\\"Secret\\\":\\\"tok\\\"}\"\n");
  write_config(R"({"credHelpers":{"127.0.0.1:5000":"unittest"},"auths":{}})");
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->username, "bob-127.0.0.1:5000");
  EXPECT_EQ(c->password, "tok");
}

TEST_F(CredentialsTest, FallsBackToCredsStoreAndTreatsNotFoundAsAnonymous) {
  ScopedHelper helper(dir_->path(), "store",
                      "echo 'credentials not found in native keychain'\nexit 1\n");
  write_config(R"({"credsStore":"store"})");
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->empty());
}

TEST_F(CredentialsTest, MissingHelperIsAnError) {
  write_config(R"({"credsStore":"does-not-exist-anywhere"})");
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message(), HasSubstr("docker-credential-does-not-exist-anywhere"));
}

TEST_F(CredentialsTest, StoreWritesMode0600AndKeepsOtherKeys) {
  write_config(R"({"auths":{"https://127.0.0.1:5000":{"auth":"b2xkOm9sZA=="}},"proxies":{"x":1}})");
  ASSERT_TRUE(store().store("127.0.0.1:5000", {"carol", "pw"}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path("config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto text = core::read_file(path("config.json"));
  ASSERT_TRUE(text.ok());
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["proxies"]["x"], 1);
  EXPECT_EQ(j["auths"].size(), 1u);  // the old https:// form was replaced
  EXPECT_EQ(j["auths"]["127.0.0.1:5000"]["auth"], core::base64_encode("carol:pw"));
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->username, "carol");

  auto removed = store().erase("127.0.0.1:5000");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  auto again = store().erase("127.0.0.1:5000");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_TRUE(store().lookup("127.0.0.1:5000")->empty());
}

TEST_F(CredentialsTest, StoreAndEraseGoThroughTheConfiguredHelper) {
  // A keychain in a file next to the script.
  ScopedHelper helper(dir_->path(), "filestore",
                      "f=\"$(dirname \"$0\")/keychain.json\"\n"
                      "case \"$1\" in\n"
                      "  store) cat > \"$f\" ;;\n"
                      "  get) read s; [ -f \"$f\" ] || { echo 'credentials not found'; exit 1; }; "
                      "cat \"$f\" ;;\n"
                      "  erase) read s; [ -f \"$f\" ] || exit 1; rm \"$f\" ;;\n"
                      "  *) exit 3 ;;\n"
                      "esac\n");
  write_config(R"({"credsStore":"filestore","auths":{"127.0.0.1:5000":{"auth":"b2xkOm9sZA=="}}})");
  ASSERT_TRUE(store().store("127.0.0.1:5000", {"carol", "s3cret"}).ok());
  auto config = core::read_file(path("config.json"));
  ASSERT_TRUE(config.ok());
  // No secret in config.json, not even the stale one.
  EXPECT_THAT(*config, Not(HasSubstr(core::base64_encode("carol:s3cret"))));
  EXPECT_THAT(*config, Not(HasSubstr("b2xkOm9sZA==")));
  auto kept = core::read_file(path("keychain.json"));
  ASSERT_TRUE(kept.ok());
  auto j = nlohmann::json::parse(*kept);
  EXPECT_EQ(j["ServerURL"], "127.0.0.1:5000");
  EXPECT_EQ(j["Username"], "carol");
  auto c = store().lookup("127.0.0.1:5000");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->username, "carol");
  EXPECT_EQ(c->password, "s3cret");

  auto removed = store().erase("127.0.0.1:5000");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(core::path_exists(path("keychain.json")));
  auto again = store().erase("127.0.0.1:5000");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(CredentialsTest, AFailingHelperStoreIsAnErrorWithoutTheSecret) {
  ScopedHelper helper(dir_->path(), "broken", "cat >&2\nexit 4\n");
  write_config(R"({"credHelpers":{"127.0.0.1:5000":"broken"}})");
  auto s = store().store("127.0.0.1:5000", {"carol", "s3cret"});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("docker-credential-broken"));
  EXPECT_THAT(s.error().message(), Not(HasSubstr("s3cret")));
}

TEST(CredentialKeyTest, NormalisesKeys) {
  EXPECT_EQ(registry::normalize_registry_key("https://h:5000/v1/"), "h:5000");
  EXPECT_EQ(registry::normalize_registry_key("http://h"), "h");
  EXPECT_EQ(registry::normalize_registry_key("h:1"), "h:1");
}

}  // namespace
