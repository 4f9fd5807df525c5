#include "effects/java_truststore.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <set>

#include "core/strings.hpp"
#include "oci/fs_entry.hpp"

namespace distill::effects {
namespace {

// The JKS layout (sun.security.provider.JavaKeyStore): big-endian integers,
// strings as Java's writeUTF (u16 byte count, modified UTF-8).
constexpr uint32_t kJksMagic = 0xFEEDFEED;
constexpr uint32_t kJksVersion = 2;
constexpr uint32_t kJksTrustedCertTag = 2;
// Mixed into the integrity digest after the password, as JavaKeyStore does.
constexpr std::string_view kJksDigestSalt = "Mighty Aphrodite";
constexpr std::string_view kJksTruststorePath = "etc/ssl/certs/java/cacerts";
constexpr std::string_view kJksCaDir = "usr/share/ca-certificates";
// A CA file is a few KiB; Mozilla's whole bundle is about 200 KiB.
constexpr uint64_t kJksMaxCaFile = 4 << 20;

struct JksEntry {
  std::string alias;
  std::string der;
};

struct JksBioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct JksX509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using JksBio = std::unique_ptr<BIO, JksBioFree>;
using JksX509 = std::unique_ptr<X509, JksX509Free>;

void jks_put_u16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

void jks_put_u32(std::string& out, uint32_t v) {
  jks_put_u16(out, static_cast<uint16_t>(v >> 16));
  jks_put_u16(out, static_cast<uint16_t>(v & 0xffff));
}

void jks_put_u64(std::string& out, uint64_t v) {
  jks_put_u32(out, static_cast<uint32_t>(v >> 32));
  jks_put_u32(out, static_cast<uint32_t>(v & 0xffffffff));
}

// Valid UTF-8 only (checked by the caller).
std::vector<char32_t> jks_code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    char32_t cp = extra == 0 ? b : b & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += 1 + extra;
  }
  return out;
}

// For code points below U+10000 (all an alias may hold), UTF-8 and Java's
// modified UTF-8 are the same bytes.
void jks_put_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Java's Character.toLowerCase for the letters an alias may hold: ASCII,
// Latin-1, Latin Extended-A and basic Cyrillic. 0 for a code point outside
// them (or a control character), whose case mapping distill does not carry.
char32_t jks_lower(char32_t c) {
  if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return 0;
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c < 0xC0) return c;
  if (c <= 0xDE) return c == 0xD7 ? c : c + 0x20;
  if (c <= 0xFF) return c;
  if (c == 0x178) return 0xFF;
  bool even_upper = (c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177);
  bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
  if (even_upper) return c % 2 == 0 ? c + 1 : c;
  if (odd_upper) return c % 2 == 1 ? c + 1 : c;
  if (c <= 0x17F) return c;  // U+0130 is handled by the caller
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x430 && c <= 0x45F) return c;
  return 0;
}

// The alias as JavaKeyStore stores and looks it up: lowercased (Locale.ENGLISH).
// A stored alias that is not lowercase would never be found again, and its
// certificate never trusted.
core::Result<std::string> jks_alias(std::string_view alias) {
  const std::string where = fmt::format("truststore alias '{}'", core::escape_control(alias));
  if (alias.empty()) return core::make_error("truststore", "a certificate has an empty alias");
  if (!oci::is_valid_utf8(alias)) return core::make_error(where, "not UTF-8");
  std::string out;
  for (char32_t cp : jks_code_points(alias)) {
    if (cp == 0x130) {  // 'İ' lowercases to "i" + combining dot above
      out += "i\xCC\x87";
      continue;
    }
    char32_t lower = jks_lower(cp);
    if (lower == 0)
      return core::make_error(where, fmt::format("has the character U+{:04X}", uint32_t(cp)),
                              "aliases hold printable Latin or Cyrillic characters only: "
                              "rename the certificate file");
    jks_put_utf8(out, lower);
  }
  if (out.size() > 0xFFFF) return core::make_error(where, "longer than 65535 bytes");
  return out;
}

// The password as Java's char[]: UTF-16 code units, big-endian.
core::Result<std::string> jks_password_bytes(std::string_view password) {
  if (!oci::is_valid_utf8(password))
    return core::make_error("truststore", "the password is not UTF-8");
  std::string out;
  for (char32_t cp : jks_code_points(password)) {
    if (cp < 0x10000) {
      jks_put_u16(out, static_cast<uint16_t>(cp));
      continue;
    }
    cp -= 0x10000;
    jks_put_u16(out, static_cast<uint16_t>(0xD800 | (cp >> 10)));
    jks_put_u16(out, static_cast<uint16_t>(0xDC00 | (cp & 0x3FF)));
  }
  return out;
}

std::string jks_sha1(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

// The first error queued: the cause, where the last is only "ASN1 lib".
std::string jks_openssl_reason() {
  unsigned long err = ERR_peek_error();
  const char* reason = err ? ERR_reason_error_string(err) : nullptr;
  ERR_clear_error();
  return reason ? reason : "unreadable";
}

// Never prompts: an encrypted PEM block has no business in a CA file, and
// OpenSSL's default callback would read a password from the terminal.
int jks_no_password(char*, int, int, void*) {
  return -1;
}

// DER of one parsed certificate, checked to encode back to the same bytes:
// the JDK parses DER strictly, and one certificate it refuses makes it
// refuse the whole truststore.
core::Result<std::string> jks_der(X509* cert, const std::string& where) {
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) {
    ERR_clear_error();
    return core::make_error(where, "a certificate that cannot be encoded as DER");
  }
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &p);
  auto* q = reinterpret_cast<const unsigned char*>(der.data());
  JksX509 again(d2i_X509(nullptr, &q, len));
  int len2 = again ? i2d_X509(again.get(), nullptr) : -1;
  std::string der2(len2 > 0 ? static_cast<size_t>(len2) : 0, '\0');
  auto* r = reinterpret_cast<unsigned char*>(der2.data());
  if (len2 <= 0 || i2d_X509(again.get(), &r) != len2 || der2 != der) {
    ERR_clear_error();
    return core::make_error(where, "a certificate whose DER encoding is not canonical");
  }
  return der;
}

// Every "-----BEGIN CERTIFICATE-----" block of `pem`, as DER. Text around
// the blocks is ignored, as update-ca-certificates and keytool do.
core::Result<std::vector<std::string>> jks_pem_ders(std::string_view pem,
                                                    const std::string& alias) {
  const std::string where = fmt::format("truststore certificate '{}'", core::escape_control(alias));
  const std::string hint =
      "a CA file holds PEM certificates, from -----BEGIN CERTIFICATE----- to -----END "
      "CERTIFICATE-----";
  if (pem.size() > INT_MAX) return core::make_error(where, "too large");
  ERR_clear_error();
  JksBio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return core::make_error(where, "out of memory");
  std::vector<std::string> ders;
  while (true) {
    JksX509 cert(PEM_read_bio_X509(bio.get(), nullptr, jks_no_password, nullptr));
    if (!cert) break;
    DISTILL_ASSIGN(std::string der, jks_der(cert.get(), where));
    ders.push_back(std::move(der));
  }
  unsigned long err = ERR_peek_last_error();
  bool at_end = ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
  if (!at_end)
    return core::make_error(
        where, fmt::format("not a valid PEM certificate ({})", jks_openssl_reason()), hint);
  ERR_clear_error();
  if (ders.empty()) return core::make_error(where, "holds no PEM certificate", hint);
  return ders;
}

// One entry per certificate, in input order; an alias already taken keeps
// its first certificate.
core::Result<std::vector<JksEntry>> jks_entries(const std::vector<TrustedCert>& certs) {
  std::vector<JksEntry> entries;
  std::set<std::string> taken;
  for (const TrustedCert& cert : certs) {
    DISTILL_ASSIGN(std::vector<std::string> ders, jks_pem_ders(cert.pem, cert.alias));
    for (size_t i = 0; i < ders.size(); ++i) {
      std::string name = i == 0 ? cert.alias : fmt::format("{}-{}", cert.alias, i + 1);
      DISTILL_ASSIGN(std::string alias, jks_alias(name));
      if (taken.insert(alias).second) entries.push_back({std::move(alias), std::move(ders[i])});
    }
  }
  return entries;
}

// Sorted by alias, each certificate once (under its smallest alias), so the
// bytes do not depend on the order of the input.
std::vector<JksEntry> jks_sorted_unique(std::vector<JksEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const JksEntry& a, const JksEntry& b) { return a.alias < b.alias; });
  std::set<std::string> seen;
  std::vector<JksEntry> out;
  for (JksEntry& e : entries)
    if (seen.insert(e.der).second) out.push_back(std::move(e));
  return out;
}

std::string jks_body(const std::vector<JksEntry>& entries, uint64_t created_ms) {
  std::string out;
  jks_put_u32(out, kJksMagic);
  jks_put_u32(out, kJksVersion);
  jks_put_u32(out, static_cast<uint32_t>(entries.size()));
  for (const JksEntry& e : entries) {
    jks_put_u32(out, kJksTrustedCertTag);
    jks_put_u16(out, static_cast<uint16_t>(e.alias.size()));
    out += e.alias;
    jks_put_u64(out, created_ms);
    jks_put_u16(out, 5);
    out += "X.509";
    jks_put_u32(out, static_cast<uint32_t>(e.der.size()));
    out += e.der;
  }
  return out;
}

// ca-certificates' name for a certificate under /etc/ssl/certs, which
// ca-certificates-java then uses as the alias.
std::string jks_debian_alias(std::string_view crt_path) {
  std::string_view name = crt_path.substr(crt_path.rfind('/') + 1);
  name.remove_suffix(4);  // ".crt"
  std::string out = "debian:";
  for (char c : name) out += c == ' ' || c == ',' ? '_' : c == '(' || c == ')' ? '=' : c;
  return out + ".pem";
}

const oci::FsEntry* jks_regular(const Tree& tree, const std::string& path) {
  const oci::FsEntry* e = tree.find(path);
  if (e && e->type == oci::EntryType::kSymlink) e = tree.find_resolved(path);
  if (e && e->type == oci::EntryType::kHardlink) e = tree.find(e->link_target);
  return e && e->type == oci::EntryType::kRegular ? e : nullptr;
}

core::Status jks_ensure_folders(Tree& tree, std::string_view file, int64_t mtime) {
  for (size_t slash = file.find('/'); slash != std::string_view::npos;
       slash = file.find('/', slash + 1)) {
    std::string dir(file.substr(0, slash));
    const oci::FsEntry* e = tree.find(dir);
    if (!e) {
      oci::FsEntry d = oci::FsEntry::directory(dir);
      d.mtime = mtime;
      tree.put(std::move(d));
    } else if (e->type != oci::EntryType::kDirectory) {
      return core::make_error("/" + dir, "not a folder",
                              fmt::format("the Java truststore goes to /{}", file));
    }
  }
  return {};
}

}  // namespace

core::Result<std::string> write_java_truststore(const std::vector<TrustedCert>& certs,
                                                int64_t created_seconds,
                                                std::string_view password) {
  if (certs.empty())
    return core::make_error("truststore", "no certificates to write",
                            "a Java truststore needs at least one CA certificate");
  if (created_seconds < 0 || created_seconds > INT64_MAX / 1000)
    return core::make_error("truststore",
                            fmt::format("creation time {} is out of range", created_seconds));
  DISTILL_ASSIGN(std::vector<JksEntry> entries, jks_entries(certs));
  entries = jks_sorted_unique(std::move(entries));
  DISTILL_ASSIGN(std::string keyed, jks_password_bytes(password));
  std::string body = jks_body(entries, static_cast<uint64_t>(created_seconds) * 1000);
  keyed += kJksDigestSalt;
  keyed += body;
  return body + jks_sha1(keyed);
}

core::Result<std::vector<TrustedCert>> debian_ca_certificates(const Tree& tree) {
  std::vector<std::string> paths;
  tree.for_each_under(kJksCaDir, [&paths](const oci::FsEntry& e) {
    if (e.type != oci::EntryType::kDirectory && e.path.ends_with(".crt")) paths.push_back(e.path);
  });
  std::vector<TrustedCert> out;
  for (const std::string& path : paths) {
    const oci::FsEntry* e = jks_regular(tree, path);
    if (!e) return core::make_error("/" + path, "a link that leads to no regular file");
    DISTILL_ASSIGN(std::string pem, read_entry(*e, kJksMaxCaFile));
    out.push_back({jks_debian_alias(path), std::move(pem)});
  }
  return out;
}

core::Status add_java_truststore(Tree& tree, const std::vector<TrustedCert>& certs,
                                 int64_t created_seconds) {
  DISTILL_ASSIGN(std::string bytes, write_java_truststore(certs, created_seconds));
  DISTILL_TRY(jks_ensure_folders(tree, kJksTruststorePath, created_seconds));
  oci::FsEntry file = oci::FsEntry::file(std::string(kJksTruststorePath), std::move(bytes), 0644);
  file.mtime = created_seconds;
  tree.put(std::move(file));
  return {};
}

}  // namespace distill::effects
