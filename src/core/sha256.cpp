#include "core/sha256.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/fd_io.hpp"
#include "core/unique_fd.hpp"

namespace distill::core {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256(const EVP_MD* md) : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->ctx, md ? md : EVP_sha256(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
  EVP_DigestUpdate(impl_->ctx, data, size);
}

std::string Sha256::hex_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

namespace {

Result<std::string> digest_file(const std::string& path, const EVP_MD* md) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return make_error(path, std::strerror(errno));
  Sha256 h(md);
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read_some(fd.get(), buf, sizeof buf);
    if (n < 0) return make_error(path, std::strerror(errno));
    if (n == 0) break;
    h.update(buf, static_cast<size_t>(n));
  }
  return h.hex_digest();
}

}  // namespace

Result<std::string> sha256_file(const std::string& path) {
  return digest_file(path, nullptr);
}

std::string md5_hex(std::string_view data) {
  Sha256 h(EVP_md5());
  h.update(data);
  return h.hex_digest();
}

Result<std::string> md5_file(const std::string& path) {
  return digest_file(path, EVP_md5());
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace distill::core
