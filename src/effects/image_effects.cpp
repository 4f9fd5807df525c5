#include "effects/image_effects.hpp"

#include <fmt/format.h>

#include "effects/java_truststore.hpp"
#include "effects/ld_cache.hpp"
#include "effects/python_bytecode.hpp"

namespace distill::effects {
namespace {

// glibc's dynamic loader reads etc/ld.so.cache; an image without it (static
// only) needs none, whatever the triggers say.
bool has_glibc(const Tree& tree) {
  for (const char* loader : {"usr/lib64/ld-linux-x86-64.so.2", "usr/lib/ld-linux-aarch64.so.1",
                             "usr/lib/ld-linux-armhf.so.3", "usr/lib/ld-linux.so.2",
                             "usr/lib64/ld64.so.2", "usr/lib/ld64.so.1"})
    if (tree.find_resolved(loader)) return true;
  bool found = false;
  tree.for_each_under("usr/lib", [&found](const oci::FsEntry& e) {
    if (!found && e.path.ends_with("/libc.so.6")) found = true;
  });
  return found;
}

bool has_jre(const Tree& tree) {
  bool found = false;
  tree.for_each_under("usr/lib/jvm", [&found](const oci::FsEntry& e) {
    if (!found && e.path.ends_with("/lib/security/cacerts")) found = true;
  });
  return found;
}

bool has_python(const Tree& tree) {
  for (const auto& name : tree.children("usr/bin"))
    if (name.starts_with("python3.")) return true;
  return false;
}

// glibc ships gconv-modules.cache built from its own modules; iconvconfig
// only needs to run again when another package adds modules.
std::string gconv_note(const Tree& tree) {
  bool cache = false, extra = false;
  tree.for_each_under("usr/lib", [&](const oci::FsEntry& e) {
    if (e.path.ends_with("/gconv/gconv-modules.cache")) cache = true;
    if (e.path.find("/gconv/gconv-modules.d/") != std::string::npos &&
        !e.path.ends_with("/gconv-modules-extra.conf") && e.type == oci::EntryType::kRegular)
      extra = true;
  });
  if (!cache) return "gconv-modules.cache: none in the image (iconv reads the module list)";
  if (extra) return "gconv-modules.cache: modules beyond glibc's are listed but not cached";
  return "gconv-modules.cache: glibc's own cache is current";
}

core::Status bytecode(Tree& tree, const EffectsOptions& options, EffectsReport& report) {
  if (!has_python(tree)) return core::Status::Ok();
  if (!options.python_bytecode) {
    report.skipped.push_back("python bytecode: turned off (python_bytecode: false)");
    return core::Status::Ok();
  }
  BytecodeOptions bo;
  bo.arch = options.arch;
  bo.work_parent = options.work_parent;
  bo.mtime = options.mtime;
  bo.store = options.bytecode_store;
  auto compiled = compile_python(tree, bo);
  if (!compiled.ok()) {
    // The image stays valid without .pyc; the build says why it has none.
    report.skipped.push_back("python bytecode: " + compiled.error().message());
    return core::Status::Ok();
  }
  const BytecodeResult& r = *compiled;
  if (!r.skipped.empty())
    report.skipped.push_back("python bytecode: " + r.skipped + " (the image has no .pyc)");
  else if (r.ran)
    report.applied.push_back(fmt::format("python bytecode: {} .pyc files ({} sources refused){}",
                                         r.compiled, r.failed,
                                         r.from_store ? ", from the cache" : ""));
  return core::Status::Ok();
}

}  // namespace

core::Status apply_image_effects(Tree& tree, const WantedEffects& wanted,
                                 const EffectsOptions& options, EffectsReport& report) {
  if (has_glibc(tree)) {
    DISTILL_ASSIGN(size_t n, add_ld_cache(tree, options.arch));
    report.applied.push_back(fmt::format("ld.so.cache: {} libraries", n));
  }
  if (wanted.iconvconfig) report.applied.push_back(gconv_note(tree));
  if ((wanted.java_truststore || has_jre(tree)) && !options.java_certs.empty()) {
    DISTILL_TRY(add_java_truststore(tree, options.java_certs, options.mtime));
    report.applied.push_back(
        fmt::format("java truststore: {} certificates", options.java_certs.size()));
  }
  DISTILL_TRY(bytecode(tree, options, report));
  return core::Status::Ok();
}

}  // namespace distill::effects
