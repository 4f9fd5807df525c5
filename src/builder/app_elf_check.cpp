#include "builder/app_elf_check.hpp"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <set>

#include "builder/app_files.hpp"
#include "core/file_util.hpp"
#include "oci/entry_content.hpp"
#include "verify/elf_file.hpp"
#include "verify/finding_ignore.hpp"
#include "verify/image_elf_check.hpp"

namespace distill::builder {
namespace {

bool is_elf_entry(const oci::FsEntry& e) {
  if (e.type != oci::EntryType::kRegular) return false;
  auto magic = oci::read_content_prefix(e, 4);
  // An unreadable file fails later, when the layer is written; check it then.
  if (!magic.ok()) return true;
  return verify::has_elf_magic(*magic);
}

// Confirms guessed package names against the architecture's indices, loaded
// only when a finding needs a name: a passing check (or a cached resolution)
// never reads them.
class LazyPackageNames {
 public:
  LazyPackageNames(debian::Repository& repo, std::string arch)
      : repo_(repo), arch_(std::move(arch)) {}
  bool exists(std::string_view package) {
    if (!loaded_) {
      loaded_ = true;
      if (auto indices = repo_.load_indices(arch_); indices.ok())
        for (auto& index : *indices) universe_.add(std::move(index));
    }
    return !universe_.candidates(package).empty();
  }

 private:
  debian::Repository& repo_;
  std::string arch_;
  bool loaded_ = false;
  debian::PackageUniverse universe_;
};

}  // namespace

core::Status check_app_binaries(const Spec& spec, const oci::Image& image, const PlannedArch& plan,
                                debian::Repository& repo, BuildObserver& observer) {
  DISTILL_ASSIGN(auto entries, app_file_entries(spec));
  // Most apps (scripts, jars, data) hold no ELF file: then the image need not
  // be read back at all.
  if (std::none_of(entries.begin(), entries.end(), is_elf_entry)) return core::Status::Ok();
  std::set<std::string, std::less<>> paths;
  for (const auto& e : entries)
    if (auto p = core::normalize_relative_path(e.path)) paths.insert(*p);
  auto names = std::make_shared<LazyPackageNames>(repo, plan.arch);
  auto exists = [names](std::string_view p) { return names->exists(p); };
  DISTILL_ASSIGN(auto findings,
                 verify::check_built_image(
                     image, [&paths](std::string_view p) { return paths.count(p) != 0; },
                     verify::lookup_in(exists)));
  // Findings on image paths; acknowledged ones stay listed so the build's
  // output shows what was let through.
  for (auto& f : findings)
    f.acknowledged = verify::any_ignore_matches(spec.elf_check.ignore, f.rule_id(), "/" + f.binary);
  if (!findings.empty()) observer.elf_findings(plan.arch, findings);
  return verify::elf_findings_error(findings, "build " + plan.arch);
}

}  // namespace distill::builder
