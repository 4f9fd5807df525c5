#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "net/http.hpp"

namespace distill::registry {

// A user name and password (or token) for one registry. Never printed.
struct Credential {
  std::string username;
  std::string password;
  bool empty() const { return username.empty() && password.empty(); }
};

// One WWW-Authenticate challenge: `Bearer realm="...",service="...",scope="..."`.
struct Challenge {
  std::string scheme;                         // lowercased: "basic" or "bearer"
  std::map<std::string, std::string> params;  // names lowercased
};

core::Result<Challenge> parse_challenge(std::string_view header);

// "repository:team/app:pull,push"
std::string repository_scope(std::string_view repository, bool push);

// The Authorization header for requests to one registry. Starts anonymous;
// a 401 teaches it the scheme. For Basic it then sends the credential; for
// Bearer it fetches a token from the challenge's realm (with the credential,
// if any, as Basic auth) for every scope seen so far, caches it, and fetches
// a new one on the next 401 (expiry, or a scope not yet granted).
// Thread-safe: parallel blob transfers share one.
class Authenticator {
 public:
  Authenticator(net::HttpTransport& transport, std::string registry, Credential credential)
      : transport_(transport), registry_(std::move(registry)), credential_(std::move(credential)) {}

  struct State {
    std::string header;  // Authorization value, empty when anonymous
    uint64_t generation = 0;
  };
  State current();

  // Handles a 401 answered to a request sent with `used`. Another thread may
  // already have renewed the token since; then this returns at once.
  core::Status on_unauthorized(const net::HttpResponse& response, const std::string& scope,
                               const State& used);

 private:
  core::Status fetch_token(const Challenge& c);

  net::HttpTransport& transport_;
  std::string registry_;
  Credential credential_;
  std::mutex mu_;
  std::string header_;
  uint64_t generation_ = 0;
  std::set<std::string> scopes_;
};

// RFC 3986 unreserved characters kept, everything else %XX.
std::string url_encode(std::string_view s);

}  // namespace distill::registry
