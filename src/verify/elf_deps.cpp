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

// Resolves libraries inside one image, parsing each ELF file once.
class Loader {
 public:
  explicit Loader(const image::RootfsView& fs) : fs_(fs), conf_dirs_(ld_so_conf_dirs(fs)) {}

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

  // Where the loader would find library `name` for `binary`, or null.
  const image::FileEntry* find_library(std::string_view binary, const ElfFile& bin,
                                       std::string_view name) {
    if (name.find('/') != std::string_view::npos) return file_at(image_path("", name));
    for (const auto& dir : search_dirs(binary, bin)) {
      const image::FileEntry* e = file_at(image_path(dir, name));
      if (e && compatible(*e, bin)) return e;
    }
    return nullptr;
  }

 private:
  std::vector<std::string> search_dirs(std::string_view binary, const ElfFile& bin) const {
    std::vector<std::string> dirs;
    if (bin.runpath.empty())
      for (const auto& d : bin.rpath) dirs.push_back(expand_tokens(d, binary, bin));
    for (const auto& d : bin.runpath) dirs.push_back(expand_tokens(d, binary, bin));
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
  std::map<std::string, std::unique_ptr<ElfFile>, std::less<>> cache_;
};

std::optional<std::string> package_for(const ElfCheckOptions& options, std::string_view soname) {
  if (options.lookup)
    if (auto p = options.lookup(soname)) return p;
  return well_known_package(soname);
}

void check_versions(Loader& loader, const std::string& path, const ElfFile& bin,
                    const std::map<std::string, const image::FileEntry*>& found,
                    const ElfCheckOptions& options, std::vector<ElfFinding>& out) {
  for (const auto& need : bin.version_needs) {
    auto it = found.find(need.library);
    const image::FileEntry* e =
        it != found.end() ? it->second : loader.find_library(path, bin, need.library);
    if (it != found.end() && !e) continue;  // already reported as missing
    if (!e) {
      out.push_back({path,
                     ElfProblem::kMissingLibrary,
                     need.library,
                     {},
                     {},
                     {},
                     package_for(options, need.library)});
      continue;
    }
    const ElfFile* lib = loader.parsed(*e);
    // A library without version definitions satisfies any need (ld.so only warns).
    if (!lib || lib->version_defs.empty()) continue;
    for (const auto& v : need.versions) {
      if (std::find(lib->version_defs.begin(), lib->version_defs.end(), v) !=
          lib->version_defs.end())
        continue;
      out.push_back({path,
                     ElfProblem::kMissingVersion,
                     need.library,
                     v,
                     e->path,
                     {},
                     package_for(options, need.library)});
    }
  }
}

void check_file(Loader& loader, const image::FileEntry& e, const ElfCheckOptions& options,
                std::vector<ElfFinding>& out) {
  auto parsed = parse_elf(*e.content);
  if (!parsed.ok()) {
    out.push_back({e.path, ElfProblem::kMalformed, {}, {}, {}, parsed.error().what, {}});
    return;
  }
  const ElfFile& bin = *parsed;
  if (bin.type != kElfTypeExec && bin.type != kElfTypeDyn) return;
  if (bin.interpreter && !loader.file_at(image_path("", *bin.interpreter)))
    out.push_back({e.path,
                   ElfProblem::kMissingInterpreter,
                   *bin.interpreter,
                   {},
                   {},
                   {},
                   package_for(options, base_name(*bin.interpreter))});
  std::map<std::string, const image::FileEntry*> found;
  for (const auto& name : bin.needed) {
    const image::FileEntry* lib = loader.find_library(e.path, bin, name);
    found.emplace(name, lib);
    if (!lib)
      out.push_back({e.path,
                     ElfProblem::kMissingLibrary,
                     name,
                     {},
                     {},
                     {},
                     package_for(options, base_name(name))});
  }
  check_versions(loader, e.path, bin, found, options, out);
}

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

std::string ElfFinding::hint() const {
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
  std::vector<ElfFinding> out;
  for (const auto& [path, e] : fs.entries()) {
    if (e.type != image::FileType::kRegular || !e.content || !has_elf_magic(*e.content)) continue;
    if (options.select && !options.select(path)) continue;
    check_file(loader, e, options, out);
  }
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
  options.max_total_content = int64_t{1} << 30;
  options.keep_content = [wanted, also_keep = std::move(also_keep)](std::string_view path) {
    return wanted->count(path) != 0 || (also_keep && also_keep(path));
  };
  return image::RootfsView::read(reader, image, std::move(options));
}

}  // namespace distill::verify
