#include "verify/structure_test_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/go_regex.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "oci/image_config.hpp"

namespace distill::verify {
namespace {

// Words that fail a license test when a license file contains them (the
// upstream tool's list).
const std::vector<std::string> kBannedLicenses = {"AGPL", "WTFPL"};

// Go's regexp.MatchString (core::GoRegex). The patterns were checked when
// the file was read; one Go rejects fails its test, as upstream.
core::Result<bool> regex_search(const std::string& pattern, const std::string& text) {
  auto re = core::GoRegex::compile(pattern);
  if (!re.ok()) return core::make_error("invalid regex '" + pattern + "'", re.error().what);
  return re->search(text);
}

// Adds an error unless every `expected` regex matches and no `excluded` one
// does, in upstream's words.
void check_regexes(const std::vector<std::string>& expected,
                   const std::vector<std::string>& excluded, const std::string& text,
                   std::string_view what, TestResult& r) {
  for (const auto& re : expected) {
    auto m = regex_search(re, text);
    if (!m.ok()) r.errors.push_back(m.error().message());
    if (!m.ok() || !*m)
      r.errors.push_back(fmt::format("Expected string '{}' not found in {} '{}'", re, what, text));
  }
  for (const auto& re : excluded) {
    auto m = regex_search(re, text);
    if (!m.ok()) r.errors.push_back(m.error().message());
    if (!m.ok() || *m)
      r.errors.push_back(fmt::format("Excluded string '{}' found in {} '{}'", re, what, text));
  }
}

// Go's path.Clean of an image path, without the leading '/': "." and ".."
// resolved by name (never above the root), repeated and trailing slashes
// dropped. "/" and "" are the root, "".
std::string clean_path(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::string_view part : core::split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto p : parts) out += (out.empty() ? "" : "/") + std::string(p);
  return out;
}

image::FileEntry folder_entry(std::string path) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = image::FileType::kDirectory;
  e.mode = 0755;
  return e;
}

// lstat as upstream's tar driver calls it on the unpacked image: the path is
// cleaned first (so "/etc/" is "/etc" and a trailing slash never follows a
// symlink), symlinks in the parents are followed, the last component is not.
// The root is a folder; so is one the layers only imply.
std::optional<image::FileEntry> lstat(const image::RootfsView& fs, std::string_view path) {
  std::string p = clean_path(path);
  if (p.empty()) {
    const image::FileEntry* root = fs.find("");
    return root ? *root : folder_entry("");
  }
  size_t slash = p.rfind('/');
  std::string full = p;
  if (slash != std::string::npos) {
    auto parent = fs.resolve(p.substr(0, slash));
    // A folder the layers only imply cannot be resolved: take the path as written.
    if (parent.ok()) full = (*parent)->path + "/" + p.substr(slash + 1);
  }
  if (const image::FileEntry* e = fs.find(full)) return *e;
  if (!fs.list(full).empty()) return folder_entry(full);
  return std::nullopt;
}

TestResult start(const StructureTestFile& f, std::string kind, const std::string& name, int line) {
  TestResult r;
  r.file = f.path;
  r.name = name.empty() ? kind : kind + ": " + name;
  r.kind = std::move(kind);
  r.line = line;
  return r;
}

// A map of the image's environment with `extra` set over it, as upstream's
// drivers build it (a repeated key: the last one wins).
std::map<std::string, std::string> env_map(const std::vector<std::string>& env,
                                           const std::vector<EnvVar>& extra = {}) {
  std::map<std::string, std::string> out;
  for (const auto& kv : env) {
    size_t eq = kv.find('=');
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  for (const auto& e : extra) out[e.key] = go_expand(e.value, out);
  return out;
}

TestResult file_existence(const StructureTestFile& f, const FileExistenceTest& t,
                          const ImageUnderTest& img) {
  TestResult r = start(f, "File Existence Test", t.name, t.line);
  const image::RootfsView& fs = *img.fs;
  // Version 2 expands $VAR in the path with the image's environment.
  std::string path = t.path;
  if (f.schema_version == "2.0.0")
    path = go_expand(path, env_map(img.config.env, f.global_env_vars));
  std::optional<image::FileEntry> e = lstat(fs, path);
  if (!t.should_exist) {
    if (e) r.errors.push_back(fmt::format("File {} should not exist but does", t.path));
    return r;
  }
  if (!e) {
    r.errors.push_back(fmt::format(
        "Error examining file in container: lstat {}: no such file or directory", path));
    return r;
  }
  std::string mode = go_file_mode(e->type, e->mode);
  if (t.permissions && !t.permissions->empty() && *t.permissions != mode)
    r.errors.push_back(fmt::format("{} has incorrect permissions. Expected: {}, Actual: {}", t.path,
                                   *t.permissions, mode));
  if (t.is_executable_by) {
    const std::string& who = *t.is_executable_by;
    uint32_t bits = who == "owner" ? 0100 : who == "group" ? 010 : who == "other" ? 01 : 0111;
    if ((e->mode & bits) == 0)
      r.errors.push_back(fmt::format(
          "{} has incorrect executable bit. Expected to be executable by {}, Actual: {}", t.path,
          who, mode));
  }
  if (t.uid && *t.uid != -1 && *t.uid != e->uid)
    r.errors.push_back(fmt::format("{} has incorrect user ownership. Expected: {}, Actual: {}",
                                   t.path, *t.uid, e->uid));
  if (t.gid && *t.gid != -1 && *t.gid != e->gid)
    r.errors.push_back(fmt::format("{} has incorrect group ownership. Expected: {}, Actual: {}",
                                   t.path, *t.gid, e->gid));
  return r;
}

TestResult file_content(const StructureTestFile& f, const FileContentTest& t,
                        const image::RootfsView& fs) {
  TestResult r = start(f, "File Content Test", t.name, t.line);
  auto content = fs.read_file(clean_path(t.path));
  if (!content.ok()) {
    r.errors.push_back(fmt::format("Failed to open {}. Error: {}", t.path, content.error().what));
    return r;
  }
  check_regexes(t.expected_contents, t.excluded_contents, std::string(*content),
                "file content string", r);
  return r;
}

void check_value(const EnvVar& want, const std::map<std::string, std::string>& have,
                 std::string_view what, std::string_view missing, TestResult& r) {
  auto it = have.find(want.key);
  if (it == have.end()) {
    r.errors.push_back(fmt::format(fmt::runtime(missing), want.key));
    return;
  }
  bool match = want.value == it->second;
  if (want.is_regex) {
    auto m = regex_search(want.value, it->second);
    if (!m.ok()) r.errors.push_back(m.error().message());
    match = m.ok() && *m;
  }
  if (!match)
    r.errors.push_back(fmt::format("{} {} value {} does not match expected value: {}", what,
                                   want.key, it->second, want.value));
}

bool listed(const std::string& v, const std::vector<std::string>& list) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Go's fmt %v of a []string: [a b c].
std::string go_list(const std::vector<std::string>& v) {
  return "[" + core::join(v, " ") + "]";
}

void check_list(const std::optional<std::vector<std::string>>& want,
                const std::vector<std::string>& have, std::string_view what, TestResult& r) {
  if (!want || *want == have) return;
  r.errors.push_back(fmt::format("Image {} {} does not match expected {}: {}", what, go_list(have),
                                 what, go_list(*want)));
}

TestResult metadata(const StructureTestFile& f, const MetadataTest& t, const ImageUnderTest& img) {
  TestResult r = start(f, "Metadata Test", "", t.line);
  const oci::ContainerConfig& c = img.config;
  auto env = env_map(c.env);
  for (const auto& want : t.env_vars)
    check_value(want, env, "env var", "variable {} not found in image env", r);
  for (const auto& want : t.unbound_env_vars)
    if (env.count(want.key))
      r.errors.push_back(
          fmt::format("env variable {} should not be present in image metadata", want.key));
  std::map<std::string, std::string> labels(c.labels.begin(), c.labels.end());
  for (const auto& want : t.labels)
    check_value(want, labels, "label", "label {} not found in image metadata", r);
  check_list(t.cmd, c.cmd, "Cmd", r);
  check_list(t.entrypoint, c.entrypoint, "entrypoint", r);
  if (!t.workdir.empty() && t.workdir != c.working_dir)
    r.errors.push_back(fmt::format("Image workdir {} does not match config workdir: {}",
                                   c.working_dir, t.workdir));
  if (!t.user.empty() && t.user != c.user)
    r.errors.push_back(fmt::format("Image user {} does not match config user: {}", c.user, t.user));
  // Upstream compares the port numbers alone: "8080" matches 8080/tcp and
  // 8080/udp, "8080/tcp" never matches.
  std::vector<std::string> ports;
  for (const auto& p : c.exposed_ports) ports.push_back(p.substr(0, p.find('/')));
  for (const auto& p : t.exposed_ports)
    if (!listed(p, ports)) r.errors.push_back(fmt::format("Port {} not found in config", p));
  for (const auto& p : t.unexposed_ports)
    if (listed(p, ports)) r.errors.push_back(fmt::format("Port {} should not be exposed", p));
  for (const auto& v : t.volumes)
    if (!listed(v, img.volumes))
      r.errors.push_back(fmt::format("Volume {} not found in config", v));
  for (const auto& v : t.unmounted_volumes)
    if (listed(v, img.volumes))
      r.errors.push_back(fmt::format("Volume {} should not be mounted", v));
  return r;
}

// Packages whose copyright upstream never checks.
const std::vector<std::string> kLicenseAllowList = {"libgnutls30"};

void check_license_file(const image::RootfsView& fs, const std::string& path, TestResult& r) {
  auto text = fs.read_file(clean_path(path));
  if (!text.ok()) {
    r.errors.push_back(
        fmt::format("Error reading license file for {}: {}", path, text.error().what));
    return;
  }
  std::string upper(*text);
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (const auto& banned : kBannedLicenses)
    if (upper.find(banned) != std::string::npos)
      r.errors.push_back(fmt::format("Invalid license for {}, license contains {}", path, banned));
}

// The folders of /usr/share/doc (not symlinks to folders), as upstream lists them.
std::vector<std::string> doc_packages(const image::RootfsView& fs) {
  std::vector<std::string> out;
  for (const image::FileEntry* e : fs.list("usr/share/doc"))
    if (e->type == image::FileType::kDirectory)
      out.push_back(e->path.substr(e->path.rfind('/') + 1));
  return out;
}

TestResult license(const StructureTestFile& f, const LicenseTest& t, const image::RootfsView& fs) {
  TestResult r = start(f, "License Test", "", t.line);
  if (t.debian) {
    std::optional<image::FileEntry> doc = lstat(fs, "/usr/share/doc");
    if (!doc) {
      r.errors.push_back("Error reading directory: open /usr/share/doc: no such file or directory");
      return r;
    }
    for (const auto& pkg : doc_packages(fs)) {
      if (listed(pkg, kLicenseAllowList)) continue;
      check_license_file(fs, "/usr/share/doc/" + pkg + "/copyright", r);
    }
  }
  for (const auto& file : t.files) check_license_file(fs, file, r);
  return r;
}

std::vector<std::string> env_list(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::string argv_text(const std::vector<std::string>& argv) {
  return core::join(argv, " ");
}

// Setup commands that cannot run fail the test; their exit codes are not
// checked, as upstream's docker driver does not check them.
void run_setup(CommandExecutor& ex, const std::vector<std::vector<std::string>>& cmds,
               const std::vector<std::string>& env, TestResult& r) {
  for (const auto& argv : cmds) {
    auto res = ex.run(argv, env);
    if (!res.ok())
      r.errors.push_back(
          fmt::format("error in setup: {}: {}", argv_text(argv), res.error().message()));
    if (!r.errors.empty()) return;
  }
}

// Teardown runs after the result is known and cannot change it, as upstream:
// a failure is a warning.
void run_teardown(CommandExecutor& ex, const std::vector<std::vector<std::string>>& cmds,
                  const std::vector<std::string>& env) {
  for (const auto& argv : cmds) {
    auto res = ex.run(argv, env);
    std::string problem = !res.ok()             ? res.error().message()
                          : res->exit_code != 0 ? fmt::format("exit code {}", res->exit_code)
                                                : "";
    if (!problem.empty())
      std::fprintf(stderr, "distill: warning: teardown command '%s': %s\n",
                   core::escape_control(argv_text(argv)).c_str(),
                   core::escape_control(problem).c_str());
  }
}

TestResult command(const StructureTestFile& f, const CommandTest& t, const ImageUnderTest& img,
                   CommandExecutor& ex) {
  TestResult r = start(f, "Command Test", t.name, t.line);
  // The environment the command sees: the image's, globalEnvVars, the test's
  // envVars. $VAR in the argv expands with the image's environment.
  auto image_env = env_map(img.config.env, f.global_env_vars);
  std::vector<EnvVar> extra = f.global_env_vars;
  extra.insert(extra.end(), t.env_vars.begin(), t.env_vars.end());
  std::vector<std::string> env = env_list(env_map({}, {}));
  for (const auto& e : extra) env.push_back(e.key + "=" + go_expand(e.value, image_env));
  for (auto s : {ex.configure(f.run_options), ex.begin_test()}) {
    if (!s.ok()) {
      r.errors.push_back(s.error().message());
      return r;
    }
  }
  run_setup(ex, t.setup, env, r);
  if (r.errors.empty()) {
    std::vector<std::string> argv = {t.command};
    argv.insert(argv.end(), t.args.begin(), t.args.end());
    for (auto& a : argv) a = go_expand(a, image_env);
    auto res = ex.run(argv, env);
    if (!res.ok()) {
      r.errors.push_back(res.error().message());
    } else {
      r.out = res->out;
      r.err = res->err;
      check_regexes(t.expected_error, t.excluded_error, res->err, "error", r);
      check_regexes(t.expected_output, t.excluded_output, res->out, "output", r);
      if (res->exit_code != t.exit_code)
        r.errors.push_back(
            fmt::format("Test '{}' exited with incorrect error code. Expected: {}, Actual: {}",
                        t.name, t.exit_code, res->exit_code));
    }
  }
  run_teardown(ex, t.teardown, env);
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

std::string go_expand(std::string_view s, const std::map<std::string, std::string>& env) {
  auto lookup = [&](std::string_view name) {
    auto it = env.find(std::string(name));
    return it == env.end() ? std::string() : it->second;
  };
  auto special = [](char c) {
    return std::string_view("*#$@!?-0123456789").find(c) != std::string_view::npos;
  };
  auto alnum = [](char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); };
  std::string out;
  for (size_t j = 0; j < s.size(); ++j) {
    if (s[j] != '$' || j + 1 >= s.size()) {
      out += s[j];
      continue;
    }
    std::string_view rest = s.substr(j + 1);
    std::string_view name;
    size_t width = 0;
    if (rest[0] == '{') {
      if (rest.size() > 2 && special(rest[1]) && rest[2] == '}') {
        name = rest.substr(1, 1);
        width = 3;
      } else {
        size_t close = rest.find('}');
        if (close == std::string_view::npos)
          width = 1;  // "${": eaten
        else if (close == 1)
          width = 2;  // "${}": eaten
        else {
          name = rest.substr(1, close - 1);
          width = close + 1;
        }
      }
    } else if (special(rest[0])) {
      name = rest.substr(0, 1);
      width = 1;
    } else {
      while (width < rest.size() && alnum(rest[width])) ++width;
      name = rest.substr(0, width);
      if (width == 0) out += '$';  // a lone '$' stays
    }
    if (!name.empty()) out += lookup(name);
    j += width;
  }
  return out;
}

std::vector<std::string> content_paths(const std::vector<StructureTestFile>& files,
                                       const image::RootfsView& fs) {
  std::set<std::string> out;
  auto add = [&](const std::string& path) {
    auto e = fs.resolve(clean_path(path));
    if (!e.ok()) return;
    out.insert((*e)->path);
    if (!(*e)->hardlink_to.empty()) out.insert((*e)->hardlink_to);
  };
  for (const auto& f : files) {
    for (const auto& t : f.file_content) add(t.path);
    for (const auto& t : f.licenses) {
      for (const auto& p : t.files) add(p);
      if (t.debian)
        for (const auto& pkg : doc_packages(fs)) add("usr/share/doc/" + pkg + "/copyright");
    }
  }
  return {out.begin(), out.end()};
}

std::vector<TestResult> run_structure_tests(const StructureTestFile& file,
                                            const ImageUnderTest& image,
                                            CommandExecutor& executor) {
  // Upstream's order: command, file content, file existence, license, metadata tests.
  std::vector<TestResult> out;
  const image::RootfsView& fs = *image.fs;
  for (const auto& t : file.commands)
    out.push_back(timed([&] { return command(file, t, image, executor); }));
  for (const auto& t : file.file_content)
    out.push_back(timed([&] { return file_content(file, t, fs); }));
  for (const auto& t : file.file_existence)
    out.push_back(timed([&] { return file_existence(file, t, image); }));
  for (const auto& t : file.licenses) out.push_back(timed([&] { return license(file, t, fs); }));
  if (file.metadata) out.push_back(timed([&] { return metadata(file, *file.metadata, image); }));
  return out;
}

}  // namespace distill::verify
