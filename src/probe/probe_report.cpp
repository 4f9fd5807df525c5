#include "probe/probe_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/json.hpp"
#include "core/strings.hpp"

namespace distill::probe {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kShell = "shell";
constexpr const char* kInterpreter = "interpreter";
constexpr const char* kNetworkTool = "network-tool";
constexpr const char* kPackageManager = "package-manager";
constexpr const char* kWritable = "writable-path";
constexpr const char* kSetuid = "setuid";
constexpr const char* kCapability = "capability";

struct Parsed {
  json doc;
  std::vector<ProbeFinding> out;
  std::set<std::string> seen_paths;

  void add(const char* category, std::string item, std::string path, Verdict v,
           std::string detail) {
    out.push_back({category, std::move(item), std::move(path), v, std::move(detail)});
  }

  // shells, interpreters, network tools: usable when executable.
  void commands(const char* key, const char* category, const char* what) {
    for (const auto& c : doc.at(key)) {
      std::string path = c.at("path").get<std::string>();
      if (!seen_paths.insert(path).second) continue;
      bool exec = c.at("executable").get<bool>();
      add(category, c.at("name").get<std::string>(), path,
          exec ? Verdict::kExposed : Verdict::kLimited,
          exec ? fmt::format("{} the app's user can execute", what)
               : fmt::format("{} present but not executable by the app's user", what));
    }
  }

  void package_managers() {
    for (const auto& c : doc.at("package_managers")) {
      bool runs = c.at("runs").get<bool>();
      add(kPackageManager, c.at("name").get<std::string>(), c.at("path").get<std::string>(),
          runs ? Verdict::kExposed : Verdict::kLimited,
          runs ? "runs (--version succeeded): can fetch and unpack software"
               : "present, but --version did not succeed as the app's user");
    }
  }

  void network() {
    commands("network_tools", kNetworkTool, "download/network tool");
    bool interpreter = exposed_count(out, kInterpreter) > 0;
    for (const auto& m : doc.at("socket_modules"))
      add(kNetworkTool, "socket module", m.get<std::string>(),
          interpreter ? Verdict::kExposed : Verdict::kLimited,
          interpreter ? "an executable interpreter can open sockets with it"
                      : "no executable interpreter to load it");
    for (const auto& a : doc.at("busybox_applets"))
      add(kNetworkTool, "busybox " + a.get<std::string>(), "", Verdict::kExposed,
          "busybox applet that runs");
  }

  void writable() {
    for (const auto& w : doc.at("writable")) {
      bool created = w.at("created").get<bool>();
      bool access = w.at("access").get<bool>();
      if (!created && !access) continue;
      std::string path = w.at("path").get<std::string>();
      add(kWritable, path, path, created ? Verdict::kExposed : Verdict::kLimited,
          created ? "a file can be created here (tools can be dropped)"
                  : "access(W_OK) allows it, but creating a file failed");
    }
  }

  void privileges() {
    const json& status = doc.at("status");
    bool nnp = status.value("NoNewPrivs", "0") == "1";
    for (const auto& s : doc.at("setuid")) {
      std::string path = s.at("path").get<std::string>();
      std::string mode = s.at("mode").get<std::string>();
      add(kSetuid, path.substr(path.rfind('/') + 1), path,
          nnp ? Verdict::kLimited : Verdict::kExposed,
          nnp ? fmt::format("mode {}, but no_new_privs stops it from raising privileges", mode)
              : fmt::format("mode {}: runs with its owner's privileges", mode));
    }
    std::string eff = status.value("CapEff", "");
    if (eff.find_first_not_of('0') != std::string::npos)
      add(kCapability, "CapEff", "", Verdict::kExposed,
          fmt::format("effective capabilities {} (uid {})", eff, doc.value("euid", -1)));
  }
};

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kExposed:
      return "exposed";
    case Verdict::kLimited:
      return "limited";
    case Verdict::kNone:
      break;
  }
  return "none";
}

const std::vector<std::string>& probe_categories() {
  static const std::vector<std::string> kAll = {
      kShell, kInterpreter, kNetworkTool, kPackageManager, kWritable, kSetuid, kCapability};
  return kAll;
}

size_t exposed_count(const std::vector<ProbeFinding>& findings, std::string_view category) {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(), [&](const auto& f) {
    return f.category == category && f.verdict == Verdict::kExposed;
  }));
}

core::Result<std::vector<ProbeFinding>> parse_probe_output(std::string_view output,
                                                           std::string_view where) {
  Parsed p;
  auto doc = core::parse_json(output);
  if (!doc.ok())
    return core::make_error(std::string(where),
                            fmt::format("unreadable probe output: {}", doc.error().what),
                            "the probe and distill must come from the same build");
  try {
    p.doc = std::move(doc).value();
    p.commands("shells", kShell, "shell");
    p.commands("interpreters", kInterpreter, "command interpreter");
    p.commands("versioned_interpreters", kInterpreter, "command interpreter");
    p.network();
    p.package_managers();
    p.writable();
    p.privileges();
  } catch (const json::exception& e) {
    return core::make_error(std::string(where),
                            fmt::format("unreadable probe output: {}", e.what()),
                            "the probe and distill must come from the same build");
  }
  std::vector<ProbeFinding> sorted;
  for (const auto& category : probe_categories()) {
    size_t before = sorted.size();
    for (auto& f : p.out)
      if (f.category == category) sorted.push_back(std::move(f));
    if (sorted.size() == before)
      sorted.push_back({category, "", "", Verdict::kNone, "nothing found"});
  }
  return sorted;
}

json probe_report_json(std::string_view image, const std::vector<ProbeFinding>& findings) {
  json summary = json::object();
  for (const auto& c : probe_categories()) summary[c] = exposed_count(findings, c);
  json list = json::array();
  for (const auto& f : findings)
    list.push_back({{"category", f.category},
                    {"item", f.item},
                    {"path", f.path.empty() ? json(nullptr) : json(f.path)},
                    {"verdict", verdict_name(f.verdict)},
                    {"detail", f.detail}});
  return {{"image", image}, {"exposed", std::move(summary)}, {"findings", std::move(list)}};
}

std::string probe_report_text(std::string_view image, const std::vector<ProbeFinding>& findings) {
  std::string out = fmt::format("Probe of {}\n", image);
  size_t w = 4;
  for (const auto& f : findings) w = std::max(w, f.item.size());
  std::string category;
  for (const auto& f : findings) {
    if (f.category != category) {
      category = f.category;
      out += fmt::format("\n{} ({} exposed)\n", category, exposed_count(findings, category));
    }
    if (f.verdict == Verdict::kNone) {
      out += "  NONE     nothing found\n";
      continue;
    }
    std::string verdict = core::ascii_upper(verdict_name(f.verdict));
    out += fmt::format("  {:<8} {:<{}}  {}{}\n", verdict, f.item, w,
                       f.path.empty() || f.path == f.item ? "" : f.path + ": ", f.detail);
  }
  return out;
}

}  // namespace distill::probe
