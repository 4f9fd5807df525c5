#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "core/strings.hpp"
#include "net/http.hpp"

namespace distill::net {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse* resp;
  const BodySink* sink;
  CURL* curl;
  const HttpRequest* req;
  BodySource* source = nullptr;
  bool aborted = false;         // the sink or on_head said stop
  bool held_too_large = false;  // a 2xx body without a sink passed kMaxHeldBody
  bool error_body_cut = false;  // a non-2xx body passed kMaxErrorBody: not read further
  core::Status source_status;
};

bool is_success(CURL* c) {
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  return status == 0 || (status >= 200 && status < 300);
}

// Stops reading once a body held in memory passes `limit`.
size_t hold_bounded(Transfer* t, std::string_view data, size_t limit, bool& cut) {
  std::string& body = t->resp->body;
  if (body.size() + data.size() > limit) {
    body.append(data.substr(0, limit - body.size()));
    cut = true;
    return 0;
  }
  body.append(data);
  return data.size();
}

size_t on_body(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view data(ptr, size * nmemb);
  if (!is_success(t->curl)) return hold_bounded(t, data, kMaxErrorBody, t->error_body_cut);
  if (!t->sink) return hold_bounded(t, data, kMaxHeldBody, t->held_too_large);
  if (!(*t->sink)(data)) {
    t->aborted = true;
    return 0;
  }
  return data.size();
}

// The blank line that ends a 2xx answer's headers: on_head sees them.
bool head_refused(Transfer* t) {
  if (!t->req->on_head || !is_success(t->curl)) return false;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->resp->status);
  if (t->req->on_head(*t->resp)) return false;
  t->aborted = true;
  return true;
}

size_t on_header(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  std::string_view line(ptr, n);
  if (line.starts_with("HTTP/")) {
    t->resp->headers.clear();  // a new response after a redirect or 100-continue
    return n;
  }
  if (line == "\r\n" || line == "\n") return head_refused(t) ? 0 : n;
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = core::ascii_lower(line.substr(0, colon));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->resp->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

size_t on_read(char* buf, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  auto n = t->source->read(buf, size * nitems);
  if (!n.ok()) {
    t->source_status = n.error();
    return CURL_READFUNC_ABORT;
  }
  return *n;
}

// libcurl rewinds the body when it must send it again (a redirect, an
// authentication round); the sources only restart from the beginning.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;
  core::Status s = t->source->rewind();
  if (s.ok()) return CURL_SEEKFUNC_OK;
  t->source_status = s;
  return CURL_SEEKFUNC_FAIL;
}

void set_body(CURL* c, const HttpRequest& req, Transfer& t) {
  if (req.body_source) {
    t.source = req.body_source;
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    if (req.method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body_source->size()));
    return;
  }
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
}

// Whether asking again may get an answer: the network's failures, not ours
// (an unsupported protocol, a refused certificate, a receiver that stopped).
bool is_transient_curl_error(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_AGAIN:
      return true;
    default:
      return false;
  }
}

core::Error curl_error(const HttpRequest& req, CURLcode rc) {
  core::Error e = core::make_error(req.url, curl_easy_strerror(rc));
  return is_transient_curl_error(rc) ? e.with_code(core::ErrorCode::kUnavailable) : e;
}

struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

// "scheme://host:port" of a URL; empty for file:// and what curl cannot parse.
std::string host_key(const std::string& url) {
  CURLU* u = curl_url();
  if (!u) return {};
  std::string key;
  char* scheme = nullptr;
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
    key = std::string(scheme) + "://" + host + ":" + port;
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return key;
}

// One name lookup per host: the first request to a host goes ahead; the
// others wait until it has connected (its address is then in the shared DNS
// cache) or failed (then the next one tries).
class FirstContact {
 public:
  // true: the caller goes first and must call `release`.
  bool enter(const std::string& key) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      auto [it, inserted] = known_.try_emplace(key, false);
      if (inserted) return true;
      if (it->second) return false;
      cv_.wait(lock);
    }
  }
  void release(const std::string& key, bool connected) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = known_.find(key);
      if (it == known_.end() || it->second) return;
      if (connected)
        it->second = true;
      else
        known_.erase(it);
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, bool> known_;  // true: connected once
};

// What a first request tells FirstContact once its connection stands.
struct FirstRequest {
  FirstContact* gate = nullptr;
  std::string key;
  void release(bool connected) {
    if (gate) gate->release(key, connected);
    gate = nullptr;
  }
};

int on_connected(void* user, char*, char*, int, int) {
  static_cast<FirstRequest*>(user)->release(true);
  return CURL_PREREQFUNC_OK;
}

}  // namespace

struct CurlTransport::Shared {
  // The DNS and TLS session caches are shared by every handle; connections
  // stay with their handle, since libcurl does not support one connection
  // cache used by concurrent threads.
  CURLSH* share = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
  std::mutex idle_mu;
  std::vector<CURL*> idle;
  FirstContact first_contact;
  std::atomic<uint64_t> connections{0};

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Shared*>(user)->locks[data].unlock();
  }

  Shared() {
    share = curl_share_init();
    if (!share) return;
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Shared::lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Shared::unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~Shared() {
    for (CURL* c : idle) curl_easy_cleanup(c);
    if (share) curl_share_cleanup(share);
  }

  CURL* take() {
    {
      std::lock_guard<std::mutex> lock(idle_mu);
      if (!idle.empty()) {
        CURL* c = idle.back();
        idle.pop_back();
        return c;
      }
    }
    return curl_easy_init();
  }
  void give_back(CURL* c) {
    curl_easy_reset(c);  // forgets the request's options, keeps its connections
    std::lock_guard<std::mutex> lock(idle_mu);
    idle.push_back(c);
  }

  // A handle taken from the pool for one request, returned when done.
  class Lease {
   public:
    explicit Lease(Shared* shared) : shared_(shared), curl_(shared->take()) {}
    ~Lease() {
      if (curl_) shared_->give_back(curl_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    CURL* get() const { return curl_; }

   private:
    Shared* shared_;
    CURL* curl_;
  };
};

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (core::iequals(k, name)) return v;
  }
  return {};
}

CurlTransport::CurlTransport(CurlOptions opts) : opts_(std::move(opts)) {
  global_init();
  shared_ = std::make_unique<Shared>();
}

CurlTransport::~CurlTransport() = default;

uint64_t CurlTransport::connections_opened() const {
  return shared_->connections.load();
}

core::Result<HttpResponse> CurlTransport::send(const HttpRequest& req, const BodySink* sink) {
  Shared::Lease curl(shared_.get());
  if (!curl.get() || !shared_->share) return core::make_error(req.url, "cannot initialise libcurl");
  HttpResponse resp;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_SHARE, shared_->share);
  // A build is minutes long: the mirror's address is looked up once.
  curl_easy_setopt(c, CURLOPT_DNS_CACHE_TIMEOUT, 600L);
  Transfer t{&resp, sink, c, &req, nullptr, false, false, false, core::Status::Ok()};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opts_.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, opts_.low_speed_timeout_s);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "distill/0.1");
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if (!opts_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, opts_.ca_file.c_str());
  if (!opts_.verify_tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);

  std::unique_ptr<curl_slist, SlistDeleter> hdrs;
  for (const auto& [k, v] : req.headers)
    hdrs.reset(curl_slist_append(hdrs.release(), (k + ": " + v).c_str()));
  if (hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.get());

  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET" || req.body_source) {
    set_body(c, req, t);
  }
  if (req.body_source) DISTILL_TRY(req.body_source->rewind());

  FirstRequest first;
  std::string key = host_key(req.url);
  if (!key.empty() && shared_->first_contact.enter(key)) first = {&shared_->first_contact, key};
  curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_connected);
  curl_easy_setopt(c, CURLOPT_PREREQDATA, &first);
  CURLcode rc = curl_easy_perform(c);
  first.release(rc == CURLE_OK);
  long connects = 0;
  if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0)
    shared_->connections += static_cast<uint64_t>(connects);
  if (!t.source_status.ok()) return t.source_status.error();
  if (t.aborted)
    return core::make_error(req.url, "transfer aborted by the receiver")
        .with_code(core::ErrorCode::kAborted);
  if (t.held_too_large)
    return core::make_error(
               req.url, "the answer is larger than " + std::to_string(kMaxHeldBody >> 20) + " MiB")
        .with_code(core::ErrorCode::kAborted);
  // An error answer cut at kMaxErrorBody is still the answer.
  if (rc != CURLE_OK && !(t.error_body_cut && rc == CURLE_WRITE_ERROR)) return curl_error(req, rc);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  // file:// answers 0 on success; give callers one convention.
  if (resp.status == 0) resp.status = 200;
  return resp;
}

}  // namespace distill::net
