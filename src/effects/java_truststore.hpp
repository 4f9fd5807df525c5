#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

// Java's truststore, /etc/ssl/certs/java/cacerts, written without a JVM.
// Debian's ca-certificates-java writes it with keytool from a maintainer
// script, which distill never runs; OpenJDK reads it through
// lib/security/cacerts -> /etc/ssl/certs/java/cacerts, as JKS whatever
// keystore.type says (keystore.type.compat). See docs/effects-java-truststore.md.

struct TrustedCert {
  // "debian:isrg_root_x1.pem" (ca-certificates-java's names), "distill:<file
  // name>" for a spec's own CA files, or the user's. Lowercased in the
  // keystore, as keytool does: Java looks every JKS alias up lowercased.
  std::string alias;
  // One or more PEM certificates. Each becomes an entry; the second and later
  // are named "<alias>-2", "<alias>-3", ...
  std::string pem;
};

// The JKS bytes: one trusted-certificate entry per certificate, sorted by
// alias. A certificate listed twice is kept once, under its smallest alias;
// an alias given twice keeps its first certificate. Every creation date is
// `created_seconds` (the build's SOURCE_DATE_EPOCH) * 1000, so the same input
// gives the same bytes on any machine. Refused: no certificate at all, input
// that holds no PEM certificate or a malformed one (the error names the
// alias), an empty alias or one with control characters.
core::Result<std::string> write_java_truststore(const std::vector<TrustedCert>& certs,
                                                int64_t created_seconds,
                                                std::string_view password = "changeit");

// The ca-certificates package's certificates: every usr/share/ca-certificates/**.crt
// of `tree`, named "debian:<file name without .crt>.pem" as ca-certificates-java
// names them. `tree` is the image root, or the package's own files when the
// build extracts it without keeping them. Empty when there are none.
core::Result<std::vector<TrustedCert>> debian_ca_certificates(const Tree& tree);

// Writes etc/ssl/certs/java/cacerts (0644, password "changeit") into `tree`
// from exactly `certs`: the caller lists every certificate, usually
// debian_ca_certificates() of the package plus the spec's own CA files.
// Missing folders on the way are added (0755); one that is not a folder
// is an error.
core::Status add_java_truststore(Tree& tree, const std::vector<TrustedCert>& certs,
                                 int64_t created_seconds);

}  // namespace distill::effects
