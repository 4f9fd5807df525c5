#include "net/fetcher.hpp"

#include <fmt/format.h>

namespace distill::net {

bool is_transient_status(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool is_retryable(const core::Error& transport_error) {
  return transport_error.code == core::ErrorCode::kUnavailable;
}

core::Result<std::string> Fetcher::get(const std::string& url) {
  std::string body;
  BodySink sink = [&body](std::string_view chunk) {
    body.append(chunk);
    return true;
  };
  DISTILL_TRY(get_to(url, sink, [&body] { body.clear(); }));
  return body;
}

core::Status Fetcher::get_to(const std::string& url, const BodySink& sink,
                             const std::function<void()>& restart) {
  HttpRequest req;
  req.url = url;
  auto delay = policy_.base_delay;
  core::Error last = core::make_error(url, "not attempted");
  for (int attempt = 1; attempt <= policy_.attempts; ++attempt) {
    if (attempt > 1) {
      clock_.sleep_for(delay);
      delay *= 2;
      if (restart) restart();
    }
    auto resp = transport_.send(req, &sink);
    if (!resp.ok()) {
      // Only a missing or cut answer may come whole next time.
      if (!is_retryable(resp.error())) return resp.error();
      last = resp.error();
      continue;
    }
    long status = resp->status;
    if (status >= 200 && status < 300) return core::Status::Ok();
    last = core::make_error(url, fmt::format("HTTP {}", status));
    if (!is_transient_status(status)) return last;
  }
  last.hint = fmt::format("gave up after {} attempts", policy_.attempts);
  return last;
}

}  // namespace distill::net
