#include "verify/structure_test.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

#include "core/file_util.hpp"
#include "core/go_regex.hpp"
#include "core/suggest.hpp"
#include "core/yaml.hpp"

namespace distill::verify {
namespace {

using Keys = std::vector<std::string>;

// Reads typed fields out of YAML nodes; every error says "<file>:<line>".
class TestFileReader {
 public:
  TestFileReader(const std::string& path, std::string version)
      : path_(path), version_(std::move(version)) {}

  const std::string& version() const { return version_; }
  bool v2() const { return version_ == "2.0.0"; }

  core::Error error(const YAML::Node& n, std::string what, std::string hint = {}) const {
    return core::make_error(fmt::format("{}:{}", path_, n.Mark().line + 1), std::move(what),
                            std::move(hint));
  }

  core::Status expect_map(const YAML::Node& n, std::string_view what, const Keys& keys) const {
    if (!n.IsMap()) return error(n, fmt::format("{} must be a map", what));
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
      static const Keys kV2Only = {"metadataTest", "containerRunOptions", "args", "uid",
                                   "gid",          "isExecutableBy"};
      if (!v2() && std::find(kV2Only.begin(), kV2Only.end(), k) != kV2Only.end())
        return error(kv.first,
                     fmt::format("'{}' is not in schemaVersion 1.0.0 (upstream refuses it too)", k),
                     "use schemaVersion 2.0.0");
      std::string near = core::closest_match(k, keys);
      return error(
          kv.first, fmt::format("unknown key '{}' in {} (schemaVersion {})", k, what, version_),
          near.empty() ? "see docs/structure-tests.md" : fmt::format("did you mean '{}'?", near));
    }
    return core::Status::Ok();
  }

  core::Result<std::string> text(const YAML::Node& n, std::string_view key) const {
    if (!n.IsScalar()) return error(n, fmt::format("'{}' must be a string", key));
    return n.Scalar();
  }

  core::Result<bool> flag(const YAML::Node& n, std::string_view key) const {
    DISTILL_ASSIGN(std::string s, text(n, key));
    if (s == "true") return true;
    if (s == "false") return false;
    return error(n, fmt::format("'{}' must be true or false (got '{}')", key, s));
  }

  core::Result<int64_t> integer(const YAML::Node& n, std::string_view key) const {
    DISTILL_ASSIGN(std::string s, text(n, key));
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
      return error(n, fmt::format("'{}' must be a whole number (got '{}')", key, s));
    return v;
  }

  core::Result<std::vector<std::string>> strings(const YAML::Node& n, std::string_view key) const {
    std::vector<std::string> out;
    if (!n || n.IsNull()) return out;
    if (!n.IsSequence()) return error(n, fmt::format("'{}' must be a list of strings", key));
    for (const auto& item : n) {
      DISTILL_ASSIGN(std::string s, text(item, key));
      out.push_back(std::move(s));
    }
    return out;
  }

  core::Result<std::vector<std::vector<std::string>>> commands(const YAML::Node& n,
                                                               std::string_view key) const {
    std::vector<std::vector<std::string>> out;
    if (!n || n.IsNull()) return out;
    if (!n.IsSequence()) return error(n, fmt::format("'{}' must be a list of commands", key));
    for (const auto& item : n) {
      DISTILL_ASSIGN(auto argv, strings(item, key));
      if (argv.empty()) return error(item, fmt::format("'{}' holds an empty command", key));
      out.push_back(std::move(argv));
    }
    return out;
  }

  // Refuses a pattern that is valid Go but that distill cannot run the same
  // way; one Go rejects is left to fail its test, as upstream.
  core::Status check_regex(const YAML::Node& n, const std::string& pattern) const {
    auto re = core::GoRegex::compile(pattern);
    if (!re.ok() && core::GoRegex::unsupported(re.error()))
      return error(n, fmt::format("regex '{}': {} is not supported", pattern, re.error().what),
                   "see docs/structure-tests.md, Regexes");
    return core::Status::Ok();
  }

  core::Result<std::vector<std::string>> regexes(const YAML::Node& n, std::string_view key) const {
    DISTILL_ASSIGN(auto out, strings(n, key));
    if (out.empty()) return out;
    size_t i = 0;
    for (const auto& item : n) DISTILL_TRY(check_regex(item, out[i++]));
    return out;
  }

  // A list of {key, value[, isRegex]} maps.
  core::Result<std::vector<EnvVar>> env_vars(const YAML::Node& n, std::string_view what,
                                             bool regex_allowed) const {
    std::vector<EnvVar> out;
    if (!n || n.IsNull()) return out;
    if (!n.IsSequence())
      return error(n, fmt::format("'{}' must be a list of key/value maps", what));
    // Upstream's EnvVar type has isRegex everywhere; only metadata uses it.
    Keys keys = {"key", "value", "isRegex"};
    for (const auto& item : n) {
      DISTILL_TRY(expect_map(item, what, keys));
      EnvVar e;
      if (!item["key"]) return error(item, fmt::format("{} entry without 'key'", what));
      DISTILL_ASSIGN(e.key, text(item["key"], "key"));
      if (item["value"]) {
        DISTILL_ASSIGN(e.value, text(item["value"], "value"));
      }
      if (item["isRegex"]) {
        DISTILL_ASSIGN(e.is_regex, flag(item["isRegex"], "isRegex"));
      }
      if (e.is_regex && regex_allowed) DISTILL_TRY(check_regex(item["value"], e.value));
      out.push_back(std::move(e));
    }
    return out;
  }

  // The items of a top-level list of tests.
  core::Result<std::vector<YAML::Node>> test_list(const YAML::Node& n, std::string_view key) const {
    std::vector<YAML::Node> out;
    if (!n || n.IsNull()) return out;
    if (!n.IsSequence()) return error(n, fmt::format("'{}' must be a list of tests", key));
    for (const auto& item : n) out.push_back(item);
    return out;
  }

  // A field the test cannot do without (`name`, `path`, `command`).
  core::Result<std::string> required(const YAML::Node& n, const char* key,
                                     std::string_view what) const {
    if (!n[key]) return error(n, fmt::format("{} without '{}'", what, key));
    return text(n[key], key);
  }

  // A test of type T with its line and name filled in.
  template <typename T>
  core::Result<T> start(const YAML::Node& n, std::string_view what, const Keys& keys) const {
    DISTILL_TRY(expect_map(n, fmt::format("a {}", what), keys));
    T t;
    t.line = n.Mark().line + 1;
    DISTILL_ASSIGN(t.name, required(n, "name", what));
    return t;
  }

 private:
  const std::string& path_;
  std::string version_;
};

int line_of(const YAML::Node& n) {
  return n.Mark().line + 1;
}

core::Result<FileExistenceTest> parse_file_existence(const TestFileReader& r, const YAML::Node& n) {
  Keys keys = {"name", "path", "shouldExist", "permissions"};
  if (r.v2()) keys.insert(keys.end(), {"uid", "gid", "isExecutableBy"});
  DISTILL_ASSIGN(auto t, r.start<FileExistenceTest>(n, "fileExistenceTest", keys));
  DISTILL_ASSIGN(t.path, r.required(n, "path", "fileExistenceTest '" + t.name + "'"));
  if (n["shouldExist"]) {
    DISTILL_ASSIGN(t.should_exist, r.flag(n["shouldExist"], "shouldExist"));
  }
  if (n["permissions"]) {
    DISTILL_ASSIGN(t.permissions, r.text(n["permissions"], "permissions"));
  }
  if (n["uid"]) {
    DISTILL_ASSIGN(t.uid, r.integer(n["uid"], "uid"));
  }
  if (n["gid"]) {
    DISTILL_ASSIGN(t.gid, r.integer(n["gid"], "gid"));
  }
  if (n["isExecutableBy"]) {
    DISTILL_ASSIGN(std::string who, r.text(n["isExecutableBy"], "isExecutableBy"));
    static const Keys kWho = {"owner", "group", "other", "any"};
    if (std::find(kWho.begin(), kWho.end(), who) == kWho.end())
      return r.error(n["isExecutableBy"], "'isExecutableBy' must be owner, group, other or any");
    t.is_executable_by = who;
  }
  return t;
}

core::Result<FileContentTest> parse_file_content(const TestFileReader& r, const YAML::Node& n) {
  DISTILL_ASSIGN(
      auto t, r.start<FileContentTest>(n, "fileContentTest",
                                       {"name", "path", "expectedContents", "excludedContents"}));
  DISTILL_ASSIGN(t.path, r.required(n, "path", "fileContentTest '" + t.name + "'"));
  DISTILL_ASSIGN(t.expected_contents, r.regexes(n["expectedContents"], "expectedContents"));
  DISTILL_ASSIGN(t.excluded_contents, r.regexes(n["excludedContents"], "excludedContents"));
  return t;
}

core::Result<CommandTest> command_test(const TestFileReader& r, const YAML::Node& n) {
  Keys keys = {"name",           "setup",          "teardown",      "envVars",       "command",
               "expectedOutput", "excludedOutput", "expectedError", "excludedError", "exitCode"};
  if (r.v2()) keys.push_back("args");
  DISTILL_ASSIGN(auto t, r.start<CommandTest>(n, "commandTest", keys));
  if (r.v2()) {
    DISTILL_ASSIGN(t.command, r.required(n, "command", "commandTest '" + t.name + "'"));
    DISTILL_ASSIGN(t.args, r.strings(n["args"], "args"));
  } else {
    // 1.0.0: the whole argv is one list.
    if (!n["command"]) return r.error(n, "commandTest '" + t.name + "' without 'command'");
    if (!n["command"].IsSequence())
      return r.error(n["command"],
                     "'command' must be a list (the whole argv) in schemaVersion 1.0.0",
                     "write command: [\"/bin/prog\", \"arg\"], or use 2.0.0's command and args");
    DISTILL_ASSIGN(auto argv, r.strings(n["command"], "command"));
    if (argv.empty()) return r.error(n["command"], "'command' is an empty list");
    t.command = argv[0];
    t.args.assign(argv.begin() + 1, argv.end());
  }
  if (t.command.empty()) return r.error(n["command"], "'command' is empty");
  DISTILL_ASSIGN(t.setup, r.commands(n["setup"], "setup"));
  DISTILL_ASSIGN(t.teardown, r.commands(n["teardown"], "teardown"));
  DISTILL_ASSIGN(t.env_vars, r.env_vars(n["envVars"], "envVars", false));
  for (const auto& e : t.env_vars)
    if (e.key.empty() || e.value.empty())
      return r.error(n["envVars"],
                     "Please provide non-empty keys and values for all specified env vars",
                     "upstream fails the test; distill refuses the file");
  DISTILL_ASSIGN(t.expected_output, r.regexes(n["expectedOutput"], "expectedOutput"));
  DISTILL_ASSIGN(t.excluded_output, r.regexes(n["excludedOutput"], "excludedOutput"));
  DISTILL_ASSIGN(t.expected_error, r.regexes(n["expectedError"], "expectedError"));
  DISTILL_ASSIGN(t.excluded_error, r.regexes(n["excludedError"], "excludedError"));
  if (n["exitCode"]) {
    DISTILL_ASSIGN(int64_t code, r.integer(n["exitCode"], "exitCode"));
    t.exit_code = static_cast<int>(code);
  }
  return t;
}

core::Result<std::optional<std::vector<std::string>>> optional_strings(const TestFileReader& r,
                                                                       const YAML::Node& n,
                                                                       std::string_view key) {
  if (!n) return std::optional<std::vector<std::string>>();
  DISTILL_ASSIGN(auto v, r.strings(n, key));
  return std::optional<std::vector<std::string>>(std::move(v));
}

core::Result<MetadataTest> metadata_test(const TestFileReader& r, const YAML::Node& n) {
  DISTILL_TRY(
      r.expect_map(n, "metadataTest",
                   {"envVars", "unboundEnvVars", "exposedPorts", "unexposedPorts", "entrypoint",
                    "cmd", "workdir", "volumes", "unmountedVolumes", "labels", "user"}));
  MetadataTest t;
  t.line = line_of(n);
  DISTILL_ASSIGN(t.env_vars, r.env_vars(n["envVars"], "envVars", true));
  DISTILL_ASSIGN(t.unbound_env_vars, r.env_vars(n["unboundEnvVars"], "unboundEnvVars", false));
  DISTILL_ASSIGN(t.labels, r.env_vars(n["labels"], "labels", true));
  DISTILL_ASSIGN(t.exposed_ports, r.strings(n["exposedPorts"], "exposedPorts"));
  DISTILL_ASSIGN(t.unexposed_ports, r.strings(n["unexposedPorts"], "unexposedPorts"));
  DISTILL_ASSIGN(t.volumes, r.strings(n["volumes"], "volumes"));
  DISTILL_ASSIGN(t.unmounted_volumes, r.strings(n["unmountedVolumes"], "unmountedVolumes"));
  DISTILL_ASSIGN(t.entrypoint, optional_strings(r, n["entrypoint"], "entrypoint"));
  DISTILL_ASSIGN(t.cmd, optional_strings(r, n["cmd"], "cmd"));
  if (n["workdir"]) {
    DISTILL_ASSIGN(t.workdir, r.text(n["workdir"], "workdir"));
  }
  if (n["user"]) {
    DISTILL_ASSIGN(t.user, r.text(n["user"], "user"));
  }
  for (const auto* list : {&t.env_vars, &t.labels})
    for (const auto& e : *list)
      if (e.key.empty()) return r.error(n, "a metadataTest key cannot be empty");
  return t;
}

core::Result<LicenseTest> license_test(const TestFileReader& r, const YAML::Node& n) {
  DISTILL_TRY(r.expect_map(n, "a licenseTest", {"debian", "files"}));
  LicenseTest t;
  t.line = line_of(n);
  if (n["debian"]) {
    DISTILL_ASSIGN(t.debian, r.flag(n["debian"], "debian"));
  }
  DISTILL_ASSIGN(t.files, r.strings(n["files"], "files"));
  return t;
}

template <typename T, typename F>
core::Status read_tests(const TestFileReader& r, const YAML::Node& n, std::string_view key,
                        std::vector<T>& out, F parse_one) {
  DISTILL_ASSIGN(auto items, r.test_list(n, key));
  for (const auto& item : items) {
    DISTILL_ASSIGN(T t, parse_one(r, item));
    out.push_back(std::move(t));
  }
  return core::Status::Ok();
}

core::Result<ContainerRunOptions> run_options(const TestFileReader& r, const YAML::Node& n) {
  ContainerRunOptions o;
  if (!n || n.IsNull()) return o;
  DISTILL_TRY(r.expect_map(
      n, "containerRunOptions",
      {"user", "privileged", "allocateTty", "envVars", "envFile", "capabilities", "bindMounts"}));
  if (n["user"]) {
    DISTILL_ASSIGN(std::string user, r.text(n["user"], "user"));
    o.user = std::move(user);
  }
  if (n["privileged"]) {
    DISTILL_ASSIGN(bool privileged, r.flag(n["privileged"], "privileged"));
    if (privileged)
      return r.error(n["privileged"], "privileged containers are not supported",
                     "add what the tests need with 'capabilities'");
  }
  if (n["allocateTty"]) {
    // Output is captured either way; a terminal changes nothing the tests check.
    DISTILL_ASSIGN(bool tty, r.flag(n["allocateTty"], "allocateTty"));
    (void)tty;
  }
  DISTILL_ASSIGN(o.env_vars, r.strings(n["envVars"], "envVars"));
  if (n["envFile"]) {
    DISTILL_ASSIGN(o.env_file, r.text(n["envFile"], "envFile"));
  }
  DISTILL_ASSIGN(o.capabilities, r.strings(n["capabilities"], "capabilities"));
  DISTILL_ASSIGN(o.bind_mounts, r.strings(n["bindMounts"], "bindMounts"));
  return o;
}

core::Result<StructureTestFile> parse_root(const YAML::Node& root, const std::string& path) {
  TestFileReader pre(path, "?");
  if (!root.IsMap()) return pre.error(root, "a structure test file must be a map");
  if (!root["schemaVersion"])
    return pre.error(root, "no 'schemaVersion'", "add schemaVersion: 2.0.0 (or 1.0.0)");
  DISTILL_ASSIGN(std::string version, pre.text(root["schemaVersion"], "schemaVersion"));
  if (version != "1.0.0" && version != "2.0.0")
    return pre.error(root["schemaVersion"], "unsupported schemaVersion '" + version + "'",
                     "1.0.0 and 2.0.0 are supported");
  TestFileReader r(path, version);
  Keys keys = {"schemaVersion",    "globalEnvVars", "fileExistenceTests",
               "fileContentTests", "commandTests",  "licenseTests"};
  if (r.v2()) keys.insert(keys.end(), {"metadataTest", "containerRunOptions"});
  DISTILL_TRY(r.expect_map(root, "the file", keys));
  StructureTestFile f;
  f.path = path;
  f.schema_version = version;
  DISTILL_ASSIGN(f.global_env_vars, r.env_vars(root["globalEnvVars"], "globalEnvVars", false));
  DISTILL_ASSIGN(f.run_options, run_options(r, root["containerRunOptions"]));
  DISTILL_TRY(read_tests(r, root["fileExistenceTests"], "fileExistenceTests", f.file_existence,
                         parse_file_existence));
  DISTILL_TRY(read_tests(r, root["fileContentTests"], "fileContentTests", f.file_content,
                         parse_file_content));
  DISTILL_TRY(read_tests(r, root["commandTests"], "commandTests", f.commands, command_test));
  DISTILL_TRY(read_tests(r, root["licenseTests"], "licenseTests", f.licenses, license_test));
  if (root["metadataTest"]) {
    DISTILL_ASSIGN(MetadataTest m, metadata_test(r, root["metadataTest"]));
    if (!m.empty()) f.metadata = std::move(m);
  }
  return f;
}

}  // namespace

bool MetadataTest::empty() const {
  return env_vars.empty() && unbound_env_vars.empty() && labels.empty() && exposed_ports.empty() &&
         unexposed_ports.empty() && volumes.empty() && unmounted_volumes.empty() && !entrypoint &&
         !cmd && workdir.empty() && user.empty();
}

core::Result<StructureTestFile> parse_structure_test(std::string_view text,
                                                     const std::string& path) {
  DISTILL_ASSIGN(YAML::Node root,
                 core::load_yaml(text, path, "a structure test file must be valid YAML"));
  try {
    return parse_root(root, path);
  } catch (const YAML::Exception& e) {
    return core::make_error(fmt::format("{}:{}", path, e.mark.line + 1), e.msg,
                            "a structure test file must be valid YAML");
  }
}

core::Result<StructureTestFile> load_structure_test(const std::string& path) {
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  return parse_structure_test(text, path);
}

}  // namespace distill::verify
