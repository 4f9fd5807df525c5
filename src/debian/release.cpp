#include "debian/release.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "debian/deb822.hpp"

namespace distill::debian {
namespace {

core::Result<uint64_t> parse_size(std::string_view text, const std::string& where) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty())
    return core::make_error(where, "invalid size '" + std::string(text) + "'");
  return v;
}

core::Result<std::vector<ReleaseFile>> parse_sha256_section(std::string_view value,
                                                            const std::string& where) {
  std::vector<ReleaseFile> files;
  for (std::string_view line : value_lines(value)) {
    auto words = core::split_words(line);
    if (words.size() != 3)
      return core::make_error(where, "malformed SHA256 line '" + std::string(line) + "'");
    ReleaseFile f;
    f.sha256 = core::ascii_lower(words[0]);
    if (!core::is_sha256_hex(f.sha256))
      return core::make_error(where, "malformed SHA256 hash '" + words[0] + "'");
    DISTILL_ASSIGN(f.size, parse_size(words[1], where));
    f.path = words[2];
    files.push_back(std::move(f));
  }
  return files;
}

core::Result<std::optional<int64_t>> parse_date_field(const Paragraph& p, std::string_view name,
                                                      const std::string& where) {
  auto v = p.get(name);
  if (!v) return std::optional<int64_t>();
  auto parsed = core::parse_rfc2822_date(core::trim_space(*v));
  if (!parsed)
    return core::make_error(where, fmt::format("invalid {} '{}'", name, core::trim_space(*v)),
                            "expected e.g. 'Sat, 11 Jul 2026 10:16:37 UTC'");
  return parsed;
}

}  // namespace

core::Result<Release> Release::parse(std::string text, std::string_view where_view) {
  std::string where(where_view);
  DISTILL_ASSIGN(auto doc, Deb822Document::parse(std::move(text), where));
  // A signed Release is exactly one stanza; more would mean pasted-together
  // documents, which nothing legitimate produces.
  if (doc.paragraphs().size() != 1)
    return core::make_error(
        where, fmt::format("expected one Release stanza, found {}", doc.paragraphs().size()));
  const Paragraph& p = doc.paragraphs().front();
  Release r;
  r.origin = std::string(core::trim_space(p.get_or("Origin")));
  r.label = std::string(core::trim_space(p.get_or("Label")));
  r.suite = std::string(core::trim_space(p.get_or("Suite")));
  r.codename = std::string(core::trim_space(p.get_or("Codename")));
  DISTILL_ASSIGN(r.date, parse_date_field(p, "Date", where));
  DISTILL_ASSIGN(r.valid_until, parse_date_field(p, "Valid-Until", where));
  r.acquire_by_hash = core::trim_space(p.get_or("Acquire-By-Hash")) == "yes";
  r.architectures = core::split_words(p.get_or("Architectures"));
  r.components = core::split_words(p.get_or("Components"));
  auto sha = p.get("SHA256");
  if (!sha) return core::make_error(where, "Release has no SHA256 file list");
  DISTILL_ASSIGN(r.files, parse_sha256_section(*sha, where));
  return r;
}

const ReleaseFile* Release::find(std::string_view path) const {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

core::Status check_release_freshness(const Release& release, int64_t now, std::string_view where,
                                     int64_t max_future) {
  if (release.valid_until && *release.valid_until < now)
    return core::make_error(std::string(where),
                            "Release expired on " + core::format_rfc2822_date(*release.valid_until),
                            "the mirror is stale or replays an old Release; try another mirror");
  if (release.date && *release.date > now + max_future)
    return core::make_error(
        std::string(where),
        "Release is dated in the future (" + core::format_rfc2822_date(*release.date) + ")",
        "check the system clock");
  return core::Status::Ok();
}

}  // namespace distill::debian
