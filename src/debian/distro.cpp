#include "debian/distro.hpp"

#include <array>

namespace distill::debian {
namespace {

// Every Debian release distill knows by name, oldest first; `id` is set for
// the ones it builds.
struct KnownRelease {
  const char* version;
  const char* codename;
  const char* id;
  bool time64;
};

constexpr std::array<KnownRelease, 6> kReleases{{
    {"10", "buster", nullptr, false},
    {"11", "bullseye", nullptr, false},
    {"12", "bookworm", "debian12", false},
    {"13", "trixie", "debian13", true},
    {"14", "forky", nullptr, true},
    {"15", "duke", nullptr, true},
}};

std::string supported_list() {
  std::string out;
  for (const auto& d : kReleases) {
    if (!d.id) continue;
    if (!out.empty()) out += ", ";
    out += std::string(d.id) + " (" + d.codename + ", " + d.version + ")";
  }
  return out;
}

}  // namespace

std::vector<std::string> Distro::suites() const {
  return {codename, codename + "-updates", codename + "-security"};
}

bool Distro::is_security_suite(std::string_view suite) {
  return suite.ends_with("-security");
}

core::Result<Distro> find_distro(std::string_view name) {
  for (const auto& d : kReleases) {
    if (d.id && (name == d.id || name == d.codename || name == d.version))
      return Distro{d.id, d.codename, d.version, d.time64};
  }
  return core::make_error("distro '" + std::string(name) + "'", "unsupported distribution",
                          "supported: " + supported_list());
}

std::vector<std::string> distro_names() {
  std::vector<std::string> ids, codenames;
  for (const auto& d : kReleases) {
    if (!d.id) continue;
    ids.emplace_back(d.id);
    codenames.emplace_back(d.codename);
  }
  ids.insert(ids.end(), codenames.begin(), codenames.end());
  return ids;
}

std::string distro_choices() {
  std::string out;
  for (const auto& d : kReleases) {
    if (!d.id) continue;
    if (!out.empty()) out += " or ";
    out += std::string(d.id) + " (" + d.codename + ")";
  }
  return out;
}

std::optional<std::string> codename_for_version(std::string_view major) {
  for (const auto& d : kReleases)
    if (major == d.version) return std::string(d.codename);
  return std::nullopt;
}

bool is_release_codename(std::string_view name) {
  if (name == "sid") return true;
  for (const auto& d : kReleases)
    if (name == d.codename) return true;
  return false;
}

std::optional<std::string> multiarch_triplet(std::string_view arch) {
  static const std::pair<std::string_view, std::string_view> kTriplets[] = {
      {"amd64", "x86_64-linux-gnu"},
      {"arm64", "aarch64-linux-gnu"},
      {"armhf", "arm-linux-gnueabihf"},
      {"armel", "arm-linux-gnueabi"},
      {"i386", "i386-linux-gnu"},
      {"ppc64el", "powerpc64le-linux-gnu"},
      {"s390x", "s390x-linux-gnu"},
      {"riscv64", "riscv64-linux-gnu"},
      {"mips64el", "mips64el-linux-gnuabi64"}};
  for (const auto& [a, t] : kTriplets)
    if (a == arch) return std::string(t);
  return std::nullopt;
}

std::string debian_arch_for_alias(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"x86_64", "amd64"},   {"x86-64", "amd64"},    {"x64", "amd64"},        {"aarch64", "arm64"},
      {"arm64/v8", "arm64"}, {"armv8", "arm64"},     {"armv7l", "armhf"},     {"armv7", "armhf"},
      {"arm/v7", "armhf"},   {"arm", "armhf"},       {"armv6", "armel"},      {"armv5", "armel"},
      {"arm/v5", "armel"},   {"i686", "i386"},       {"i586", "i386"},        {"x86", "i386"},
      {"386", "i386"},       {"ppc64le", "ppc64el"}, {"mips64le", "mips64el"}};
  for (const auto& [alias, arch] : kAliases)
    if (alias == name) return std::string(arch);
  return {};
}

}  // namespace distill::debian
