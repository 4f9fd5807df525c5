#include "registry/reference.hpp"

#include <arpa/inet.h>

#include <cctype>

#include "core/sha256.hpp"

namespace distill::registry {
namespace {

constexpr const char* kHint = "write HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]";

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Distribution's path-component grammar: [a-z0-9]+ joined by '.', '_', '__'
// or one or more '-'.
bool valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (is_lower_alnum(ch) || ch == '-') continue;
    if (ch == '.' && is_lower_alnum(c[i + 1])) continue;
    if (ch == '_') {
      if (c[i + 1] == '_') ++i;
      if (is_lower_alnum(c[i + 1])) continue;
    }
    return false;
  }
  return true;
}

bool valid_repository(std::string_view repo) {
  if (repo.empty() || repo.size() > 255) return false;
  size_t start = 0;
  while (true) {
    size_t slash = repo.find('/', start);
    if (!valid_component(repo.substr(start, slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(tag.front())) return false;
  for (char c : tag)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {  // [v6]:port
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string addr(host.substr(1, close - 1));
    in6_addr a{};
    if (inet_pton(AF_INET6, addr.c_str(), &a) != 1) return false;
    host = host.substr(close + 1);
    if (host.empty()) return true;
    if (host.front() != ':') return false;
    host.remove_prefix(1);
    if (host.empty()) return false;
    for (char c : host)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
  }
  size_t colon = host.find(':');
  std::string_view name = host.substr(0, colon);
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  if (colon == std::string_view::npos) return true;
  std::string_view port = host.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  for (char c : port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool host_like(std::string_view first) {
  return first == "localhost" || first.find('.') != std::string_view::npos ||
         first.find(':') != std::string_view::npos || first.starts_with("[");
}

}  // namespace

std::string Reference::identifier() const {
  if (!digest.empty()) return digest;
  return tag.empty() ? "latest" : tag;
}

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

core::Result<Reference> parse_reference(std::string_view text) {
  const std::string where(text);
  Reference r;
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || !host_like(text.substr(0, slash)))
    return core::make_error(where, "does not start with a registry host", kHint);
  r.registry = std::string(text.substr(0, slash));
  if (!valid_host(r.registry))
    return core::make_error(where, "'" + r.registry + "' is not a valid registry host", kHint);
  std::string_view rest = text.substr(slash + 1);
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    if (!digest.starts_with("sha256:") || !core::is_sha256_hex(digest.substr(7)))
      return core::make_error(where, "'" + std::string(digest) + "' is not a sha256 digest",
                              "a digest is sha256: followed by 64 lowercase hex digits");
    r.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    r.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!valid_tag(r.tag))
      return core::make_error(where, "'" + r.tag + "' is not a valid tag",
                              "a tag is up to 128 of [A-Za-z0-9_.-], not starting with . or -");
  }
  r.repository = std::string(rest);
  if (!valid_repository(r.repository))
    return core::make_error(where, "'" + r.repository + "' is not a valid repository name",
                            "lowercase letters, digits and . _ - separators, '/' between parts");
  return r;
}

core::Result<std::string> debug_variant(std::string_view text) {
  const std::string where = "--debug " + std::string(text);
  if (text.find('@') != std::string_view::npos)
    return core::make_error(where, "a digest cannot name a debug variant", "give a tag");
  // The tag is after the last ':' of the last path component (a host's
  // port is before the first '/').
  size_t last = text.rfind('/');
  size_t colon = text.rfind(':');
  bool tagged = colon != std::string_view::npos && (last == std::string_view::npos || colon > last);
  std::string_view name = tagged ? text.substr(0, colon) : text;
  std::string tag = tagged ? std::string(text.substr(colon + 1)) : "latest";
  if (tag.find("debug") != std::string::npos) return std::string(text);
  tag = tag == "latest" ? "debug" : tag + "-debug";
  if (!valid_tag(tag))
    return core::make_error(where, "'" + tag + "' is not a valid tag",
                            "a tag is up to 128 of [A-Za-z0-9_.-]: shorten it");
  return std::string(name) + ":" + tag;
}

core::Result<std::string> normalize_image_name(std::string_view text) {
  const std::string where = "-t " + std::string(text);
  if (text.find('@') != std::string_view::npos)
    return core::make_error(where, "a digest cannot be recorded as a name",
                            "give NAME[:TAG]; the build prints the digest it made");
  std::string_view rest = text;
  std::string host;
  if (size_t slash = text.find('/');
      slash != std::string_view::npos && host_like(text.substr(0, slash))) {
    host = std::string(text.substr(0, slash + 1));
    if (!valid_host(text.substr(0, slash)))
      return core::make_error(where, "'" + host + "' is not a valid registry host", kHint);
    rest = text.substr(slash + 1);
  }
  std::string tag = "latest";
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!valid_tag(tag))
      return core::make_error(where, "'" + tag + "' is not a valid tag",
                              "a tag is up to 128 of [A-Za-z0-9_.-], not starting with . or -");
  }
  if (!valid_repository(rest))
    return core::make_error(where, "'" + std::string(rest) + "' is not a valid image name",
                            "lowercase letters, digits and . _ - separators, '/' between parts");
  return host + std::string(rest) + ":" + tag;
}

bool looks_like_reference(std::string_view text) {
  size_t slash = text.find('/');
  return slash != std::string_view::npos && slash > 0 && host_like(text.substr(0, slash)) &&
         valid_host(text.substr(0, slash));
}

bool is_loopback(std::string_view registry) {
  std::string host;
  if (registry.starts_with("[")) {
    host = std::string(registry.substr(1, registry.find(']') - 1));
  } else {
    host = std::string(registry.substr(0, registry.find(':')));
  }
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

}  // namespace distill::registry
