#pragma once

#include <string>
#include <string_view>

#include "compare/comparison.hpp"

namespace distill::compare {

// One self-contained HTML page (inline CSS and SVG, no script, no external
// asset): the summary table, a bar chart of size by package for both images
// and each image's findings.
std::string html_report(const Comparison& c);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view s);

}  // namespace distill::compare
