#include "debian/signature.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "core/strings.hpp"

namespace distill::debian {
namespace {

constexpr std::string_view kSignedHeader = "-----BEGIN PGP SIGNED MESSAGE-----";
constexpr std::string_view kStatusPrefix = "[GNUPG:] ";

std::vector<std::string_view> split_args(std::string_view rest) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    size_t start = i;
    while (i < rest.size() && rest[i] != ' ') ++i;
    if (i > start) out.push_back(rest.substr(start, i - start));
  }
  return out;
}

// First word after the keyword: the key id or fingerprint.
std::string first_arg(std::string_view rest) {
  auto args = split_args(rest);
  return args.empty() ? std::string() : std::string(args[0]);
}

bool is_header_line(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line == kSignedHeader;
}

// Counts the lines that open a clear-signed message: a document glued from
// several signed messages is refused even if each part verifies.
size_t count_signed_headers(std::string_view doc) {
  size_t n = 0;
  for (std::string_view line : core::lines(doc))
    if (is_header_line(line)) ++n;
  return n;
}

}  // namespace

GpgvStatus parse_gpgv_status(std::string_view output) {
  GpgvStatus st;
  for (std::string_view line : core::lines(output)) {
    if (!line.starts_with(kStatusPrefix)) continue;
    line.remove_prefix(kStatusPrefix.size());
    auto sp = line.find(' ');
    std::string_view keyword = line.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp);
    if (keyword == "GOODSIG")
      st.good.push_back(first_arg(rest));
    else if (keyword == "VALIDSIG")
      st.valid.push_back(first_arg(rest));
    else if (keyword == "BADSIG")
      st.bad.push_back(first_arg(rest));
    else if (keyword == "NO_PUBKEY")
      st.no_pubkey.push_back(first_arg(rest));
    else if (keyword == "EXPKEYSIG")
      st.expired_key.push_back(first_arg(rest));
    else if (keyword == "EXPSIG")
      st.expired_sig.push_back(first_arg(rest));
    else if (keyword == "REVKEYSIG")
      st.revoked_key.push_back(first_arg(rest));
    else if (keyword == "NODATA")
      st.nodata = true;
    else if (keyword == "ERRSIG") {
      // ERRSIG <keyid> <pkalgo> <hashalgo> <class> <time> <rc> ...; rc 9 is
      // "no public key" (then also reported by NO_PUBKEY), others are e.g.
      // unsupported algorithms.
      std::vector<std::string_view> args = split_args(rest);
      if (args.size() > 5 && args[5] == "9")
        st.no_pubkey.emplace_back(args[0]);
      else
        st.errsig.emplace_back(args.empty() ? std::string_view("?") : args[0]);
    }
  }
  std::vector<std::string> unique;
  for (const auto& id : st.no_pubkey) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
  }
  st.no_pubkey = std::move(unique);
  return st;
}

core::Status judge_gpgv_status(const GpgvStatus& st, const std::string& where) {
  if (!st.bad.empty())
    return core::make_error(where, "bad signature by key " + core::join(st.bad, ", "),
                            "the content was changed after signing; the mirror is broken or "
                            "tampered with");
  if (!st.revoked_key.empty())
    return core::make_error(where, "signed by a revoked key " + core::join(st.revoked_key, ", "));
  if (!st.expired_key.empty())
    return core::make_error(where, "signed by an expired key " + core::join(st.expired_key, ", "),
                            "update the archive keyring");
  if (!st.expired_sig.empty())
    return core::make_error(
        where, "signature by key " + core::join(st.expired_sig, ", ") + " has expired");
  if (!st.no_pubkey.empty())
    return core::make_error(where, "signed by an unknown key " + core::join(st.no_pubkey, ", "),
                            "the key is not in the keyring; update the archive keyring or pass "
                            "--keyring");
  if (st.nodata && st.good.empty())
    return core::make_error(where, "not signed", "no OpenPGP signature found");
  if (!st.errsig.empty())
    return core::make_error(
        where, "signature by key " + core::join(st.errsig, ", ") + " could not be checked",
        "gpgv does not support it");
  if (st.good.empty() || st.valid.empty())
    return core::make_error(where, "no valid signature", "gpgv reported no good signature");
  return core::Status::Ok();
}

SignatureVerifier::SignatureVerifier(core::ProcessRunner& runner, std::string keyring)
    : runner_(runner), keyring_(keyring.empty() ? kDebianArchiveKeyring : std::move(keyring)) {}

core::Result<std::string> SignatureVerifier::verify_clearsigned(std::string_view document,
                                                                const std::string& where) const {
  size_t first_line = document.find('\n');
  if (!is_header_line(document.substr(0, first_line)))
    return core::make_error(where, "not signed",
                            "expected an OpenPGP clear-signed InRelease; unsigned Release files "
                            "are refused");
  if (count_signed_headers(document) != 1)
    return core::make_error(where, "holds more than one signed message",
                            "refusing an ambiguous InRelease");
  if (!core::path_exists(keyring_))
    return core::make_error(keyring_, "keyring not found",
                            "install debian-archive-keyring or pass --keyring FILE");
  // Status lines go to stderr (among gpgv's log lines, told apart by their
  // prefix) so that stdout carries nothing but the signed content.
  std::vector<std::string> argv{"gpgv",   "--status-fd", "2", "--keyring",
                                keyring_, "--output",    "-", "-"};
  auto run = runner_.run(argv, std::string(document));
  if (!run.ok())
    return core::make_error(where, "cannot run gpgv: " + run.error().message(),
                            "install the gpgv package");
  DISTILL_TRY(judge_gpgv_status(parse_gpgv_status(run->err), where));
  if (run->exit_code != 0)
    return core::make_error(where, fmt::format("gpgv failed with exit code {}", run->exit_code));
  return std::move(run->out);
}

}  // namespace distill::debian
