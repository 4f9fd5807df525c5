// libFuzzer target: the language package manifests an image may hold. The
// first byte picks the parser: Python core metadata, an npm lockfile, an
// npm package.json, a Maven pom.properties, Go build information (fed to the
// streaming scanner in the chunk size the second byte gives) or a Java
// archive (zip, nested archives included).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sbom/go_buildinfo.hpp"
#include "sbom/jar_packages.hpp"
#include "sbom/npm_packages.hpp"
#include "sbom/python_dist.hpp"

using namespace distill::sbom;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t which = data[0];
  size_t chunk = data[1] + 1;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  switch (which % 6) {
    case 0:
      (void)parse_python_metadata(text);
      break;
    case 1:
      (void)parse_npm_lockfile(text);
      break;
    case 2:
      (void)parse_npm_manifest(text);
      break;
    case 3:
      (void)parse_pom_properties(text);
      break;
    case 4: {
      if (auto info = decode_go_buildinfo(text)) (void)go_packages(info->first, info->second);
      GoBuildInfoScanner scanner;
      for (size_t at = 0; at < text.size() && !scanner.done(); at += chunk)
        scanner.feed(text.substr(at, chunk));
      if (scanner.found()) (void)go_packages(scanner.found()->first, scanner.found()->second);
      break;
    }
    default:
      (void)read_jar_memory(text, false);
      break;
  }
  return 0;
}
