#include "effects/ld_cache.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <optional>
#include <utility>

#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "oci/entry_content.hpp"
#include "verify/elf_file.hpp"

namespace distill::effects {
namespace {

// ---------------------------------------------------------------------------
// Architectures: what ldconfig built for each one accepts and how it writes.

// Which of glibc's readelflib.c variants classifies the objects.
enum class LdcFamily { kX86, kArm, kPower, kS390 };

struct LdcArch {
  std::string_view name;
  std::string_view triplet;
  LdcFamily family;
  bool big_endian;
  // `char` is signed on x86 only; _dl_cache_libcmp compares chars, so the
  // order of non-ASCII names follows the target's char.
  bool signed_char;
};

constexpr std::array<LdcArch, 7> kLdcArchs = {{
    {"amd64", "x86_64-linux-gnu", LdcFamily::kX86, false, true},
    {"i386", "i386-linux-gnu", LdcFamily::kX86, false, true},
    {"arm64", "aarch64-linux-gnu", LdcFamily::kArm, false, false},
    {"armhf", "arm-linux-gnueabihf", LdcFamily::kArm, false, false},
    {"armel", "arm-linux-gnueabi", LdcFamily::kArm, false, false},
    {"ppc64el", "powerpc64le-linux-gnu", LdcFamily::kPower, false, false},
    {"s390x", "s390x-linux-gnu", LdcFamily::kS390, true, false},
}};

const LdcArch* ldc_find_arch(std::string_view name) {
  for (const auto& a : kLdcArchs)
    if (a.name == name) return &a;
  return nullptr;
}

// ---------------------------------------------------------------------------
// _dl_cache_libcmp: the order ld.so's binary search expects. Digit runs
// compare as numbers and above any other character. glibc adds the digits in
// an int; numbers are compared here by value at any length, which is the
// same for every number below 2^31 and keeps the order total.

int ldc_char(std::string_view s, size_t i, bool signed_char) {
  if (i >= s.size()) return 0;
  auto c = static_cast<unsigned char>(s[i]);
  return signed_char ? static_cast<int>(static_cast<signed char>(c)) : static_cast<int>(c);
}

bool ldc_is_digit(std::string_view s, size_t i) {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

// Compares the digit runs starting at a[i] and b[j], advancing both.
int ldc_compare_numbers(std::string_view a, size_t& i, std::string_view b, size_t& j) {
  auto run = [](std::string_view s, size_t& k) {
    while (k + 1 < s.size() && s[k] == '0' && ldc_is_digit(s, k + 1)) ++k;
    size_t start = k;
    while (ldc_is_digit(s, k)) ++k;
    return s.substr(start, k - start);
  };
  std::string_view x = run(a, i);
  std::string_view y = run(b, j);
  if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
  return x.compare(y) < 0 ? -1 : (x == y ? 0 : 1);
}

int ldc_libcmp(std::string_view a, std::string_view b, bool signed_char) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size()) {
    if (ldc_is_digit(a, i)) {
      if (!ldc_is_digit(b, j)) return 1;
      int c = ldc_compare_numbers(a, i, b, j);
      if (c != 0) return c;
    } else if (ldc_is_digit(b, j)) {
      return -1;
    } else if (ldc_char(a, i, signed_char) != ldc_char(b, j, signed_char)) {
      return ldc_char(a, i, signed_char) - ldc_char(b, j, signed_char);
    } else {
      ++i;
      ++j;
    }
  }
  return -ldc_char(b, j, signed_char);
}

// ldconfig's cache order: keys descending (ld.so searches it that way), then
// higher flags, more hwcap bits and higher hwcap first.
bool ldc_before(const LdCacheEntry& a, const LdCacheEntry& b, bool signed_char) {
  int c = ldc_libcmp(b.key, a.key, signed_char);
  if (c != 0) return c < 0;
  if (a.flags != b.flags) return a.flags > b.flags;
  int bits_a = std::popcount(a.hwcap);
  int bits_b = std::popcount(b.hwcap);
  if (bits_a != bits_b) return bits_a > bits_b;
  return a.hwcap > b.hwcap;
}

// ---------------------------------------------------------------------------
// The file format (glibc's dl-cache.h, new format only).

constexpr std::string_view kLdcMagic = "glibc-ld.so.cache1.1";
constexpr std::string_view kLdcOldMagic = "ld.so-1.7.0";
constexpr size_t kLdcHeaderSize = 48;
constexpr size_t kLdcEntrySize = 24;
constexpr uint32_t kLdcExtensionMagic = 0xeaa42174;
constexpr uint32_t kLdcTagGenerator = 0;
constexpr uint8_t kLdcEndianLittle = 2;
constexpr uint8_t kLdcEndianBig = 3;
constexpr std::string_view kLdcGenerator = "distill (glibc ld.so.cache format 1.1)";

class LdcWriter {
 public:
  explicit LdcWriter(bool big_endian) : be_(big_endian) {}
  void u8(uint8_t v) { put(v, 1); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void bytes(std::string_view s) { out_ += s; }
  void pad_to(size_t align) { out_.resize((out_.size() + align - 1) / align * align, '\0'); }
  size_t size() const { return out_.size(); }
  bool big_endian() const { return be_; }
  std::string take() { return std::move(out_); }

 private:
  void put(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      unsigned shift = 8 * (be_ ? n - 1 - i : i);
      out_ += static_cast<char>((v >> shift) & 0xff);
    }
  }
  bool be_;
  std::string out_;
};

// ldconfig's string table: every distinct string once, ordered so that a
// string that ends another directly follows it and shares its bytes
// ("libc.so.6" inside "/lib/x86_64-linux-gnu/libc.so.6").
struct LdcStrings {
  std::string bytes;
  std::map<std::string, uint32_t> offsets;
};

// Reversed strings in reverse order; of two where one ends the other, the
// longer first.
bool ldc_tail_order(const std::string& l, const std::string& r) {
  size_t n = std::min(l.size(), r.size());
  for (size_t i = 1; i <= n; ++i) {
    auto lc = static_cast<unsigned char>(l[l.size() - i]);
    auto rc = static_cast<unsigned char>(r[r.size() - i]);
    if (lc != rc) return lc > rc;
  }
  return l.size() > r.size();
}

LdcStrings ldc_string_table(const std::vector<LdCacheEntry>& entries) {
  std::vector<std::string> all;
  for (const auto& e : entries) {
    all.push_back(e.key);
    all.push_back(e.path);
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::sort(all.begin(), all.end(), ldc_tail_order);
  LdcStrings t;
  const std::string* prev = nullptr;
  for (const auto& s : all) {
    if (prev && prev->ends_with(s)) {
      t.offsets[s] = t.offsets[*prev] + static_cast<uint32_t>(prev->size() - s.size());
    } else {
      t.offsets[s] = static_cast<uint32_t>(t.bytes.size());
      t.bytes += s;
      t.bytes += '\0';
    }
    prev = &s;
  }
  return t;
}

std::string ldc_c_string(const std::string& s) {
  return s.substr(0, s.find('\0'));
}

// The header, the entries and the string table. String offsets count from
// the start of the file, where ldconfig's new-format-only cache puts them.
void ldc_write_tables(LdcWriter& w, const std::vector<LdCacheEntry>& entries,
                      const LdcStrings& strings) {
  auto strings_at = static_cast<uint32_t>(kLdcHeaderSize + kLdcEntrySize * entries.size());
  size_t extension_at = (strings_at + strings.bytes.size() + 3) / 4 * 4;
  w.bytes(kLdcMagic);
  w.u32(static_cast<uint32_t>(entries.size()));
  w.u32(static_cast<uint32_t>(strings.bytes.size()));
  // The flags byte (the byte order) and 3 bytes of padding, the extension
  // offset, 3 unused words.
  w.u8(w.big_endian() ? kLdcEndianBig : kLdcEndianLittle);
  for (int i = 0; i < 3; ++i) w.u8(0);
  w.u32(static_cast<uint32_t>(extension_at));
  for (int i = 0; i < 3; ++i) w.u32(0);
  for (const auto& e : entries) {
    w.u32(static_cast<uint32_t>(e.flags));
    w.u32(strings_at + strings.offsets.at(e.key));
    w.u32(strings_at + strings.offsets.at(e.path));
    w.u32(0);  // osversion: ldconfig no longer records one
    w.u64(e.hwcap);
  }
  w.bytes(strings.bytes);
}

// The extension directory, 4-byte aligned after the strings: one section,
// the generator string, which `ldconfig -p` prints last.
void ldc_write_extensions(LdcWriter& w) {
  w.pad_to(4);
  size_t at = w.size();
  w.u32(kLdcExtensionMagic);
  w.u32(1);
  w.u32(kLdcTagGenerator);
  w.u32(0);
  w.u32(static_cast<uint32_t>(at + 8 + 16));
  w.u32(static_cast<uint32_t>(kLdcGenerator.size()));
  w.bytes(kLdcGenerator);
}

// ---------------------------------------------------------------------------
// Reading a cache back.

core::Error ldc_malformed(std::string what) {
  return core::make_error("ld.so.cache", std::move(what),
                          "the file is truncated or not a glibc ld.so.cache");
}

class LdcReader {
 public:
  LdcReader(std::string_view data, bool big_endian) : data_(data), be_(big_endian) {}
  // Callers check bounds first.
  uint64_t uint(size_t offset, unsigned n) const {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
      auto byte = static_cast<unsigned char>(data_[offset + (be_ ? i : n - 1 - i)]);
      v = (v << 8) | byte;
    }
    return v;
  }
  core::Result<std::string> str(uint64_t offset, std::string_view what) const {
    if (offset >= data_.size())
      return ldc_malformed(fmt::format("{} offset {} is past the end", what, offset));
    size_t nul = data_.find('\0', offset);
    if (nul == std::string_view::npos)
      return ldc_malformed(fmt::format("{} at offset {} is not terminated", what, offset));
    return std::string(data_.substr(offset, nul - offset));
  }

 private:
  std::string_view data_;
  bool be_;
};

core::Status ldc_check_extensions(std::string_view data, const LdcReader& r) {
  uint64_t at = r.uint(32, 4);
  if (at == 0) return core::Status::Ok();
  uint64_t size = data.size();
  if (at % 4 != 0 || at + 8 > size)
    return ldc_malformed(fmt::format("extension directory offset {} is invalid", at));
  if (r.uint(at, 4) != kLdcExtensionMagic)
    return ldc_malformed("extension directory has the wrong magic");
  uint64_t count = r.uint(at + 4, 4);
  if (count > (size - at - 8) / 16)
    return ldc_malformed(fmt::format("{} extension sections do not fit in the file", count));
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t section = at + 8 + 16 * i;
    uint64_t offset = r.uint(section + 8, 4);
    uint64_t length = r.uint(section + 12, 4);
    if (offset + length > size)
      return ldc_malformed(fmt::format("extension section {} extends past the end", i));
  }
  return core::Status::Ok();
}

core::Result<bool> ldc_big_endian(std::string_view data) {
  switch (static_cast<uint8_t>(data[28]) & 3) {
    case 0:  // written before glibc 2.33: no byte order recorded
    case kLdcEndianLittle:
      return false;
    case kLdcEndianBig:
      return true;
    default:
      return ldc_malformed("the header marks the cache as invalid");
  }
}

core::Result<LdCacheEntry> ldc_read_entry(const LdcReader& r, size_t at) {
  LdCacheEntry e;
  e.flags = static_cast<int32_t>(static_cast<uint32_t>(r.uint(at, 4)));
  DISTILL_ASSIGN(e.key, r.str(r.uint(at + 4, 4), "key"));
  DISTILL_ASSIGN(e.path, r.str(r.uint(at + 8, 4), "path"));
  e.hwcap = r.uint(at + 16, 8);
  return e;
}

// ---------------------------------------------------------------------------
// Classifying one file as ldconfig's readelflib.c does.

constexpr uint64_t kLdcMaxLibraryBytes = uint64_t{256} << 20;
constexpr uint64_t kLdcMaxConfBytes = uint64_t{1} << 20;
constexpr int kLdcMaxIncludeDepth = 16;
constexpr uint16_t kLdcEm386 = 3;
constexpr uint16_t kLdcEmX8664 = 62;
constexpr int32_t kLdcFlagAny = -1;

struct LdcObject {
  int32_t flags = 0;
  std::optional<std::string> soname;
};

// readelflib.c's generic answer: libc6 when the object names a glibc loader
// or needs libc/libm, plain ELF otherwise.
int32_t ldc_generic_flags(const verify::ElfFile& elf) {
  static constexpr std::array<std::string_view, 10> kInterpreters = {
      "/lib/ld-linux.so.2",
      "/libx32/ld-linux-x32.so.2",
      "/lib64/ld-linux-x86-64.so.2",
      "/lib/ld-linux-aarch64.so.1",
      "/lib/ld-linux-aarch64_be.so.1",
      "/lib/ld-linux.so.3",
      "/lib/ld-linux-armhf.so.3",
      "/lib/ld.so.1",
      "/lib64/ld64.so.1",
      "/lib64/ld64.so.2"};
  if (elf.interpreter && std::find(kInterpreters.begin(), kInterpreters.end(), *elf.interpreter) !=
                             kInterpreters.end())
    return kLdFlagElfLibc6;
  for (const auto& n : elf.needed)
    if (n == "libc.so.6" || n == "libm.so.6") return kLdFlagElfLibc6;
  return kLdFlagElf;
}

// EABI version 5 objects say which float ABI they use in e_flags.
int32_t ldc_arm32_flags(const verify::ElfFile& elf, std::string_view data) {
  if (data.size() < 40) return ldc_generic_flags(elf);
  uint32_t e_flags = static_cast<uint32_t>(LdcReader(data, elf.big_endian).uint(36, 4));
  if ((e_flags & 0xff000000u) != 0x05000000u) return ldc_generic_flags(elf);
  if (e_flags & 0x400u) return kLdFlagArmLibHf | kLdFlagElfLibc6;
  if (e_flags & 0x200u) return kLdFlagArmLibSf | kLdFlagElfLibc6;
  return kLdFlagElfLibc6;
}

std::optional<int32_t> ldc_flags(const LdcArch& arch, const verify::ElfFile& elf,
                                 std::string_view data) {
  switch (arch.family) {
    case LdcFamily::kX86:
      if (elf.machine == kLdcEmX8664)
        return elf.is_64 ? kLdFlagX8664Lib64 | kLdFlagElfLibc6
                         : kLdFlagX8664LibX32 | kLdFlagElfLibc6;
      if (elf.machine == kLdcEm386 && !elf.is_64) return ldc_generic_flags(elf);
      return std::nullopt;
    case LdcFamily::kArm:
      if (elf.is_64) return kLdFlagAarch64Lib64 | kLdFlagElfLibc6;
      return ldc_arm32_flags(elf, data);
    case LdcFamily::kPower:
      return elf.is_64 ? kLdFlagPowerpcLib64 | kLdFlagElfLibc6 : ldc_generic_flags(elf);
    case LdcFamily::kS390:
      return elf.is_64 ? kLdFlagS390Lib64 | kLdFlagElfLibc6 : ldc_generic_flags(elf);
  }
  return std::nullopt;
}

// nullopt for what ldconfig skips: not ELF (linker scripts), not a shared
// object, a machine this ldconfig does not know, or a file it cannot parse.
std::optional<LdcObject> ldc_classify(const LdcArch& arch, std::string_view data) {
  if (!verify::has_elf_magic(data)) return std::nullopt;
  auto elf = verify::parse_elf(data);
  if (!elf.ok() || elf->type != verify::kElfTypeDyn) return std::nullopt;
  auto flags = ldc_flags(arch, *elf, data);
  if (!flags) return std::nullopt;
  return LdcObject{*flags, elf->soname};
}

// ---------------------------------------------------------------------------
// The folders to scan, from etc/ld.so.conf and the trusted list.

struct LdcDir {
  std::string path;      // as configured, without trailing '/': "/lib/x86_64-linux-gnu"
  std::string resolved;  // tree path with symlinks followed: ldconfig's inode
  int32_t flag = kLdcFlagAny;
};

// The path a tree path leads to after symlinks and a hard link.
const oci::FsEntry* ldc_target(const Tree& tree, const std::string& path) {
  const oci::FsEntry* e = tree.find_resolved(path);
  if (e && e->type == oci::EntryType::kHardlink) e = tree.find(tree_path(e->link_target));
  return e;
}

bool ldc_is_dir(const Tree& tree, const std::optional<std::string>& resolved) {
  if (!resolved) return false;
  if (resolved->empty()) return true;
  const oci::FsEntry* e = tree.find(*resolved);
  return e && e->type == oci::EntryType::kDirectory;
}

int32_t ldc_type_flag(std::string_view name) {
  if (name == "libc4") return 0;
  if (name == "libc5") return kLdFlagElfLibc5;
  if (name == "libc6" || name == "glibc2") return kLdFlagElfLibc6;
  return kLdcFlagAny;
}

// add_dir_1: "DIR" or "DIR=TYPE"; a folder met twice keeps its first path
// and takes the later type.
void ldc_add_dir(const Tree& tree, std::string_view line, std::vector<LdcDir>& dirs) {
  LdcDir dir;
  size_t eq = line.find('=');
  if (eq != std::string_view::npos) {
    dir.flag = ldc_type_flag(line.substr(eq + 1));
    line = line.substr(0, eq);
  }
  while (!line.empty() && (core::is_space(line.back()) || line.back() == '/'))
    line.remove_suffix(1);
  if (line.empty()) return;
  dir.path = std::string(line);
  auto resolved = tree.resolve(dir.path);
  if (!ldc_is_dir(tree, resolved)) return;
  dir.resolved = *resolved;
  for (auto& d : dirs)
    if (d.resolved == dir.resolved) {
      d.flag = dir.flag;
      return;
    }
  dirs.push_back(std::move(dir));
}

bool ldc_has_glob_magic(std::string_view s) {
  return s.find_first_of("*?[") != std::string_view::npos;
}

// glob(3) over the tree: each component with wildcards matched against a
// folder's names (a leading '.' only explicitly), results sorted.
std::vector<std::string> ldc_glob(const Tree& tree, std::string_view pattern) {
  std::vector<std::string> paths = {""};
  for (std::string_view part : core::path_components(pattern)) {
    std::vector<std::string> next;
    std::string comp(part);
    for (const auto& p : paths) {
      std::string prefix = p.empty() ? "" : p + "/";
      if (!ldc_has_glob_magic(comp)) {
        next.push_back(prefix + comp);
        continue;
      }
      auto dir = tree.resolve(p);
      if (!ldc_is_dir(tree, dir)) continue;
      for (const auto& name : tree.children(*dir))
        if (fnmatch(comp.c_str(), name.c_str(), FNM_PERIOD) == 0) next.push_back(prefix + name);
    }
    paths = std::move(next);
  }
  std::erase_if(paths, [&](const std::string& p) { return !tree.resolve(p); });
  std::sort(paths.begin(), paths.end());
  return paths;
}

core::Status ldc_parse_conf(const Tree& tree, const std::string& file, int depth,
                            std::vector<LdcDir>& dirs);

// "include PATTERN...": relative patterns are taken from the including
// file's folder (ldconfig -r refuses them outright).
core::Status ldc_include(const Tree& tree, const std::string& file, std::string_view rest,
                         int depth, std::vector<LdcDir>& dirs) {
  for (const auto& word : core::split_words(rest)) {
    std::string pattern = word;
    if (!pattern.starts_with("/")) {
      size_t slash = file.rfind('/');
      pattern = (slash == std::string::npos ? "" : file.substr(0, slash)) + "/" + pattern;
    }
    for (const auto& conf : ldc_glob(tree, pattern))
      DISTILL_TRY(ldc_parse_conf(tree, "/" + conf, depth + 1, dirs));
  }
  return core::Status::Ok();
}

core::Status ldc_parse_line(const Tree& tree, const std::string& file, std::string_view line,
                            int depth, std::vector<LdcDir>& dirs) {
  line = line.substr(0, line.find('#'));
  while (!line.empty() && core::is_space(line.front())) line.remove_prefix(1);
  if (line.empty()) return core::Status::Ok();
  if (line.size() > 7 && line.starts_with("include") && core::is_blank(line[7]))
    return ldc_include(tree, file, line.substr(8), depth, dirs);
  if (line.size() > 5 && core::iequals(line.substr(0, 5), "hwcap") && core::is_blank(line[5]))
    return core::Status::Ok();  // ldconfig ignores it too
  ldc_add_dir(tree, line, dirs);
  return core::Status::Ok();
}

core::Status ldc_parse_conf(const Tree& tree, const std::string& file, int depth,
                            std::vector<LdcDir>& dirs) {
  if (depth > kLdcMaxIncludeDepth)
    return core::make_error(file, "includes nest too deep",
                            "an ld.so.conf file includes itself, directly or not");
  const oci::FsEntry* e = ldc_target(tree, file);
  if (!e || e->type != oci::EntryType::kRegular) return core::Status::Ok();
  DISTILL_ASSIGN(std::string text, read_entry(*e, kLdcMaxConfBytes));
  for (std::string_view line : core::lines(text))
    DISTILL_TRY(ldc_parse_line(tree, file, line, depth, dirs));
  return core::Status::Ok();
}

// ---------------------------------------------------------------------------
// Scanning one folder as ldconfig's search_dir does.

// _dl_is_dso: lib*.so*, ld-*.so*, ld.so.*, ld64.so.*
bool ldc_is_dso_name(std::string_view name) {
  bool so = name.find(".so") != std::string_view::npos;
  return ((name.starts_with("lib") || name.starts_with("ld-")) && so) ||
         name.starts_with("ld.so.") || name.starts_with("ld64.so.");
}

bool ldc_is_prelink_temp(std::string_view name) {
  if (name.ends_with(".#prelink#")) return true;
  size_t at = name.rfind(".#prelink#.");
  return at != std::string_view::npos && at + 17 == name.size();
}

struct LdcLib {
  std::string name;    // the folder entry
  std::string soname;  // the cache key
  int32_t flag = 0;
  bool is_link = false;
};

using LdcObjectCache = std::map<std::string, std::optional<LdcObject>>;

// What the file `path` leads to is, read once per scan.
core::Result<std::optional<LdcObject>> ldc_object(const Tree& tree, const LdcArch& arch,
                                                  const std::string& path, LdcObjectCache& seen) {
  const oci::FsEntry* e = ldc_target(tree, path);
  if (!e || e->type != oci::EntryType::kRegular) return std::optional<LdcObject>();
  auto it = seen.find(e->path);
  if (it != seen.end()) return it->second;
  // Mapped, not read: the headers of a 100 MB library cost a few pages.
  DISTILL_ASSIGN(oci::ContentView data, oci::ContentView::open(*e, kLdcMaxLibraryBytes));
  return seen[e->path] = ldc_classify(arch, data.bytes());
}

// Two files of one folder with one soname: a file beats a link, else the
// higher version of the name wins; the flags reconcile as ldconfig's do.
void ldc_merge(std::vector<LdcLib>& libs, LdcLib lib, bool signed_char) {
  for (auto& old : libs) {
    if (old.soname != lib.soname) continue;
    bool newer = (!lib.is_link && old.is_link) ||
                 (lib.is_link == old.is_link && ldc_libcmp(old.name, lib.name, signed_char) < 0);
    if (!newer) return;
    bool old_typed = old.flag == kLdFlagElfLibc5 || old.flag == kLdFlagElfLibc6;
    bool new_typed = lib.flag == kLdFlagElfLibc5 || lib.flag == kLdFlagElfLibc6;
    if ((old.flag == kLdFlagElf && new_typed) || (old_typed && lib.flag == kLdFlagElf))
      old.flag = lib.flag;
    old.name = std::move(lib.name);
    old.is_link = lib.is_link;
    return;
  }
  libs.push_back(std::move(lib));
}

// A symlink counts as one (and is listed under its own name) only when it is
// named after the soname or is the "libfoo.so" development link to it.
bool ldc_keeps_link(std::string_view name, std::string_view soname) {
  return name == soname || (name.ends_with(".so") && soname.starts_with(name));
}

core::Status ldc_scan_dir(const Tree& tree, const LdcArch& arch, const LdcDir& dir,
                          LdcObjectCache& seen, std::vector<LdCacheEntry>& out) {
  std::vector<LdcLib> libs;
  for (const auto& name : tree.children(dir.resolved)) {
    if (!ldc_is_dso_name(name) || ldc_is_prelink_temp(name)) continue;
    std::string path = dir.resolved.empty() ? name : dir.resolved + "/" + name;
    const oci::FsEntry* self = tree.find(path);
    if (!self) continue;
    bool is_link = self->type == oci::EntryType::kSymlink;
    DISTILL_ASSIGN(auto object, ldc_object(tree, arch, path, seen));
    if (!object) continue;
    LdcLib lib{name, object->soname.value_or(name), object->flags, is_link};
    if (lib.is_link && !ldc_keeps_link(name, lib.soname)) lib.is_link = false;
    if (lib.is_link) lib.soname = name;
    if (lib.flag == kLdFlagElf && (dir.flag == kLdFlagElfLibc5 || dir.flag == kLdFlagElfLibc6))
      lib.flag = dir.flag;
    ldc_merge(libs, std::move(lib), arch.signed_char);
  }
  for (const auto& lib : libs)
    out.push_back(LdCacheEntry{lib.soname, dir.path + "/" + lib.soname, lib.flag, 0});
  return core::Status::Ok();
}

core::Error ldc_unknown_arch(std::string_view arch) {
  std::vector<std::string_view> names;
  for (const auto& a : kLdcArchs) names.push_back(a.name);
  return core::make_error("ld.so.cache",
                          fmt::format("no ldconfig model for architecture '{}'", arch),
                          "known: " + core::join(names, ", "));
}

}  // namespace

core::Result<std::vector<LdCacheEntry>> scan_ld_libraries(const Tree& tree, std::string_view arch) {
  const LdcArch* a = ldc_find_arch(arch);
  if (!a) return ldc_unknown_arch(arch);
  std::vector<LdcDir> dirs;
  DISTILL_TRY(ldc_parse_conf(tree, "/etc/ld.so.conf", 0, dirs));
  // Debian's ldconfig: the multiarch folders, then /lib and /usr/lib (no lib64).
  for (const std::string& d :
       {"/lib/" + std::string(a->triplet), "/usr/lib/" + std::string(a->triplet),
        std::string("/lib"), std::string("/usr/lib")})
    ldc_add_dir(tree, d, dirs);
  std::vector<LdCacheEntry> out;
  LdcObjectCache seen;
  for (const auto& dir : dirs) DISTILL_TRY(ldc_scan_dir(tree, *a, dir, seen, out));
  return out;
}

std::string write_ld_cache(std::vector<LdCacheEntry> entries, std::string_view arch) {
  const LdcArch* a = ldc_find_arch(arch);
  if (!a) a = &kLdcArchs[0];
  for (auto& e : entries) {
    e.key = ldc_c_string(e.key);
    e.path = ldc_c_string(e.path);
  }
  bool signed_char = a->signed_char;
  std::stable_sort(
      entries.begin(), entries.end(),
      [&](const LdCacheEntry& x, const LdCacheEntry& y) { return ldc_before(x, y, signed_char); });
  LdcStrings strings = ldc_string_table(entries);
  LdcWriter w(a->big_endian);
  ldc_write_tables(w, entries, strings);
  ldc_write_extensions(w);
  return w.take();
}

core::Result<std::vector<LdCacheEntry>> parse_ld_cache(std::string_view data) {
  if (data.starts_with(kLdcOldMagic))
    return ldc_malformed("the old libc5 format is not read, only glibc's new one");
  if (data.size() < kLdcHeaderSize || !data.starts_with(kLdcMagic))
    return ldc_malformed("no \"glibc-ld.so.cache1.1\" header");
  DISTILL_ASSIGN(bool big_endian, ldc_big_endian(data));
  LdcReader r(data, big_endian);
  uint64_t nlibs = r.uint(20, 4);
  uint64_t len_strings = r.uint(24, 4);
  if (nlibs > (data.size() - kLdcHeaderSize) / kLdcEntrySize)
    return ldc_malformed(fmt::format("{} entries do not fit in {} bytes", nlibs, data.size()));
  if (kLdcHeaderSize + nlibs * kLdcEntrySize + len_strings > data.size())
    return ldc_malformed("the string table extends past the end");
  DISTILL_TRY(ldc_check_extensions(data, r));
  std::vector<LdCacheEntry> out;
  out.reserve(nlibs);
  for (uint64_t i = 0; i < nlibs; ++i) {
    DISTILL_ASSIGN(auto e, ldc_read_entry(r, kLdcHeaderSize + i * kLdcEntrySize));
    out.push_back(std::move(e));
  }
  return out;
}

core::Result<size_t> add_ld_cache(Tree& tree, std::string_view arch) {
  DISTILL_ASSIGN(auto entries, scan_ld_libraries(tree, arch));
  auto etc = tree.resolve("etc");
  if (!etc) {
    tree.put(oci::FsEntry::directory("etc"));
    etc = "etc";
  } else if (!ldc_is_dir(tree, etc)) {
    return core::make_error("/etc", "is not a folder", "ldconfig writes /etc/ld.so.cache");
  }
  size_t n = entries.size();
  std::string path = etc->empty() ? "ld.so.cache" : *etc + "/ld.so.cache";
  tree.put(oci::FsEntry::file(path, write_ld_cache(std::move(entries), arch), 0644));
  return n;
}

}  // namespace distill::effects
