#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "effects/effects_report.hpp"
#include "effects/java_truststore.hpp"
#include "effects/python_bytecode.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

// One installed package's maintainer scripts, as read from its .deb.
struct PackageScripts {
  std::string name;
  std::vector<std::string> scripts;         // preinst, postinst, ..., triggers
  std::map<std::string, std::string> text;  // those that are regular files
};

struct EffectsOptions {
  std::string arch;                    // Debian architecture of the image
  std::set<std::string> acknowledged;  // packages whose unhandled steps the spec accepts
  bool python_bytecode = true;         // the spec's python_bytecode
  std::string work_parent;             // where a sandbox folder may be made (the cache)
  int64_t mtime = 0;                   // SOURCE_DATE_EPOCH, for generated files
  // Every CA certificate of the image (the ca-certificates package's, then
  // the spec's), for the Java truststore.
  std::vector<TrustedCert> java_certs;
  // Compiled .pyc kept between builds (effects::BytecodeStore); nullptr: none.
  BytecodeStore* bytecode_store = nullptr;
};

// What dpkg would have done when configuring `packages` on a fresh system,
// done to `tree` without running anything: each package's preinst (install)
// and postinst (configure) is read (shell_reader), in install order, and each
// command reproduced, known to have no effect, or reported; then the effects
// made once for the whole image: accounts, alternatives, diversions and
// stat overrides, ld.so.cache, the Java truststore and Python bytecode.
// docs/effects.md lists what is reproduced.
core::Result<EffectsReport> apply_maintainer_effects(Tree& tree,
                                                     const std::vector<PackageScripts>& packages,
                                                     const EffectsOptions& options);

}  // namespace distill::effects
