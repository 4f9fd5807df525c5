#include "registry/login.hpp"

#include "registry/reference.hpp"

namespace distill::registry {

core::Status check_registry_host(const std::string& name) {
  if (!looks_like_reference(name + "/x") || name.find('/') != std::string::npos)
    return core::make_error(name, "is not a registry host", "write HOST[:PORT]");
  return core::Status::Ok();
}

core::Status login(const LoginRequest& a, std::istream& password_in, const RemoteOptions& options,
                   const CredentialStore& store) {
  DISTILL_TRY(check_registry_host(a.registry));
  if (a.username.empty()) return core::make_error("login", "no user name", "give -u USER");
  if (!a.password_stdin)
    return core::make_error("login", "no password",
                            "pipe it in with --password-stdin (never on the command line)");
  std::string password;
  std::getline(password_in, password);
  if (password.empty()) return core::make_error("login", "empty password on stdin");
  Credential credential{a.username, password};
  DISTILL_ASSIGN(auto remote, Remote::connect(a.registry, options, &credential));
  DISTILL_TRY(remote->client().check_login());
  return store.store(a.registry, credential);
}

core::Result<bool> logout(const std::string& registry, const CredentialStore& store) {
  DISTILL_TRY(check_registry_host(registry));
  return store.erase(registry);
}

}  // namespace distill::registry
