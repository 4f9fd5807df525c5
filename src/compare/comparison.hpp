#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compare/image_profile.hpp"

namespace distill::compare {

// Two profiles side by side, plus the size by package that one carries and
// the other doesn't (by package name).
struct Comparison {
  ImageProfile a;
  ImageProfile b;
  std::vector<PackageSize> only_in_a;  // largest first
  std::vector<PackageSize> only_in_b;
  uint64_t only_in_a_bytes = 0;
  uint64_t only_in_b_bytes = 0;
};

Comparison compare_profiles(ImageProfile a, ImageProfile b);

// One line of the summary every output shares: a measure and its value per image.
struct SummaryRow {
  std::string key;    // the JSON name, e.g. "compressed_size"
  std::string label;  // "Compressed size"
  uint64_t a = 0;
  uint64_t b = 0;
  bool bytes = false;  // shown as a human size
};
std::vector<SummaryRow> summary_rows(const Comparison& c);
// "1.2 MiB" for bytes, the number otherwise.
std::string format_value(uint64_t v, bool bytes);

// The --format json document (docs/compare.md).
nlohmann::ordered_json comparison_json(const Comparison& c);
// The terminal table printed by default.
std::string comparison_table(const Comparison& c);

}  // namespace distill::compare
