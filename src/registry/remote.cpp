#include "registry/remote.hpp"

#include "core/clock.hpp"
#include "core/file_util.hpp"
#include "core/process.hpp"
#include "registry/credentials.hpp"
#include "registry/reference.hpp"

namespace distill::registry {

core::Result<std::unique_ptr<Remote>> Remote::connect(const std::string& registry,
                                                      const RemoteOptions& options,
                                                      const Credential* given) {
  if (!options.ca_file.empty() && !core::path_exists(options.ca_file))
    return core::make_error(options.ca_file, "no such CA certificate file", "check --ca-cert");
  std::unique_ptr<Remote> r(new Remote());
  net::CurlOptions curl;
  curl.ca_file = options.ca_file;
  curl.verify_tls = !options.insecure;
  r->transport_ = std::make_unique<net::CurlTransport>(curl);
  CredentialStore store(
      options.config_dir.empty() ? CredentialStore::default_dir() : options.config_dir,
      core::system_process_runner());
  Credential credential;
  if (given) {
    credential = *given;
  } else {
    DISTILL_ASSIGN(credential, store.lookup(registry));
  }
  ClientOptions client;
  client.allow_http = options.insecure || is_loopback(registry);
  client.chunk_size = options.chunk_size;
  r->client_ = std::make_unique<Client>(*r->transport_, core::system_clock(), registry,
                                        std::move(credential), client);
  DISTILL_TRY(r->client_->ping());
  return r;
}

}  // namespace distill::registry
