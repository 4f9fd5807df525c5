#include "cli/session.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "core/clock.hpp"
#include "core/process.hpp"
#include "core/time.hpp"
#include "debian/apt_sources.hpp"
#include "debian/distro.hpp"
#include "debian/solve.hpp"

namespace distill::cli {
namespace {

core::Result<debian::Mirrors> choose_mirrors(const GlobalOptions& g) {
  if (!g.mirror.empty()) return debian::mirrors_from_flag(g.mirror, g.security_mirror);
  DISTILL_ASSIGN(debian::Mirrors m, debian::host_mirrors());
  if (!g.security_mirror.empty()) m = debian::mirrors_from_flag(m.archive, g.security_mirror);
  return m;
}

core::Result<debian::RepositoryConfig> repository_config(const GlobalOptions& g,
                                                         const std::string& distro_name) {
  debian::RepositoryConfig config;
  DISTILL_ASSIGN(config.distro, debian::find_distro(distro_name));
  DISTILL_ASSIGN(config.mirrors, choose_mirrors(g));
  config.keyring = g.keyring;
  config.offline = g.offline;
  config.components = g.components;
  config.progress = !g.quiet;
  return config;
}

// The spec's mirrors unless flags name others.
GlobalOptions with_spec_mirrors(const GlobalOptions& g, const builder::Spec& spec) {
  GlobalOptions effective = g;
  if (effective.mirror.empty()) effective.mirror = spec.mirror;
  if (effective.security_mirror.empty()) effective.security_mirror = spec.security_mirror;
  return effective;
}

// Transport, fetcher and cache, without a repository.
core::Result<std::unique_ptr<Session>> open_base(const GlobalOptions& g) {
  auto s = std::make_unique<Session>();
  s->transport = std::make_unique<net::CurlTransport>();
  s->fetcher = std::make_unique<net::Fetcher>(*s->transport, core::system_clock());
  std::string root = g.cache_dir.empty() ? cache::Cache::default_root() : g.cache_dir;
  DISTILL_ASSIGN(cache::Cache cache, cache::Cache::open(root));
  s->cache = std::make_unique<cache::Cache>(std::move(cache));
  return s;
}

}  // namespace

core::Result<std::unique_ptr<Session>> open_session(const GlobalOptions& g,
                                                    const std::string& distro_name) {
  DISTILL_ASSIGN(debian::RepositoryConfig config, repository_config(g, distro_name));
  DISTILL_ASSIGN(auto s, open_base(g));
  s->repo = std::make_unique<debian::Repository>(
      config, *s->fetcher, *s->cache, core::system_process_runner(), core::system_clock());
  return s;
}

core::Result<std::unique_ptr<Session>> open_session(const GlobalOptions& g,
                                                    const builder::Spec& spec) {
  return open_session(with_spec_mirrors(g, spec), spec.distro);
}

core::Result<SessionPool> SessionPool::open(const GlobalOptions& g) {
  SessionPool pool;
  pool.global_ = g;
  DISTILL_ASSIGN(pool.base_, open_base(g));
  return pool;
}

core::Result<debian::Repository*> SessionPool::repository_for(const builder::Spec& spec) {
  DISTILL_ASSIGN(debian::RepositoryConfig config,
                 repository_config(with_spec_mirrors(global_, spec), spec.distro));
  std::string key =
      config.distro.id + "\n" + config.mirrors.archive + "\n" + config.mirrors.security;
  auto& repo = repositories_[key];
  if (!repo)
    repo =
        std::make_unique<debian::Repository>(config, *base_->fetcher, *base_->cache,
                                             core::system_process_runner(), core::system_clock());
  return repo.get();
}

void add_resolve_options(CLI::App& sub, ResolveOptions& o, bool packages_required) {
  auto* pkgs = sub.add_option("packages", o.packages, "Debian packages to install");
  if (packages_required) pkgs->required();
  sub.add_option("--distro", o.distro, debian::distro_choices())->capture_default_str();
  sub.add_option("--arch", o.archs, "Architectures, comma-separated (default: the host's)")
      ->delimiter(',');
  sub.add_option("--exclude", o.exclude, "Leave out this package and every edge to it")
      ->delimiter(',');
  sub.add_flag("--allow-shell", o.allow_shell, "Permit naming a shell package explicitly");
}

std::vector<std::string> effective_archs(const ResolveOptions& o) {
  if (!o.archs.empty()) return o.archs;
  return {debian::host_arch()};
}

core::Result<int64_t> source_date_epoch() {
  DISTILL_ASSIGN(std::optional<int64_t> epoch, core::source_date_epoch());
  return epoch.value_or(0);
}

}  // namespace distill::cli
