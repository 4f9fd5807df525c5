#include "verify/image_elf_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>

#include "core/strings.hpp"
#include "oci/image_reader.hpp"

namespace distill::verify {
namespace {

// Serves the blobs of an unwritten image from the files the layer writer
// produced, so the usual verifying reader and RootfsView can read them.
class LayerBlobReader : public oci::ImageReader {
 public:
  explicit LayerBlobReader(const std::vector<oci::LayerBlob>& blobs)
      : ImageReader("", {}), blobs_(blobs) {}

  const oci::Index& index() const override { return index_; }

 protected:
  core::Status stream_raw(const oci::Descriptor& d, const Sink& sink) override {
    for (const auto& b : blobs_) {
      if (b.digest != d.digest) continue;
      std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(b.path.c_str(), "rb"),
                                                        &std::fclose);
      if (!f) return core::make_error(b.path, "cannot open the layer blob");
      std::string buf(1 << 20, '\0');
      size_t n;
      while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0)
        DISTILL_TRY(sink(std::string_view(buf.data(), n)));
      if (std::ferror(f.get())) return core::make_error(b.path, "cannot read the layer blob");
      return core::Status::Ok();
    }
    return core::make_error("layer " + d.digest.str(), "is not one of the image's blobs");
  }

 private:
  const std::vector<oci::LayerBlob>& blobs_;
  oci::Index index_;
};

// The platform image the layer blobs make, for the verifying readers.
oci::PlatformImage built_platform(const oci::Image& image) {
  oci::PlatformImage platform;
  platform.config = image.config;
  platform.config.diff_ids.clear();
  for (const auto& b : image.layers) {
    platform.manifest.layers.push_back({b.media_type, b.digest, b.size, {}, std::nullopt});
    platform.config.diff_ids.push_back(b.diff_id);
  }
  return platform;
}

}  // namespace

core::Result<image::RootfsView> read_built_rootfs(const oci::Image& image,
                                                  image::RootfsOptions options) {
  LayerBlobReader reader(image.layers);
  return image::RootfsView::read(reader, built_platform(image), std::move(options));
}

core::Result<std::vector<ElfFinding>> check_built_image(
    const oci::Image& image, std::function<bool(std::string_view path)> select,
    PackageLookup lookup) {
  oci::PlatformImage platform = built_platform(image);
  LayerBlobReader reader(image.layers);
  // The selected files are kept whatever their mode: a non-executable ELF file is checked too.
  DISTILL_ASSIGN(image::RootfsView fs, read_rootfs_for_elf(reader, platform, select));
  ElfCheckOptions options;
  options.select = std::move(select);
  options.lookup = std::move(lookup);
  return check_elf_dependencies(fs, options);
}

std::string format_finding(const ElfFinding& f) {
  std::string hint = f.hint();
  return fmt::format("/{}: {}{}", f.binary, f.message(), hint.empty() ? "" : " (" + hint + ")");
}

std::string finding_line(const ElfFinding& f) {
  // Paths and library names come from the image: escaped for the terminal.
  std::string text = core::escape_control(format_finding(f));
  if (f.acknowledged)
    return fmt::format("distill: note: acknowledged by elf_check.ignore ({}): {}", f.rule_id(),
                       text);
  return fmt::format("distill: {}: {}", f.optional ? "warning" : "error", text);
}

core::Status report_elf_findings(const std::vector<ElfFinding>& findings,
                                 const std::string& where) {
  for (const auto& f : findings) std::fprintf(stderr, "%s\n", finding_line(f).c_str());
  return elf_findings_error(findings, where);
}

core::Status elf_findings_error(const std::vector<ElfFinding>& findings, const std::string& where) {
  size_t fatal = static_cast<size_t>(std::count_if(findings.begin(), findings.end(),
                                                   [](const ElfFinding& f) { return f.fatal(); }));
  if (fatal == 0) return core::Status::Ok();
  return core::make_error(
      where, fmt::format("{} ELF dependency problem{}", fatal, fatal == 1 ? "" : "s"),
      "see the lines above; docs/elf-check.md explains the check and elf_check.ignore");
}

}  // namespace distill::verify
