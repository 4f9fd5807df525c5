#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "runtime/root_cache.hpp"

namespace distill::cli {

Command cache_command() {
  return {"cache", "Manage distill's cache (prune: the unpacked layers no container uses)",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            sub.require_subcommand(1);
            sub.add_subcommand("prune",
                               "Remove the layers run, test and probe keep unpacked, except "
                               "those of running containers");
            return []() -> core::Status {
              // Where run, test and probe keep them (not --cache-dir, which they ignore).
              DISTILL_ASSIGN(auto pruned,
                             runtime::prune_root_cache(runtime::RootCache::default_root()));
              std::fputs(fmt::format("removed {} unpacked layers, kept {} in use\n", pruned.removed,
                                     pruned.kept)
                             .c_str(),
                         stdout);
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
