#include "image/os_release.hpp"

#include "core/lines.hpp"
#include "core/text.hpp"

namespace distill::image {
namespace {

constexpr std::string_view kEtcOsRelease = "etc/os-release";
constexpr std::string_view kUsrOsRelease = "usr/lib/os-release";
constexpr std::string_view kDebianVersion = "etc/debian_version";

bool valid_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

// Shell-like unquoting as os-release(5) allows it; nullopt when unbalanced.
std::optional<std::string> unquote(std::string_view v) {
  if (v.empty()) return std::string();
  if (v.front() == '\'') {
    if (v.size() < 2 || v.back() != '\'') return std::nullopt;
    return std::string(v.substr(1, v.size() - 2));
  }
  if (v.front() != '"') return std::string(v);
  if (v.size() < 2 || v.back() != '"') return std::nullopt;
  std::string out;
  std::string_view body = v.substr(1, v.size() - 2);
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\' && i + 1 < body.size()) {
      char n = body[i + 1];
      if (n == '"' || n == '\\' || n == '$' || n == '`') {
        out += n;
        ++i;
        continue;
      }
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string OsRelease::get(const std::string& key) const {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view raw : core::lines(text)) {
    std::string_view line = core::trim_space(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq);
    if (!valid_key(key)) continue;
    if (auto value = unquote(line.substr(eq + 1))) out[std::string(key)] = std::move(*value);
  }
  return out;
}

bool is_os_release_file(std::string_view path) {
  return path == kDebianVersion || path == "os-release" || path.ends_with("/os-release");
}

core::Result<std::optional<OsRelease>> read_os_release(const RootfsView& fs) {
  OsRelease out;
  bool found = false;
  for (std::string_view candidate : {kEtcOsRelease, kUsrOsRelease}) {
    auto entry = fs.resolve(candidate);
    if (!entry.ok() || (*entry)->type != FileType::kRegular) continue;  // try the next
    DISTILL_ASSIGN(std::string_view text, fs.read_file(candidate));
    out.fields = parse_os_release(text);
    out.file = (*entry)->path;
    found = true;
    break;
  }
  auto version = fs.resolve(kDebianVersion);
  if (version.ok() && (*version)->type == FileType::kRegular) {
    DISTILL_ASSIGN(std::string_view text, fs.read_file(kDebianVersion));
    out.debian_version = std::string(core::trim_space(text));
    found = true;
  }
  if (!found) return std::optional<OsRelease>();
  return std::optional<OsRelease>(std::move(out));
}

}  // namespace distill::image
