#include "core/yaml.hpp"

#include <map>

namespace distill::core {
namespace {

std::string at_line(std::string_view file, int line) {
  return std::string(file) + ":" + std::to_string(line + 1);
}

Status check_unique_keys(const YAML::Node& node, std::string_view file, int depth) {
  // Deeper than any spec or test config; guards the recursion on hostile input.
  if (depth > 64)
    return make_error(at_line(file, node.Mark().line), "nested too deeply",
                      "at most 64 levels of maps and lists");
  if (node.IsSequence()) {
    for (const auto& item : node) DISTILL_TRY(check_unique_keys(item, file, depth + 1));
  } else if (node.IsMap()) {
    std::map<std::string, int> seen;  // scalar key -> 0-based line
    for (const auto& kv : node) {
      if (kv.first.IsScalar()) {
        auto [it, fresh] = seen.emplace(kv.first.Scalar(), kv.first.Mark().line);
        if (!fresh)
          return make_error(at_line(file, kv.first.Mark().line),
                            "key '" + kv.first.Scalar() + "' given twice (lines " +
                                std::to_string(it->second + 1) + " and " +
                                std::to_string(kv.first.Mark().line + 1) + ")",
                            "keep one of them");
      }
      DISTILL_TRY(check_unique_keys(kv.second, file, depth + 1));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<YAML::Node> load_yaml(std::string_view text, std::string_view file, std::string_view hint) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(at_line(file, e.mark.line), e.msg, std::string(hint));
  }
  DISTILL_TRY(check_unique_keys(root, file, 0));
  return root;
}

}  // namespace distill::core
