#include "trust/pem.hpp"

#include "core/base64.hpp"
#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"

namespace distill::trust {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

std::string_view trim_line_end(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  return line;
}

}  // namespace

core::Result<PemBlock> parse_pem(std::string_view text, std::string_view where) {
  const std::string w(where);
  if (text.size() > kMaxKeyFileSize) return core::make_error(w, "is larger than a key file can be");
  PemBlock block;
  std::string end_line;
  std::string body;
  bool in_block = false;
  for (std::string_view raw : core::lines(text)) {
    std::string_view line = trim_line_end(raw);
    if (!in_block) {
      if (!line.starts_with(kBegin) || !line.ends_with(kDashes) ||
          line.size() < kBegin.size() + kDashes.size())
        continue;
      block.type =
          std::string(line.substr(kBegin.size(), line.size() - kBegin.size() - kDashes.size()));
      end_line = "-----END " + block.type + "-----";
      in_block = true;
      continue;
    }
    if (line == end_line) {
      auto der = core::base64_decode(body);
      if (!der)
        return core::make_error(
            w, "PEM block " + core::escape_control(block.type) + " is not valid base64");
      block.der = std::move(*der);
      return block;
    }
    if (line.find(':') != std::string_view::npos)
      return core::make_error(w, "PEM block " + core::escape_control(block.type) + " has headers",
                              "legacy OpenSSL encryption is not read: use a PKCS#8 or cosign key");
    body.append(core::trim_space(line));
  }
  if (in_block)
    return core::make_error(w,
                            "PEM block " + core::escape_control(block.type) + " has no END line");
  return core::make_error(w, "holds no PEM block", "expected -----BEGIN ...----- lines");
}

std::string pem_encode(std::string_view type, std::string_view der) {
  const std::string b64 = core::base64_encode(der);
  std::string out = "-----BEGIN " + std::string(type) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out.push_back('\n');
  }
  out += "-----END " + std::string(type) + "-----\n";
  return out;
}

}  // namespace distill::trust
