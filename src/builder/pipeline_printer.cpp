#include "builder/pipeline_printer.hpp"

#include "core/strings.hpp"
#include "core/units.hpp"
#include "verify/image_elf_check.hpp"

namespace distill::builder {

PipelinePrinter::PipelinePrinter(std::FILE* out, std::FILE* err, bool quiet,
                                 const BuildOptions& options, bool verbose)
    : out_(out),
      err_(err),
      quiet_(quiet),
      verbose_(verbose),
      output_(options.output),
      format_(options.format) {}

void PipelinePrinter::elf_findings(const std::string& /*arch*/,
                                   const std::vector<verify::ElfFinding>& findings) {
  for (const auto& f : findings) std::fprintf(err_, "%s\n", verify::finding_line(f).c_str());
}

void PipelinePrinter::app_errors(const std::string& /*arch*/,
                                 const std::vector<core::Error>& errors) {
  for (const auto& e : errors) std::fprintf(err_, "distill: error: %s\n", e.message().c_str());
}

void PipelinePrinter::cache_warning(const std::string& line) {
  // Registry answers are not ours: escaped.
  std::fprintf(err_, "distill: warning: %s\n", core::escape_control(line).c_str());
}

void PipelinePrinter::summary(const ArchReport& r) const {
  std::fprintf(err_, "distill: %s: %zu packages, %s uncompressed, %s compressed%s\n",
               r.arch.c_str(), r.packages.size(), core::human_size(r.uncompressed_bytes).c_str(),
               core::human_size(r.compressed_bytes).c_str(),
               r.os_layer_cached ? " (package layers from cache)" : "");
  if (!r.layers.empty()) {
    std::vector<std::string> layers;
    for (const auto& l : r.layers)
      layers.push_back(l.name + " " + core::human_size(l.size) + (l.cached ? " cached" : " built"));
    // Layer names are source package names, from the packages: escaped.
    std::fprintf(err_, "  layers: %s\n", core::escape_control(core::join(layers, ", ")).c_str());
  }
  for (const auto& d : r.dropped) std::fprintf(err_, "  %s\n", d.c_str());
  // Effect lines carry paths and words from packages' scripts: escaped.
  if (!r.effects.packages.empty())
    std::fprintf(err_, "  %s\n", core::escape_control(r.effects.summary()).c_str());
  for (const auto& line : r.effects.applied)
    std::fprintf(err_, "  %s\n", core::escape_control(line).c_str());
  for (const auto& line : r.effects.skipped)
    std::fprintf(err_, "  skipped: %s\n", core::escape_control(line).c_str());
  if (verbose_) script_steps(r);
  for (const auto& s : r.stripped)
    std::fprintf(err_, "  setuid/setgid bit removed: %s\n", s.c_str());
  for (const auto& s : r.conflicts)
    std::fprintf(err_, "  file conflict, first kept: %s\n", s.c_str());
  for (const auto& s : r.app_notes) std::fprintf(err_, "  note: %s\n", s.c_str());
}

void PipelinePrinter::script_steps(const ArchReport& r) const {
  for (const auto& p : r.effects.packages) {
    std::fprintf(err_, "  %s (%s)%s\n", p.package.c_str(), core::join(p.scripts, ", ").c_str(),
                 p.acknowledged ? " [acknowledged]" : "");
    for (const auto& s : p.steps)
      std::fprintf(err_, "    %s:%d %s: %s (%s)\n", s.script.c_str(), s.line,
                   std::string(effects::outcome_name(s.outcome)).c_str(),
                   core::escape_control(s.command).c_str(), core::escape_control(s.note).c_str());
  }
}

void PipelinePrinter::starting(const std::string& spec_path, const BuildOptions& options) {
  several_ = true;
  output_ = options.output;
  format_ = options.format;
  if (!quiet_) std::fprintf(err_, "distill: building %s\n", spec_path.c_str());
}

void PipelinePrinter::built(const BuildReport& report) {
  if (!quiet_)
    for (const auto& r : report.archs) summary(r);
  const CacheRepoReport& c = report.cache_repo;
  if (!quiet_ && !c.repository.empty())
    std::fprintf(err_,
                 "distill: cache repo %s: %d layers and %d resolutions from it, %d entries "
                 "stored\n",
                 c.repository.c_str(), c.layers_pulled, c.resolutions_pulled, c.records_pushed);
  if (several_)
    std::fprintf(out_, "%s  %s\n", report.digest.c_str(), output_.c_str());
  else
    std::fprintf(out_, "%s\n", report.digest.c_str());
  if (!quiet_)
    std::fprintf(err_, "distill: wrote %s (%s)\n", output_.c_str(),
                 std::string(transport::output_label(format_)).c_str());
}

void PipelinePrinter::sboms_written(const std::vector<std::string>& paths) {
  if (!quiet_)
    for (const auto& path : paths) std::fprintf(err_, "distill: wrote %s\n", path.c_str());
}

void PipelinePrinter::pushed(const PushReport& push) {
  transport::print_copy_result(push.copy, out_, err_, quiet_);
}

void PipelinePrinter::sboms_attached(const PushReport& push) {
  if (!quiet_)
    for (const auto& d : push.attached)
      std::fprintf(err_, "distill: attached the SBOM to %s as %s\n", push.ref.c_str(),
                   d.digest.str().c_str());
}

void PipelinePrinter::signed_push(const PushReport& push) {
  if (quiet_) return;
  std::fprintf(err_, "distill: signed %s: %s\n", push.ref.c_str(), push.signature_ref.c_str());
  for (const auto& line : push.attestations)
    std::fprintf(err_, "distill: attested %s\n", line.c_str());
}

}  // namespace distill::builder
