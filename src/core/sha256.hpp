#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct evp_md_st;  // OpenSSL's EVP_MD, at global scope as OpenSSL declares it

namespace distill::core {

// Incremental SHA-256 over OpenSSL's EVP interface (another digest when
// given one: md5_hex below).
class Sha256 {
 public:
  explicit Sha256(const ::evp_md_st* md = nullptr);
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Lowercase hex digest; the hasher is spent afterwards.
  std::string hex_digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);
Result<std::string> sha256_file(const std::string& path);
bool is_sha256_hex(std::string_view s);

// MD5, only to compare with what dpkg's md5sums lists record: never to check
// the integrity of anything distill trusts.
std::string md5_hex(std::string_view data);
Result<std::string> md5_file(const std::string& path);

}  // namespace distill::core
