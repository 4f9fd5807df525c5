#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::core {

// Parses YAML text; a syntax error is "<file>:<line>: <message>", and so is a
// key given twice in one map, anywhere in the document, with both lines
// named: yaml-cpp keeps the last silently, which would let a spec or a test
// config say one thing and do another.
Result<YAML::Node> load_yaml(std::string_view text, std::string_view file,
                             std::string_view hint = "the file must be valid YAML");

}  // namespace distill::core
