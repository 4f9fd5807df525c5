#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::oci {

// A content digest "sha256:<64 lowercase hex>". SHA-256 is the only algorithm
// we write or accept: the OCI spec requires it of every implementation, and
// accepting others would let a hostile image pick a weaker one.
class Digest {
 public:
  Digest() = default;  // empty: no digest yet

  static core::Result<Digest> parse(std::string_view text);
  static core::Result<Digest> from_hex(std::string_view hex);
  static Digest of(std::string_view data);

  bool empty() const { return hex_.empty(); }
  const std::string& hex() const { return hex_; }
  std::string str() const { return empty() ? std::string() : "sha256:" + hex_; }

  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

}  // namespace distill::oci
