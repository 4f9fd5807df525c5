#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "vuln/scan_report.hpp"

namespace distill::vuln {

// The report as SARIF 2.1.0 (OASIS), what code-scanning dashboards import:
// one rule per issue id, one result per finding located at the dpkg
// database file that lists the package; ignored findings are results with
// an external suppression carrying the reason, findings a VEX statement
// suppresses have an external "accepted" one with its status and justification. Levels: critical
// and high
// -> error, medium -> warning, the rest -> note; rules carry a numeric
// "security-severity" property for dashboards that sort by it.
nlohmann::ordered_json report_sarif(const ScanReport& report, std::string_view tool_version);

}  // namespace distill::vuln
