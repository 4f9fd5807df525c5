#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "cli/command.hpp"
#include "core/result.hpp"
#include "debian/distro.hpp"
#include "debian/repository.hpp"
#include "net/fetcher.hpp"
#include "net/http.hpp"

namespace distill::cli {

// The real OS and network wired together for one command: transport,
// fetcher, cache and the Debian repository client.
struct Session {
  std::unique_ptr<net::CurlTransport> transport;
  std::unique_ptr<net::Fetcher> fetcher;
  std::unique_ptr<cache::Cache> cache;
  std::unique_ptr<debian::Repository> repo;
};

core::Result<std::unique_ptr<Session>> open_session(const GlobalOptions& global,
                                                    const std::string& distro);
// The same for a spec: its distro, and its mirrors unless flags override them.
core::Result<std::unique_ptr<Session>> open_session(const GlobalOptions& global,
                                                    const builder::Spec& spec);

// Several specs' sessions (`distill build` of several): one transport,
// fetcher and cache, and one repository per distro and mirrors, opened when
// first asked for.
class SessionPool {
 public:
  static core::Result<SessionPool> open(const GlobalOptions& global);
  core::Result<debian::Repository*> repository_for(const builder::Spec& spec);
  cache::Cache& cache() { return *base_->cache; }

 private:
  SessionPool() = default;
  GlobalOptions global_;
  std::unique_ptr<Session> base_;
  std::map<std::string, std::unique_ptr<debian::Repository>> repositories_;
};

// Shared option handling for commands that resolve packages.
struct ResolveOptions {
  std::vector<std::string> packages;
  std::string distro{debian::kDefaultDistro};
  std::vector<std::string> archs;
  std::vector<std::string> exclude;
  bool allow_shell = false;
};

void add_resolve_options(CLI::App& sub, ResolveOptions& opts, bool packages_required);
// Archs given, else the host's.
std::vector<std::string> effective_archs(const ResolveOptions& opts);

// SOURCE_DATE_EPOCH (reproducible-builds.org) sets every timestamp; without
// it, 0 keeps outputs reproducible anyway.
core::Result<int64_t> source_date_epoch();

}  // namespace distill::cli
