#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/process.hpp"
#include "registry/credentials.hpp"
#include "registry/login.hpp"

namespace distill::cli {
namespace {

struct LoginArgs {
  registry::LoginRequest request;
  transport::CopyOptions options;
};

registry::CredentialStore credential_store() {
  return registry::CredentialStore(registry::CredentialStore::default_dir(),
                                   core::system_process_runner());
}

}  // namespace

Command login_command() {
  return {
      "login", "Store credentials for a registry in the docker config.json",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<LoginArgs>();
        sub.add_option("REGISTRY", a->request.registry, "HOST[:PORT]")->required();
        sub.add_option("-u,--username", a->request.username, "User name");
        sub.add_flag("--password-stdin", a->request.password_stdin, "Read the password from stdin");
        add_copy_options(sub, a->options);
        return [&g, a]() -> core::Status {
          DISTILL_TRY(
              registry::login(a->request, std::cin, a->options.write.remote, credential_store()));
          if (!g.quiet)
            std::fprintf(stderr, "distill: logged in to %s\n", a->request.registry.c_str());
          return core::Status::Ok();
        };
      }};
}

Command logout_command() {
  return {"logout", "Remove a registry's credentials from the docker config.json",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto name = std::make_shared<std::string>();
            sub.add_option("REGISTRY", *name, "HOST[:PORT]")->required();
            return [&g, name]() -> core::Status {
              DISTILL_ASSIGN(bool removed, registry::logout(*name, credential_store()));
              if (!g.quiet)
                std::fprintf(stderr, "distill: %s %s\n",
                             removed ? "removed the credentials for" : "was not logged in to",
                             name->c_str());
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
