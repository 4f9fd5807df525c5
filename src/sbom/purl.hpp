#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "image/dpkg_inventory.hpp"
#include "sbom/lang_package.hpp"

namespace distill::sbom {

// Percent-encodes a purl component (purl spec): ASCII letters, digits and
// ".-_~" stay, ':' stays (packageurl's reference implementations keep it in
// versions such as "1:2.38"), every other byte becomes %XX (upper case).
std::string purl_encode(std::string_view s);

// pkg:deb/debian/<name>@<version>?arch=<arch>&distro=<distro>, qualifiers
// sorted by key as the spec requires, e.g.
// pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.
// `distro` is "debian-<VERSION_ID>"; empty leaves the qualifier out.
std::string deb_purl(const image::DpkgPackage& p, std::string_view distro);

// PEP 503's normalised project name: lower case, runs of '-', '_' and '.'
// made one '-' ("Foo.Bar_baz" -> "foo-bar-baz"), as pypi purls and OSV's
// PyPI names are compared.
std::string pep503_name(std::string_view name);

// The package-url of a language package: pkg:pypi/<pep503 name>@<version>,
// pkg:npm/%40scope/name@<version>, pkg:golang/<module path>@<version>,
// pkg:maven/<groupId>/<artifactId>@<version>.
std::string lang_purl(const LangPackage& p);

// A purl read back for matching: "pkg:TYPE/NAMESPACE/NAME@VERSION?Q#SUB" ->
// type (lower case), path "NAMESPACE/NAME" and version, each segment
// percent-decoded; qualifiers and subpath dropped. nullopt when it is not a
// purl ("pkg:", a type, a name).
struct PurlParts {
  std::string type;
  std::string path;     // "debian/openssl", "requests", "@scope/name"
  std::string version;  // "" when the purl has none
};
std::optional<PurlParts> parse_purl(std::string_view purl);

}  // namespace distill::sbom
