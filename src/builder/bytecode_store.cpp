#include "builder/bytecode_store.hpp"

#include "core/json.hpp"
#include "core/sha256.hpp"

namespace distill::builder {

std::optional<effects::StoredBytecode> CacheBytecodeStore::load(const std::string& key) {
  auto record = cache_.read_named("bytecode-" + key);
  if (!record) return std::nullopt;
  auto parsed = core::parse_json(*record);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  effects::StoredBytecode out;
  try {
    out.failed = parsed->value("failed", size_t{0});
    for (const auto& f : parsed->at("files")) {
      std::string sha = f.at("sha256").get<std::string>();
      uint64_t size = f.at("size").get<uint64_t>();
      auto blob = cache_.lookup(sha, size);
      if (!blob) return std::nullopt;  // a file gone from the cache: compile again
      out.files.push_back(oci::FsEntry::host_file(f.at("path").get<std::string>(), *blob, 0644));
    }
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return out;
}

void CacheBytecodeStore::save(const std::string& key, const effects::StoredBytecode& stored) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& e : stored.files) {
    std::string sha = core::sha256_hex(e.data);
    // The cache is an optimisation: a file that cannot be stored is compiled next time.
    if (!cache_.store(sha, e.data, "bytecode " + e.path).ok()) return;
    files.push_back({{"path", e.path}, {"sha256", sha}, {"size", e.data.size()}});
  }
  nlohmann::json record = {{"failed", stored.failed}, {"files", std::move(files)}};
  (void)cache_.write_named("bytecode-" + key, record.dump());
}

}  // namespace distill::builder
