#include "debian/version.hpp"

#include <climits>
#include <cstddef>

#include "core/text.hpp"

namespace distill::debian {
namespace {

// dpkg's c_isdigit/c_isalpha: ASCII only, whatever the locale.
bool is_digit(int c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// A view read like dpkg reads a NUL-terminated string: past the end is 0.
// dpkg works on plain (signed) char, so bytes >= 0x80 sort as negative values
// plus 256; doing the same keeps even garbage ordered exactly like dpkg.
int char_at(std::string_view s, size_t i) {
  return i < s.size() ? static_cast<int>(static_cast<signed char>(s[i])) : 0;
}

// dpkg's order(): '~' sorts before the end of the string, letters before
// everything else that is not a digit.
int order(int c) {
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return c;
  if (c == '~') return -1;
  if (c) return c + 256;
  return 0;
}

// dpkg's verrevcmp(): alternating non-digit and digit runs. Digit runs are
// compared by length after stripping leading zeros, then by their first
// differing digit, so arbitrarily long numbers never overflow.
int verrevcmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !is_digit(char_at(a, i))) ||
           (j < b.size() && !is_digit(char_at(b, j)))) {
      int ac = order(char_at(a, i));
      int bc = order(char_at(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (char_at(a, i) == '0') ++i;
    while (char_at(b, j) == '0') ++j;
    while (is_digit(char_at(a, i)) && is_digit(char_at(b, j))) {
      if (!first_diff) first_diff = char_at(a, i) - char_at(b, j);
      ++i;
      ++j;
    }
    if (is_digit(char_at(a, i))) return 1;
    if (is_digit(char_at(b, j))) return -1;
    if (first_diff) return first_diff;
  }
  return 0;
}

int sign(int v) {
  return (v > 0) - (v < 0);
}

// A version split into views, without validation.
struct Parts {
  std::string_view epoch;  // digits only, maybe empty (= 0)
  std::string_view upstream;
  std::string_view revision;
};

// Splits like parseversion() does; where dpkg would reject the epoch, the
// whole text is taken as upstream with epoch 0.
Parts split(std::string_view text) {
  // dpkg reads C strings: an embedded NUL ends the version.
  text = core::trim_blanks(text.substr(0, text.find('\0')));
  Parts p;
  size_t colon = text.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    std::string_view e = text.substr(0, colon);
    bool digits = true;
    for (char c : e) digits = digits && is_digit(c);
    if (digits) {
      p.epoch = e;
      text.remove_prefix(colon + 1);
    }
  }
  size_t hyphen = text.rfind('-');
  if (hyphen != std::string_view::npos) {
    p.upstream = text.substr(0, hyphen);
    p.revision = text.substr(hyphen + 1);
  } else {
    p.upstream = text;
  }
  return p;
}

// Compares two digit strings numerically, whatever their length.
int compare_numeric(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));
}

core::Error version_error(std::string_view text, std::string what) {
  return core::make_error("version '" + std::string(text) + "'", std::move(what));
}

}  // namespace

core::Result<Version> Version::parse(std::string_view text) {
  std::string_view s = core::trim_blanks(text);
  if (s.empty()) return version_error(text, "version string is empty");
  for (char c : s)
    if (core::is_space(c)) return version_error(text, "version string has embedded spaces");

  Version v;
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    std::string_view e = s.substr(0, colon);
    if (e.empty()) return version_error(text, "epoch in version is empty");
    unsigned long epoch = 0;
    for (char c : e) {
      if (!is_digit(c)) return version_error(text, "epoch in version is not a number");
      epoch = epoch * 10 + static_cast<unsigned long>(c - '0');
      if (epoch > static_cast<unsigned long>(INT_MAX))
        return version_error(text, "epoch in version is too big");
    }
    s.remove_prefix(colon + 1);
    if (s.empty()) return version_error(text, "nothing after colon in version number");
    v.epoch = epoch;
  }

  size_t hyphen = s.rfind('-');
  std::string_view upstream = s, revision;
  if (hyphen != std::string_view::npos) {
    upstream = s.substr(0, hyphen);
    revision = s.substr(hyphen + 1);
    if (revision.empty()) return version_error(text, "revision number is empty");
  }
  if (upstream.empty()) return version_error(text, "upstream version is empty");
  // dpkg only warns when upstream does not start with a digit; so do we
  // (silently), since such versions exist in the archive.
  for (char c : upstream) {
    if (!is_digit(c) && !is_alpha(c) && std::string_view(".-+~:").find(c) == std::string_view::npos)
      return version_error(text, std::string("invalid character '") + c + "' in version number");
  }
  for (char c : revision) {
    if (!is_digit(c) && !is_alpha(c) && std::string_view(".+~").find(c) == std::string_view::npos)
      return version_error(text, std::string("invalid character '") + c + "' in revision number");
  }
  v.upstream = std::string(upstream);
  v.revision = std::string(revision);
  return v;
}

std::string Version::str() const {
  std::string out;
  // A colon in upstream is only valid after an epoch, so "0:" must then stay.
  if (epoch || upstream.find(':') != std::string::npos) out = std::to_string(epoch) + ":";
  out += upstream;
  if (!revision.empty()) out += "-" + revision;
  return out;
}

int compare(const Version& a, const Version& b) {
  if (a.epoch != b.epoch) return a.epoch < b.epoch ? -1 : 1;
  if (int r = verrevcmp(a.upstream, b.upstream)) return sign(r);
  return sign(verrevcmp(a.revision, b.revision));
}

int compare_versions(std::string_view a, std::string_view b) {
  Parts pa = split(a), pb = split(b);
  if (int r = compare_numeric(pa.epoch, pb.epoch)) return r;
  if (int r = verrevcmp(pa.upstream, pb.upstream)) return sign(r);
  return sign(verrevcmp(pa.revision, pb.revision));
}

}  // namespace distill::debian
