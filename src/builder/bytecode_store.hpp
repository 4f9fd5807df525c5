#pragma once

#include "cache/cache.hpp"
#include "effects/python_bytecode.hpp"

namespace distill::builder {

// Compiled .pyc kept in the cache (docs/cache.md): each file a verified blob,
// the set a sealed record named "bytecode-<key>", where the key covers the
// interpreter's and every source's bytes (effects::bytecode_key). A build
// that finds its key reuses the files without starting the sandbox; the
// bytes are the same either way, because they depend on nothing else.
class CacheBytecodeStore : public effects::BytecodeStore {
 public:
  explicit CacheBytecodeStore(cache::Cache& cache) : cache_(cache) {}
  std::optional<effects::StoredBytecode> load(const std::string& key) override;
  void save(const std::string& key, const effects::StoredBytecode& stored) override;

 private:
  cache::Cache& cache_;
};

}  // namespace distill::builder
