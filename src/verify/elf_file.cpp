#include "verify/elf_file.hpp"

#include <fmt/format.h>

#include <utility>

namespace distill::verify {
namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtDynamic = 2;
constexpr uint32_t kPtInterp = 3;

constexpr uint64_t kDtNull = 0;
constexpr uint64_t kDtNeeded = 1;
constexpr uint64_t kDtStrtab = 5;
constexpr uint64_t kDtStrsz = 10;
constexpr uint64_t kDtSoname = 14;
constexpr uint64_t kDtRpath = 15;
constexpr uint64_t kDtRunpath = 29;
constexpr uint64_t kDtVerdef = 0x6ffffffc;
constexpr uint64_t kDtVerdefnum = 0x6ffffffd;
constexpr uint64_t kDtVerneed = 0x6ffffffe;
constexpr uint64_t kDtVerneednum = 0x6fffffff;

constexpr uint16_t kVerFlagBase = 1;
// Real objects have a few dozen of each; a hostile one must not loop for long.
constexpr uint64_t kMaxHeaders = 65535;
constexpr uint64_t kMaxDynamic = 1 << 16;
constexpr uint64_t kMaxVersionEntries = 1 << 12;

core::Error malformed(std::string what) {
  return core::make_error("ELF", std::move(what),
                          "the file is truncated or not a valid ELF object");
}

// Reads integers of the file's width and byte order, every access checked.
class Reader {
 public:
  Reader(std::string_view data, bool big_endian) : data_(data), be_(big_endian) {}

  core::Result<uint64_t> uint(uint64_t offset, unsigned size, std::string_view what) const {
    if (offset > data_.size() || size > data_.size() - offset)
      return malformed(fmt::format("{} at offset {} is past the end of the file ({} bytes)", what,
                                   offset, data_.size()));
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) {
      uint64_t byte = static_cast<unsigned char>(data_[offset + (be_ ? i : size - 1 - i)]);
      v = (v << 8) | byte;
    }
    return v;
  }

  // The NUL-terminated string at `offset`, which must end before `limit`.
  core::Result<std::string> str(uint64_t offset, uint64_t limit, std::string_view what) const {
    if (limit > data_.size()) limit = data_.size();
    if (offset >= limit)
      return malformed(fmt::format("{} string offset {} is out of bounds", what, offset));
    std::string_view rest = data_.substr(offset, limit - offset);
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos)
      return malformed(fmt::format("{} string is not terminated", what));
    return std::string(rest.substr(0, nul));
  }

  uint64_t size() const { return data_.size(); }

 private:
  std::string_view data_;
  bool be_;
};

struct Segment {
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
};

// The layout of the header fields that differ between ELF32 and ELF64.
struct Layout {
  unsigned word;  // address/offset size
  uint64_t phoff, phentsize, phnum;
  unsigned ph_offset, ph_vaddr, ph_filesz, ph_size;
  unsigned dyn_size;
};

Layout layout_for(bool is_64) {
  if (is_64) return {8, 32, 54, 56, 8, 16, 32, 56, 16};
  return {4, 28, 42, 44, 4, 8, 16, 32, 8};
}

core::Result<std::vector<Segment>> read_segments(const Reader& r, const Layout& l) {
  DISTILL_ASSIGN(uint64_t phoff, r.uint(l.phoff, l.word, "e_phoff"));
  DISTILL_ASSIGN(uint64_t phentsize, r.uint(l.phentsize, 2, "e_phentsize"));
  DISTILL_ASSIGN(uint64_t phnum, r.uint(l.phnum, 2, "e_phnum"));
  if (phnum == 0) return std::vector<Segment>();
  if (phentsize < l.ph_size)
    return malformed(
        fmt::format("program header entries are {} bytes, need {}", phentsize, l.ph_size));
  if (phnum > kMaxHeaders || phoff > r.size() || phnum * phentsize > r.size() - phoff)
    return malformed(
        fmt::format("{} program headers at offset {} do not fit in the file", phnum, phoff));
  std::vector<Segment> out;
  for (uint64_t i = 0; i < phnum; ++i) {
    uint64_t base = phoff + i * phentsize;
    Segment s;
    DISTILL_ASSIGN(uint64_t type, r.uint(base, 4, "p_type"));
    s.type = static_cast<uint32_t>(type);
    DISTILL_ASSIGN(s.offset, r.uint(base + l.ph_offset, l.word, "p_offset"));
    DISTILL_ASSIGN(s.vaddr, r.uint(base + l.ph_vaddr, l.word, "p_vaddr"));
    DISTILL_ASSIGN(s.filesz, r.uint(base + l.ph_filesz, l.word, "p_filesz"));
    if (s.offset > r.size() || s.filesz > r.size() - s.offset)
      return malformed(fmt::format("segment {} (offset {}, {} bytes) is past the end of the file",
                                   i, s.offset, s.filesz));
    out.push_back(s);
  }
  return out;
}

// Maps a virtual address (as dynamic entries hold) to a file offset through the PT_LOAD segments.
core::Result<uint64_t> file_offset(const std::vector<Segment>& segments, uint64_t vaddr,
                                   std::string_view what) {
  for (const auto& s : segments) {
    if (s.type != kPtLoad || vaddr < s.vaddr || vaddr - s.vaddr >= s.filesz) continue;
    return s.offset + (vaddr - s.vaddr);
  }
  return malformed(fmt::format("{} address {:#x} is in no loaded segment", what, vaddr));
}

std::vector<std::string> split_path_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t colon = s.find(':', start);
    if (colon == std::string::npos) colon = s.size();
    if (colon > start) out.push_back(s.substr(start, colon - start));
    start = colon + 1;
  }
  return out;
}

// The dynamic section's raw tags, before string offsets are resolved.
struct Dynamic {
  std::vector<uint64_t> needed;
  std::optional<uint64_t> soname, rpath, runpath;
  std::optional<uint64_t> strtab, strsz, verneed, verneednum, verdef, verdefnum;
};

core::Result<Dynamic> read_dynamic(const Reader& r, const Layout& l, const Segment& seg) {
  Dynamic d;
  uint64_t count = seg.filesz / l.dyn_size;
  if (count > kMaxDynamic) return malformed(fmt::format("{} dynamic entries", count));
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t base = seg.offset + i * l.dyn_size;
    DISTILL_ASSIGN(uint64_t tag, r.uint(base, l.word, "d_tag"));
    DISTILL_ASSIGN(uint64_t val, r.uint(base + l.word, l.word, "d_val"));
    if (tag == kDtNull) break;
    switch (tag) {
      case kDtNeeded:
        d.needed.push_back(val);
        break;
      case kDtSoname:
        d.soname = val;
        break;
      case kDtRpath:
        d.rpath = val;
        break;
      case kDtRunpath:
        d.runpath = val;
        break;
      case kDtStrtab:
        d.strtab = val;
        break;
      case kDtStrsz:
        d.strsz = val;
        break;
      case kDtVerneed:
        d.verneed = val;
        break;
      case kDtVerneednum:
        d.verneednum = val;
        break;
      case kDtVerdef:
        d.verdef = val;
        break;
      case kDtVerdefnum:
        d.verdefnum = val;
        break;
      default:
        break;
    }
  }
  return d;
}

// The dynamic string table: strings are read from [begin, end).
struct StringTable {
  const Reader* r;
  uint64_t begin = 0;
  uint64_t end = 0;

  core::Result<std::string> at(uint64_t index, std::string_view what) const {
    if (index >= end - begin)
      return malformed(fmt::format("{} name index {} is past the string table", what, index));
    return r->str(begin + index, end, what);
  }
};

core::Status read_verneed(const Reader& r, const StringTable& strings, uint64_t offset,
                          uint64_t count, ElfFile& out) {
  if (count > kMaxVersionEntries) return malformed(fmt::format("{} version-needed entries", count));
  for (uint64_t i = 0; i < count; ++i) {
    DISTILL_ASSIGN(uint64_t cnt, r.uint(offset + 2, 2, "vn_cnt"));
    DISTILL_ASSIGN(uint64_t file, r.uint(offset + 4, 4, "vn_file"));
    DISTILL_ASSIGN(uint64_t aux, r.uint(offset + 8, 4, "vn_aux"));
    DISTILL_ASSIGN(uint64_t next, r.uint(offset + 12, 4, "vn_next"));
    ElfVersionNeed need;
    DISTILL_ASSIGN(need.library, strings.at(file, "vn_file"));
    uint64_t a = offset + aux;
    for (uint64_t j = 0; j < cnt; ++j) {
      DISTILL_ASSIGN(uint64_t name, r.uint(a + 8, 4, "vna_name"));
      DISTILL_ASSIGN(uint64_t anext, r.uint(a + 12, 4, "vna_next"));
      DISTILL_ASSIGN(std::string version, strings.at(name, "vna_name"));
      need.versions.push_back(std::move(version));
      if (anext == 0) break;
      a += anext;
    }
    out.version_needs.push_back(std::move(need));
    if (next == 0) break;
    offset += next;
  }
  return core::Status::Ok();
}

core::Status read_verdef(const Reader& r, const StringTable& strings, uint64_t offset,
                         uint64_t count, ElfFile& out) {
  if (count > kMaxVersionEntries) return malformed(fmt::format("{} version definitions", count));
  for (uint64_t i = 0; i < count; ++i) {
    DISTILL_ASSIGN(uint64_t flags, r.uint(offset + 2, 2, "vd_flags"));
    DISTILL_ASSIGN(uint64_t cnt, r.uint(offset + 6, 2, "vd_cnt"));
    DISTILL_ASSIGN(uint64_t aux, r.uint(offset + 12, 4, "vd_aux"));
    DISTILL_ASSIGN(uint64_t next, r.uint(offset + 16, 4, "vd_next"));
    // The first aux entry names the version; later ones name its parents.
    if (cnt > 0 && (flags & kVerFlagBase) == 0) {
      DISTILL_ASSIGN(uint64_t name, r.uint(offset + aux, 4, "vda_name"));
      DISTILL_ASSIGN(std::string version, strings.at(name, "vda_name"));
      out.version_defs.push_back(std::move(version));
    }
    if (next == 0) break;
    offset += next;
  }
  return core::Status::Ok();
}

core::Status read_dynamic_info(const Reader& r, const Layout& l, const std::vector<Segment>& segs,
                               const Segment& dyn_seg, ElfFile& out) {
  DISTILL_ASSIGN(Dynamic d, read_dynamic(r, l, dyn_seg));
  bool has_strings = !d.needed.empty() || d.soname || d.rpath || d.runpath || d.verneed || d.verdef;
  if (!has_strings) return core::Status::Ok();
  if (!d.strtab || !d.strsz)
    return malformed("dynamic section names strings but has no DT_STRTAB/DT_STRSZ");
  DISTILL_ASSIGN(uint64_t str_off, file_offset(segs, *d.strtab, "DT_STRTAB"));
  if (*d.strsz > r.size() - str_off)
    return malformed(fmt::format("string table ({} bytes at {}) is past the end of the file",
                                 *d.strsz, str_off));
  StringTable strings{&r, str_off, str_off + *d.strsz};
  for (uint64_t n : d.needed) {
    DISTILL_ASSIGN(std::string name, strings.at(n, "DT_NEEDED"));
    out.needed.push_back(std::move(name));
  }
  if (d.soname) {
    DISTILL_ASSIGN(out.soname, strings.at(*d.soname, "DT_SONAME"));
  }
  if (d.rpath) {
    DISTILL_ASSIGN(std::string rpath, strings.at(*d.rpath, "DT_RPATH"));
    out.rpath = split_path_list(rpath);
  }
  if (d.runpath) {
    DISTILL_ASSIGN(std::string runpath, strings.at(*d.runpath, "DT_RUNPATH"));
    out.runpath = split_path_list(runpath);
  }
  if (d.verneed) {
    DISTILL_ASSIGN(uint64_t off, file_offset(segs, *d.verneed, "DT_VERNEED"));
    DISTILL_TRY(read_verneed(r, strings, off, d.verneednum.value_or(0), out));
  }
  if (d.verdef) {
    DISTILL_ASSIGN(uint64_t off, file_offset(segs, *d.verdef, "DT_VERDEF"));
    DISTILL_TRY(read_verdef(r, strings, off, d.verdefnum.value_or(0), out));
  }
  return core::Status::Ok();
}

}  // namespace

bool has_elf_magic(std::string_view data) {
  return data.starts_with(
      "\x7f"
      "ELF");
}

core::Result<ElfFile> parse_elf(std::string_view data) {
  if (!has_elf_magic(data))
    return core::make_error("ELF", "no ELF magic number", "not an ELF file");
  if (data.size() < 52)
    return malformed(fmt::format("header is truncated ({} bytes)", data.size()));
  ElfFile out;
  unsigned char cls = static_cast<unsigned char>(data[4]);
  unsigned char enc = static_cast<unsigned char>(data[5]);
  if (cls != 1 && cls != 2) return malformed(fmt::format("unknown ELF class {}", cls));
  if (enc != 1 && enc != 2) return malformed(fmt::format("unknown data encoding {}", enc));
  out.is_64 = cls == 2;
  out.big_endian = enc == 2;
  Reader r(data, out.big_endian);
  Layout l = layout_for(out.is_64);
  DISTILL_ASSIGN(uint64_t type, r.uint(16, 2, "e_type"));
  DISTILL_ASSIGN(uint64_t machine, r.uint(18, 2, "e_machine"));
  out.type = static_cast<uint16_t>(type);
  out.machine = static_cast<uint16_t>(machine);
  DISTILL_ASSIGN(std::vector<Segment> segs, read_segments(r, l));
  const Segment* dynamic = nullptr;
  for (const auto& s : segs) {
    if (s.type == kPtInterp && !out.interpreter) {
      DISTILL_ASSIGN(out.interpreter, r.str(s.offset, s.offset + s.filesz, "PT_INTERP"));
    } else if (s.type == kPtDynamic && !dynamic) {
      dynamic = &s;
    }
  }
  if (dynamic) DISTILL_TRY(read_dynamic_info(r, l, segs, *dynamic, out));
  return out;
}

}  // namespace distill::verify
