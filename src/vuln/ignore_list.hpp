#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::vuln {

// `distill scan --ignore FILE`: one issue per line, its id then the reason
// it is accepted ("CVE-2023-1234  not reachable: we never parse X.509"). '#'
// starts a comment line; blank lines are skipped. A line without a reason
// or an id listed twice is an error naming the file and line: an ignore
// that nobody can explain later is worse than none.
core::Result<std::map<std::string, std::string>> parse_ignore_list(std::string_view text,
                                                                   std::string_view where);

}  // namespace distill::vuln
