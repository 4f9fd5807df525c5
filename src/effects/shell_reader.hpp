#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace distill::effects {

// A condition the reader could decide, or not.
enum class Tri { kTrue, kFalse, kUnknown };

// One command a maintainer script would run on a fresh install.
struct Invocation {
  std::vector<std::string> argv;  // after expansion; a word that could not be known is "?"
  bool complete = true;           // every word known
  bool certain = true;            // reached on every fresh install: no undecided condition
  int line = 0;
  std::vector<std::string> writes;  // files its redirections write ("?" when unknown)
  std::string heredoc;              // the here-document it reads, if any
  bool in_substitution = false;     // runs inside $(...) or `...`: its output is read
};

// What the reader may ask about the system the script would run on. Every
// hook is optional: without one, the answer is unknown.
struct ShellContext {
  std::vector<std::string> args;           // $1, $2, ...: "configure", "" on a fresh install
  std::map<std::string, std::string> env;  // DPKG_MAINTSCRIPT_ARCH, DPKG_ROOT, ...
  // The type of an absolute path in the image: 'f', 'd', 'l' (when !follow), 0 for missing.
  std::function<char(std::string_view path, bool follow)> file_type;
  std::function<bool(std::string_view path)> executable;
  // Sorted matches of an absolute glob pattern in the image.
  std::function<std::vector<std::string>(std::string_view pattern)> glob;
  // The exit status of a command the reader does not know itself.
  std::function<Tri(const Invocation&)> status;
  // The output of a command inside $(...), when it is known without running it.
  std::function<std::optional<std::string>(const std::vector<std::string>& argv)> output;
};

struct ShellReading {
  std::vector<Invocation> invocations;  // in the order the script would run them
  // Non-empty when the text uses syntax the reader does not know: nothing
  // of it is then taken as understood.
  std::string error;
};

// Reads a POSIX shell script the way it would run, without running
// anything: variables, functions, if/case/for/while, && and ||, tests on
// files (answered by `ctx`) and redirections are followed; commands are
// recorded instead of run. Where a condition cannot be decided, both ways
// are read and what follows is marked uncertain, except that a branch which
// ends in `exit` with a failure status is taken as not run: the reading
// models an install that succeeded.
ShellReading read_shell(std::string_view script, const ShellContext& ctx);

}  // namespace distill::effects
