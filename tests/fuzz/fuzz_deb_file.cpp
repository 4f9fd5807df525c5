// libFuzzer target: read_deb_bytes. The first byte picks the mode:
//  - even: the rest is the .deb itself (ar, compression and tar parsing);
//  - odd: the rest describes data.tar entries (type, mode, names from a tiny
//    alphabet so that "a/b", "..", "a" -> "." collide often), which are
//    written with libarchive into a well-formed .deb. Random bytes rarely
//    make a tar header with a valid checksum, so this is what reaches the
//    symlink, hardlink and duplicate checks.
// Whatever the input, an accepted package must satisfy the reader's promises;
// a refused one must carry an error naming it.
#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "debian/deb_file.hpp"

using namespace distill;
using oci::EntryType;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::string_view kName = "fuzz.deb";

// ---- structured mode: building a .deb from a description ----

struct Bytes {
  std::string_view in;
  uint8_t next() {
    if (in.empty()) return 0;
    auto b = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    return b;
  }
  std::string name() {
    static constexpr char kAlphabet[] = {'a', 'b', '/', '.'};
    std::string out;
    for (int n = next() % 9; n > 0; --n) out += kAlphabet[next() % 4];
    return out;
  }
};

la_ssize_t append(archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// Writes entries with libarchive; false when the writer refuses them.
bool write_archive(std::string& out, bool ar,
                   const std::vector<std::pair<archive_entry*, std::string>>& entries) {
  archive* a = archive_write_new();
  bool ok = (ar ? archive_write_set_format_ar_svr4(a) : archive_write_set_format_gnutar(a)) ==
                ARCHIVE_OK &&
            archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
            archive_write_open(a, &out, nullptr, append, nullptr) == ARCHIVE_OK;
  for (const auto& [entry, data] : entries) {
    if (!ok) break;
    ok = archive_write_header(a, entry) == ARCHIVE_OK &&
         (data.empty() ||
          archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size()));
  }
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  archive_write_free(a);
  return ok;
}

archive_entry* new_entry(const std::string& path, unsigned type, unsigned mode, size_t size) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, path.c_str());
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, mode);
  archive_entry_set_size(e, static_cast<la_int64_t>(size));
  return e;
}

std::string build_deb(Bytes in) {
  std::vector<std::pair<archive_entry*, std::string>> entries;
  for (int count = 0; !in.in.empty() && count < 32; ++count) {
    uint8_t kind = in.next() % 8;
    unsigned mode = (static_cast<unsigned>(in.next()) << 4) & 07777;
    std::string path = (in.next() & 1 ? "./" : "") + in.name();
    archive_entry* e = nullptr;
    std::string data;
    switch (kind) {
      case 0:
      case 1:
        data = std::string(in.next() % 4, 'x');
        e = new_entry(path, AE_IFREG, mode, data.size());
        break;
      case 2:
      case 3:
        e = new_entry(path, AE_IFDIR, mode, 0);
        break;
      case 4:
        e = new_entry(path, AE_IFLNK, 0777, 0);
        archive_entry_set_symlink(e, (((in.next() & 1) ? "/" : "") + in.name() + "x").c_str());
        break;
      case 5:
        e = new_entry(path, AE_IFREG, mode, 0);
        archive_entry_set_hardlink(e, (((in.next() & 1) ? "./" : "") + in.name()).c_str());
        break;
      case 6:
        e = new_entry(path, AE_IFIFO, mode, 0);
        break;
      default:
        e = new_entry(path, AE_IFCHR, mode, 0);
        archive_entry_set_rdev(e, 0x103);
        break;
    }
    entries.emplace_back(e, std::move(data));
  }
  std::string data_tar, control_tar, deb;
  bool ok = write_archive(data_tar, false, entries);
  for (auto& [e, _] : entries) archive_entry_free(e);
  std::string control = "Package: fuzz\nVersion: 1\n";
  archive_entry* c = new_entry("./control", AE_IFREG, 0644, control.size());
  ok = ok && write_archive(control_tar, false, {{c, control}});
  archive_entry_free(c);
  std::vector<std::pair<archive_entry*, std::string>> members;
  for (auto [name, bytes] : {std::pair<const char*, std::string*>{"debian-binary", nullptr},
                             {"control.tar", &control_tar},
                             {"data.tar", &data_tar}}) {
    std::string content = bytes ? *bytes : "2.0\n";
    members.emplace_back(new_entry(name, AE_IFREG, 0644, content.size()), std::move(content));
  }
  ok = ok && write_archive(deb, true, members);
  for (auto& [e, _] : members) archive_entry_free(e);
  return ok ? deb : std::string();
}

// ---- the reader's promises ----

void check_contents(const debian::DebContents& c) {
  check(!c.control.empty());
  check(c.control_member.starts_with("control.tar") && c.data_member.starts_with("data.tar"));
  for (const std::string& f : c.conffiles) {
    auto n = oci::normalize_layer_path(f);
    check(n.ok() && *n == f);
  }
  static const std::vector<std::string> kScripts = {"preinst", "postinst", "prerm",
                                                    "postrm",  "config",   "triggers"};
  size_t pos = 0;
  for (const std::string& s : c.maintainer_scripts) {
    while (pos < kScripts.size() && kScripts[pos] != s) ++pos;
    check(pos < kScripts.size());  // a known name, in order, once
    ++pos;
  }
  std::map<std::string, EntryType, std::less<>> seen;
  for (const oci::FsEntry& e : c.entries) {
    auto n = oci::normalize_layer_path(e.path);
    check(n.ok() && *n == e.path);
    oci::FsEntry copy = e;
    check(oci::validate_entry(copy).ok());
    check(e.type == EntryType::kRegular || e.data.empty());
    check(e.source_path.empty() && e.xattrs.empty());
    // Nothing lies under an earlier symlink or file.
    for (size_t slash = e.path.find('/'); slash != std::string::npos;
         slash = e.path.find('/', slash + 1)) {
      auto parent = seen.find(std::string_view(e.path).substr(0, slash));
      check(parent == seen.end() || parent->second == EntryType::kDirectory);
    }
    if (e.type == EntryType::kHardlink) {
      auto target = seen.find(e.link_target);
      check(target != seen.end() &&
            (target->second == EntryType::kRegular || target->second == EntryType::kHardlink));
    }
    check(seen.emplace(e.path, e.type).second);  // each path once
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string built;
  if (data[0] & 1) {
    built = build_deb(Bytes{rest});
    if (built.empty()) return 0;
    rest = built;
  }
  debian::DebLimits limits;
  limits.max_data_bytes = 64 << 20;  // stays inside libFuzzer's memory limit
  limits.max_member_bytes = 64 << 20;
  auto r = debian::read_deb_bytes(rest, kName, limits);
  if (!r.ok()) {
    check(r.error().where.starts_with(kName) && !r.error().what.empty());
    return 0;
  }
  check_contents(*r);
  return 0;
}
