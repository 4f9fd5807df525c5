#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/process.hpp"
#include "core/result.hpp"

namespace distill::debian {

inline constexpr const char* kDebianArchiveKeyring =
    "/usr/share/keyrings/debian-archive-keyring.gpg";

// What gpgv's status lines say about the signatures of one document.
struct GpgvStatus {
  std::vector<std::string> good;       // GOODSIG key ids
  std::vector<std::string> valid;      // VALIDSIG fingerprints
  std::vector<std::string> bad;        // BADSIG key ids
  std::vector<std::string> no_pubkey;  // NO_PUBKEY / ERRSIG (no public key) key ids
  std::vector<std::string> expired_key;
  std::vector<std::string> expired_sig;
  std::vector<std::string> revoked_key;
  std::vector<std::string> errsig;  // ERRSIG for other reasons
  bool nodata = false;
};

// Reads only "[GNUPG:] " lines; anything else is gpgv's human chatter.
GpgvStatus parse_gpgv_status(std::string_view output);

// Judges the status: at least one GOODSIG with its VALIDSIG, and no bad,
// unknown-key, expired or revoked signature at all. `where` names the file.
core::Status judge_gpgv_status(const GpgvStatus& status, const std::string& where);

// Checks OpenPGP clear-signed documents (InRelease) with gpgv against a
// keyring, and hands back only what the signature covers.
class SignatureVerifier {
 public:
  // An empty keyring means kDebianArchiveKeyring.
  SignatureVerifier(core::ProcessRunner& runner, std::string keyring = {});

  // Returns the signed content as gpgv extracted it: text outside the signed
  // block, before or after, never reaches the caller.
  core::Result<std::string> verify_clearsigned(std::string_view document,
                                               const std::string& where) const;

  const std::string& keyring() const { return keyring_; }

 private:
  core::ProcessRunner& runner_;
  std::string keyring_;
};

}  // namespace distill::debian
