#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/process.hpp"
#include "registry/credentials.hpp"
#include "registry/reference.hpp"
#include "registry/remote.hpp"

namespace distill::cli {
namespace {

struct LoginArgs {
  std::string registry;
  std::string username;
  bool password_stdin = false;
  transport::CopyOptions options;
};

core::Status check_registry_name(const std::string& name) {
  if (!registry::looks_like_reference(name + "/x") || name.find('/') != std::string::npos)
    return core::make_error(name, "is not a registry host", "write HOST[:PORT]");
  return core::Status::Ok();
}

core::Status login(const GlobalOptions& g, const LoginArgs& a) {
  DISTILL_TRY(check_registry_name(a.registry));
  if (a.username.empty()) return core::make_error("login", "no user name", "give -u USER");
  if (!a.password_stdin)
    return core::make_error("login", "no password",
                            "pipe it in with --password-stdin (never on the command line)");
  std::string password;
  std::getline(std::cin, password);
  if (password.empty()) return core::make_error("login", "empty password on stdin");
  registry::Credential credential{a.username, password};
  DISTILL_ASSIGN(auto remote,
                 registry::Remote::connect(a.registry, a.options.write.remote, &credential));
  DISTILL_TRY(remote->client().check_login());
  registry::CredentialStore store(registry::CredentialStore::default_dir(),
                                  core::system_process_runner());
  DISTILL_TRY(store.store(a.registry, credential));
  if (!g.quiet) std::fprintf(stderr, "distill: logged in to %s\n", a.registry.c_str());
  return core::Status::Ok();
}

}  // namespace

Command login_command() {
  return {"login", "Store credentials for a registry in the docker config.json",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<LoginArgs>();
            sub.add_option("REGISTRY", a->registry, "HOST[:PORT]")->required();
            sub.add_option("-u,--username", a->username, "User name");
            sub.add_flag("--password-stdin", a->password_stdin, "Read the password from stdin");
            add_copy_options(sub, a->options);
            return [&g, a]() -> core::Status { return login(g, *a); };
          }};
}

Command logout_command() {
  return {"logout", "Remove a registry's credentials from the docker config.json",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto name = std::make_shared<std::string>();
            sub.add_option("REGISTRY", *name, "HOST[:PORT]")->required();
            return [&g, name]() -> core::Status {
              DISTILL_TRY(check_registry_name(*name));
              registry::CredentialStore store(registry::CredentialStore::default_dir(),
                                              core::system_process_runner());
              DISTILL_ASSIGN(bool removed, store.erase(*name));
              if (!g.quiet)
                std::fprintf(stderr, "distill: %s %s\n",
                             removed ? "removed the credentials for" : "was not logged in to",
                             name->c_str());
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
