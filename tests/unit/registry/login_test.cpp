#include "registry/login.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "core/process.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using namespace distill::registry;

namespace {

class LoginTest : public distill::test_support::TempFolderTest {};

TEST(RegistryHost, IsHostAndPortOnly) {
  EXPECT_TRUE(check_registry_host("registry.example:5000").ok());
  EXPECT_TRUE(check_registry_host("localhost:5000").ok());
  EXPECT_FALSE(check_registry_host("registry.example/repo").ok());
  EXPECT_FALSE(check_registry_host("not a host").ok());
}

TEST_F(LoginTest, RefusesBeforeConnecting) {
  CredentialStore store(dir_->path(), core::system_process_runner());
  std::istringstream in("secret\n");
  LoginRequest r{"localhost:1", "", true};
  EXPECT_EQ(login(r, in, {}, store).error().what, "no user name");
  r.username = "me";
  r.password_stdin = false;
  EXPECT_EQ(login(r, in, {}, store).error().what, "no password");
  r.password_stdin = true;
  std::istringstream empty("\n");
  EXPECT_EQ(login(r, empty, {}, store).error().what, "empty password on stdin");
}

TEST_F(LoginTest, LogoutWithoutCredentialsRemovesNothing) {
  CredentialStore store(dir_->path(), core::system_process_runner());
  auto removed = logout("localhost:5000", store);
  ASSERT_TRUE(removed.ok()) << removed.error().message();
  EXPECT_FALSE(*removed);
  EXPECT_FALSE(logout("a/b", store).ok());
}

}  // namespace
