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

// GETs with retries on transient failures (no answer, 408, 429, 5xx). Any
// other non-2xx status fails at once with an error naming URL and status.
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

}  // namespace distill::net
