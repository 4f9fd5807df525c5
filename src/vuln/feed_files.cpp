#include "vuln/feed_files.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/file_util.hpp"
#include "core/json.hpp"
#include "oci/archive_util.hpp"
#include "vuln/osv_import.hpp"
#include "vuln/tracker_import.hpp"

namespace distill::vuln {
namespace {

namespace fs = std::filesystem;

// Bounds what one zip member may expand to: an OSV record is a few KiB.
constexpr int64_t kMaxMemberBytes = 64 << 20;

bool is_osv_record(const nlohmann::json& j) {
  if (j.is_array()) return !j.empty() && is_osv_record(j.front());
  return j.is_object() && j.contains("id") && (j.contains("affected") || j.contains("modified"));
}

void append(std::vector<Advisory>& out, std::vector<Advisory> more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

core::Result<std::vector<Advisory>> read_osv_folder(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && it->path().extension() == ".json")
      files.push_back(it->path().string());
  }
  if (ec) return core::make_error(dir, "cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Advisory> out;
  for (const auto& f : files) {
    DISTILL_ASSIGN(std::string text, core::read_file(f));
    DISTILL_ASSIGN(auto advisories, parse_osv_json(text, f));
    append(out, std::move(advisories));
  }
  return out;
}

core::Result<std::string> read_member(archive* a, const std::string& where) {
  std::string data;
  char buf[65536];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) return core::make_error(where, oci::archive_error(a));
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
    if (static_cast<int64_t>(data.size()) > kMaxMemberBytes)
      return core::make_error(where, "member is larger than 64 MiB", "not an OSV record");
  }
}

core::Result<std::vector<Advisory>> read_osv_zip(const std::string& path) {
  oci::ScopedUtf8Locale utf8;
  DISTILL_TRY(utf8.status());
  oci::ArchiveReader a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return core::make_error(path, oci::archive_error(a.get()));
  std::vector<Advisory> out;
  archive_entry* entry = nullptr;
  for (;;) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return core::make_error(path, oci::archive_error(a.get()));
    const char* name = archive_entry_pathname(entry);
    std::string member = name ? name : "";
    if (archive_entry_filetype(entry) != AE_IFREG || !member.ends_with(".json")) continue;
    std::string where = path + ": " + member;
    DISTILL_ASSIGN(std::string text, read_member(a.get(), where));
    DISTILL_ASSIGN(auto advisories, parse_osv_json(text, where));
    append(out, std::move(advisories));
  }
  return out;
}

}  // namespace

core::Result<std::vector<Advisory>> read_feed(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return read_osv_folder(path);
  if (path.ends_with(".zip")) return read_osv_zip(path);
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  DISTILL_ASSIGN(auto j, core::parse_json(text, path));
  if (is_osv_record(j)) return osv_advisories(j, path);
  return tracker_advisories(j, path);
}

}  // namespace distill::vuln
