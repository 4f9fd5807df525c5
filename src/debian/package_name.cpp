#include "debian/package_name.hpp"

#include "core/text.hpp"
#include "debian/version.hpp"

namespace distill::debian {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool is_valid_package_name(std::string_view name) {
  if (name.empty() || !is_lower_alnum(name.front())) return false;
  for (char c : name)
    if (!is_lower_alnum(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

bool is_valid_architecture(std::string_view arch) {
  if (arch.empty() || !is_lower_alnum(arch.front())) return false;
  for (char c : arch)
    if (!is_lower_alnum(c) && c != '-') return false;
  return true;
}

core::Status check_package_id(std::string_view where, std::string_view name,
                              std::string_view version, std::string_view architecture) {
  constexpr const char* kHint = "the index or lockfile is corrupt or hostile";
  if (!is_valid_package_name(name))
    return core::make_error(std::string(where), "invalid package name '" + std::string(name) + "'",
                            kHint);
  auto v = Version::parse(version);
  if (!v.ok() || core::trim_blanks(version) != version)
    return core::make_error(
        std::string(where),
        "invalid version '" + std::string(version) + "' of " + std::string(name),
        v.ok() ? kHint : v.error().what);
  if (!is_valid_architecture(architecture))
    return core::make_error(
        std::string(where),
        "invalid architecture '" + std::string(architecture) + "' of " + std::string(name), kHint);
  return core::Status::Ok();
}

core::Result<std::string> deb_file_name(std::string_view name, std::string_view version,
                                        std::string_view architecture) {
  DISTILL_TRY(check_package_id("package", name, version, architecture));
  std::string v(version);
  for (char& c : v)
    if (c == ':') c = '%';
  return std::string(name) + "_" + v + "_" + std::string(architecture) + ".deb";
}

}  // namespace distill::debian
