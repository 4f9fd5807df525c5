#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "net/http.hpp"
#include "registry/client.hpp"

namespace distill::registry {

// What the command line says about reaching registries.
struct RemoteOptions {
  bool insecure = false;   // plain HTTP and unverified TLS allowed for any host
  std::string ca_file;     // extra CA bundle (--ca-cert)
  std::string config_dir;  // docker config folder; empty: CredentialStore::default_dir()
  int64_t chunk_size = 0;  // see ClientOptions
};

// The libcurl transport, credentials and a pinged Client for one registry.
class Remote {
 public:
  // Credentials from the docker config unless `credential` is given (login).
  static core::Result<std::unique_ptr<Remote>> connect(const std::string& registry,
                                                       const RemoteOptions& options,
                                                       const Credential* credential = nullptr);
  Client& client() { return *client_; }

 private:
  Remote() = default;
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<Client> client_;
};

}  // namespace distill::registry
