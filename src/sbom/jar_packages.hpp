#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sbom/lang_package.hpp"

namespace distill::sbom {

// "*.jar", "*.war", "*.ear" (Java archives, zip files).
bool is_java_archive(std::string_view path);

// groupId, artifactId and version of a Maven pom.properties ("key=value"
// lines, '#' comments); nullopt when one is missing.
std::optional<LangPackage> parse_pom_properties(std::string_view text);

// One package found in a Java archive and where inside it: "" for the
// archive itself, "BOOT-INF/lib/x.jar" for a nested archive.
struct JarPackage {
  LangPackage package;
  std::string inner_path;
};

// Every META-INF/maven/<group>/<artifact>/pom.properties of the zip file at
// `host_path`, and of the archives it holds (Spring Boot's BOOT-INF/lib,
// WEB-INF/lib: one level deep, each at most 32 MiB, read into memory).
// Members are read bounded (64 KiB a pom.properties). An error when the
// file is not a zip; a nested archive that does not read is skipped.
core::Result<std::vector<JarPackage>> read_jar_file(const std::string& host_path);

// The same on an archive in memory (a nested one, or a fuzzer's input);
// `nested` false also reads the archives inside it.
core::Result<std::vector<JarPackage>> read_jar_memory(std::string_view data, bool nested);

}  // namespace distill::sbom
