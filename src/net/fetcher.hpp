#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "net/http.hpp"

namespace distill::net {

struct RetryPolicy {
  int attempts = 4;
  std::chrono::milliseconds base_delay{500};  // doubled after each failure
};

// GETs with retries on transient failures (no answer or one cut short, 408,
// 429, 5xx). Anything else fails at once: another status, an error that
// cannot change (an unsupported protocol, a refused certificate), or a sink
// that stopped the transfer (its own error says why).
class Fetcher {
 public:
  Fetcher(HttpTransport& transport, core::Clock& clock, RetryPolicy policy = {})
      : transport_(transport), clock_(clock), policy_(policy) {}

  core::Result<std::string> get(const std::string& url);
  // Streams the body into `sink`; `restart` runs before every retry so the
  // receiver can discard what a failed attempt delivered.
  core::Status get_to(const std::string& url, const BodySink& sink,
                      const std::function<void()>& restart);

  HttpTransport& transport() { return transport_; }

 private:
  HttpTransport& transport_;
  core::Clock& clock_;
  RetryPolicy policy_;
};

bool is_transient_status(long status);
// Whether a transport error (no whole answer) may go away on retry.
bool is_retryable(const core::Error& transport_error);

}  // namespace distill::net
