#pragma once

// Builds small, valid ELF objects in memory (ELF32/64, either byte order)
// with exactly the dynamic-loader metadata a test asks for. One PT_LOAD maps
// the whole file at vaddr 0x1000 + offset, so address fields differ from
// file offsets as in real objects.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace distill::verify::test_util {

struct ElfSpec {
  bool is_64 = true;
  bool big_endian = false;
  uint16_t type = 3;  // ET_DYN
  uint16_t machine = 62;
  std::string interpreter;  // empty: no PT_INTERP
  std::vector<std::string> needed;
  std::string soname, runpath, rpath;
  std::vector<std::pair<std::string, std::vector<std::string>>> version_needs;
  std::vector<std::string> version_defs;  // after the base entry (the soname)
};

class ElfWriter {
 public:
  ElfWriter(bool is_64, bool be) : is_64_(is_64), be_(be) {}
  void put(uint64_t v, unsigned size) {
    for (unsigned i = 0; i < size; ++i) {
      unsigned shift = 8 * (be_ ? size - 1 - i : i);
      out.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  }
  void word(uint64_t v) { put(v, is_64_ ? 8 : 4); }
  void patch(size_t at, uint64_t v, unsigned size) {
    std::string saved = std::move(out);
    out.clear();
    put(v, size);
    saved.replace(at, size, out);
    out = std::move(saved);
  }
  std::string out;

 private:
  bool is_64_, be_;
};

inline constexpr uint64_t kBase = 0x1000;

inline std::string build_elf(const ElfSpec& s) {
  ElfWriter w(s.is_64, s.big_endian);
  const unsigned word = s.is_64 ? 8 : 4;
  const unsigned ehsize = s.is_64 ? 64 : 52;
  const unsigned phsize = s.is_64 ? 56 : 32;
  const unsigned phnum = s.interpreter.empty() ? 2 : 3;
  // String table first, so every offset is known before the headers.
  std::string strtab(1, '\0');
  auto add_str = [&](const std::string& str) {
    uint32_t at = static_cast<uint32_t>(strtab.size());
    strtab += str;
    strtab += '\0';
    return at;
  };
  std::vector<uint32_t> needed;
  for (const auto& n : s.needed) needed.push_back(add_str(n));
  uint32_t soname = s.soname.empty() ? 0 : add_str(s.soname);
  uint32_t runpath = s.runpath.empty() ? 0 : add_str(s.runpath);
  uint32_t rpath = s.rpath.empty() ? 0 : add_str(s.rpath);

  // Version sections (their layout does not depend on the class).
  ElfWriter vn(s.is_64, s.big_endian);
  for (size_t i = 0; i < s.version_needs.size(); ++i) {
    const auto& [lib, versions] = s.version_needs[i];
    uint32_t file = add_str(lib);
    vn.put(1, 2);
    vn.put(versions.size(), 2);
    vn.put(file, 4);
    vn.put(16, 4);
    vn.put(i + 1 == s.version_needs.size() ? 0 : 16 + 16 * versions.size(), 4);
    for (size_t j = 0; j < versions.size(); ++j) {
      uint32_t name = add_str(versions[j]);
      vn.put(0, 4);
      vn.put(0, 2);
      vn.put(j + 2, 2);
      vn.put(name, 4);
      vn.put(j + 1 == versions.size() ? 0 : 16, 4);
    }
  }
  ElfWriter vd(s.is_64, s.big_endian);
  std::vector<std::string> defs = s.version_defs;
  if (!defs.empty()) defs.insert(defs.begin(), s.soname.empty() ? "base" : s.soname);
  for (size_t i = 0; i < defs.size(); ++i) {
    uint32_t name = i == 0 && !s.soname.empty() ? soname : add_str(defs[i]);
    vd.put(1, 2);
    vd.put(i == 0 ? 1 : 0, 2);
    vd.put(i + 1, 2);
    vd.put(1, 2);
    vd.put(0, 4);
    vd.put(20, 4);
    vd.put(i + 1 == defs.size() ? 0 : 28, 4);
    vd.put(name, 4);
    vd.put(0, 4);
  }

  const size_t interp_off = ehsize + phnum * phsize;
  const size_t strtab_off = interp_off + (s.interpreter.empty() ? 0 : s.interpreter.size() + 1);
  const size_t vn_off = strtab_off + strtab.size();
  const size_t vd_off = vn_off + vn.out.size();
  size_t dyn_off = vd_off + vd.out.size();
  dyn_off = (dyn_off + 7) & ~size_t{7};

  // ELF header.
  w.out =
      "\x7f"
      "ELF";
  w.out += static_cast<char>(s.is_64 ? 2 : 1);
  w.out += static_cast<char>(s.big_endian ? 2 : 1);
  w.out += '\x01';
  w.out.append(9, '\0');
  w.put(s.type, 2);
  w.put(s.machine, 2);
  w.put(1, 4);
  w.word(0);       // e_entry
  w.word(ehsize);  // e_phoff
  w.word(0);       // e_shoff
  w.put(0, 4);     // e_flags
  w.put(ehsize, 2);
  w.put(phsize, 2);
  w.put(phnum, 2);
  w.put(0, 2);
  w.put(0, 2);
  w.put(0, 2);

  auto phdr = [&](uint32_t type, uint64_t off, uint64_t size) {
    w.put(type, 4);
    if (s.is_64) w.put(4, 4);
    w.word(off);
    w.word(kBase + off);
    w.word(kBase + off);
    w.word(size);
    w.word(size);
    if (!s.is_64) w.put(4, 4);
    w.word(8);
  };
  size_t load_at = w.out.size();
  phdr(1, 0, 0);  // PT_LOAD, size patched below
  if (!s.interpreter.empty()) phdr(3, interp_off, s.interpreter.size() + 1);
  size_t dyn_ph_at = w.out.size();
  phdr(2, dyn_off, 0);

  if (!s.interpreter.empty()) {
    w.out += s.interpreter;
    w.out += '\0';
  }
  w.out += strtab;
  w.out += vn.out;
  w.out += vd.out;
  w.out.resize(dyn_off, '\0');
  auto dyn = [&](uint64_t tag, uint64_t val) {
    w.word(tag);
    w.word(val);
  };
  for (uint32_t n : needed) dyn(1, n);
  if (soname) dyn(14, soname);
  if (runpath) dyn(29, runpath);
  if (rpath) dyn(15, rpath);
  dyn(5, kBase + strtab_off);
  dyn(10, strtab.size());
  if (!s.version_needs.empty()) {
    dyn(0x6ffffffe, kBase + vn_off);
    dyn(0x6fffffff, s.version_needs.size());
  }
  if (!defs.empty()) {
    dyn(0x6ffffffc, kBase + vd_off);
    dyn(0x6ffffffd, defs.size());
  }
  dyn(0, 0);
  const uint64_t total = w.out.size();
  const uint64_t dyn_size = total - dyn_off;
  // Patch p_filesz/p_memsz of PT_LOAD and PT_DYNAMIC.
  unsigned filesz_at = s.is_64 ? 32 : 16;
  w.patch(load_at + filesz_at, total, word);
  w.patch(load_at + filesz_at + word, total, word);
  w.patch(dyn_ph_at + filesz_at, dyn_size, word);
  w.patch(dyn_ph_at + filesz_at + word, dyn_size, word);
  return w.out;
}

}  // namespace distill::verify::test_util
