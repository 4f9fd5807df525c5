#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.hpp"

namespace distill::core {

struct ProcessResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs helper programs (gpgv, ...) without a shell. Behind an interface so
// that tests can script the answers.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Fails only when the program cannot be started; a non-zero exit is a
  // ProcessResult for the caller to judge.
  virtual Result<ProcessResult> run(const std::vector<std::string>& argv,
                                    const std::string& stdin_data = {}) = 0;
};

class SystemProcessRunner : public ProcessRunner {
 public:
  Result<ProcessResult> run(const std::vector<std::string>& argv,
                            const std::string& stdin_data = {}) override;
};

ProcessRunner& system_process_runner();

// Looks a program up on $PATH; empty when absent.
std::string find_program(const std::string& name);

// A helper program distill ships beside itself (the probe, the init): the
// path the build baked in when it is executable there, else `name` next to
// the running binary (an installed copy), else empty.
std::string find_companion_program(const std::string& name, const std::string& baked_path);

// waitpid, retried on EINTR; the child's raw status (0 when waiting failed).
// Safe to call in a forked child.
int wait_child(pid_t pid);

}  // namespace distill::core
