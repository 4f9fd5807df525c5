#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "vuln/advisory.hpp"

namespace distill::vuln {

// What `distill db import` accepts, told apart by looking at it:
//   a folder          OSV records, every *.json below it (sorted, recursively)
//   a .zip file       OSV records, every *.json member (read with libarchive)
//   a JSON file       an OSV record (an object with "id" and "affected" or
//                     "modified", or a list of them), else a Security
//                     Tracker export
core::Result<std::vector<Advisory>> read_feed(const std::string& path);

}  // namespace distill::vuln
