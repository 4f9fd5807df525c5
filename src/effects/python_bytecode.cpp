#include "effects/python_bytecode.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/lines.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "core/temp_dir.hpp"
#include "core/unique_fd.hpp"
#include "debian/solve.hpp"
#include "image/layer_stream.hpp"
#include "oci/entry_content.hpp"
#include "oci/image_config.hpp"
#include "runtime/rootfs_writer.hpp"
#include "runtime/runner.hpp"
#include "runtime/runtime_spec.hpp"
#include "runtime/safe_fs.hpp"

namespace distill::effects {
namespace {

constexpr std::string_view kPycDistPackages = "usr/lib/python3/dist-packages";
constexpr uint32_t kPycNobody = 65534;
// The stdlib's largest .pyc is well under 1 MiB, a whole Debian python3
// image's .pyc well under 100 MiB: anything beyond these bounds is not a
// compiler's output.
constexpr size_t kPycMaxFileBytes = 16u << 20;
constexpr size_t kPycMaxTotalBytes = 512u << 20;
constexpr size_t kPycMaxOutputEntries = 1'000'000;
constexpr int kPycMaxDepth = 64;
// PEP 552: the header is magic, flags, then the source hash (or mtime and size).
constexpr size_t kPycHeaderBytes = 16;
constexpr uint32_t kPycUncheckedHash = 0x1;

// Run by the image's interpreter as `python3.N -s -c DRIVER ROOT...`. Sorted
// walk in one process, so that the marshalled bytes (which depend on the
// order objects are met) come out the same on every run. Hash-based .pyc
// (UNCHECKED_HASH) carry no source mtime. py_compile refuses a cfile that is
// a symlink; everything under /out is re-checked by add_bytecode_output.
constexpr const char* kPycDriver = R"PY(
import importlib.util, os, py_compile, sys
compiled = failed = 0
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
for root in sys.argv[1:]:
    if not os.path.isdir(root):
        continue
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            src = os.path.join(folder, name)
            try:
                py_compile.compile(src, cfile="/out" + importlib.util.cache_from_source(src),
                                   dfile=src, doraise=True, optimize=0, invalidation_mode=mode)
                compiled += 1
            except Exception:
                failed += 1
print('{"compiled": %d, "failed": %d, "hash_randomization": %d}'
      % (compiled, failed, sys.flags.hash_randomization))
)PY";

struct PycInterpreter {
  std::string name;   // "python3.11"
  std::string minor;  // "11"
  std::string stdlib() const { return "usr/lib/" + name; }
  std::string tag() const { return "cpython-3" + minor; }
};

// The entry at `path`, through a symlink when it is one.
const oci::FsEntry* pyc_follow(const Tree& tree, const std::string& path) {
  const oci::FsEntry* e = tree.find(path);
  if (e != nullptr && e->type == oci::EntryType::kSymlink) return tree.find_resolved(path);
  return e;
}

bool pyc_is_file(const Tree& tree, const std::string& path) {
  const oci::FsEntry* e = pyc_follow(tree, path);
  return e != nullptr &&
         (e->type == oci::EntryType::kRegular || e->type == oci::EntryType::kHardlink);
}

// A folder of the tree, or one it only implies (entries below, none of its
// own). `follow`: a symlink to a folder counts. Never when reading /out back: a
// .pyc below a symlink of the tree would land wherever the link points.
bool pyc_tree_dir(const Tree& tree, const std::string& path, bool follow) {
  const oci::FsEntry* e = follow ? pyc_follow(tree, path) : tree.find(path);
  if (e != nullptr) return e->type == oci::EntryType::kDirectory;
  bool below = false;
  tree.for_each_under(path, [&below](const oci::FsEntry&) { below = true; });
  return below;
}

// usr/bin/python3.N that resolve to a regular file and have their stdlib.
std::vector<PycInterpreter> pyc_interpreters(const Tree& tree) {
  std::vector<PycInterpreter> found;
  for (const auto& name : tree.children("usr/bin")) {
    if (!name.starts_with("python3.") || name.size() == 8) continue;
    std::string minor = name.substr(8);
    if (!std::all_of(minor.begin(), minor.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    if (!pyc_is_file(tree, "usr/bin/" + name) || !pyc_tree_dir(tree, "usr/lib/" + name, true))
      continue;
    found.push_back({name, minor});
  }
  return found;
}

// Debian architecture -> the name qemu-user registers with binfmt_misc.
std::string_view pyc_qemu_name(std::string_view arch) {
  static const std::map<std::string_view, std::string_view> names = {
      {"amd64", "x86_64"},       {"arm64", "aarch64"},   {"armhf", "arm"},
      {"armel", "arm"},          {"i386", "i386"},       {"ppc64el", "ppc64le"},
      {"s390x", "s390x"},        {"riscv64", "riscv64"}, {"mips64el", "mips64el"},
      {"loong64", "loongarch64"}};
  auto it = names.find(arch);
  return it == names.end() ? std::string_view() : it->second;
}

// Why binaries of `arch` cannot run here, or "" when they can.
std::string pyc_emulation_blocker(const BytecodeOptions& o) {
  const std::string host = debian::host_arch();
  if (o.arch.empty() || o.arch == host || (host == "amd64" && o.arch == "i386")) return {};
  std::string_view qemu = pyc_qemu_name(o.arch);
  if (qemu.empty()) return "no emulator known for " + o.arch;
  std::string handler = "binfmt_misc qemu-" + std::string(qemu);
  auto text = core::read_file(o.binfmt_misc + "/qemu-" + std::string(qemu));
  std::string first, flags;
  if (text.ok()) {
    for (std::string_view line : core::lines(*text)) {
      if (first.empty()) first = std::string(line);
      if (line.starts_with("flags:")) flags = std::string(line.substr(6));
    }
  }
  if (first != "enabled") return "no emulator registered for " + o.arch + " (" + handler + ")";
  // Without F the kernel opens the emulator by its path inside the container.
  if (flags.find('F') == std::string::npos)
    return "the emulator for " + o.arch + " (" + handler + ") is registered without the F flag";
  return {};
}

// runc to use, or the reason the sandbox cannot run (in `skipped`).
std::string pyc_find_runc(const BytecodeOptions& o, std::string& skipped) {
  std::string runc = o.runc;
  if (runc.empty()) {
    auto found = runtime::find_runc();
    if (found.ok()) runc = *found;
  }
  if (runc.empty() || ::access(runc.c_str(), X_OK) != 0) {
    skipped = "runc not found";
  } else if (::geteuid() != 0) {
    skipped = "runc needs root";
  } else {
    skipped = pyc_emulation_blocker(o);
  }
  return skipped.empty() ? runc : std::string();
}

}  // namespace

std::string bytecode_sandbox_blocker(const BytecodeOptions& options) {
  std::string skipped;
  pyc_find_runc(options, skipped);
  return skipped;
}

namespace {

// A layer entry for RootfsWriter. Ownership is ours (the sandbox only reads
// the files), extended attributes are left out.
core::Result<image::LayerEntry> pyc_layer_entry(const oci::FsEntry& e) {
  image::LayerEntry l;
  l.path = e.path;
  l.mode = e.mode;
  l.uid = ::geteuid();
  l.gid = ::getegid();
  l.mtime = e.mtime;
  switch (e.type) {
    case oci::EntryType::kDirectory:
      l.type = image::FileType::kDirectory;
      break;
    case oci::EntryType::kSymlink:
      l.type = image::FileType::kSymlink;
      l.link_target = e.link_target;
      break;
    case oci::EntryType::kHardlink:
      l.hardlink_to = e.link_target;
      break;
    case oci::EntryType::kRegular: {
      DISTILL_ASSIGN(uint64_t size, oci::content_size(e));
      l.size = static_cast<int64_t>(size);
      break;
    }
  }
  return l;
}

// Streams a spilled file: a large library costs one buffer, not its size.
image::ContentReader pyc_content(const oci::FsEntry& e) {
  image::ContentReader c;
  c.read = [&e](int64_t max_bytes) { return read_entry(e, static_cast<uint64_t>(max_bytes)); };
  c.copy = [&e](const oci::ContentSink& sink) { return oci::stream_content(e, sink); };
  return c;
}

core::Status pyc_write_entry(runtime::RootfsWriter& writer, const oci::FsEntry& e) {
  DISTILL_ASSIGN(image::LayerEntry l, pyc_layer_entry(e));
  return writer.apply(l, pyc_content(e));
}

// The tree on disk below `rootfs`, confined to it: hard links last, once
// their targets exist.
core::Status pyc_write_tree(const Tree& tree, const std::string& rootfs) {
  core::UniqueFd root(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) return core::make_error(rootfs, std::string("cannot open: ") + std::strerror(errno));
  runtime::RootfsWriter writer(std::move(root));
  core::Status status;
  std::vector<const oci::FsEntry*> links;
  tree.for_each_under("", [&](const oci::FsEntry& e) {
    if (!status.ok()) return;
    if (e.type == oci::EntryType::kHardlink) {
      links.push_back(&e);
    } else {
      status = pyc_write_entry(writer, e);
    }
  });
  DISTILL_TRY(status);
  for (const oci::FsEntry* e : links) DISTILL_TRY(pyc_write_entry(writer, *e));
  return core::Status::Ok();
}

// The private sandbox: <work_parent>/distill-pyc.<pid>.XXXXXX (0700) with
// rootfs/, config.json and out/ (0700, owned by the container's user).
struct PycSandbox {
  core::TempDir dir;
  std::string rootfs() const { return dir.path() + "/rootfs"; }
  std::string out() const { return dir.path() + "/out"; }
};

core::Result<PycSandbox> pyc_make_sandbox(const Tree& tree, const std::string& work_parent) {
  DISTILL_ASSIGN(core::TempDir dir, core::TempDir::create(work_parent, "distill-pyc"));
  PycSandbox box{std::move(dir)};
  for (const std::string& path : {box.rootfs(), box.out()}) {
    if (::mkdir(path.c_str(), 0700) != 0)
      return core::make_error(path, std::string("cannot create: ") + std::strerror(errno));
  }
  // The container's root needs to be searchable by its user; its parent is not.
  if (::chmod(box.rootfs().c_str(), 0755) != 0 ||
      ::chown(box.out().c_str(), kPycNobody, kPycNobody) != 0)
    return core::make_error(box.dir.path(), std::string("cannot prepare: ") + std::strerror(errno));
  DISTILL_TRY(pyc_write_tree(tree, box.rootfs()));
  return box;
}

// config.json: the image's interpreter as nobody, read-only root, no
// network, no capabilities, /out the one writable place. -E is not used
// because it would drop PYTHONHASHSEED; the environment is all ours anyway.
core::Result<std::string> pyc_spec(const PycSandbox& box, const PycInterpreter& py,
                                   const BytecodeOptions& o) {
  oci::ContainerConfig config;
  config.entrypoint = {"/usr/bin/" + py.name,
                       "-s",
                       "-c",
                       kPycDriver,
                       "/" + py.stdlib(),
                       "/" + std::string(kPycDistPackages)};
  config.env = {"PYTHONHASHSEED=0", "LC_ALL=C.UTF-8",
                "SOURCE_DATE_EPOCH=" + std::to_string(o.mtime)};
  config.working_dir = "/";
  runtime::RunOptions run;
  run.root_path = box.rootfs();
  run.mounts = {{box.out(), "/out", false}};
  DISTILL_ASSIGN(std::string text,
                 runtime::runtime_spec_json(config, run, {kPycNobody, kPycNobody, {}}));
  DISTILL_ASSIGN(nlohmann::json spec, core::parse_json(text, "runtime spec"));
  // What the container writes to /out is only ever read back as data.
  for (auto& m : spec["mounts"])
    if (m.value("destination", "") == "/out")
      for (const char* opt : {"nosuid", "nodev", "noexec"}) m["options"].push_back(opt);
  return core::dump_json(spec, "runtime spec");
}

struct PycCounts {
  size_t compiled = 0;
  size_t failed = 0;
};

// The last line that is not empty.
std::string pyc_last_line(const std::string& text) {
  std::string last;
  for (std::string_view line : core::lines(text))
    if (!line.empty()) last = std::string(line);
  return last;
}

core::Result<PycCounts> pyc_parse_counts(const core::ProcessResult& r, const std::string& where) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(pyc_last_line(r.out), where));
  DISTILL_ASSIGN(int64_t compiled, core::json_int(j, "compiled"));
  DISTILL_ASSIGN(int64_t failed, core::json_int(j, "failed"));
  DISTILL_ASSIGN(int64_t randomized, core::json_int(j, "hash_randomization"));
  if (randomized != 0 || compiled < 0 || failed < 0)
    return core::make_error(where, "hash randomization stayed on",
                            "the .pyc would differ from build to build");
  return PycCounts{static_cast<size_t>(compiled), static_cast<size_t>(failed)};
}

// What the interpreter (or runc) said last, made safe for a terminal.
std::string pyc_stderr(const std::string& err) {
  std::string last = pyc_last_line(err);
  if (last.size() > 200) last = last.substr(0, 200) + "...";
  return core::escape_control(last);
}

core::Result<PycCounts> pyc_run(const PycSandbox& box, const PycInterpreter& py,
                                const std::string& runc, const BytecodeOptions& o) {
  const std::string where = "/usr/bin/" + py.name;
  DISTILL_ASSIGN(std::string spec, pyc_spec(box, py, o));
  DISTILL_TRY(core::write_file_atomic(box.dir.path() + "/config.json", spec, 0600));
  runtime::SystemRuncExecutor executor;
  runtime::ContainerRunner runner(executor, runc, o.work_parent);
  DISTILL_ASSIGN(core::ProcessResult r, runner.run_captured(box.dir.path()));
  if (r.exit_code != 0)
    return core::make_error(where,
                            "byte-compiling failed in the sandbox (exit " +
                                std::to_string(r.exit_code) + "): " + pyc_stderr(r.err),
                            "the image's python must start with a read-only root as nobody");
  return pyc_parse_counts(r, where);
}

// ---- Reading /out back: everything there was written by the container. ----

struct PycReadBack {
  const Tree& tree;
  const std::vector<std::string>& tags;
  int64_t mtime;
  std::vector<std::string> roots;  // "usr/lib/python3.11", dist-packages
  size_t entries = 0;
  size_t bytes = 0;
  std::map<std::string, oci::FsEntry> files;
  std::set<std::string> cache_dirs;
};

// On the way to a compiled root ("usr/lib") or inside one.
bool pyc_on_root_path(const PycReadBack& rb, const std::string& path) {
  for (const auto& root : rb.roots) {
    if (path == root || path.starts_with(root + "/")) return true;
    if (root.starts_with(path + "/")) return true;
  }
  return false;
}

bool pyc_under_root(const PycReadBack& rb, const std::string& path) {
  for (const auto& root : rb.roots)
    if (path.starts_with(root + "/")) return true;
  return false;
}

struct PycDirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

// Names in `dir_fd`, sorted; the listing counts against the output bound.
core::Result<std::vector<std::string>> pyc_list(PycReadBack& rb, int dir_fd,
                                                const std::string& rel) {
  int fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  std::unique_ptr<DIR, PycDirCloser> d(fd < 0 ? nullptr : ::fdopendir(fd));
  if (!d) {
    if (fd >= 0) ::close(fd);
    return core::make_error("/out/" + rel, std::string("cannot list: ") + std::strerror(errno));
  }
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d.get())) {
    std::string name = ent->d_name;
    if (name == "." || name == "..") continue;
    if (++rb.entries > kPycMaxOutputEntries)
      return core::make_error("/out", "the sandbox wrote more than " +
                                          std::to_string(kPycMaxOutputEntries) + " entries");
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "json/__pycache__" + "__init__.cpython-311.pyc" -> "json/__init__.py" when
// the tag is one of ours and that source is a file of the tree.
std::optional<std::string> pyc_source_of(const PycReadBack& rb, const std::string& cache_dir,
                                         const std::string& name) {
  if (!name.ends_with(".pyc")) return std::nullopt;
  std::string base = name.substr(0, name.size() - 4);
  size_t dot = base.rfind('.');
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  if (std::find(rb.tags.begin(), rb.tags.end(), base.substr(dot + 1)) == rb.tags.end())
    return std::nullopt;
  std::string source(runtime::split_parent(cache_dir).first);
  source += "/" + base.substr(0, dot) + ".py";
  if (!pyc_under_root(rb, source)) return std::nullopt;
  if (!pyc_is_file(rb.tree, source)) return std::nullopt;
  return source;
}

// One file of a __pycache__ folder: kept when it is a regular file for a
// source of the tree, small enough, and hash-based (unchecked).
core::Status pyc_take_file(PycReadBack& rb, int dir_fd, const std::string& cache_dir,
                           const std::string& name) {
  std::string rel = cache_dir + "/" + name;
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
    return core::Status::Ok();
  if (!pyc_source_of(rb, cache_dir, name)) return core::Status::Ok();
  if (static_cast<uint64_t>(st.st_size) > kPycMaxFileBytes) return core::Status::Ok();
  DISTILL_ASSIGN(std::string data, runtime::read_file_beneath(dir_fd, name, kPycMaxFileBytes));
  if (data.size() < kPycHeaderBytes) return core::Status::Ok();
  uint32_t flags = 0;  // little-endian, bytes 4..8
  for (int i = 7; i >= 4; --i) flags = flags << 8 | static_cast<uint8_t>(data[i]);
  if (flags != kPycUncheckedHash) return core::Status::Ok();
  rb.bytes += data.size();
  if (rb.bytes > kPycMaxTotalBytes)
    return core::make_error("/out", "the sandbox wrote more than " +
                                        std::to_string(kPycMaxTotalBytes >> 20) + " MiB of .pyc");
  oci::FsEntry e = oci::FsEntry::file(rel, std::move(data), 0644);
  e.mtime = rb.mtime;
  rb.files[rel] = std::move(e);
  rb.cache_dirs.insert(cache_dir);
  return core::Status::Ok();
}

core::Status pyc_scan(PycReadBack& rb, int dir_fd, const std::string& rel, int depth);

// Opens the folder `name` below `dir_fd` (never through a symlink) and scans it.
core::Status pyc_descend(PycReadBack& rb, int dir_fd, const std::string& rel,
                         const std::string& name, int depth) {
  core::UniqueFd fd(
      ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return core::Status::Ok();  // replaced by something else: not ours to read
  return pyc_scan(rb, fd.get(), rel.empty() ? name : rel + "/" + name, depth + 1);
}

// A __pycache__ folder the tree can hold: its parent a folder of the tree
// inside a compiled root, and no non-folder of the tree in its place.
bool pyc_cache_dir_ok(const PycReadBack& rb, const std::string& parent, const std::string& path) {
  if (!pyc_under_root(rb, path) || !pyc_tree_dir(rb.tree, parent, false)) return false;
  const oci::FsEntry* e = rb.tree.find(path);
  return e == nullptr || e->type == oci::EntryType::kDirectory;
}

core::Status pyc_scan(PycReadBack& rb, int dir_fd, const std::string& rel, int depth) {
  if (depth > kPycMaxDepth) return core::Status::Ok();
  const bool in_cache = runtime::split_parent(rel).second == "__pycache__";
  DISTILL_ASSIGN(std::vector<std::string> names, pyc_list(rb, dir_fd, rel));
  for (const auto& name : names) {
    if (in_cache) {
      DISTILL_TRY(pyc_take_file(rb, dir_fd, rel, name));
      continue;
    }
    std::string path = rel.empty() ? name : rel + "/" + name;
    bool wanted = name == "__pycache__"
                      ? pyc_cache_dir_ok(rb, rel, path)
                      : pyc_on_root_path(rb, path) && pyc_tree_dir(rb.tree, path, false);
    if (wanted) DISTILL_TRY(pyc_descend(rb, dir_fd, rel, name, depth));
  }
  return core::Status::Ok();
}

std::vector<std::string> pyc_roots(const std::vector<std::string>& tags) {
  std::vector<std::string> roots = {std::string(kPycDistPackages)};
  for (const auto& tag : tags)  // "cpython-311" -> "usr/lib/python3.11"
    if (tag.starts_with("cpython-3") && tag.size() > 9)
      roots.push_back("usr/lib/python3." + tag.substr(9));
  return roots;
}

}  // namespace

core::Result<size_t> add_bytecode_output(Tree& tree, const std::string& out_dir,
                                         const std::vector<std::string>& tags, int64_t mtime) {
  core::UniqueFd out(::open(out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!out) return core::make_error(out_dir, std::string("cannot open: ") + std::strerror(errno));
  PycReadBack rb{tree, tags, mtime, pyc_roots(tags), 0, 0, {}, {}};
  DISTILL_TRY(pyc_scan(rb, out.get(), "", 0));
  for (const auto& dir : rb.cache_dirs) {
    if (tree.find(dir) != nullptr) continue;
    oci::FsEntry e = oci::FsEntry::directory(dir, 0755);
    e.mtime = mtime;
    tree.put(std::move(e));
  }
  size_t added = rb.files.size();
  for (auto& [path, entry] : rb.files) tree.put(std::move(entry));
  return added;
}

namespace {

// Hashes every regular .py under `root` (sorted: the tree is a sorted map).
core::Status pyc_hash_sources(const Tree& tree, const std::string& root, core::Sha256& h) {
  core::Status status;
  tree.for_each_under(root, [&](const oci::FsEntry& e) {
    if (!status.ok() || e.type != oci::EntryType::kRegular || !e.path.ends_with(".py")) return;
    auto digest = oci::content_sha256(e);
    if (!digest.ok()) {
      status = digest.error();
      return;
    }
    h.update(e.path + " " + *digest + "\n");
  });
  return status;
}

std::vector<std::string> pyc_tags(const std::vector<PycInterpreter>& pythons) {
  std::vector<std::string> tags;
  for (const auto& py : pythons) tags.push_back(py.tag());
  return tags;
}

// A stored set, checked as the sandbox's output is: each file a .pyc in a
// __pycache__ folder beside its source in the tree.
core::Result<size_t> pyc_add_stored(Tree& tree, const StoredBytecode& stored, int64_t mtime) {
  for (const auto& f : stored.files) {
    auto slash = f.path.rfind("/__pycache__/");
    auto dot = f.path.find('.', slash == std::string::npos ? 0 : slash + 13);
    if (slash == std::string::npos || dot == std::string::npos || !f.path.ends_with(".pyc") ||
        !tree.find(f.path.substr(0, slash) + "/" + f.path.substr(slash + 13, dot - slash - 13) +
                   ".py"))
      return core::make_error("bytecode cache", "holds " + f.path + ", which has no source");
  }
  for (const auto& f : stored.files) {
    std::string dir = f.path.substr(0, f.path.rfind('/'));
    if (!tree.find(dir)) {
      oci::FsEntry d = oci::FsEntry::directory(dir, 0755);
      d.mtime = mtime;
      tree.put(std::move(d));
    }
    oci::FsEntry e = f;
    e.mode = 0644;
    e.uid = e.gid = 0;
    e.mtime = mtime;
    tree.put(std::move(e));
  }
  return stored.files.size();
}

StoredBytecode pyc_collect(const Tree& tree, const std::vector<std::string>& tags, size_t failed) {
  StoredBytecode s;
  s.failed = failed;
  for (const auto& root : pyc_roots(tags))
    tree.for_each_under(root, [&s](const oci::FsEntry& e) {
      if (e.type == oci::EntryType::kRegular && e.path.ends_with(".pyc") &&
          e.path.find("/__pycache__/") != std::string::npos)
        s.files.push_back(e);
    });
  return s;
}

}  // namespace

core::Result<std::string> bytecode_key(const Tree& tree, std::string_view arch) {
  std::vector<PycInterpreter> pythons = pyc_interpreters(tree);
  core::Sha256 h;
  h.update(std::string("distill-pyc-v1\n") + std::string(arch) + "\n" + kPycDriver + "\n");
  for (const auto& py : pythons) {
    const oci::FsEntry* bin = pyc_follow(tree, "usr/bin/" + py.name);
    if (!bin || bin->type != oci::EntryType::kRegular)
      return core::make_error("/usr/bin/" + py.name, "not a file");
    auto digest = oci::content_sha256(*bin);
    if (!digest.ok()) return digest.error();
    h.update(py.name + " " + *digest + "\n");
  }
  for (const auto& root : pyc_roots(pyc_tags(pythons)))
    DISTILL_TRY(pyc_hash_sources(tree, root, h));
  return h.hex_digest();
}

core::Result<BytecodeResult> compile_python(Tree& tree, const BytecodeOptions& options) {
  BytecodeResult result;
  std::vector<PycInterpreter> pythons = pyc_interpreters(tree);
  if (pythons.empty()) return result;
  std::string key;
  if (options.store) {
    DISTILL_ASSIGN(key, bytecode_key(tree, options.arch));
    if (auto stored = options.store->load(key)) {
      DISTILL_ASSIGN(result.compiled, pyc_add_stored(tree, *stored, options.mtime));
      result.failed = stored->failed;
      result.ran = result.from_store = true;
      return result;
    }
  }
  std::string runc = pyc_find_runc(options, result.skipped);
  if (!result.skipped.empty()) return result;
  DISTILL_ASSIGN(PycSandbox box, pyc_make_sandbox(tree, options.work_parent));
  std::vector<std::string> tags;
  for (const auto& py : pythons) {
    DISTILL_ASSIGN(PycCounts counts, pyc_run(box, py, runc, options));
    result.failed += counts.failed;
    tags.push_back(py.tag());
  }
  DISTILL_ASSIGN(result.compiled, add_bytecode_output(tree, box.out(), tags, options.mtime));
  result.ran = true;
  if (options.store) options.store->save(key, pyc_collect(tree, tags, result.failed));
  return result;
}

}  // namespace distill::effects
