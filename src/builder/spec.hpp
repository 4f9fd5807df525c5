#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "debian/distro.hpp"
#include "effects/accounts.hpp"
#include "verify/finding_ignore.hpp"

namespace distill::builder {

// A host file or folder copied into the image (docs/spec.md, `files`).
struct FileSpec {
  std::string src;               // as written, relative to the spec's folder
  std::string src_path;          // resolved host path
  std::string dst;               // absolute path in the image
  std::optional<uint32_t> mode;  // permission bits; default: keep the host's x bit
  uint32_t uid = 0;
  uint32_t gid = 0;
  // A folder's `exclude`: .dockerignore patterns relative to src, each checked.
  std::vector<std::string> exclude;
  int line = 0;
};

// The image's user: a name from the generated /etc/passwd or numeric ids.
struct UserSpec {
  std::string text = "nonroot";
  uint32_t uid = 65532;
  uint32_t gid = 65532;
};

// `accounts`: users and groups beyond root, nonroot and nobody (apko's form).
struct AccountsSpec {
  std::vector<effects::Group> groups;
  std::vector<effects::Account> users;  // shell: nologin unless the image is a debug one
  std::string run_as;                   // the image's user, when set
};

// `elf_check`: findings of the build's ELF check the user acknowledges
// (docs/elf-check.md): listed as acknowledged, not fatal.
struct ElfCheckSpec {
  std::vector<verify::FindingIgnore> ignore;
};

// `layering`: how the packages are cut into layers (docs/spec.md#layering).
// origin: one layer per preset level below the image's own, the largest
// Debian source packages on their own, the rest together, then the image's
// generated files; single: one layer for all of it.
enum class LayeringStrategy { kOrigin, kSingle };
inline constexpr uint32_t kMaxOsLayers = 100;

struct LayeringSpec {
  LayeringStrategy strategy = LayeringStrategy::kOrigin;
  uint32_t max_layers = 10;  // package layers, the image's own layer not counted
};

// `healthcheck`: how a runtime judges the container (docs/spec.md). The
// http and tcp forms run distill's static checker, which the build adds to
// the image at kHealthcheckProgram; exec runs a program of the image.
enum class HealthKind { kHttp, kTcp, kExec };

struct HealthcheckSpec {
  HealthKind kind = HealthKind::kHttp;
  std::string target;             // http: the URL; tcp: HOST:PORT, both normalised
  std::vector<std::string> exec;  // exec: the argv
  // Docker's defaults, in nanoseconds.
  int64_t interval = 30'000'000'000;
  int64_t timeout = 30'000'000'000;
  int64_t start_period = 0;
  int64_t retries = 3;
  int line = 0;
};

// Where the build puts the checker of the http and tcp forms (root-owned, 0755).
inline constexpr const char* kHealthcheckProgram = "/usr/libexec/distill/healthcheck";

// distill.yaml, validated. Field meanings and defaults: docs/spec.md.
struct Spec {
  std::string path;      // the spec file, for messages
  std::string base_dir;  // folder that relative `src` paths start from
  std::string distro{debian::kDefaultDistro};
  std::vector<std::string> archs;  // empty: the host's
  std::string base = "base";
  std::vector<std::string> packages;
  std::vector<std::string> exclude;
  bool debug = false;
  bool keep_docs = false;
  bool allow_shells = false;
  std::vector<FileSpec> files;
  std::vector<std::string> ca_certificates;  // resolved host paths
  UserSpec user;
  AccountsSpec accounts;
  // Packages whose unhandled maintainer-script steps the user accepts (docs/effects.md).
  std::vector<std::string> acknowledge_scripts;
  // Compile the image's Python modules to hash-based .pyc (docs/effects.md).
  bool python_bytecode = true;
  ElfCheckSpec elf_check;
  LayeringSpec layering;
  std::string workdir;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  int entrypoint_line = 0;  // where `entrypoint` and `cmd` are written, for the entrypoint check
  int cmd_line = 0;
  std::map<std::string, std::string> env;
  std::vector<std::string> ports;  // normalised "8080/tcp"
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string mirror;
  std::string security_mirror;
  std::optional<HealthcheckSpec> healthcheck;
};

// Reads and validates a spec. Errors carry "<file>:<line>", what was expected
// and, for a misspelled key, a did-you-mean hint.
// Whether `arch` is an architecture distill builds, by Debian's name; the
// error suggests Debian's name for x86_64, aarch64 and the like. `field`
// names the spec key or flag it came from.
core::Status check_arch_name(const std::string& where, std::string_view field,
                             const std::string& arch);

core::Result<Spec> load_spec(const std::string& path);
core::Result<Spec> parse_spec(std::string_view yaml, const std::string& path,
                              const std::string& base_dir);

// "root", "nonroot", "nobody" or "UID[:GID]".
core::Result<UserSpec> parse_user(std::string_view text);

}  // namespace distill::builder
