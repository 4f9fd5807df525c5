#include "registry/blob_hints.hpp"

#include <nlohmann/json.hpp>

#include "core/file_util.hpp"
#include "core/json.hpp"

namespace distill::registry {

core::Result<BlobHints> BlobHints::load(std::string path) {
  BlobHints h;
  h.path_ = std::move(path);
  if (h.path_.empty() || !core::path_exists(h.path_)) return h;
  auto text = core::read_file(h.path_);
  if (!text.ok()) return h;
  auto j = core::parse_json(*text);
  // A damaged hint file is only a lost optimisation.
  if (!j.ok() || !j->is_object()) return h;
  for (auto reg = j->begin(); reg != j->end(); ++reg) {
    if (!reg->is_object()) continue;
    for (auto repo = reg->begin(); repo != reg->end(); ++repo) {
      if (!repo->is_array()) continue;
      for (const auto& d : *repo)
        if (d.is_string()) h.known_[reg.key()][repo.key()].insert(d.get<std::string>());
    }
  }
  return h;
}

std::vector<std::string> BlobHints::repositories(const std::string& registry,
                                                 const oci::Digest& digest,
                                                 const std::string& except) const {
  std::vector<std::string> out;
  auto reg = known_.find(registry);
  if (reg == known_.end()) return out;
  for (const auto& [repo, digests] : reg->second)
    if (repo != except && digests.count(digest.str())) out.push_back(repo);
  return out;
}

void BlobHints::add(const std::string& registry, const std::string& repository,
                    const std::vector<oci::Digest>& digests) {
  auto& set = known_[registry][repository];
  for (const auto& d : digests) set.insert(d.str());
}

core::Status BlobHints::save() const {
  if (path_.empty()) return core::Status::Ok();
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [reg, repos] : known_)
    for (const auto& [repo, digests] : repos) j[reg][repo] = digests;
  auto slash = path_.rfind('/');
  if (slash != std::string::npos) DISTILL_TRY(core::make_dirs(path_.substr(0, slash)));
  return core::write_file_atomic(path_, j.dump() + "\n", 0600);
}

}  // namespace distill::registry
