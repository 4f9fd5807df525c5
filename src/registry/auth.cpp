#include "registry/auth.hpp"

#include <cctype>

#include "core/base64.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"

namespace distill::registry {
namespace {

void skip_spaces(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

std::string basic_header(const Credential& c) {
  return "Basic " + core::base64_encode(c.username + ":" + c.password);
}

}  // namespace

core::Result<Challenge> parse_challenge(std::string_view header) {
  Challenge c;
  skip_spaces(header);
  size_t end = header.find(' ');
  c.scheme = core::ascii_lower(header.substr(0, end));
  if (c.scheme.empty())
    return core::make_error("WWW-Authenticate", "empty challenge from the registry");
  header = end == std::string_view::npos ? std::string_view() : header.substr(end);
  while (true) {
    skip_spaces(header);
    if (header.empty()) break;
    size_t eq = header.find('=');
    if (eq == std::string_view::npos)
      return core::make_error("WWW-Authenticate", "malformed challenge parameter");
    std::string key = core::ascii_lower(header.substr(0, eq));
    header.remove_prefix(eq + 1);
    std::string value;
    if (!header.empty() && header.front() == '"') {
      header.remove_prefix(1);
      while (!header.empty() && header.front() != '"') {
        if (header.front() == '\\' && header.size() > 1) header.remove_prefix(1);
        value += header.front();
        header.remove_prefix(1);
      }
      if (header.empty())
        return core::make_error("WWW-Authenticate", "unterminated quoted parameter '" + key + "'");
      header.remove_prefix(1);
    } else {
      size_t comma = header.find(',');
      value = std::string(header.substr(0, comma));
      while (!value.empty() && value.back() == ' ') value.pop_back();
      header = comma == std::string_view::npos ? std::string_view() : header.substr(comma);
    }
    c.params[key] = value;
    skip_spaces(header);
    if (!header.empty() && header.front() == ',') header.remove_prefix(1);
  }
  return c;
}

std::string repository_scope(std::string_view repository, bool push) {
  return "repository:" + std::string(repository) + (push ? ":pull,push" : ":pull");
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Authenticator::State Authenticator::current() {
  std::lock_guard<std::mutex> lock(mu_);
  return {header_, generation_};
}

core::Status Authenticator::on_unauthorized(const net::HttpResponse& response,
                                            const std::string& scope, const State& used) {
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_ != used.generation) return core::Status::Ok();  // renewed meanwhile
  std::string header = response.header("www-authenticate");
  if (header.empty())
    return core::make_error(registry_, "answered 401 without a WWW-Authenticate challenge");
  DISTILL_ASSIGN(Challenge c, parse_challenge(header));
  if (!scope.empty()) scopes_.insert(scope);
  if (auto it = c.params.find("scope"); it != c.params.end()) {
    std::string_view all = it->second;
    while (!all.empty()) {
      size_t sp = all.find(' ');
      if (sp != 0) scopes_.insert(std::string(all.substr(0, sp)));
      if (sp == std::string_view::npos) break;
      all.remove_prefix(sp + 1);
    }
  }
  if (c.scheme == "basic") {
    if (credential_.empty())
      return core::make_error(registry_, "requires a user name and password",
                              "run `distill login " + registry_ + "`");
    std::string next = basic_header(credential_);
    if (next == header_)
      return core::make_error(registry_, "refused the user name and password",
                              "check them with `distill login " + registry_ + "`");
    header_ = std::move(next);
    ++generation_;
    return core::Status::Ok();
  }
  if (c.scheme == "bearer") return fetch_token(c);
  return core::make_error(registry_,
                          "asks for unsupported authentication scheme '" + c.scheme + "'");
}

core::Status Authenticator::fetch_token(const Challenge& c) {
  auto realm = c.params.find("realm");
  if (realm == c.params.end() ||
      !(realm->second.starts_with("https://") || realm->second.starts_with("http://")))
    return core::make_error(registry_, "sent a Bearer challenge without an http(s) realm");
  std::string url = realm->second;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (auto s = c.params.find("service"); s != c.params.end()) {
    url += sep + std::string("service=") + url_encode(s->second);
    sep = '&';
  }
  for (const auto& scope : scopes_) {
    url += sep + std::string("scope=") + url_encode(scope);
    sep = '&';
  }
  net::HttpRequest req;
  req.url = url;
  if (!credential_.empty()) req.headers.emplace_back("Authorization", basic_header(credential_));
  auto resp = transport_.send(req);
  // The realm URL carries no secret, but keep the message short and generic.
  if (!resp.ok())
    return core::make_error(registry_, "cannot reach its token service: " + resp.error().what);
  if (resp->status == 401 || resp->status == 403)
    return core::make_error(registry_, "token service refused the credentials",
                            credential_.empty()
                                ? "run `distill login " + registry_ + "`"
                                : "check them with `distill login " + registry_ + "`");
  if (resp->status != 200)
    return core::make_error(registry_,
                            "token service answered HTTP " + std::to_string(resp->status));
  DISTILL_ASSIGN(auto json, core::parse_json(resp->body));
  DISTILL_ASSIGN(std::string token, core::json_string(json, "token"));
  if (token.empty()) {
    DISTILL_ASSIGN(token, core::json_string(json, "access_token"));
  }
  if (token.empty()) return core::make_error(registry_, "token service sent no token");
  std::string next = "Bearer " + token;
  if (next == header_)
    return core::make_error(registry_, "refuses the token its own service issued",
                            "the credentials may lack access to this repository");
  header_ = std::move(next);
  ++generation_;
  return core::Status::Ok();
}

}  // namespace distill::registry
