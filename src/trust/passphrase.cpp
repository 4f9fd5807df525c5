#include "trust/passphrase.hpp"

#include <cstdlib>

#include "core/file_util.hpp"
#include "trust/pem.hpp"

namespace distill::trust {

core::Result<std::string> read_passphrase(const std::string& file, std::string_view purpose) {
  if (!file.empty()) {
    DISTILL_ASSIGN(std::string text, core::read_file(file));
    if (text.size() > kMaxKeyFileSize)
      return core::make_error(file, "is too large to be a passphrase file");
    auto nl = text.find('\n');
    if (nl != std::string::npos) text.resize(nl);
    return text;
  }
  for (std::string_view env : {kPassphraseEnv, kCosignPassphraseEnv})
    if (const char* v = std::getenv(std::string(env).c_str())) return std::string(v);
  return core::make_error(std::string(purpose), "needs a passphrase",
                          "set " + std::string(kPassphraseEnv) + " (or " +
                              std::string(kCosignPassphraseEnv) +
                              ") or pass --passphrase-file FILE");
}

}  // namespace distill::trust
