#pragma once

// An in-memory OCI Distribution registry behind net::HttpTransport, for the
// registry client tests: blobs, upload sessions (monolithic and chunked),
// cross-repository mounts, manifests, optional Basic or Bearer auth, and
// scripted failures.

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base64.hpp"
#include "core/clock.hpp"
#include "core/sha256.hpp"
#include "net/http.hpp"

namespace distill::registry::test_util {

inline constexpr const char* kHost = "127.0.0.1:5000";

class FakeClock : public core::Clock {
 public:
  int64_t now() const override { return 1000; }
  void sleep_for(std::chrono::milliseconds d) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps.push_back(d);
  }
  std::mutex mu_;
  std::vector<std::chrono::milliseconds> sleeps;
};

enum class AuthMode { kNone, kBasic, kBearer };

class FakeRegistry : public net::HttpTransport {
 public:
  AuthMode auth = AuthMode::kNone;
  std::string user = "alice", password = "s3cret-pass";
  std::string min_chunk;  // OCI-Chunk-Min-Length to announce
  bool refuse_mounts = false;
  bool https = true;          // false: https requests fail like a plain-HTTP server
  std::string fail_matching;  // "METHOD /path" prefix answered with 500
  // The referrers API: off, GET /v2/<repo>/referrers/<digest> is a 404 as on
  // Docker Distribution 2.8; on, it answers `referrers["<repo>@<digest>"]`
  // or an empty index.
  bool referrers_api = false;
  std::map<std::string, std::string> referrers;

  // The next `n` requests fail: status 0 = no answer (connection reset),
  // -1 = an error no retry changes (an unsupported protocol).
  void fail_next(int n, long status) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < n; ++i) failures_.push_back(status);
  }
  void expire_tokens() {
    std::lock_guard<std::mutex> lock(mu_);
    tokens_.clear();
  }
  void put_blob(const std::string& repo, const std::string& data) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string d = "sha256:" + core::sha256_hex(data);
    blobs_[d] = data;
    repos_[repo].insert(d);
  }
  void corrupt_blob(const std::string& digest) {
    std::lock_guard<std::mutex> lock(mu_);
    blobs_[digest] += "x";
  }
  bool has_manifest(const std::string& repo, const std::string& ref) {
    std::lock_guard<std::mutex> lock(mu_);
    return manifests_[repo].count(ref) > 0;
  }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  int count(const std::string& prefix) {
    int n = 0;
    for (const auto& l : log()) n += l.rfind(prefix, 0) == 0;
    return n;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard<std::mutex> lock(mu_);
    return auth_headers_;
  }
  void clear_log() {
    std::lock_guard<std::mutex> lock(mu_);
    log_.clear();
  }

  core::Result<net::HttpResponse> send(const net::HttpRequest& in,
                                       const net::BodySink* sink) override {
    // A streamed body is read whole, as a real transport would send it.
    net::HttpRequest req = in;
    if (in.body_source) {
      DISTILL_ASSIGN(req.body, net::read_all(*in.body_source));
      req.body_source = nullptr;
      streamed_bodies++;
    }
    std::lock_guard<std::mutex> lock(mu_);
    std::string base = std::string(https ? "https://" : "http://") + kHost;
    if (req.url.rfind(base, 0) != 0)
      return core::make_error(
          req.url, https ? "Couldn't connect to server" : "SSL routines::wrong version number");
    std::string path = req.url.substr(base.size());
    std::string query;
    if (auto q = path.find('?'); q != std::string::npos) {
      query = path.substr(q + 1);
      path = path.substr(0, q);
    }
    log_.push_back(req.method + " " + path + (query.empty() ? "" : "?" + query));
    std::string authz;
    for (const auto& [k, v] : req.headers)
      if (k == "Authorization") authz = v;
    auth_headers_.push_back(authz);
    if (!fail_matching.empty() && log_.back().rfind(fail_matching, 0) == 0) return reply(500);
    if (!failures_.empty()) {
      long s = failures_.front();
      failures_.pop_front();
      if (s == -1) return core::make_error(req.url, "Unsupported protocol");
      if (s == 0)
        return core::make_error(req.url, "Connection reset by peer")
            .with_code(core::ErrorCode::kUnavailable);
      return reply(s);
    }
    if (path == "/token") return token(authz, query);
    if (!authorized(authz)) return challenge(path);
    if (path == "/v2/") return reply(200);
    net::HttpResponse r;
    if (auto pos = path.find("/blobs/uploads/"); pos != std::string::npos)
      return upload(req, path.substr(4, pos - 4), path.substr(pos + 15), query);
    if (auto pos = path.find("/blobs/"); pos != std::string::npos) {
      std::string repo = path.substr(4, pos - 4), digest = path.substr(pos + 7);
      if (!repos_[repo].count(digest)) return reply(404, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})");
      r.status = 200;
      r.headers = {{"content-length", std::to_string(blobs_[digest].size())}};
      if (req.method == "GET") return get_blob(req, blobs_[digest], sink);
      return r;
    }
    if (auto pos = path.find("/referrers/"); pos != std::string::npos) {
      if (!referrers_api) return reply(404);
      auto it = referrers.find(path.substr(4, pos - 4) + "@" + path.substr(pos + 11));
      r.status = 200;
      r.headers = {{"content-type", "application/vnd.oci.image.index.v1+json"}};
      return deliver(req, r,
                     it != referrers.end() ? it->second
                                           : R"({"schemaVersion":2,"mediaType":)"
                                             R"("application/vnd.oci.image.index.v1+json",)"
                                             R"("manifests":[]})",
                     sink);
    }
    if (auto pos = path.find("/manifests/"); pos != std::string::npos) {
      std::string repo = path.substr(4, pos - 4), ref = path.substr(pos + 11);
      if (req.method == "PUT") {
        std::string type;
        for (const auto& [k, v] : req.headers)
          if (k == "Content-Type") type = v;
        std::string d = "sha256:" + core::sha256_hex(req.body);
        manifests_[repo][ref] = {type, req.body};
        manifests_[repo][d] = {type, req.body};
        r.status = 201;
        r.headers = {{"docker-content-digest", d}};
        return r;
      }
      auto it = manifests_[repo].find(ref);
      if (it == manifests_[repo].end())
        return reply(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})");
      r.status = 200;
      r.headers = {{"content-type", it->second.first},
                   {"docker-content-digest", "sha256:" + core::sha256_hex(it->second.second)}};
      return deliver(req, r, it->second.second, sink);
    }
    return reply(404);
  }

  // The next blob GET sends only its first `n` bytes, then the connection drops.
  void cut_next_blob_after(size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    cut_after_ = n;
  }
  bool honour_range = true;  // false: Range is ignored, the whole blob comes again
  std::vector<std::string> ranges_asked;

 private:
  // A 2xx body as a transport hands it over: to the sink, or held.
  static core::Result<net::HttpResponse> deliver(const net::HttpRequest& req, net::HttpResponse r,
                                                 std::string_view body, const net::BodySink* sink) {
    if (req.on_head && !req.on_head(r))
      return core::make_error(req.url, "transfer aborted by the receiver")
          .with_code(core::ErrorCode::kAborted);
    if (!sink) {
      r.body = std::string(body);
      return r;
    }
    if (!body.empty() && !(*sink)(body))
      return core::make_error(req.url, "transfer aborted by the receiver")
          .with_code(core::ErrorCode::kAborted);
    return r;
  }

  core::Result<net::HttpResponse> get_blob(const net::HttpRequest& req, const std::string& data,
                                           const net::BodySink* sink) {
    net::HttpResponse r;
    r.status = 200;
    size_t from = 0;
    for (const auto& [k, v] : req.headers) {
      if (k != "Range") continue;
      ranges_asked.push_back(v);
      if (honour_range) from = std::stoull(v.substr(6));
    }
    if (from > 0) {
      r.status = 206;
      r.headers = {{"content-range", "bytes " + std::to_string(from) + "-" +
                                         std::to_string(data.size() - 1) + "/" +
                                         std::to_string(data.size())}};
    }
    std::string_view body = std::string_view(data).substr(from);
    if (cut_after_ && *cut_after_ < body.size()) {
      size_t n = *cut_after_;
      cut_after_.reset();
      auto partial = deliver(req, r, body.substr(0, n), sink);
      if (!partial.ok()) return partial;
      return core::make_error(req.url, "Transferred a partial file")
          .with_code(core::ErrorCode::kUnavailable);
    }
    return deliver(req, r, body, sink);
  }

  static net::HttpResponse reply(long status, std::string body = {}) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }

  bool authorized(const std::string& authz) {
    switch (auth) {
      case AuthMode::kNone:
        return true;
      case AuthMode::kBasic:
        return authz == "Basic " + core::base64_encode(user + ":" + password);
      case AuthMode::kBearer:
        return authz.rfind("Bearer ", 0) == 0 && tokens_.count(authz.substr(7));
    }
    return false;
  }

  net::HttpResponse challenge(const std::string& path) {
    net::HttpResponse r = reply(401, R"({"errors":[{"code":"UNAUTHORIZED"}]})");
    if (auth == AuthMode::kBasic) {
      r.headers = {{"www-authenticate", "Basic realm=\"fake\""}};
    } else {
      std::string scope;
      if (path.size() > 4 && path != "/v2/") {
        auto end = path.find("/blobs/");
        if (end == std::string::npos) end = path.find("/manifests/");
        scope = ",scope=\"repository:" + path.substr(4, end - 4) + ":pull,push\"";
      }
      r.headers = {{"www-authenticate", std::string("Bearer realm=\"https://") + kHost +
                                            "/token\",service=\"fake\"" + scope}};
    }
    return r;
  }

  net::HttpResponse token(const std::string& authz, const std::string& query) {
    if (authz != "Basic " + core::base64_encode(user + ":" + password)) return reply(401);
    token_queries_.push_back(query);
    std::string t = "tok-" + std::to_string(++token_counter_);
    tokens_.insert(t);
    return reply(200, R"({"token":")" + t + R"(","expires_in":300})");
  }

  net::HttpResponse upload(const net::HttpRequest& req, const std::string& repo,
                           const std::string& id, const std::string& query) {
    net::HttpResponse r;
    if (req.method == "POST") {
      if (auto m = query.find("mount="); m != std::string::npos && !refuse_mounts) {
        std::string digest = query.substr(m + 6, query.find('&', m) - m - 6);
        if (auto c = digest.find("%3A"); c != std::string::npos) digest.replace(c, 3, ":");
        std::string from = query.substr(query.find("from=") + 5);
        for (size_t p; (p = from.find("%2F")) != std::string::npos;) from.replace(p, 3, "/");
        if (repos_[from].count(digest)) {
          repos_[repo].insert(digest);
          r.status = 201;
          return r;
        }
      }
      std::string sid = std::to_string(++upload_counter_);
      sessions_[sid] = {repo, ""};
      r.status = 202;
      r.headers = {{"location", "/v2/" + repo + "/blobs/uploads/" + sid}};
      if (!min_chunk.empty()) r.headers.emplace_back("oci-chunk-min-length", min_chunk);
      return r;
    }
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return reply(404, R"({"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]})");
    if (req.method == "PATCH") {
      std::string range;
      for (const auto& [k, v] : req.headers)
        if (k == "Content-Range") range = v;
      if (range != std::to_string(it->second.second.size()) + "-" +
                       std::to_string(it->second.second.size() + req.body.size() - 1))
        return reply(416);
      it->second.second += req.body;
      patch_sizes.push_back(req.body.size());
      r.status = 202;
      r.headers = {{"location", "/v2/" + repo + "/blobs/uploads/" + id}};
      return r;
    }
    if (req.method == "PUT") {
      std::string data = it->second.second + req.body;
      std::string want = query.substr(query.find("digest=") + 7);
      if (auto c = want.find("%3A"); c != std::string::npos) want.replace(c, 3, ":");
      if ("sha256:" + core::sha256_hex(data) != want) return reply(400);
      blobs_[want] = data;
      repos_[repo].insert(want);
      sessions_.erase(it);
      r.status = 201;
      return r;
    }
    return reply(405);
  }

 public:
  std::vector<size_t> patch_sizes;
  std::atomic<int> streamed_bodies{0};
  std::vector<std::string> token_queries_;

 private:
  std::mutex mu_;
  std::deque<long> failures_;
  std::vector<std::string> log_;
  std::vector<std::string> auth_headers_;
  std::map<std::string, std::string> blobs_;
  std::map<std::string, std::set<std::string>> repos_;
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> manifests_;
  std::map<std::string, std::pair<std::string, std::string>> sessions_;
  std::set<std::string> tokens_;
  std::optional<size_t> cut_after_;
  int token_counter_ = 0;
  int upload_counter_ = 0;
};

}  // namespace distill::registry::test_util
