#include "verify/python_abi.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"

namespace distill::verify {
namespace {

bool abi_digit(char c) {
  return c >= '0' && c <= '9';
}

// A whole string of decimal digits, bounded so it cannot overflow.
std::optional<int> small_number(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "3.11" -> 11: the minor version of a "3.<minor>" prefix.
std::optional<int> python3_minor(std::string_view s) {
  if (!s.starts_with("3.")) return std::nullopt;
  return small_number(s.substr(2));
}

// "311" -> 11, "3" -> nullopt (the caller decides what a bare major means).
std::optional<int> tag_minor(std::string_view digits) {
  if (digits.size() < 2 || digits[0] != '3') return std::nullopt;
  return small_number(digits.substr(1));
}

// The architecture name wheel platform tags use for a multiarch triplet.
std::string wheel_arch(std::string_view triplet) {
  static const std::pair<std::string_view, std::string_view> kArchs[] = {
      {"x86_64-linux-gnu", "x86_64"},       {"aarch64-linux-gnu", "aarch64"},
      {"i386-linux-gnu", "i686"},           {"arm-linux-gnueabihf", "armv7l"},
      {"powerpc64le-linux-gnu", "ppc64le"}, {"s390x-linux-gnu", "s390x"},
      {"riscv64-linux-gnu", "riscv64"}};
  for (const auto& [t, a] : kArchs)
    if (t == triplet) return std::string(a);
  return std::string(triplet.substr(0, triplet.find('-')));
}

std::string glibc_text(int minor) {
  return minor < 0 ? "an unknown glibc" : fmt::format("glibc 2.{}", minor);
}

std::optional<std::string> python_tag_problem(std::string_view py, std::string_view abi,
                                              const PythonTarget& t) {
  std::optional<std::string> first;
  for (auto p : core::split(py, '.')) {
    std::optional<std::string> why;
    if (p.starts_with("py")) {
      auto digits = p.substr(2);
      if (digits == "3") return std::nullopt;
      auto minor = tag_minor(digits);
      if (minor && *minor <= t.minor) return std::nullopt;
      why = fmt::format("needs Python {}", p);
    } else if (p.starts_with("cp")) {
      auto minor = tag_minor(p.substr(2));
      // An interpreter-specific ABI pins the version; abi3 and none set a minimum.
      bool exact = abi.starts_with("cp");
      if (minor && (exact ? *minor == t.minor : *minor <= t.minor)) return std::nullopt;
      why = minor ? fmt::format("needs CPython 3.{}{}", *minor, exact ? "" : " or newer")
                  : fmt::format("needs Python {}", p);
    } else {
      why = fmt::format("is for another Python implementation ({})", p);
    }
    if (!first) first = why;
  }
  return first;
}

std::optional<std::string> abi_tag_problem(std::string_view abis, const PythonTarget& t) {
  std::optional<std::string> first;
  for (auto a : core::split(abis, '.')) {
    if (a == "none" || a == "abi3") return std::nullopt;
    std::optional<std::string> why;
    if (a.starts_with("cp")) {
      auto rest = a.substr(2);
      size_t n = 0;
      while (n < rest.size() && abi_digit(rest[n])) ++n;
      auto minor = tag_minor(rest.substr(0, n));
      auto flags = rest.substr(n);
      if (minor && *minor == t.minor && flags.empty()) return std::nullopt;
      if (minor && *minor == t.minor)
        why = fmt::format("needs a CPython 3.{} built with ABI flags '{}'", *minor, flags);
      else
        why = fmt::format("needs the CPython ABI {}", a);
    } else {
      why = fmt::format("needs the ABI {}", a);
    }
    if (!first) first = why;
  }
  return first;
}

std::optional<std::string> platform_problem(std::string_view platforms, const PythonTarget& t) {
  std::string arch = wheel_arch(t.triplet);
  std::optional<std::string> first;
  for (auto p : core::split(platforms, '.')) {
    if (p == "any") return std::nullopt;
    std::optional<std::string> why;
    if (auto m = parse_manylinux(p)) {
      if (m->arch != arch)
        why = fmt::format("is for {}, the image is {}", m->arch, arch);
      else if (t.glibc_minor >= 0 && m->glibc_minor > t.glibc_minor)
        why = fmt::format("needs glibc 2.{}, the image has {}", m->glibc_minor,
                          glibc_text(t.glibc_minor));
      else
        return std::nullopt;
    } else if (p.starts_with("linux_")) {
      if (p.substr(6) == arch) return std::nullopt;
      why = fmt::format("is for {}, the image is {}", p.substr(6), arch);
    } else if (p.starts_with("musllinux")) {
      why = fmt::format("needs musl libc, the image has {}", glibc_text(t.glibc_minor));
    } else {
      why = fmt::format("is for another platform ({})", p);
    }
    if (!first) first = why;
  }
  return first;
}

}  // namespace

std::string PythonTarget::python() const {
  return fmt::format("python3.{}", minor);
}

std::optional<PythonTarget> python_target(const std::vector<std::string>& packages,
                                          std::string triplet, std::string distro) {
  PythonTarget t;
  t.triplet = std::move(triplet);
  t.distro = std::move(distro);
  bool found = false;
  for (const auto& p : packages) {
    std::string_view s = p;
    auto eq = s.find('=');
    std::string_view name = s.substr(0, eq);
    std::string_view version = eq == std::string_view::npos ? "" : s.substr(eq + 1);
    if (name.starts_with("lib")) name.remove_prefix(3);
    if (name.starts_with("python") && name.ends_with("-minimal")) {
      if (auto minor = python3_minor(name.substr(6, name.size() - 6 - 8))) {
        t.minor = *minor;
        found = true;
      }
    } else if (p.starts_with("libc6=")) {
      if (auto colon = version.find(':'); colon != std::string_view::npos)
        version.remove_prefix(colon + 1);
      version = version.substr(0, version.find_first_of("-+~"));
      if (version.starts_with("2.")) {
        auto minor = version.substr(2);
        if (auto m = small_number(minor.substr(0, minor.find('.')))) t.glibc_minor = *m;
      }
    }
  }
  if (!found) return std::nullopt;
  return t;
}

std::optional<ExtensionName> parse_extension_name(std::string_view file_name) {
  if (!file_name.ends_with(".so")) return std::nullopt;
  std::string_view stem = file_name.substr(0, file_name.size() - 3);
  ExtensionName e;
  auto dot = stem.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    e.module = std::string(stem);
    return e;
  }
  e.module = std::string(stem.substr(0, dot));
  std::string_view tag = stem.substr(dot + 1);
  e.tag = std::string(tag);
  if (tag == "abi3") {
    e.kind = ExtensionName::Kind::kAbi3;
    return e;
  }
  if (!tag.starts_with("cpython-")) {
    // "m.pypy39-pp73-x86_64-linux-gnu.so" is another interpreter's; a name
    // like "lib.1.so" carries no tag at all.
    e.kind = tag.find('-') != std::string_view::npos ? ExtensionName::Kind::kOther
                                                     : ExtensionName::Kind::kUntagged;
    if (e.kind == ExtensionName::Kind::kUntagged) {
      e.module = std::string(stem);
      e.tag.clear();
    }
    return e;
  }
  std::string_view rest = tag.substr(8);
  size_t n = 0;
  while (n < rest.size() && abi_digit(rest[n])) ++n;
  auto minor = tag_minor(rest.substr(0, n));
  if (!minor) {
    e.kind = ExtensionName::Kind::kOther;
    return e;
  }
  e.kind = ExtensionName::Kind::kCpython;
  e.minor = *minor;
  rest.remove_prefix(n);
  auto dash = rest.find('-');
  e.flags = std::string(rest.substr(0, dash));
  if (dash != std::string_view::npos) e.triplet = std::string(rest.substr(dash + 1));
  return e;
}

std::optional<std::string> extension_problem(const ExtensionName& name,
                                             const PythonTarget& target) {
  switch (name.kind) {
    case ExtensionName::Kind::kAbi3:
    case ExtensionName::Kind::kUntagged:
      return std::nullopt;
    case ExtensionName::Kind::kOther:
      return fmt::format("is built for another Python ({}), the image has {}", name.tag,
                         target.python());
    case ExtensionName::Kind::kCpython:
      break;
  }
  if (name.minor != target.minor)
    return fmt::format("is built for CPython 3.{} ({}), the image has {}", name.minor, name.tag,
                       target.python());
  if (name.flags.find('d') != std::string::npos)
    return fmt::format("is built for a debug CPython ({}), the image's {} is not one", name.tag,
                       target.python());
  if (name.flags.find('t') != std::string::npos)
    return fmt::format("is built for a free-threaded CPython ({}), the image's {} is not one",
                       name.tag, target.python());
  if (!name.flags.empty())
    return fmt::format("is built with ABI flags '{}' ({}), the image's {} has none", name.flags,
                       name.tag, target.python());
  if (!name.triplet.empty() && name.triplet != target.triplet)
    return fmt::format("is built for {} ({}), the image is {}", name.triplet, name.tag,
                       target.triplet);
  return std::nullopt;
}

std::string WheelTag::text() const {
  return python + "-" + abi + "-" + platform;
}

std::vector<WheelTag> parse_wheel_tags(std::string_view wheel_file) {
  std::vector<WheelTag> tags;
  for (std::string_view line : core::lines(wheel_file)) {
    line = core::trim_space(line);
    if (!line.starts_with("Tag:")) continue;
    auto parts = core::split(core::trim_space(line.substr(4)), '-');
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) continue;
    for (auto py : core::split(parts[0], '.'))
      for (auto abi : core::split(parts[1], '.'))
        for (auto plat : core::split(parts[2], '.'))
          if (!py.empty() && !abi.empty() && !plat.empty())
            tags.push_back({std::string(py), std::string(abi), std::string(plat)});
  }
  return tags;
}

std::optional<std::string> wheel_problem(const std::vector<WheelTag>& tags,
                                         const PythonTarget& target) {
  std::optional<std::string> first;
  for (const auto& t : tags) {
    auto why = python_tag_problem(t.python, t.abi, target);
    if (!why) why = abi_tag_problem(t.abi, target);
    if (!why) why = platform_problem(t.platform, target);
    if (!why) return std::nullopt;
    if (!first) first = fmt::format("wheel tag {} {}", t.text(), *why);
  }
  return first;
}

std::optional<ManylinuxTag> parse_manylinux(std::string_view p) {
  static const std::pair<std::string_view, int> kLegacy[] = {
      {"manylinux1_", 5}, {"manylinux2010_", 12}, {"manylinux2014_", 17}};
  for (const auto& [prefix, minor] : kLegacy)
    if (p.starts_with(prefix) && p.size() > prefix.size())
      return ManylinuxTag{minor, std::string(p.substr(prefix.size()))};
  if (!p.starts_with("manylinux_")) return std::nullopt;
  auto parts = core::split(p.substr(10), '_');
  if (parts.size() < 3 || parts[0] != "2") return std::nullopt;
  auto minor = small_number(parts[1]);
  if (!minor) return std::nullopt;
  // The architecture may hold '_' itself (x86_64).
  size_t arch_at = 10 + parts[0].size() + 1 + parts[1].size() + 1;
  return ManylinuxTag{*minor, std::string(p.substr(arch_at))};
}

}  // namespace distill::verify
