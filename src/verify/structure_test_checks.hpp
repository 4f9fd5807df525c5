#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/process.hpp"
#include "core/result.hpp"
#include "image/rootfs_view.hpp"
#include "oci/image_config.hpp"
#include "verify/structure_test.hpp"

namespace distill::verify {

// The outcome of one test. A failure lists what was expected and what was found.
struct TestResult {
  std::string file;  // the structure test file
  std::string kind;  // "File Existence Test", "Command Test", ...
  std::string
      name;  // upstream's: "<kind>: <test name>", or the kind alone for metadata and license tests
  int line = 0;
  bool passed = true;
  std::vector<std::string> errors;
  std::string out;  // command tests: the command's stdout and stderr
  std::string err;
  double seconds = 0;
};

// What file, metadata and license tests read: the image's filesystem (with
// the content of the files they name kept, see content_paths) and config.
struct ImageUnderTest {
  const image::RootfsView* fs = nullptr;
  oci::ContainerConfig config;
  std::vector<std::string> volumes;  // the config's "Volumes" keys
};

// Runs commands for commandTests: each call a fresh container of the image
// with its entrypoint cleared, `env` ("K=V") added. The calls between two
// begin_test() (a test's setup, command and teardown) share /tmp.
class CommandExecutor {
 public:
  virtual ~CommandExecutor() = default;
  // The file's containerRunOptions, given before each test.
  virtual core::Status configure(const ContainerRunOptions& /*options*/) {
    return core::Status::Ok();
  }
  virtual core::Status begin_test() = 0;
  virtual core::Result<core::ProcessResult> run(const std::vector<std::string>& argv,
                                                const std::vector<std::string>& env) = 0;
};

// Paths (in the image, symlinks resolved against `fs`) whose content the
// tests of `files` read: a RootfsView read with these kept can run them.
std::vector<std::string> content_paths(const std::vector<StructureTestFile>& files,
                                       const image::RootfsView& fs);

// Every test of `file` in upstream's order: command, file content, file
// existence, license, metadata tests. `executor` is used only when
// there are command tests.
std::vector<TestResult> run_structure_tests(const StructureTestFile& file,
                                            const ImageUnderTest& image, CommandExecutor& executor);

// Go's os.FileMode.String(), which the permissions field is compared with:
// "-rw-r--r--", "drwxr-xr-x", "Lrwxrwxrwx", "urwxr-xr-x" (setuid), "dtrwxrwxrwx".
std::string go_file_mode(image::FileType type, uint32_t mode);

// The "Volumes" keys of an image config JSON (empty when absent or unreadable).
std::vector<std::string> config_volumes(std::string_view config_json);

// Go's os.Expand with `env` as the mapping: $NAME and ${NAME} replaced (an
// unset name by ""), "$$" is the variable "$", a lone '$' stays. Upstream
// expands commands and 2.0.0 file existence paths this way.
std::string go_expand(std::string_view s, const std::map<std::string, std::string>& env);

}  // namespace distill::verify
