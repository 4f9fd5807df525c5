#pragma once

#include <vector>

#include "vuln/advisory.hpp"

namespace distill::vuln::test_util {

// The database's lookup over a vector, as the matcher sees it.
class VectorLookup : public AdvisoryLookup {
 public:
  explicit VectorLookup(std::vector<Advisory> v) : v_(std::move(v)) {}
  core::Result<std::vector<Advisory>> find(std::string_view release,
                                           std::string_view source) const override {
    std::vector<Advisory> out;
    for (const auto& a : v_)
      if (a.release == release && a.source_package == source) out.push_back(a);
    return out;
  }

 private:
  std::vector<Advisory> v_;
};

inline Advisory advisory(std::string id, std::string source, std::string release,
                         std::string status, std::string fixed, std::string urgency,
                         std::string nodsa_reason = {},
                         std::string origin = "debian-security-tracker") {
  Advisory a;
  a.id = std::move(id);
  a.source_package = std::move(source);
  a.release = std::move(release);
  a.status = std::move(status);
  a.fixed_version = std::move(fixed);
  a.urgency = std::move(urgency);
  a.nodsa_reason = std::move(nodsa_reason);
  a.origin = std::move(origin);
  return a;
}

}  // namespace distill::vuln::test_util
