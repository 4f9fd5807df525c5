#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "effects/accounts.hpp"
#include "effects/alternatives.hpp"
#include "effects/effects_report.hpp"
#include "effects/shell_reader.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

// What the scripts asked for that is made once, after every script was read:
// the caches and stores the image-wide effects write.
struct WantedEffects {
  AlternativesTable alternatives;
  bool ldconfig = false;
  bool iconvconfig = false;
  bool python_bytecode = false;
  bool ca_bundle = false;
  bool java_truststore = false;
  std::vector<std::string> diversions;     // var/lib/dpkg/diversions, three lines each
  std::vector<std::string> statoverrides;  // var/lib/dpkg/statoverride lines
};

// The commands a maintainer script runs, each either reproduced on the tree,
// known to have no effect in an image, or reported. Also answers the shell
// reader's questions (exit statuses, command output, files) from the tree.
class ScriptCommands {
 public:
  ScriptCommands(Tree& tree, AccountTable& accounts, WantedEffects& wanted, std::string arch);

  // Applies one command of `package`'s script; `inv` as the reader gave it.
  ScriptStep apply(const Invocation& inv, std::string_view script);

  // A ShellContext for `script` ("preinst": install, "postinst": configure)
  // of `package`, whose questions this object answers.
  ShellContext context(std::string_view package, std::string_view script) const;

 private:
  struct Outcome {
    StepOutcome outcome;
    std::string note;
  };
  Outcome run(const std::vector<std::string>& argv, const Invocation& inv);
  Outcome write_redirect(const Invocation& inv);
  Outcome file_command(const std::string& cmd, const std::vector<std::string>& args);
  Outcome mkdir(const std::vector<std::string>& args, bool install_d);
  Outcome chmod_chown(const std::string& cmd, const std::vector<std::string>& args);
  Outcome ln(const std::vector<std::string>& args);
  Outcome rm(const std::vector<std::string>& args, bool rmdir);
  Outcome cp_mv(const std::string& cmd, const std::vector<std::string>& args);
  Outcome touch(const std::vector<std::string>& args);
  Outcome adduser(const std::string& cmd, const std::vector<std::string>& args);
  Outcome useradd(const std::string& cmd, const std::vector<std::string>& args);
  Outcome divert(const std::vector<std::string>& args);
  Outcome statoverride(const std::vector<std::string>& args);
  Outcome alternatives(const std::vector<std::string>& args);

  Tri status(const Invocation& inv) const;
  std::optional<std::string> output(const std::vector<std::string>& argv) const;
  char file_type(std::string_view path, bool follow) const;

  Tree& tree_;
  AccountTable& accounts_;
  WantedEffects& wanted_;
  std::string arch_;
};

// Whether a command changes nothing an image holds: it reads, prints, talks
// to services or debconf, or acts on upgrades only. Exposed for the docs'
// table and the tests.
bool has_no_effect(const std::vector<std::string>& argv);

}  // namespace distill::effects
