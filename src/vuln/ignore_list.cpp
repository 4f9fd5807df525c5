#include "vuln/ignore_list.hpp"

#include <fmt/format.h>

#include "core/lines.hpp"
#include "core/text.hpp"

namespace distill::vuln {

core::Result<std::map<std::string, std::string>> parse_ignore_list(std::string_view text,
                                                                   std::string_view where) {
  std::map<std::string, std::string> out;
  size_t line_no = 0;
  for (std::string_view raw : core::lines(text)) {
    std::string_view line = core::trim_space(raw);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    size_t gap = line.find_first_of(" \t");
    std::string id(line.substr(0, gap));
    std::string reason(gap == std::string_view::npos ? "" : core::trim_space(line.substr(gap)));
    std::string at = fmt::format("{}:{}", where, line_no);
    if (reason.empty())
      return core::make_error(at, id + " has no reason",
                              "write the reason after the id: 'CVE-2023-1234 not reachable'");
    if (!out.emplace(id, reason).second) return core::make_error(at, id + " is listed twice");
  }
  return out;
}

}  // namespace distill::vuln
