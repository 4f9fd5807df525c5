#include "vuln/version_semver.hpp"

#include "core/strings.hpp"

namespace distill::vuln {
namespace {

constexpr size_t kMaxSemverLength = 256;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool identifier_chars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
      return false;
  return true;
}

int compare_identifier(const std::string& a, const std::string& b) {
  bool an = all_digits(a), bn = all_digits(b);
  if (an && bn) return core::compare_decimal(a, b);
  if (an != bn) return an ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

std::optional<Semver> parse_semver(std::string_view text) {
  if (text.size() > kMaxSemverLength) return std::nullopt;
  if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
  if (size_t plus = text.find('+'); plus != std::string_view::npos) {
    for (std::string_view id : core::split(text.substr(plus + 1), '.'))
      if (!identifier_chars(id)) return std::nullopt;
    text = text.substr(0, plus);
  }
  std::string_view core_part = text;
  Semver v;
  if (size_t dash = text.find('-'); dash != std::string_view::npos) {
    core_part = text.substr(0, dash);
    for (std::string_view id : core::split(text.substr(dash + 1), '.')) {
      if (!identifier_chars(id)) return std::nullopt;
      v.prerelease.emplace_back(id);
    }
  }
  std::vector<std::string_view> nums = core::split(core_part, '.');
  if (nums.empty() || nums.size() > 3) return std::nullopt;
  for (auto n : nums)
    if (!all_digits(n)) return std::nullopt;
  v.major = std::string(nums[0]);
  v.minor = nums.size() > 1 ? std::string(nums[1]) : "0";
  v.patch = nums.size() > 2 ? std::string(nums[2]) : "0";
  return v;
}

int compare(const Semver& a, const Semver& b) {
  for (auto [x, y] : {std::pair{&a.major, &b.major}, {&a.minor, &b.minor}, {&a.patch, &b.patch}})
    if (int c = core::compare_decimal(*x, *y)) return c;
  if (a.prerelease.empty() || b.prerelease.empty()) {
    if (a.prerelease.empty() == b.prerelease.empty()) return 0;
    return a.prerelease.empty() ? 1 : -1;
  }
  for (size_t i = 0; i < a.prerelease.size() && i < b.prerelease.size(); ++i)
    if (int c = compare_identifier(a.prerelease[i], b.prerelease[i])) return c;
  if (a.prerelease.size() == b.prerelease.size()) return 0;
  return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
}

std::optional<int> compare_semver(std::string_view a, std::string_view b) {
  auto x = parse_semver(a), y = parse_semver(b);
  if (!x || !y) return std::nullopt;
  return compare(*x, *y);
}

}  // namespace distill::vuln
