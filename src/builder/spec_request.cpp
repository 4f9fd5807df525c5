#include "builder/spec_request.hpp"

#include <algorithm>

namespace distill::builder {

debian::SolveRequest solve_request(const Spec& spec, const Preset& preset) {
  debian::SolveRequest req;
  req.packages = preset.roots;
  req.packages.insert(req.packages.end(), spec.packages.begin(), spec.packages.end());
  req.exclude = preset.exclude;
  req.exclude.insert(req.exclude.end(), spec.exclude.begin(), spec.exclude.end());
  req.policy.allow_shells = spec.allow_shells;
  return req;
}

std::vector<std::string> extract_names(const Spec& spec, const Preset& preset) {
  std::vector<std::string> names = preset.extract_only;
  if (spec.debug) names.push_back("busybox-static");
  return names;
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace distill::builder
