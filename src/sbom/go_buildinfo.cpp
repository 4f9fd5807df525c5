#include "sbom/go_buildinfo.hpp"

#include <algorithm>

#include "core/lines.hpp"
#include "core/strings.hpp"

namespace distill::sbom {
namespace {

constexpr std::string_view kGoMagic = "\xff Go buildinf:";
constexpr size_t kGoHeader = 32;
constexpr size_t kGoAlign = 16;
// The version and the module list of a big program fit well within this.
constexpr size_t kMaxGoBlock = 1 << 20;
constexpr size_t kMaxGoString = kMaxGoBlock - 64;
// modinfo is framed by two 16-byte sentinels (cmd/go's modload).
constexpr size_t kGoSentinel = 16;

// An unsigned LEB128 varint at `pos`; nullopt when cut off or too long.
std::optional<uint64_t> go_uvarint(std::string_view s, size_t& pos) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64 && pos < s.size(); shift += 7) {
    auto byte = static_cast<unsigned char>(s[pos++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> go_string(std::string_view s, size_t& pos) {
  auto n = go_uvarint(s, pos);
  if (!n || *n > kMaxGoString || *n > s.size() - pos) return std::nullopt;
  std::string out(s.substr(pos, *n));
  pos += *n;
  return out;
}

std::vector<std::string_view> go_fields(std::string_view line) {
  return core::split(line, '\t');
}

}  // namespace

std::optional<std::pair<std::string, std::string>> decode_go_buildinfo(std::string_view block) {
  if (block.size() < kGoHeader || !block.starts_with(kGoMagic)) return std::nullopt;
  auto ptr_size = static_cast<unsigned char>(block[14]);
  auto flags = static_cast<unsigned char>(block[15]);
  if ((ptr_size != 4 && ptr_size != 8) || !(flags & 2)) return std::nullopt;
  size_t pos = kGoHeader;
  auto version = go_string(block, pos);
  if (!version || !(version->starts_with("go") || version->starts_with("devel")))
    return std::nullopt;
  auto modinfo = go_string(block, pos);
  if (!modinfo) return std::nullopt;
  if (modinfo->size() >= 2 * kGoSentinel + 1)
    *modinfo = modinfo->substr(kGoSentinel, modinfo->size() - 2 * kGoSentinel);
  else
    modinfo->clear();
  return std::make_pair(std::move(*version), std::move(*modinfo));
}

void GoBuildInfoScanner::feed(std::string_view chunk) {
  if (done()) return;
  if (state_ == State::kCapturing) {
    window_.append(chunk.substr(0, kMaxGoBlock - std::min(kMaxGoBlock, window_.size())));
    try_decode();
    search();
    return;
  }
  window_.append(chunk);
  if (state_ == State::kStart) {
    if (window_.size() < 4) return;
    if (!window_.starts_with("\x7f"
                             "ELF")) {
      state_ = State::kNotGo;
      window_.clear();
      return;
    }
    state_ = State::kSearching;
  }
  search();
}

void GoBuildInfoScanner::search() {
  while (state_ == State::kSearching) {
    size_t at = window_.find(kGoMagic);
    while (at != std::string::npos && (window_at_ + at) % kGoAlign != 0)
      at = window_.find(kGoMagic, at + 1);
    if (at == std::string::npos) {
      // Keep the unsearched tail from a 16-byte boundary: a magic may straddle chunks.
      size_t keep_from = window_.size() > kGoMagic.size() ? window_.size() - kGoMagic.size() : 0;
      keep_from -= (window_at_ + keep_from) % kGoAlign;
      window_at_ += keep_from;
      window_.erase(0, keep_from);
      return;
    }
    window_at_ += at;
    window_.erase(0, at);
    state_ = State::kCapturing;
    if (window_.size() > kMaxGoBlock) window_.resize(kMaxGoBlock);
    try_decode();
  }
}

void GoBuildInfoScanner::try_decode() {
  if (auto info = decode_go_buildinfo(window_)) {
    found_ = std::move(info);
    state_ = State::kFound;
    window_.clear();
    return;
  }
  // Not decodable yet: wait for more bytes, unless the header is already
  // wrong or the block is at its bound; then search on past this magic.
  bool header_ok =
      window_.size() < kGoHeader || ((window_[14] == 4 || window_[14] == 8) && (window_[15] & 2));
  if (header_ok && window_.size() < kMaxGoBlock) return;
  state_ = State::kSearching;
  window_.erase(0, kGoAlign);
  window_at_ += kGoAlign;
}

std::vector<LangPackage> go_packages(std::string_view go_version, std::string_view modinfo) {
  std::vector<LangPackage> out;
  auto add = [&out](std::string_view path, std::string_view version) {
    LangPackage p;
    p.ecosystem = std::string(kGo);
    p.name = std::string(path);
    p.version = std::string(version);
    out.push_back(std::move(p));
  };
  bool last_is_dep = false;
  for (std::string_view line : core::lines(modinfo)) {
    auto f = go_fields(line);
    if (f.size() >= 3 && f[0] == "mod" && !f[1].empty()) {
      add(f[1], f[2]);
      last_is_dep = false;
    } else if (f.size() >= 3 && f[0] == "dep" && !f[1].empty()) {
      add(f[1], f[2]);
      last_is_dep = true;
    } else if (f.size() >= 3 && f[0] == "=>" && last_is_dep && !f[1].empty() && !f[2].empty()) {
      // A replacement with a version is what was built; a local folder keeps the original.
      out.back().name = std::string(f[1]);
      out.back().version = std::string(f[2]);
    } else {
      last_is_dep = false;
    }
  }
  if (!go_version.empty()) add("stdlib", go_version);
  return out;
}

}  // namespace distill::sbom
