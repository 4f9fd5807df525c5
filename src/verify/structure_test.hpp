#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::verify {

// A container-structure-test file (schemaVersion 1.0.0 or 2.0.0), read
// unchanged: the field names are the upstream tool's. Every test keeps the
// line it was declared on, for reports.

struct EnvVar {
  std::string key;
  std::string value;
  bool is_regex = false;  // read everywhere, used by metadataTest envVars and labels
};

struct FileExistenceTest {
  std::string name;
  int line = 0;
  std::string path;
  bool should_exist = true;
  std::optional<std::string> permissions;  // as Go prints a FileMode: "-rw-r--r--", "drwxr-xr-x"
  std::optional<int64_t> uid;
  std::optional<int64_t> gid;
  std::optional<std::string> is_executable_by;  // owner, group, other or any
};

struct FileContentTest {
  std::string name;
  int line = 0;
  std::string path;
  std::vector<std::string> expected_contents;  // regexes that must match
  std::vector<std::string> excluded_contents;  // regexes that must not
};

struct CommandTest {
  std::string name;
  int line = 0;
  std::vector<std::vector<std::string>> setup;
  std::vector<std::vector<std::string>> teardown;
  std::vector<EnvVar> env_vars;
  // 2.0.0: `command` and `args`; 1.0.0: `command` is the whole argv, kept
  // here as its first word and the rest.
  std::string command;
  std::vector<std::string> args;
  std::vector<std::string> expected_output;
  std::vector<std::string> excluded_output;
  std::vector<std::string> expected_error;
  std::vector<std::string> excluded_error;
  int exit_code = 0;
};

// schemaVersion 2.0.0 only. Empty fields are not checked (entrypoint and cmd:
// absent; `[]` checks for an empty list), and a metadataTest with nothing to
// check is not run, as upstream.
struct MetadataTest {
  int line = 0;
  std::vector<EnvVar> env_vars;
  std::vector<EnvVar> unbound_env_vars;  // keys that must not be set
  std::vector<EnvVar> labels;
  std::vector<std::string> exposed_ports;  // port numbers, as upstream compares them
  std::vector<std::string> unexposed_ports;
  std::vector<std::string> volumes;
  std::vector<std::string> unmounted_volumes;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::string workdir;
  std::string user;
  bool empty() const;
};

struct LicenseTest {
  int line = 0;
  bool debian = false;             // every /usr/share/doc/<pkg>/copyright
  std::vector<std::string> files;  // more license files
};

// containerRunOptions: how the command tests' containers run.
struct ContainerRunOptions {
  std::optional<std::string> user;
  std::vector<std::string> env_vars;      // names passed on from distill's environment
  std::string env_file;                   // KEY=VALUE lines, relative to the working folder
  std::vector<std::string> capabilities;  // added to the (empty) set
  std::vector<std::string> bind_mounts;   // HOST:CTR[:ro|rw]
};

struct StructureTestFile {
  std::string path;
  ContainerRunOptions run_options;
  std::string schema_version;  // "1.0.0" or "2.0.0"
  std::vector<EnvVar> global_env_vars;
  std::vector<FileExistenceTest> file_existence;
  std::vector<FileContentTest> file_content;
  std::vector<CommandTest> commands;
  std::optional<MetadataTest> metadata;
  std::vector<LicenseTest> licenses;
};

// Parses one file. Errors name "<path>:<line>"; unknown keys are errors
// (with the closest valid key), as are fields the schema version lacks.
core::Result<StructureTestFile> parse_structure_test(std::string_view text,
                                                     const std::string& path);
core::Result<StructureTestFile> load_structure_test(const std::string& path);

}  // namespace distill::verify
