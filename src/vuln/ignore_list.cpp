#include "vuln/ignore_list.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace distill::vuln {

core::Result<std::map<std::string, std::string>> parse_ignore_list(std::string_view text,
                                                                   std::string_view where) {
  std::map<std::string, std::string> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = core::trim_space(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
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
