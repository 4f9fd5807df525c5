#include "effects/effects_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/strings.hpp"

namespace distill::effects {

size_t PackageEffects::count(StepOutcome outcome) const {
  return static_cast<size_t>(std::count_if(
      steps.begin(), steps.end(), [outcome](const ScriptStep& s) { return s.outcome == outcome; }));
}

std::vector<std::string> EffectsReport::unhandled_packages() const {
  std::vector<std::string> out;
  for (const auto& p : packages)
    if (!p.acknowledged && p.count(StepOutcome::kUnhandled) != 0) out.push_back(p.package);
  return out;
}

std::string EffectsReport::summary() const {
  size_t acknowledged = 0;
  for (const auto& p : packages)
    if (p.acknowledged && p.count(StepOutcome::kUnhandled) != 0) ++acknowledged;
  std::vector<std::string> open = unhandled_packages();
  std::string line = fmt::format("maintainer scripts: {} packages, {} fully reproduced",
                                 packages.size(), packages.size() - open.size() - acknowledged);
  if (acknowledged) line += fmt::format(", {} acknowledged", acknowledged);
  if (!open.empty())
    line += fmt::format(", {} with unhandled steps: {} (--verbose or --report for the steps)",
                        open.size(), core::join(open, ", "));
  return line;
}

std::string_view outcome_name(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::kReproduced:
      return "reproduced";
    case StepOutcome::kNoEffect:
      return "no-effect";
    case StepOutcome::kUnhandled:
      return "unhandled";
  }
  return "unhandled";
}

nlohmann::json to_json(const EffectsReport& report) {
  nlohmann::json packages = nlohmann::json::array();
  for (const auto& p : report.packages) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : p.steps)
      steps.push_back({{"script", s.script},
                       {"line", s.line},
                       {"command", s.command},
                       {"outcome", outcome_name(s.outcome)},
                       {"note", s.note}});
    packages.push_back({{"package", p.package},
                        {"scripts", p.scripts},
                        {"acknowledged", p.acknowledged},
                        {"unhandled", p.count(StepOutcome::kUnhandled)},
                        {"steps", std::move(steps)}});
  }
  return {
      {"packages", std::move(packages)}, {"applied", report.applied}, {"skipped", report.skipped}};
}

EffectsReport effects_from_json(const nlohmann::json& j) {
  EffectsReport r;
  if (!j.is_object()) return r;
  try {
    for (const auto& p : j.value("packages", nlohmann::json::array())) {
      PackageEffects pe;
      pe.package = p.at("package").get<std::string>();
      pe.scripts = p.value("scripts", std::vector<std::string>{});
      pe.acknowledged = p.value("acknowledged", false);
      for (const auto& s : p.value("steps", nlohmann::json::array())) {
        ScriptStep step;
        step.script = s.value("script", "");
        step.line = s.value("line", 0);
        step.command = s.value("command", "");
        std::string outcome = s.value("outcome", "");
        step.outcome = outcome == "reproduced"  ? StepOutcome::kReproduced
                       : outcome == "no-effect" ? StepOutcome::kNoEffect
                                                : StepOutcome::kUnhandled;
        step.note = s.value("note", "");
        pe.steps.push_back(std::move(step));
      }
      r.packages.push_back(std::move(pe));
    }
    r.applied = j.value("applied", std::vector<std::string>{});
    r.skipped = j.value("skipped", std::vector<std::string>{});
  } catch (const nlohmann::json::exception&) {
    return EffectsReport{};
  }
  return r;
}

}  // namespace distill::effects
