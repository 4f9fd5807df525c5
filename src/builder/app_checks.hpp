#pragma once

#include <string>
#include <vector>

#include "builder/arch_plan.hpp"
#include "builder/build_observer.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "oci/image.hpp"

namespace distill::builder {

// The entrypoint check (docs/app-dependencies.md): entrypoint[0], or cmd[0]
// when there is no entrypoint, must lead through the image's PATH to a file
// the image's user may execute, in the built image (packages and files); so
// must an exec healthcheck's program. The error names the spec line. The
// result tells of the entrypoint (kNone without entrypoint and cmd).
//
// The check reads every layer back, most of an app-only rebuild's time, yet
// its answer depends on nothing but the entries' metadata. So with a
// `memo.cache`, a success is remembered under the package layers' diff_ids
// (the first `memo.os_layers` of the image), the app files' metadata
// (`memo.app_shape`, from app_layer: paths, types, modes, owners and link
// targets, not content) and the query; an app change that keeps the
// metadata is not read again. A failure is never remembered. Like the
// bytecode store, it serves --no-cache builds too: the key holds the diff_ids
// of the layers as this build made them, so it names exactly what decides
// the answer.
struct EntrypointMemo {
  cache::Cache* cache = nullptr;
  size_t os_layers = 0;
  std::string app_shape;
};
enum class EntrypointCheck { kNone, kChecked, kRemembered };
core::Result<EntrypointCheck> check_entrypoint(const Spec& spec, const oci::Image& image,
                                               const EntrypointMemo& memo = {});

// The Python extension check (docs/app-dependencies.md): the extension
// modules and wheel tags among the files the spec adds, against the image's
// python3.X, architecture and glibc. Each problem goes to the observer
// before the build fails; what was not checked goes to `notes`.
core::Status check_app_python(const Spec& spec, const PlannedArch& plan, BuildObserver& observer,
                              std::vector<std::string>& notes);

}  // namespace distill::builder
