#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "image/rootfs_view.hpp"
#include "oci/image.hpp"
#include "verify/elf_deps.hpp"

namespace distill::verify {

// Runs check_elf_dependencies on an image that is built but not yet written:
// its layers are read back from the blob files `image.layers` point at
// (verified like any image's), keeping only the ELF candidates' bytes.
// `select` picks the files to check (image paths without '/').
core::Result<std::vector<ElfFinding>> check_built_image(
    const oci::Image& image, std::function<bool(std::string_view path)> select,
    PackageLookup lookup = {});

// The filesystem of an image that is built but not yet written, read back
// from its layer blobs (verified like any image's); metadata only unless
// `options` asks for some files' content.
core::Result<image::RootfsView> read_built_rootfs(const oci::Image& image,
                                                  image::RootfsOptions options = {});

// One error summing the fatal findings up ("build amd64: 2 ELF dependency
// problems"); Ok when there are none (optional and acknowledged findings are
// not fatal). Prints nothing.
core::Status elf_findings_error(const std::vector<ElfFinding>& findings, const std::string& where);

// Prints every finding on stderr (finding_line) and returns one error summing
// the fatal ones up; Ok when there are none. `where` names what was checked,
// e.g. "build amd64".
core::Status report_elf_findings(const std::vector<ElfFinding>& findings, const std::string& where);

// One finding as the CLI prints it: "/<binary>: <what> (<hint>)".
std::string format_finding(const ElfFinding& f);

// The finding's line on stderr: "distill: error: ..." when fatal, "distill:
// warning: ..." when optional, "distill: note: acknowledged by
// elf_check.ignore (<id>): ..." when an ignore entry matched it.
std::string finding_line(const ElfFinding& f);

}  // namespace distill::verify
