// libFuzzer target: a CA file's bytes, as PEM, written into a Java truststore.
// A refused input names its alias; an accepted one gives a JKS file whose
// every entry is a certificate OpenSSL reads back to the same DER, and whose
// digest verifies.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "effects/java_truststore.hpp"

using namespace distill::effects;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

struct Cursor {
  std::string_view s;
  size_t pos = 0;
  uint64_t num(int bytes) {
    check(pos + bytes <= s.size());
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[pos++]);
    return v;
  }
  std::string_view str(size_t n) {
    check(pos + n <= s.size());
    std::string_view out = s.substr(pos, n);
    pos += n;
    return out;
  }
};

void check_der(std::string_view der) {
  auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  check(cert != nullptr);
  unsigned char* again = nullptr;
  int len = i2d_X509(cert, &again);
  check(len > 0 && std::string_view(reinterpret_cast<char*>(again), len) == der);
  OPENSSL_free(again);
  X509_free(cert);
}

void check_keystore(std::string_view jks) {
  Cursor c{jks};
  check(c.num(4) == 0xFEEDFEED && c.num(4) == 2);
  uint64_t count = c.num(4);
  check(count >= 1);
  for (uint64_t i = 0; i < count; ++i) {
    check(c.num(4) == 2);
    std::string_view alias = c.str(c.num(2));
    check(alias == "fuzz" || alias.starts_with("fuzz-"));
    check(c.num(8) == 42000);
    check(c.str(c.num(2)) == "X.509");
    check_der(c.str(c.num(4)));
  }
  check(jks.size() - c.pos == 20);
  std::string keyed =
      std::string("\0p\0w", 4) + "Mighty Aphrodite" + std::string(jks.substr(0, c.pos));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(keyed.data(), keyed.size(), md, &len, EVP_sha1(), nullptr);
  check(jks.substr(c.pos) == std::string_view(reinterpret_cast<char*>(md), len));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string pem(reinterpret_cast<const char*>(data), size);
  auto jks = write_java_truststore({{"fuzz", pem}}, 42, "pw");
  if (!jks.ok()) {
    check(jks.error().message().find("'fuzz'") != std::string::npos);
    return 0;
  }
  check_keystore(*jks);
  return 0;
}
