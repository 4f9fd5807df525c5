#include <cstdio>

#include "builder/build_batch.hpp"
#include "builder/build_request.hpp"
#include "builder/pipeline_printer.hpp"
#include "cli/commands_list.hpp"
#include "cli/key_flags.hpp"
#include "cli/session.hpp"
#include "cli/transport_flags.hpp"

namespace distill::cli {

Command build_command() {
  return {
      "build", "Build a distroless image from a distill.yaml spec",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<builder::BuildRequest>();
        auto key = std::make_shared<SigningKeyFlags>();
        sub.add_option("-f,--file", a->spec_paths,
                       "Spec file (default distill.yaml), or a folder of specs; repeat to "
                       "build several images in one process");
        sub.add_option("-o,--output", a->output,
                       "Output: OCI layout folder (default ./image) or docker-archive tar "
                       "(default ./image.tar); with several specs a folder (default ./images) "
                       "holding one per spec");
        sub.add_option("--format", a->format, "oci or docker")->capture_default_str();
        sub.add_option("--arch", a->archs, "Architectures, comma-separated (default: the spec's)")
            ->delimiter(',');
        sub.add_option("-t,--tag", a->tags, "NAME:TAG to record (repeatable)");
        sub.add_option("--compression", a->compression, "gzip or zstd")->capture_default_str();
        sub.add_option("--lock", a->lock_path,
                       "Build exactly the packages this lockfile pins (distill lock -f)");
        sub.add_flag("--no-cache", a->no_cache,
                     "Resolve again and rebuild every layer instead of reusing cached ones");
        sub.add_option("--cache-repo", a->cache_repo,
                       "Also keep layers and resolutions in this registry repository, "
                       "HOST[:PORT]/REPO, and take them from it on a local miss (docs/cache.md)");
        sub.add_flag("--allow-outside", a->allow_outside,
                     "Let the spec's files come from outside its folder (docs/spec.md)");
        sub.add_flag("--sbom", a->sbom,
                     "Also write an SBOM beside the image and attach it to pushed images "
                     "(docs/sbom.md)");
        sub.add_option("--sbom-format", a->sbom_format, "spdx-json or cyclonedx-json")
            ->capture_default_str();
        sub.add_option("--push", a->push, "Push the image to HOST[:PORT]/REPO[:TAG] (repeatable)");
        add_copy_options(sub, a->push_options);
        add_build_signing_key_options(sub, *key);
        sub.add_option("--report", a->report_path,
                       "Write the build report, maintainer-script steps included, as JSON "
                       "(docs/effects.md)");
        sub.add_flag("--debug", a->debug,
                     "Build the spec's debug variant (busybox under /busybox) on debug tags: "
                     "app:1 becomes app:1-debug, app:latest app:debug");
        sub.add_flag("-v,--verbose", a->verbose,
                     "Show every maintainer-script step: reproduced, no effect or unhandled");
        return [&g, a, key]() -> core::Status {
          a->sign_key = key->key;
          a->passphrase_file = key->passphrase_file;
          a->push_options.write.progress = !g.quiet;
          DISTILL_ASSIGN(std::vector<builder::BuildPlan> plans, builder::plan_builds(*a));
          if (plans.size() > 1) {
            DISTILL_ASSIGN(SessionPool pool, SessionPool::open(g));
            builder::PipelinePrinter printer(stdout, stderr, g.quiet, plans.front().options,
                                             a->verbose);
            auto repository_for = [&pool](const builder::Spec& spec) {
              return pool.repository_for(spec);
            };
            DISTILL_TRY(builder::build_and_ship_all(plans, repository_for, pool.cache(), &printer));
            return core::Status::Ok();
          }
          const builder::BuildPlan& plan = plans.front();
          DISTILL_ASSIGN(auto session, open_session(g, plan.spec));
          builder::PipelinePrinter printer(stdout, stderr, g.quiet, plan.options, a->verbose);
          DISTILL_TRY(builder::build_and_ship(plan.spec, plan.options, plan.ship, *session->repo,
                                              *session->cache, &printer));
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
