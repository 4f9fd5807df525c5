#include "debian/apt_sources.hpp"

#include <dirent.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "debian/deb822.hpp"
#include "debian/distro.hpp"

namespace distill::debian {
namespace {

std::string at_line(std::string_view where, size_t line) {
  return std::string(where) + ":" + std::to_string(line);
}

// Splits a one-line entry like apt does: whitespace separates words, except
// inside [...] (options, "cdrom:[Debian 12]/") and "...".
std::vector<std::string> split_entry(std::string_view s) {
  std::vector<std::string> out;
  std::string word;
  char close = 0;
  for (char c : s) {
    if (close != 0) {
      if (c == close) close = 0;
      word += c;
    } else if (c == '[' || c == '"') {
      close = c == '[' ? ']' : '"';
      word += c;
    } else if (core::is_space(c)) {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

// "[arch=amd64 signed-by=/k.gpg]" -> options.
core::Status parse_options(std::string_view word, std::map<std::string, std::string>& options,
                           const std::string& where) {
  if (!word.ends_with(']')) return core::make_error(where, "option list has no closing ']'");
  std::string_view inner = word.substr(1, word.size() - 2);
  for (const auto& opt : core::split_words(inner)) {
    auto eq = opt.find('=');
    if (eq == std::string::npos || eq == 0)
      return core::make_error(where, "malformed option '" + opt + "'", "expected name=value");
    options[opt.substr(0, eq)] = opt.substr(eq + 1);
  }
  return core::Status::Ok();
}

bool needs_components(std::string_view suite) {
  return !suite.ends_with('/');
}

// A release codename, or one of the archive's suite aliases.
bool is_debian_codename(std::string_view base) {
  static constexpr std::array<std::string_view, 5> kAliases{"stable", "oldstable", "testing",
                                                            "unstable", "oldoldstable"};
  return is_release_codename(base) ||
         std::find(kAliases.begin(), kAliases.end(), base) != kAliases.end();
}

// "bookworm-updates" -> "bookworm"; suffixes that a Debian archive serves.
std::string_view suite_base(std::string_view suite) {
  for (std::string_view suffix : {"-updates", "-security", "/updates", "-proposed-updates"}) {
    if (suite.ends_with(suffix)) return suite.substr(0, suite.size() - suffix.size());
  }
  return suite;
}

bool is_security_entry(const AptSourceEntry& e) {
  return e.suite.ends_with("-security") || e.suite.ends_with("/updates") ||
         e.uri.ends_with("-security");
}

bool fetchable_scheme(std::string_view uri) {
  return uri.starts_with("http://") || uri.starts_with("https://") || uri.starts_with("file:/");
}

bool has_allowed_name(std::string_view name) {
  // apt silently skips files whose names have other characters.
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return !name.empty() && name.front() != '.';
}

core::Result<std::vector<std::string>> list_source_files(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return names;
    return core::make_error(dir, std::string("cannot list: ") + std::strerror(errno));
  }
  while (dirent* ent = ::readdir(d)) {
    std::string_view name(ent->d_name);
    if (!has_allowed_name(name)) continue;
    if (name.ends_with(".list") || name.ends_with(".sources")) names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::string strip_trailing_slashes(std::string_view url) {
  while (url.size() > 1 && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

core::Result<std::vector<AptSourceEntry>> parse_sources_list(std::string_view text,
                                                             std::string_view where) {
  std::vector<AptSourceEntry> out;
  size_t line_no = 0;
  for (std::string_view line : core::lines(text)) {
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = core::trim_space(line);
    if (line.empty()) continue;

    std::string here = at_line(where, line_no);
    auto words = split_entry(line);
    const std::string& type = words[0];
    if (type == "deb-src") continue;
    if (type != "deb") return core::make_error(here, "unknown source type '" + type + "'");
    AptSourceEntry e;
    e.origin = here;
    size_t i = 1;
    if (i < words.size() && words[i].starts_with('[')) {
      DISTILL_TRY(parse_options(words[i], e.options, here));
      ++i;
    }
    if (i + 1 >= words.size()) return core::make_error(here, "entry lacks a URI or a suite");
    e.uri = strip_trailing_slashes(words[i]);
    e.suite = words[i + 1];
    e.components.assign(words.begin() + static_cast<std::ptrdiff_t>(i + 2), words.end());
    if (e.components.empty() && needs_components(e.suite))
      return core::make_error(here, "entry lacks components");
    if (auto it = e.options.find("signed-by"); it != e.options.end()) e.signed_by = it->second;
    out.push_back(std::move(e));
  }
  return out;
}

core::Result<std::vector<AptSourceEntry>> parse_deb822_sources(std::string text,
                                                               std::string_view where) {
  DISTILL_ASSIGN(auto doc, Deb822Document::parse(std::move(text), where));
  std::vector<AptSourceEntry> out;
  for (const Paragraph& p : doc.paragraphs()) {
    std::string here = at_line(where, p.line);
    if (core::ascii_lower(core::trim_space(p.get_or("Enabled", "yes"))) == "no") continue;
    auto types = core::split_words(fold_value(p.get_or("Types")));
    if (types.empty()) return core::make_error(here, "stanza lacks Types");
    if (std::find(types.begin(), types.end(), "deb") == types.end()) continue;
    auto uris = core::split_words(fold_value(p.get_or("URIs")));
    auto suites = core::split_words(fold_value(p.get_or("Suites")));
    auto components = core::split_words(fold_value(p.get_or("Components")));
    if (uris.empty()) return core::make_error(here, "stanza lacks URIs");
    if (suites.empty()) return core::make_error(here, "stanza lacks Suites");
    std::map<std::string, std::string> options;
    for (const Field& f : p.fields)
      options[core::ascii_lower(f.name)] = std::string(core::trim_space(f.value));
    for (const auto& uri : uris) {
      for (const auto& suite : suites) {
        if (components.empty() && needs_components(suite))
          return core::make_error(here, "stanza lacks Components");
        AptSourceEntry e;
        e.uri = strip_trailing_slashes(uri);
        e.suite = suite;
        e.components = components;
        e.signed_by = std::string(core::trim_space(p.get_or("Signed-By")));
        e.options = options;
        e.origin = here;
        out.push_back(std::move(e));
      }
    }
  }
  return out;
}

core::Result<std::vector<AptSourceEntry>> read_apt_sources(const std::string& apt_root) {
  std::vector<AptSourceEntry> all;
  auto append = [&all](core::Result<std::vector<AptSourceEntry>> r) -> core::Status {
    if (!r.ok()) return r.error();
    for (auto& e : *r) all.push_back(std::move(e));
    return core::Status::Ok();
  };
  std::string main_list = apt_root + "/sources.list";
  if (core::path_exists(main_list)) {
    DISTILL_ASSIGN(std::string text, core::read_file(main_list));
    DISTILL_TRY(append(parse_sources_list(text, main_list)));
  }
  std::string dir = apt_root + "/sources.list.d";
  DISTILL_ASSIGN(auto names, list_source_files(dir));
  for (const auto& name : names) {
    std::string path = dir + "/" + name;
    DISTILL_ASSIGN(std::string text, core::read_file(path));
    if (name.ends_with(".list"))
      DISTILL_TRY(append(parse_sources_list(text, path)));
    else
      DISTILL_TRY(append(parse_deb822_sources(std::move(text), path)));
  }
  return all;
}

core::Result<Mirrors> mirrors_from_entries(const std::vector<AptSourceEntry>& entries,
                                           std::string_view where) {
  const AptSourceEntry* archive = nullptr;
  const AptSourceEntry* security = nullptr;
  for (const auto& e : entries) {
    if (!fetchable_scheme(e.uri) || !is_debian_codename(suite_base(e.suite))) continue;
    if (is_security_entry(e)) {
      if (security == nullptr) security = &e;
    } else if (archive == nullptr) {
      archive = &e;
    }
  }
  if (archive == nullptr)
    return core::make_error(std::string(where), "no Debian archive found among the apt sources",
                            "pass --mirror URL");
  Mirrors m;
  m.archive = archive->uri;
  m.security = security != nullptr ? security->uri : archive->uri + "-security";
  return m;
}

core::Result<Mirrors> host_mirrors(const std::string& apt_root) {
  auto entries = read_apt_sources(apt_root);
  if (!entries.ok()) {
    core::Error e = entries.error();
    if (e.hint.empty()) e.hint = "fix the apt sources or pass --mirror URL";
    return e;
  }
  return mirrors_from_entries(*entries, apt_root);
}

Mirrors mirrors_from_flag(std::string_view archive, std::string_view security) {
  Mirrors m;
  m.archive = strip_trailing_slashes(archive);
  m.security = security.empty() ? m.archive + "-security" : strip_trailing_slashes(security);
  return m;
}

}  // namespace distill::debian
