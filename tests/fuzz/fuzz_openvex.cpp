// libFuzzer target: an OpenVEX document from a `distill scan --vex` file.
// Parsing must fail cleanly or give statements within the bounds, each with
// a vulnerability; applying them to a finding must not crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "vuln/openvex.hpp"
#include "vuln/vex.hpp"

using namespace distill::vuln;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = parse_openvex(text, "fuzz.json");
  if (!doc.ok()) return 0;
  if (doc->statements.size() > kMaxVexStatements) std::abort();
  for (const auto& s : doc->statements)
    if (s.vulnerability.empty()) std::abort();
  Finding deb;
  deb.id = "CVE-2099-0001";
  deb.source_package = "openssl";
  deb.installed_version = "3.0.15-1~deb12u1";
  deb.binaries = {"libssl3"};
  Finding py = deb;
  py.ecosystem = "PyPI";
  py.source_package = "Foo.Bar";
  py.binaries.clear();
  std::vector<Finding> findings = {deb, py};
  auto suppressed = apply_vex(findings, {*doc}, {"sha256:00"});
  if (findings.size() + suppressed.size() != 2) std::abort();
  return 0;
}
