#include "debian/distro.hpp"

#include <array>

namespace distill::debian {
namespace {

struct KnownDistro {
  const char* id;
  const char* codename;
  const char* version;
};

constexpr std::array<KnownDistro, 2> kDistros{{
    {"debian12", "bookworm", "12"},
    {"debian13", "trixie", "13"},
}};

std::string supported_list() {
  std::string out;
  for (const auto& d : kDistros) {
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
  for (const auto& d : kDistros) {
    if (name == d.id || name == d.codename || name == d.version)
      return Distro{d.id, d.codename, d.version};
  }
  return core::make_error("distro '" + std::string(name) + "'", "unsupported distribution",
                          "supported: " + supported_list());
}

}  // namespace distill::debian
