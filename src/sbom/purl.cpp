#include "sbom/purl.hpp"

#include <fmt/format.h>

namespace distill::sbom {

std::string purl_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_' || c == '~' || c == ':';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string deb_purl(const image::DpkgPackage& p, std::string_view distro) {
  std::string purl = "pkg:deb/debian/" + purl_encode(p.name) + "@" + purl_encode(p.version);
  std::string qualifiers;
  if (!p.architecture.empty()) qualifiers += "arch=" + purl_encode(p.architecture);
  if (!distro.empty())
    qualifiers += (qualifiers.empty() ? "" : "&") + std::string("distro=") + purl_encode(distro);
  return qualifiers.empty() ? purl : purl + "?" + qualifiers;
}

std::string pep503_name(std::string_view name) {
  std::string out;
  bool pending_dash = false;
  for (char ch : name) {
    if (ch == '.' || ch == '-' || ch == '_') {
      pending_dash = true;
      continue;
    }
    if (pending_dash && !out.empty()) out += '-';
    pending_dash = false;
    out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out;
}

namespace {

// Each '/'-separated segment encoded, the slashes kept (a purl namespace).
std::string purl_path(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out += purl_encode(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::optional<std::string> purl_percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

std::optional<PurlParts> parse_purl(std::string_view purl) {
  constexpr std::string_view kScheme = "pkg:";
  if (purl.size() < kScheme.size() || purl.substr(0, kScheme.size()) != kScheme)
    return std::nullopt;
  std::string_view rest = purl.substr(kScheme.size());
  rest = rest.substr(0, rest.find('#'));
  rest = rest.substr(0, rest.find('?'));
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);  // "pkg://" is allowed
  size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  PurlParts out;
  for (char c : rest.substr(0, slash))
    out.type += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  std::string_view path = rest.substr(slash + 1);
  // The version follows the last '@' of the name (after the last '/'): an
  // npm scope's '@' may be written unencoded.
  size_t at = path.rfind('@');
  size_t last_slash = path.rfind('/');
  if (at != std::string_view::npos && at != 0 &&
      (last_slash == std::string_view::npos || at > last_slash + 1)) {
    auto version = purl_percent_decode(path.substr(at + 1));
    if (!version) return std::nullopt;
    out.version = std::move(*version);
    path = path.substr(0, at);
  }
  auto decoded = purl_percent_decode(path);
  if (!decoded || decoded->empty() || decoded->back() == '/') return std::nullopt;
  out.path = std::move(*decoded);
  return out;
}

std::string lang_purl(const LangPackage& p) {
  std::string version = "@" + purl_encode(p.version);
  if (p.ecosystem == kPyPI) return "pkg:pypi/" + purl_encode(pep503_name(p.name)) + version;
  if (p.ecosystem == kNpm) return "pkg:npm/" + purl_path(p.name) + version;
  if (p.ecosystem == kGo) return "pkg:golang/" + purl_path(p.name) + version;
  if (p.ecosystem == kMaven) {
    size_t colon = p.name.find(':');
    std::string group = p.name.substr(0, colon);
    std::string artifact = colon == std::string::npos ? "" : p.name.substr(colon + 1);
    return "pkg:maven/" + purl_encode(group) + "/" + purl_encode(artifact) + version;
  }
  return "pkg:generic/" + purl_encode(p.name) + version;
}

}  // namespace distill::sbom
