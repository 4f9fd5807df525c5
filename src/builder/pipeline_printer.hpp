#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "builder/pipeline.hpp"

namespace distill::builder {

// How `distill build` shows its pipeline, like ninja's StatusPrinter: the
// digest and pushed references on `out`, summaries on `err` unless quiet,
// ELF problems on `err` always. The pipeline itself never prints.
class PipelinePrinter : public PipelineObserver {
 public:
  PipelinePrinter(std::FILE* out, std::FILE* err, bool quiet, const BuildOptions& options,
                  bool verbose = false);

  void elf_findings(const std::string& arch,
                    const std::vector<verify::ElfFinding>& findings) override;
  void app_errors(const std::string& arch, const std::vector<core::Error>& errors) override;
  void starting(const std::string& spec_path, const BuildOptions& options) override;
  void cache_warning(const std::string& line) override;
  void built(const BuildReport& report) override;
  void sboms_written(const std::vector<std::string>& paths) override;
  void pushed(const PushReport& push) override;
  void sboms_attached(const PushReport& push) override;
  void signed_push(const PushReport& push) override;

 private:
  void summary(const ArchReport& r) const;

  std::FILE* out_;
  std::FILE* err_;
  void script_steps(const ArchReport& r) const;

  bool quiet_;
  bool verbose_;
  std::string output_;
  transport::Transport format_;
  bool several_ = false;  // several images: each digest line names its output
};

}  // namespace distill::builder
