#include "debian/resolution_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/strings.hpp"
#include "core/units.hpp"

namespace distill::debian {
namespace {

nlohmann::json solution_json(const ArchSolution& s) {
  nlohmann::json pkgs = nlohmann::json::array(), dropped = nlohmann::json::array();
  for (const auto& rp : s.resolution.packages) {
    const auto& e = *rp.entry;
    pkgs.push_back({{"name", e.name},
                    {"version", e.version},
                    {"architecture", e.architecture},
                    {"size", e.size},
                    {"installed_size_kib", e.installed_size},
                    {"sha256", e.sha256},
                    {"filename", e.filename},
                    {"suite", e.origin->suite},
                    {"requested", rp.requested},
                    {"required_by", rp.required_by}});
  }
  for (const auto& d : s.resolution.dropped)
    dropped.push_back({{"from", d.from}, {"to", d.to}, {"reason", d.reason}});
  return {{"packages", pkgs}, {"dropped", dropped}};
}

}  // namespace

nlohmann::json resolutions_json(const std::string& distro,
                                const std::vector<ArchSolution>& solutions) {
  nlohmann::json archs = nlohmann::json::object();
  for (const auto& s : solutions) archs[s.arch] = solution_json(s);
  return {{"distro", distro}, {"archs", archs}};
}

std::string resolution_table(const std::string& distro, const ArchSolution& s) {
  uint64_t total = 0, installed = 0;
  size_t w_name = 7, w_ver = 7;
  for (const auto& rp : s.resolution.packages) {
    total += rp.entry->size;
    installed += rp.entry->installed_size * 1024;
    w_name = std::max(w_name, rp.entry->name.size());
    w_ver = std::max(w_ver, rp.entry->version.size());
  }
  size_t count = s.resolution.packages.size();
  std::string out =
      fmt::format("# {} {}: {} package{}, {} to download, {} installed\n", distro, s.arch, count,
                  count == 1 ? "" : "s", core::human_size(total), core::human_size(installed));
  out += fmt::format("{:<{}}  {:<{}}  {:<6}  {:>10}  {}\n", "PACKAGE", w_name, "VERSION", w_ver,
                     "ARCH", "SIZE", "REQUIRED BY");
  for (const auto& rp : s.resolution.packages) {
    const auto& e = *rp.entry;
    std::string why = rp.requested ? "(requested)" : core::join(rp.required_by, ", ");
    if (rp.requested && !rp.required_by.empty()) why += ", " + core::join(rp.required_by, ", ");
    out += fmt::format("{:<{}}  {:<{}}  {:<6}  {:>10}  {}\n", e.name, w_name, e.version, w_ver,
                       e.architecture, core::human_size(e.size), why);
  }
  for (const auto& d : s.resolution.dropped) out += d.str() + "\n";
  return out;
}

}  // namespace distill::debian
