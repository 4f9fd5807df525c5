#pragma once

// Builds synthetic Packages indices for package index and resolver tests.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "debian/package_index.hpp"

namespace distill::debian::test_util {

// Every member has a default so that designated initializers may skip any.
struct Pkg {
  std::string name = "";
  std::string version = "1.0-1";
  std::string arch = "amd64";
  std::string depends = "";
  std::string pre_depends = "";
  std::string provides = "";
  std::string essential = "";  // "yes" or empty
  std::string priority = "optional";
  std::string multi_arch = "";
};

inline std::string stanza(const Pkg& p) {
  std::string s = "Package: " + p.name + "\n";
  s += "Source: " + p.name + "-src\n";
  s += "Version: " + p.version + "\n";
  s += "Installed-Size: 42\n";
  s += "Maintainer: Test <test@example.invalid>\n";
  s += "Architecture: " + p.arch + "\n";
  if (!p.multi_arch.empty()) s += "Multi-Arch: " + p.multi_arch + "\n";
  if (!p.essential.empty()) s += "Essential: " + p.essential + "\n";
  if (!p.provides.empty()) s += "Provides: " + p.provides + "\n";
  if (!p.pre_depends.empty()) s += "Pre-Depends: " + p.pre_depends + "\n";
  if (!p.depends.empty()) s += "Depends: " + p.depends + "\n";
  s += "Description: test package " + p.name + "\n";
  s += "Section: misc\n";
  s += "Priority: " + p.priority + "\n";
  s += "Filename: pool/main/" + p.name.substr(0, 1) + "/" + p.name + "/" + p.name + "_" +
       p.version + "_" + p.arch + ".deb\n";
  s += "Size: 1234\n";
  s += "SHA256: " + std::string(64, 'a') + "\n";
  return s;
}

inline std::string packages_text(const std::vector<Pkg>& pkgs) {
  std::string out;
  for (const Pkg& p : pkgs) {
    if (!out.empty()) out += "\n";
    out += stanza(p);
  }
  return out;
}

inline IndexOrigin test_origin(std::string suite = "bookworm", std::string component = "main",
                               std::string arch = "amd64") {
  IndexOrigin o;
  o.base_url = "http://127.0.0.1/debian";
  o.suite = std::move(suite);
  o.component = std::move(component);
  o.arch = std::move(arch);
  o.path = o.component + "/binary-" + o.arch + "/Packages.xz";
  o.sha256 = std::string(64, 'b');
  return o;
}

// Parses synthetic stanzas; a failure here is a bug in the test itself.
inline std::shared_ptr<const PackageIndex> make_index(const std::vector<Pkg>& pkgs,
                                                      std::string suite = "bookworm",
                                                      std::string component = "main",
                                                      std::string arch = "amd64") {
  auto index = PackageIndex::parse(
      test_origin(std::move(suite), std::move(component), std::move(arch)), packages_text(pkgs));
  if (!index.ok()) {
    ADD_FAILURE() << "synthetic index does not parse: " << index.error().message();
    std::abort();
  }
  return std::move(index).value();
}

}  // namespace distill::debian::test_util
