#include "verify/structure_test_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "oci/image_config.hpp"

namespace distill::verify {
namespace {

// Words that fail a license test when a license file contains them (the
// upstream tool's list).
const std::vector<std::string> kBannedLicenses = {"AGPL", "WTFPL"};

std::string strip_root(std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  return std::string(path);
}

std::string quoted_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
  return out + "]";
}

// Tests are written for Go's RE2; a leading "(?i)" or "(?m)" flag group is
// turned into the matching std::regex option.
core::Result<bool> regex_search(const std::string& pattern, const std::string& text) {
  std::string p = pattern;
  auto flags = std::regex::ECMAScript;
  if (p.starts_with("(?")) {
    size_t close = p.find(')');
    std::string group = close == std::string::npos ? "" : p.substr(2, close - 2);
    if (!group.empty() && group.find_first_not_of("im") == std::string::npos) {
      if (group.find('i') != std::string::npos) flags |= std::regex::icase;
      if (group.find('m') != std::string::npos) flags |= std::regex::multiline;
      p = p.substr(close + 1);
    }
  }
  try {
    return std::regex_search(text, std::regex(p, flags));
  } catch (const std::regex_error& e) {
    return core::make_error("regex '" + pattern + "'", e.what());
  }
}

// Adds an error unless every `expected` regex matches and no `excluded` one does.
void check_regexes(const std::vector<std::string>& expected,
                   const std::vector<std::string>& excluded, const std::string& text,
                   std::string_view what, TestResult& r) {
  for (const auto& re : expected) {
    auto m = regex_search(re, text);
    if (!m.ok())
      r.errors.push_back(m.error().message());
    else if (!*m)
      r.errors.push_back(fmt::format("Expected string '{}' not found in {} '{}'", re, what, text));
  }
  for (const auto& re : excluded) {
    auto m = regex_search(re, text);
    if (!m.ok())
      r.errors.push_back(m.error().message());
    else if (*m)
      r.errors.push_back(fmt::format("Excluded string '{}' found in {} '{}'", re, what, text));
  }
}

// lstat: symlinks in the parents are followed, the last component is not.
const image::FileEntry* lstat(const image::RootfsView& fs, std::string_view path) {
  std::string p = strip_root(path);
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return fs.find(p);
  auto parent = fs.resolve(p.substr(0, slash));
  // A folder the layers only imply cannot be resolved: take the path as written.
  if (!parent.ok()) return fs.find(p);
  return fs.find((*parent)->path + "/" + p.substr(slash + 1));
}

TestResult start(const StructureTestFile& f, std::string kind, std::string name, int line) {
  TestResult r;
  r.file = f.path;
  r.kind = std::move(kind);
  r.name = std::move(name);
  r.line = line;
  return r;
}

TestResult file_existence(const StructureTestFile& f, const FileExistenceTest& t,
                          const image::RootfsView& fs) {
  TestResult r = start(f, "File Existence Test", t.name, t.line);
  const image::FileEntry* e = lstat(fs, t.path);
  if (!t.should_exist) {
    if (e) r.errors.push_back(fmt::format("File {} should not exist but does", t.path));
    return r;
  }
  if (!e) {
    r.errors.push_back(fmt::format("File {} does not exist", t.path));
    return r;
  }
  std::string mode = go_file_mode(e->type, e->mode);
  if (t.permissions && *t.permissions != mode)
    r.errors.push_back(fmt::format("{} has incorrect permissions. Expected: {}, Actual: {}", t.path,
                                   *t.permissions, mode));
  if (t.uid && *t.uid != e->uid)
    r.errors.push_back(fmt::format("{} has incorrect user ownership. Expected: {}, Actual: {}",
                                   t.path, *t.uid, e->uid));
  if (t.gid && *t.gid != e->gid)
    r.errors.push_back(fmt::format("{} has incorrect group ownership. Expected: {}, Actual: {}",
                                   t.path, *t.gid, e->gid));
  if (t.is_executable_by) {
    const std::string& who = *t.is_executable_by;
    uint32_t bits = who == "owner" ? 0100 : who == "group" ? 010 : who == "other" ? 01 : 0111;
    if ((e->mode & bits) == 0)
      r.errors.push_back(
          fmt::format("{} is not executable by {} (permissions {})", t.path, who, mode));
  }
  return r;
}

TestResult file_content(const StructureTestFile& f, const FileContentTest& t,
                        const image::RootfsView& fs) {
  TestResult r = start(f, "File Content Test", t.name, t.line);
  auto content = fs.read_file(strip_root(t.path));
  if (!content.ok()) {
    r.errors.push_back(fmt::format("cannot read {}: {}", t.path, content.error().what));
    return r;
  }
  check_regexes(t.expected_contents, t.excluded_contents, std::string(*content), "file " + t.path,
                r);
  return r;
}

std::string env_value(const std::vector<std::string>& env, const std::string& key, bool& found) {
  for (const auto& kv : env) {
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) {
      found = true;
      return eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
  }
  found = false;
  return {};
}

void check_value(const EnvVar& want, bool found, const std::string& actual, std::string_view what,
                 TestResult& r) {
  if (!found) {
    r.errors.push_back(fmt::format("{} {} not found in image metadata", what, want.key));
    return;
  }
  if (want.is_regex) {
    auto m = regex_search(want.value, actual);
    if (!m.ok()) r.errors.push_back(m.error().message());
    if (m.ok() && *m) return;
    if (!m.ok()) return;
  } else if (want.value == actual) {
    return;
  }
  r.errors.push_back(fmt::format("{} {} has value '{}', expected {}'{}'", what, want.key, actual,
                                 want.is_regex ? "a match for " : "", want.value));
}

std::string port_key(const std::string& p) {
  auto n = oci::normalize_port(p);
  return n.ok() ? *n : p;
}

// `want` present (or, negated, absent) in `have`, compared by `key`.
template <typename Key>
void check_membership(const std::optional<std::vector<std::string>>& want,
                      const std::vector<std::string>& have, bool should_have, std::string_view what,
                      Key key, TestResult& r) {
  if (!want) return;
  std::set<std::string> keys;
  for (const auto& h : have) keys.insert(key(h));
  for (const auto& w : *want) {
    bool present = keys.count(key(w)) > 0;
    if (present != should_have)
      r.errors.push_back(fmt::format("{} {} {} in image metadata (it has {})", what, w,
                                     should_have ? "not found" : "found", quoted_list(have)));
  }
}

void check_list(const std::optional<std::vector<std::string>>& want,
                const std::vector<std::string>& have, std::string_view what, TestResult& r) {
  if (want && *want != have)
    r.errors.push_back(fmt::format("Image {} {} does not match expected {}", what,
                                   quoted_list(have), quoted_list(*want)));
}

void check_text(const std::optional<std::string>& want, const std::string& have,
                std::string_view what, TestResult& r) {
  if (want && *want != have)
    r.errors.push_back(
        fmt::format("Image {} '{}' does not match expected '{}'", what, have, *want));
}

TestResult metadata(const StructureTestFile& f, const MetadataTest& t, const ImageUnderTest& img) {
  TestResult r = start(f, "Metadata Test", "Metadata Test", t.line);
  const oci::ContainerConfig& c = img.config;
  for (const auto& want : t.env_vars) {
    bool found = false;
    std::string v = env_value(c.env, want.key, found);
    check_value(want, found, v, "env var", r);
  }
  for (const auto& want : t.labels) {
    auto it = c.labels.find(want.key);
    check_value(want, it != c.labels.end(), it != c.labels.end() ? it->second : "", "label", r);
  }
  std::vector<std::string> ports(c.exposed_ports.begin(), c.exposed_ports.end());
  check_membership(t.exposed_ports, ports, true, "port", port_key, r);
  check_membership(t.unexposed_ports, ports, false, "port", port_key, r);
  auto same = [](const std::string& s) { return s; };
  check_membership(t.volumes, img.volumes, true, "volume", same, r);
  check_membership(t.unmounted_volumes, img.volumes, false, "volume", same, r);
  check_list(t.entrypoint, c.entrypoint, "entrypoint", r);
  check_list(t.cmd, c.cmd, "cmd", r);
  check_text(t.workdir, c.working_dir, "workdir", r);
  check_text(t.user, c.user, "user", r);
  return r;
}

// The license files a test reads: the listed ones, plus every Debian package's copyright.
std::vector<std::string> license_files(const LicenseTest& t, const image::RootfsView& fs) {
  std::vector<std::string> out;
  for (const auto& p : t.files) out.push_back(strip_root(p));
  if (t.debian) {
    for (const image::FileEntry* doc : fs.list("usr/share/doc")) {
      std::string copyright = doc->path + "/copyright";
      if (fs.resolve(copyright).ok()) out.push_back(copyright);
    }
  }
  return out;
}

TestResult license(const StructureTestFile& f, const LicenseTest& t, const image::RootfsView& fs,
                   size_t index) {
  TestResult r = start(f, "License Test", fmt::format("License Test {}", index + 1), t.line);
  if (t.debian && fs.list("usr/share/doc").empty())
    r.errors.push_back("no /usr/share/doc/*/copyright files in the image");
  for (const auto& path : license_files(t, fs)) {
    auto text = fs.read_file(path);
    if (!text.ok()) {
      r.errors.push_back(fmt::format("cannot read license file /{}: {}", path, text.error().what));
      continue;
    }
    for (const auto& banned : kBannedLicenses)
      if (text->find(banned) != std::string_view::npos)
        r.errors.push_back(fmt::format("/{} mentions the banned license {}", path, banned));
  }
  return r;
}

std::vector<std::string> env_list(const std::vector<EnvVar>& global,
                                  const std::vector<EnvVar>& own) {
  std::vector<std::string> out;
  for (const auto* list : {&global, &own})
    for (const auto& e : *list) out.push_back(e.key + "=" + e.value);
  return out;
}

std::string argv_text(const std::vector<std::string>& argv) {
  return core::join(argv, " ");
}

// Setup and teardown commands must succeed; their failure fails the test.
void run_helper(CommandExecutor& ex, const std::vector<std::vector<std::string>>& cmds,
                const std::vector<std::string>& env, std::string_view what, TestResult& r) {
  for (const auto& argv : cmds) {
    auto res = ex.run(argv, env);
    if (!res.ok())
      r.errors.push_back(
          fmt::format("{} command '{}': {}", what, argv_text(argv), res.error().message()));
    else if (res->exit_code != 0)
      r.errors.push_back(fmt::format("{} command '{}' exited with {}: {}", what, argv_text(argv),
                                     res->exit_code, res->err));
  }
}

TestResult command(const StructureTestFile& f, const CommandTest& t, CommandExecutor& ex) {
  TestResult r = start(f, "Command Test", t.name, t.line);
  std::vector<std::string> env = env_list(f.global_env_vars, t.env_vars);
  for (auto s : {ex.configure(f.run_options), ex.begin_test()}) {
    if (!s.ok()) {
      r.errors.push_back(s.error().message());
      return r;
    }
  }
  run_helper(ex, t.setup, env, "setup", r);
  if (r.errors.empty()) {
    std::vector<std::string> argv = {t.command};
    argv.insert(argv.end(), t.args.begin(), t.args.end());
    auto res = ex.run(argv, env);
    if (!res.ok()) {
      r.errors.push_back(res.error().message());
    } else {
      r.out = res->out;
      r.err = res->err;
      check_regexes(t.expected_output, t.excluded_output, res->out, "output", r);
      check_regexes(t.expected_error, t.excluded_error, res->err, "error", r);
      if (res->exit_code != t.exit_code)
        r.errors.push_back(
            fmt::format("Test '{}' exited with incorrect error code. Expected: {}, Actual: {}",
                        t.name, t.exit_code, res->exit_code));
    }
  }
  run_helper(ex, t.teardown, env, "teardown", r);
  return r;
}

template <typename F>
TestResult timed(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  TestResult r = f();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.passed = r.errors.empty();
  return r;
}

}  // namespace

std::string go_file_mode(image::FileType type, uint32_t mode) {
  std::string out;
  using image::FileType;
  if (type == FileType::kDirectory) out += 'd';
  if (type == FileType::kSymlink) out += 'L';
  if (type == FileType::kBlockDevice || type == FileType::kCharDevice) out += 'D';
  if (type == FileType::kFifo) out += 'p';
  if (type == FileType::kSocket) out += 'S';
  if (mode & 04000) out += 'u';
  if (mode & 02000) out += 'g';
  if (type == FileType::kCharDevice) out += 'c';
  if (mode & 01000) out += 't';
  if (out.empty()) out += '-';
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) out += (mode & (0400u >> i)) ? rwx[i] : '-';
  return out;
}

std::vector<std::string> config_volumes(std::string_view config_json) {
  std::vector<std::string> out;
  auto parsed = core::parse_json(config_json);
  if (!parsed.ok() || !parsed->is_object()) return out;
  const nlohmann::json& j = *parsed;
  auto c = j.find("config");
  if (c == j.end() || !c->is_object()) return out;
  auto v = c->find("Volumes");
  if (v == c->end() || !v->is_object()) return out;
  for (const auto& [k, _] : v->items()) out.push_back(k);
  return out;
}

std::vector<std::string> content_paths(const std::vector<StructureTestFile>& files,
                                       const image::RootfsView& fs) {
  std::set<std::string> out;
  auto add = [&](const std::string& path) {
    auto e = fs.resolve(strip_root(path));
    if (!e.ok()) return;
    out.insert((*e)->path);
    if (!(*e)->hardlink_to.empty()) out.insert((*e)->hardlink_to);
  };
  for (const auto& f : files) {
    for (const auto& t : f.file_content) add(t.path);
    for (const auto& t : f.licenses)
      for (const auto& p : license_files(t, fs)) add(p);
  }
  return {out.begin(), out.end()};
}

std::vector<TestResult> run_structure_tests(const StructureTestFile& file,
                                            const ImageUnderTest& image,
                                            CommandExecutor& executor) {
  std::vector<TestResult> out;
  const image::RootfsView& fs = *image.fs;
  for (const auto& t : file.file_existence)
    out.push_back(timed([&] { return file_existence(file, t, fs); }));
  for (const auto& t : file.file_content)
    out.push_back(timed([&] { return file_content(file, t, fs); }));
  if (file.metadata) out.push_back(timed([&] { return metadata(file, *file.metadata, image); }));
  for (size_t i = 0; i < file.licenses.size(); ++i)
    out.push_back(timed([&] { return license(file, file.licenses[i], fs, i); }));
  for (const auto& t : file.commands)
    out.push_back(timed([&] { return command(file, t, executor); }));
  return out;
}

}  // namespace distill::verify
