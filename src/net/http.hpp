#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "net/body_source.hpp"

namespace distill::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // When set, the body comes from here instead of `body`, streamed (not
  // owned; it must outlive send()).
  BodySource* body_source = nullptr;
  // When set, sees a 2xx answer's status and headers before its body (a
  // resumed download checks Content-Range); false aborts the transfer.
  std::function<bool(const HttpResponse&)> on_head;
};

struct HttpResponse {
  long status = 0;
  Headers headers;   // names lowercased
  std::string body;  // empty when a sink consumed it; see the bounds below
  std::string header(std::string_view name) const;
};

// A non-2xx body is kept only up to this (the registry's error JSON): the
// rest is not read, so a hostile 404 cannot fill memory.
inline constexpr size_t kMaxErrorBody = size_t{64} << 10;
// A 2xx body held in memory (no sink) fails the request past this.
inline constexpr size_t kMaxHeldBody = size_t{16} << 20;

// Receives the body in chunks; returning false aborts the transfer.
using BodySink = std::function<bool(std::string_view chunk)>;

// The network behind one small interface (ninja's DiskInterface, leveldb's
// Env): production uses libcurl, tests script answers.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // An Error means no whole HTTP answer arrived; its code says whether
  // asking again may help: kUnavailable (refused, reset, timed out, cut
  // short), kAborted (the sink or on_head stopped it) or kFailed (cannot
  // change: an unsupported protocol, a bad certificate). Any status code,
  // 404 or 500 included, is a response. Only a 2xx body goes to `sink`; any
  // other body lands in HttpResponse::body, cut at kMaxErrorBody.
  virtual core::Result<HttpResponse> send(const HttpRequest& req,
                                          const BodySink* sink = nullptr) = 0;
};

struct CurlOptions {
  std::string ca_file;     // extra trust anchor bundle; empty = system CAs
  bool verify_tls = true;  // false only for an explicitly --insecure registry
  long connect_timeout_s = 30;
  long low_speed_timeout_s = 60;  // abort when under 1 KiB/s for this long
};

// Keeps its connections open between requests (one libcurl handle per
// concurrent caller, reused) and resolves each host once: the first request
// to a host resolves its name while the others to it wait until it has
// connected, then find the address in a DNS cache all handles share. Safe to
// call from several threads at once.
class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions opts = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  core::Result<HttpResponse> send(const HttpRequest& req, const BodySink* sink = nullptr) override;

  // Connections opened so far, redirects included.
  uint64_t connections_opened() const;

 private:
  struct Shared;
  CurlOptions opts_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace distill::net
