#pragma once

#include <istream>
#include <string>

#include "core/result.hpp"
#include "registry/credentials.hpp"
#include "registry/remote.hpp"

namespace distill::registry {

// What `distill login` is given (docs/registry.md).
struct LoginRequest {
  std::string registry;  // HOST[:PORT]
  std::string username;
  bool password_stdin = false;  // the only way a password is accepted
};

// An error unless `name` is a registry host (HOST[:PORT], no path).
core::Status check_registry_host(const std::string& name);

// `distill login`: checks the request, reads the password's line from
// `password_in`, checks the credential against the registry and stores it.
core::Status login(const LoginRequest& request, std::istream& password_in,
                   const RemoteOptions& options, const CredentialStore& store);

// `distill logout`: false when there were no credentials to remove.
core::Result<bool> logout(const std::string& registry, const CredentialStore& store);

}  // namespace distill::registry
