#pragma once

#include <string>

#include "core/process.hpp"
#include "core/result.hpp"
#include "registry/auth.hpp"

namespace distill::registry {

// The docker CLI's credential configuration, which podman, skopeo and crane
// also read: <dir>/config.json with
//   "auths":       {"HOST": {"auth": base64("user:password")}}
//   "credHelpers": {"HOST": "NAME"}  and  "credsStore": "NAME"
// where NAME is a `docker-credential-NAME` program answering `get` with
// {"Username": ..., "Secret": ...} for the server name on stdin.
class CredentialStore {
 public:
  CredentialStore(std::string dir, core::ProcessRunner& runner)
      : dir_(std::move(dir)), runner_(runner) {}
  // $DOCKER_CONFIG, else $HOME/.docker.
  static std::string default_dir();

  const std::string& dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/config.json"; }

  // An empty Credential when nothing is configured for `registry`.
  core::Result<Credential> lookup(const std::string& registry) const;
  // Hands the credential to the helper config.json names for `registry`
  // (`docker-credential-NAME store`), else writes the "auths" entry
  // (config.json mode 0600, written atomically, other keys kept).
  core::Status store(const std::string& registry, const Credential& credential) const;
  // Removes the "auths" entry and asks the helper, if any, to erase its
  // copy; false when neither had one.
  core::Result<bool> erase(const std::string& registry) const;

 private:
  core::Result<std::string> helper_path(const std::string& helper) const;
  core::Result<Credential> from_helper(const std::string& helper,
                                       const std::string& registry) const;
  std::string dir_;
  core::ProcessRunner& runner_;
};

// "https://host:5000/v1/" -> "host:5000": config.json keys come in both forms.
std::string normalize_registry_key(std::string_view key);

}  // namespace distill::registry
