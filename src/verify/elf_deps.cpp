#include "verify/elf_deps.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "verify/elf_file.hpp"
#include "verify/text_util.hpp"

namespace distill::verify {
namespace {

// Debian's multiarch triplet and the loader's $PLATFORM for an e_machine.
struct MachineInfo {
  const char* triplet;
  const char* platform;
};

std::optional<MachineInfo> machine_info(const ElfFile& f) {
  switch (f.machine) {
    case 62:
      return MachineInfo{"x86_64-linux-gnu", "x86_64"};
    case 3:
      return MachineInfo{"i386-linux-gnu", "i686"};
    case 183:
      return MachineInfo{"aarch64-linux-gnu", "aarch64"};
    case 40:
      return MachineInfo{"arm-linux-gnueabihf", "v7l"};
    case 21:
      return f.big_endian ? std::nullopt
                          : std::optional(MachineInfo{"powerpc64le-linux-gnu", "ppc64le"});
    case 22:
      return MachineInfo{"s390x-linux-gnu", "s390x"};
    case 243:
      return MachineInfo{"riscv64-linux-gnu", "riscv64"};
    case 8:
      return MachineInfo{f.is_64 ? "mips64el-linux-gnuabi64" : "mipsel-linux-gnu", "mips"};
    default:
      return std::nullopt;
  }
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// A RUNPATH entry with the loader's dynamic string tokens expanded; the
// result is relative to the image root.
std::string expand_tokens(std::string dir, std::string_view binary, const ElfFile& f) {
  std::string origin = "/" + std::string(dir_name(binary));
  auto info = machine_info(f);
  std::string lib = info ? std::string("lib/") + info->triplet : "lib";
  std::string platform = info ? info->platform : "";
  for (auto [token, value] : {std::pair<std::string_view, std::string_view>{"${ORIGIN}", origin},
                              {"$ORIGIN", origin},
                              {"${LIB}", lib},
                              {"$LIB", lib},
                              {"${PLATFORM}", platform},
                              {"$PLATFORM", platform}})
    replace_all(dir, token, value);
  return dir;
}

std::string image_path(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  size_t start = path.find_first_not_of('/');
  return start == std::string::npos ? std::string() : path.substr(start);
}

// ld.so.conf.d folders: every absolute path line of the kept *.conf files.
std::vector<std::string> ld_so_conf_dirs(const image::RootfsView& fs) {
  std::vector<std::string> dirs;
  for (const image::FileEntry* e : fs.list("etc/ld.so.conf.d")) {
    if (!e->path.ends_with(".conf")) continue;
    auto text = fs.read_file(e->path);
    if (!text.ok()) continue;
    for (std::string_view line : core::lines(*text)) {
      while (!line.empty() && core::is_space(line.back())) line.remove_suffix(1);
      if (line.starts_with('/')) dirs.emplace_back(line);
    }
  }
  return dirs;
}

// The JVM variants, in the launcher's order of preference (jvm.cfg lists
// server first; client, minimal and zero are the other builds).
constexpr std::string_view kJvmVariants[] = {"server", "client", "minimal", "zero"};

// JVM homes: folders H holding H/lib/<variant>/libjvm.so, mapped to that
// libjvm.so (the preferred variant when there are several).
std::map<std::string, std::string, std::less<>> find_jvm_homes(const image::RootfsView& fs) {
  std::map<std::string, std::pair<size_t, std::string>, std::less<>> best;
  for (const auto& [path, e] : fs.entries()) {
    if (e.type != image::FileType::kRegular || base_name(path) != "libjvm.so") continue;
    std::string_view variant_dir = dir_name(path);
    std::string_view lib_dir = dir_name(variant_dir);
    if (base_name(lib_dir) != "lib") continue;
    auto v = std::find(std::begin(kJvmVariants), std::end(kJvmVariants), base_name(variant_dir));
    if (v == std::end(kJvmVariants)) continue;
    size_t rank = static_cast<size_t>(v - std::begin(kJvmVariants));
    std::string home(dir_name(lib_dir));
    auto it = best.find(home);
    if (it == best.end() || rank < it->second.first) best[home] = {rank, path};
  }
  std::map<std::string, std::string, std::less<>> out;
  for (auto& [home, v] : best) out[home] = std::move(v.second);
  return out;
}

// Libraries a plugin may lack without harming a program that never loads
// it: the desktop (X11, Wayland, GL, GTK, fonts, image codecs for AWT and the
// splash screen), sound, printing and smart cards (docs/elf-check.md).
bool is_optional_library(std::string_view soname) {
  static const std::string_view kPrefixes[] = {
      "libxcb",        "libGL",         "libEGL",      "libOpenGL", "libwayland-", "libgtk-",
      "libgdk-",       "libgdk_pixbuf", "libatk-",     "libatspi",  "libcairo",    "libpango",
      "libfontconfig", "libfreetype",   "libharfbuzz", "libgif",    "libjpeg",     "libpng",
      "liblcms2",      "libasound",     "libpulse",    "libjack",   "libcups",     "libpcsclite"};
  std::string_view stem = soname.substr(0, soname.find(".so"));
  // libX11, libXext, libXrender, libXtst, libXi, ...: the X client libraries
  // (the capital X; libxml2 and the like are not).
  if (stem.starts_with("libX")) return true;
  for (std::string_view p : kPrefixes)
    if (stem.starts_with(p)) return true;
  return false;
}

// One object in a simulated load: the file, its parse and the index of the
// object whose DT_NEEDED (or dlopen) brought it in (-1: loaded first).
struct LoadedObject {
  const image::FileEntry* entry;
  const ElfFile* elf;
  int loader;
};

// Resolves libraries inside one image, parsing each ELF file once.
class Loader {
 public:
  explicit Loader(const image::RootfsView& fs)
      : fs_(fs), conf_dirs_(ld_so_conf_dirs(fs)), jvm_homes_(find_jvm_homes(fs)) {}

  // The parsed file at the image path `path` (already resolved), or null
  // when its content was not kept or it is not a readable ELF file.
  const ElfFile* parsed(const image::FileEntry& e) {
    auto it = cache_.find(e.path);
    if (it == cache_.end()) {
      std::unique_ptr<ElfFile> f;
      if (e.content && has_elf_magic(*e.content)) {
        auto r = parse_elf(*e.content);
        if (r.ok()) f = std::make_unique<ElfFile>(std::move(*r));
      }
      it = cache_.emplace(e.path, std::move(f)).first;
    }
    return it->second.get();
  }

  // The regular file `path` leads to, or null.
  const image::FileEntry* file_at(const std::string& path) const {
    if (path.empty()) return nullptr;
    auto r = fs_.resolve(path);
    if (!r.ok() || (*r)->type != image::FileType::kRegular) return nullptr;
    return *r;
  }

  // Where ld.so would find library `name` needed by loaded[who], or null.
  const image::FileEntry* find_library(const std::vector<LoadedObject>& loaded, int who,
                                       std::string_view name) {
    const ElfFile& bin = *loaded[who].elf;
    if (name.find('/') != std::string_view::npos) return file_at(image_path("", name));
    for (const auto& dir : search_dirs(loaded, who)) {
      const image::FileEntry* e = file_at(image_path(dir, name));
      if (e && compatible(*e, bin)) return e;
    }
    return nullptr;
  }

  // The libjvm.so a JVM has loaded before any object of its home `path` is
  // loaded, or null when `path` is in no JVM home.
  const image::FileEntry* jvm_for(std::string_view path) const {
    for (const auto& [home, jvm] : jvm_homes_)
      if (path.size() > home.size() && path.starts_with(home) && path[home.size()] == '/')
        return file_at(jvm);
    return nullptr;
  }

 private:
  // glibc's order (elf/dl-load.c, _dl_map_object): when the object has no
  // DT_RUNPATH, the DT_RPATH of the object, then of the object that loaded
  // it, and so on up to the first one loaded; then its own DT_RUNPATH (never
  // inherited); then ld.so.cache (the ld.so.conf folders) and the defaults.
  // An object with a DT_RUNPATH has its DT_RPATH ignored (get-dynamic-info.h).
  std::vector<std::string> search_dirs(const std::vector<LoadedObject>& loaded, int who) const {
    const ElfFile& bin = *loaded[who].elf;
    std::vector<std::string> dirs;
    if (bin.runpath.empty())
      for (int l = who; l >= 0; l = loaded[l].loader) {
        const ElfFile& owner = *loaded[l].elf;
        if (!owner.runpath.empty()) continue;
        for (const auto& d : owner.rpath)
          dirs.push_back(expand_tokens(d, loaded[l].entry->path, owner));
      }
    for (const auto& d : bin.runpath)
      dirs.push_back(expand_tokens(d, loaded[who].entry->path, bin));
    dirs.insert(dirs.end(), conf_dirs_.begin(), conf_dirs_.end());
    if (auto info = machine_info(bin)) {
      dirs.push_back(std::string("lib/") + info->triplet);
      dirs.push_back(std::string("usr/lib/") + info->triplet);
    }
    if (bin.is_64) {
      dirs.push_back("lib64");
      dirs.push_back("usr/lib64");
    }
    dirs.push_back("lib");
    dirs.push_back("usr/lib");
    return dirs;
  }

  // The loader skips libraries of another class or machine and keeps searching.
  bool compatible(const image::FileEntry& e, const ElfFile& bin) {
    if (!e.content) return true;  // not kept (too big): give it the benefit of the doubt
    const ElfFile* lib = parsed(e);
    return lib && lib->is_64 == bin.is_64 && lib->machine == bin.machine;
  }

  const image::RootfsView& fs_;
  std::vector<std::string> conf_dirs_;
  std::map<std::string, std::string, std::less<>> jvm_homes_;
  std::map<std::string, std::unique_ptr<ElfFile>, std::less<>> cache_;
};

std::optional<std::string> package_for(const ElfCheckOptions& options, std::string_view soname) {
  if (options.lookup)
    if (auto p = options.lookup(soname)) return p;
  return well_known_package(soname);
}

// The problems found while loading from one root object, and every object
// that load reached.
struct LoadResult {
  std::vector<ElfFinding> findings;
  std::set<std::string, std::less<>> visited;
};

// One simulated load, as ld.so maps an executable's (or a dlopen'ed
// object's) dependencies: breadth first, each DT_NEEDED first matched
// against the objects already loaded (by SONAME or the name that loaded
// them), then searched for from the object that needs it.
class LoadSimulation {
 public:
  LoadSimulation(Loader& loader, const ElfCheckOptions& options,
                 const std::set<std::string, std::less<>>* done)
      : loader_(loader), options_(options), done_(done) {}

  // `preloaded`: an object the process holds before `root` is loaded (a
  // JVM's libjvm.so for the JVM's own libraries).
  LoadResult run(const image::FileEntry& root, const ElfFile& elf,
                 const image::FileEntry* preloaded) {
    add(root, elf, -1, {});
    if (preloaded && preloaded->path != root.path) {
      if (const ElfFile* p = loader_.parsed(*preloaded))
        add(*preloaded, *p, -1, {});
      else  // its bytes were not kept (too big): loaded all the same, under its file name
        opaque_.emplace(std::string(base_name(preloaded->path)), preloaded);
    }
    for (size_t i = 0; i < loaded_.size(); ++i) {
      // An object an executable loads was checked in that executable's load.
      if (i > 0 && done_ && done_->count(loaded_[i].entry->path)) continue;
      load_needed(static_cast<int>(i));
    }
    for (const auto& o : loaded_) result_.visited.insert(o.entry->path);
    return std::move(result_);
  }

 private:
  void add(const image::FileEntry& e, const ElfFile& elf, int loader, std::string_view name) {
    int index = static_cast<int>(loaded_.size());
    loaded_.push_back({&e, &elf, loader});
    by_path_.emplace(e.path, index);
    if (elf.soname) by_name_.emplace(*elf.soname, index);
    if (!name.empty()) by_name_.emplace(std::string(name), index);
  }

  const image::FileEntry* resolve(int who, const std::string& name) {
    if (auto it = by_name_.find(name); it != by_name_.end()) return loaded_[it->second].entry;
    if (auto it = opaque_.find(name); it != opaque_.end()) return it->second;
    const image::FileEntry* e = loader_.find_library(loaded_, who, name);
    if (!e) return nullptr;
    if (auto it = by_path_.find(e->path); it != by_path_.end()) {
      by_name_.emplace(name, it->second);
      return e;
    }
    // Not kept (too big) or unreadable: found, but nothing to follow.
    if (const ElfFile* lib = loader_.parsed(*e)) add(*e, *lib, who, name);
    return e;
  }

  void load_needed(int who) {
    const LoadedObject cur = loaded_[who];
    std::map<std::string, const image::FileEntry*> found;
    for (const auto& name : cur.elf->needed) {
      const image::FileEntry* lib = resolve(who, name);
      found.emplace(name, lib);
      if (!lib) missing(cur.entry->path, name);
    }
    for (const auto& need : cur.elf->version_needs) {
      auto it = found.find(need.library);
      if (it != found.end() && !it->second) continue;  // already reported as missing
      const image::FileEntry* e = it != found.end() ? it->second : resolve(who, need.library);
      if (!e) {
        missing(cur.entry->path, need.library);
        continue;
      }
      check_versions(cur.entry->path, need, *e);
    }
  }

  void missing(const std::string& binary, const std::string& library) {
    result_.findings.push_back({binary,
                                ElfProblem::kMissingLibrary,
                                library,
                                {},
                                {},
                                {},
                                package_for(options_, base_name(library))});
  }

  void check_versions(const std::string& binary, const ElfVersionNeed& need,
                      const image::FileEntry& e) {
    const ElfFile* lib = loader_.parsed(e);
    // A library without version definitions satisfies any need (ld.so only warns).
    if (!lib || lib->version_defs.empty()) return;
    for (const auto& v : need.versions) {
      if (std::find(lib->version_defs.begin(), lib->version_defs.end(), v) !=
          lib->version_defs.end())
        continue;
      result_.findings.push_back({binary,
                                  ElfProblem::kMissingVersion,
                                  need.library,
                                  v,
                                  e.path,
                                  {},
                                  package_for(options_, need.library)});
    }
  }

  Loader& loader_;
  const ElfCheckOptions& options_;
  const std::set<std::string, std::less<>>* done_;
  std::vector<LoadedObject> loaded_;
  std::map<std::string, int, std::less<>> by_path_;
  std::map<std::string, int, std::less<>> by_name_;
  std::map<std::string, const image::FileEntry*, std::less<>> opaque_;
  LoadResult result_;
};

// What ld.so starts a process from: an ET_EXEC file or one with an
// interpreter (a PIE; glibc's own libc.so.6 counts too, harmlessly).
bool is_program(const ElfFile& f) {
  return f.type == kElfTypeExec || f.interpreter.has_value();
}

// Findings kept once each, in the order found.
class FindingSet {
 public:
  void add(ElfFinding f) {
    auto key = std::make_tuple(f.binary, static_cast<int>(f.problem), f.library, f.version);
    if (seen_.insert(std::move(key)).second) out.push_back(std::move(f));
  }
  std::vector<ElfFinding> out;

 private:
  std::set<std::tuple<std::string, int, std::string, std::string>> seen_;
};

bool shared_object_name(std::string_view base) {
  size_t so = base.find(".so");
  return so != std::string_view::npos && (so + 3 == base.size() || base[so + 3] == '.');
}

}  // namespace

std::optional<std::string> well_known_package(std::string_view soname) {
  static const std::map<std::string_view, std::string_view> kTable = {
      {"ld-linux-x86-64.so.2", "libc6"},
      {"ld-linux-aarch64.so.1", "libc6"},
      {"ld-linux-armhf.so.3", "libc6"},
      {"ld-linux.so.2", "libc6"},
      {"ld64.so.2", "libc6"},
      {"ld64.so.1", "libc6"},
      {"libc.so.6", "libc6"},
      {"libm.so.6", "libc6"},
      {"libdl.so.2", "libc6"},
      {"libpthread.so.0", "libc6"},
      {"librt.so.1", "libc6"},
      {"libresolv.so.2", "libc6"},
      {"libutil.so.1", "libc6"},
      {"libanl.so.1", "libc6"},
      {"libstdc++.so.6", "libstdc++6"},
      {"libgcc_s.so.1", "libgcc-s1"},
      {"libgomp.so.1", "libgomp1"},
      {"libatomic.so.1", "libatomic1"},
      {"libssl.so.3", "libssl3"},
      {"libcrypto.so.3", "libssl3"},
      {"libssl.so.1.1", "libssl1.1"},
      {"libcrypto.so.1.1", "libssl1.1"},
      {"libpq.so.5", "libpq5"},
      {"libz.so.1", "zlib1g"},
      {"libzstd.so.1", "libzstd1"},
      {"liblzma.so.5", "liblzma5"},
      {"libbz2.so.1.0", "libbz2-1.0"},
      {"libffi.so.8", "libffi8"},
      {"libsqlite3.so.0", "libsqlite3-0"},
      {"libcurl.so.4", "libcurl4"},
      {"libexpat.so.1", "libexpat1"},
      {"libuuid.so.1", "libuuid1"},
      {"libselinux.so.1", "libselinux1"},
      {"libpcre2-8.so.0", "libpcre2-8-0"},
      {"libcap.so.2", "libcap2"},
      {"libtinfo.so.6", "libtinfo6"},
      {"libncursesw.so.6", "libncursesw6"},
      {"libreadline.so.8", "libreadline8"},
      {"libgmp.so.10", "libgmp10"},
      {"libxml2.so.2", "libxml2"},
      {"libyaml-0.so.2", "libyaml-0-2"},
      {"libmariadb.so.3", "libmariadb3"},
      {"libcrypt.so.1", "libcrypt1"},
      {"libgnutls.so.30", "libgnutls30"},
  };
  auto it = kTable.find(soname);
  if (it == kTable.end()) return std::nullopt;
  return std::string(it->second);
}

std::vector<std::string> package_guesses(std::string_view soname) {
  std::vector<std::string> out;
  if (auto known = well_known_package(soname)) out.push_back(*known);
  size_t so = soname.find(".so.");
  if (so == std::string_view::npos || so == 0) return out;
  std::string name = core::ascii_lower(soname.substr(0, so));
  std::string version(soname.substr(so + 4));
  for (char& c : name)
    if (c == '_') c = '-';
  bool ends_digit = std::isdigit(static_cast<unsigned char>(name.back()));
  std::string guess = name + (ends_digit ? "-" : "") + version;
  if (std::find(out.begin(), out.end(), guess) == out.end()) out.push_back(guess);
  return out;
}

PackageLookup lookup_in(std::function<bool(std::string_view package)> exists) {
  return [exists = std::move(exists)](std::string_view soname) -> std::optional<std::string> {
    for (const auto& guess : package_guesses(soname))
      if (exists(guess)) return guess;
    return std::nullopt;
  };
}

std::string ElfFinding::message() const {
  switch (problem) {
    case ElfProblem::kMalformed:
      return "is not a readable ELF file: " + detail;
    case ElfProblem::kMissingInterpreter:
      return fmt::format("needs the interpreter /{}, which is not in the image",
                         library.starts_with('/') ? library.substr(1) : library);
    case ElfProblem::kMissingLibrary:
      return fmt::format("needs {}, which is not in the image", library);
    case ElfProblem::kMissingVersion:
      return fmt::format("needs version {} of {}, which /{} does not define", version, library,
                         found_at);
  }
  return {};
}

const char* ElfFinding::rule_id() const {
  if (problem == ElfProblem::kMalformed) return kElfUnreadableRule;
  return optional ? kElfOptionalRule : kElfDepsRule;
}

std::string ElfFinding::hint() const {
  if (optional)
    return fmt::format(
        "optional: no program in the image loads this plugin through DT_NEEDED, it fails only "
        "when one loads it at run time{}",
        package ? fmt::format("; add `packages: [{}]` if yours does", *package) : "");
  if (!package) return {};
  if (problem == ElfProblem::kMissingVersion)
    return fmt::format(
        "package {} in the image is older than the one the binary was built "
        "against; build it for this distribution",
        *package);
  return fmt::format("add `packages: [{}]`", *package);
}

std::vector<ElfFinding> check_elf_dependencies(const image::RootfsView& fs,
                                               const ElfCheckOptions& options) {
  Loader loader(fs);
  FindingSet found;
  std::vector<std::pair<const image::FileEntry*, const ElfFile*>> objects;
  for (const auto& [path, e] : fs.entries()) {
    if (e.type != image::FileType::kRegular || !e.content || !has_elf_magic(*e.content)) continue;
    const ElfFile* elf = loader.parsed(e);
    if (!elf) {
      found.add({path, ElfProblem::kMalformed, {}, {}, {}, parse_elf(*e.content).error().what, {}});
      continue;
    }
    if (elf->type != kElfTypeExec && elf->type != kElfTypeDyn) continue;
    if (elf->interpreter && !loader.file_at(image_path("", *elf->interpreter)))
      found.add({path,
                 ElfProblem::kMissingInterpreter,
                 *elf->interpreter,
                 {},
                 {},
                 {},
                 package_for(options, base_name(*elf->interpreter))});
    objects.emplace_back(&e, elf);
  }
  // Programs first: what they load through DT_NEEDED is checked in their
  // context, and every problem there is fatal.
  std::set<std::string, std::less<>> reached;
  for (const auto& [e, elf] : objects) {
    if (!is_program(*elf)) continue;
    LoadResult r = LoadSimulation(loader, options, nullptr).run(*e, *elf, nullptr);
    for (auto& f : r.findings) found.add(std::move(f));
    reached.merge(r.visited);
  }
  // The rest are plugins, loaded by dlopen (a JVM's libraries, interpreter
  // modules). Each is loaded on its own; a plugin another plugin loads is
  // checked in that one's load, so it inherits its RPATH as at run time.
  std::vector<std::pair<const image::FileEntry*, LoadResult>> plugins;
  std::set<std::string, std::less<>> loaded_by_plugin;
  for (const auto& [e, elf] : objects) {
    if (reached.count(e->path)) continue;
    LoadResult r = LoadSimulation(loader, options, &reached).run(*e, *elf, loader.jvm_for(e->path));
    for (const auto& v : r.visited)
      if (v != e->path) loaded_by_plugin.insert(v);
    plugins.emplace_back(e, std::move(r));
  }
  std::set<std::string, std::less<>> covered;
  auto keep = [&](LoadResult& r) {
    for (auto& f : r.findings) {
      f.optional = f.problem == ElfProblem::kMissingLibrary && is_optional_library(f.library);
      found.add(std::move(f));
    }
    covered.insert(r.visited.begin(), r.visited.end());
  };
  for (auto& [e, r] : plugins)
    if (!loaded_by_plugin.count(e->path)) keep(r);
  // Plugins that only load each other in a cycle have no root: each on its own.
  for (auto& [e, r] : plugins)
    if (!covered.count(e->path)) keep(r);
  std::vector<ElfFinding> out;
  for (auto& f : found.out)
    if (!options.select || options.select(f.binary)) out.push_back(std::move(f));
  std::stable_sort(out.begin(), out.end(),
                   [](const ElfFinding& a, const ElfFinding& b) { return a.binary < b.binary; });
  return out;
}

bool is_elf_candidate(const image::FileEntry& e) {
  if (e.type != image::FileType::kRegular) return false;
  return (e.mode & 0111) != 0 || shared_object_name(base_name(e.path)) ||
         e.path.starts_with("etc/ld.so.conf");
}

core::Result<image::RootfsView> read_rootfs_for_elf(
    oci::ImageReader& reader, const oci::PlatformImage& image,
    std::function<bool(std::string_view path)> also_keep) {
  DISTILL_ASSIGN(image::RootfsView meta, image::RootfsView::read(reader, image));
  auto wanted = std::make_shared<std::set<std::string, std::less<>>>();
  for (const auto& [path, e] : meta.entries()) {
    if (is_elf_candidate(e)) wanted->insert(path);
    // A hard link's content is kept under the name the tar stores it at.
    if (is_elf_candidate(e) && !e.hardlink_to.empty()) wanted->insert(e.hardlink_to);
  }
  image::RootfsOptions options;
  // A JVM's libjvm.so is 20 MiB or more: big objects are checked too.
  options.max_file_content = int64_t{128} << 20;
  options.max_total_content = int64_t{1} << 30;
  options.keep_content = [wanted, also_keep = std::move(also_keep)](std::string_view path) {
    return wanted->count(path) != 0 || (also_keep && also_keep(path));
  };
  return image::RootfsView::read(reader, image, std::move(options));
}

}  // namespace distill::verify
