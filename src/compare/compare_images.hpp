#pragma once

#include <string>

#include "compare/comparison.hpp"
#include "core/result.hpp"
#include "image/image_opener.hpp"

namespace distill::compare {

// What `distill compare` is asked for (docs/compare.md).
struct CompareOptions {
  std::string platform;   // picks one image of a multi-platform one
  std::string db;         // vulnerability database; empty: the default, used when it exists
  std::string cache_dir;  // where the default database is
  std::string html;       // also write the HTML report to this file, when set
};

// Opens the database, then each image (one platform image each), profiles
// both and compares them; writes the HTML report when asked.
core::Result<Comparison> compare_images(const image::ImageOpener& open_a,
                                        const image::ImageOpener& open_b,
                                        const CompareOptions& options);

}  // namespace distill::compare
