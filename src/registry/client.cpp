#include "registry/client.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "core/json.hpp"
#include "oci/media_types.hpp"
#include "registry/reference.hpp"

namespace distill::registry {
namespace {

constexpr int64_t kMaxManifestSize = 8 << 20;

// The registry's own explanation from an error body:
// {"errors":[{"code":"DENIED","message":"..."}]}.
std::string registry_detail(const std::string& body) {
  auto j = core::parse_json(body);
  if (!j.ok() || !j->is_object()) return {};
  auto errors = j->find("errors");
  if (errors == j->end() || !errors->is_array() || errors->empty()) return {};
  const auto& e = errors->front();
  if (!e.is_object()) return {};
  std::string code = e.value("code", "");
  std::string message = e.value("message", "");
  std::string out = code.empty() ? message : code + (message.empty() ? "" : ": " + message);
  if (out.size() > 200) out.resize(200);
  return out;
}

std::string with_query(std::string url, std::string_view query) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += query;
  return url;
}

std::string media_type_of(const net::HttpResponse& r) {
  std::string t = r.header("content-type");
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

// The first byte of "bytes 100-199/200"; -1 when unreadable.
int64_t range_start_of(std::string_view content_range) {
  if (!content_range.starts_with("bytes ")) return -1;
  content_range.remove_prefix(6);
  int64_t start = 0;
  auto [end, ec] =
      std::from_chars(content_range.data(), content_range.data() + content_range.size(), start);
  if (ec != std::errc() || end == content_range.data() || *end != '-') return -1;
  return start;
}

// After a reset mid-upload the registry may have dropped or spoiled the
// session (404 BLOB_UPLOAD_UNKNOWN, 400, 416); refusals (401/403/413) and
// exhausted retries stay final.
bool fresh_session_may_help(const core::Error& e) {
  return e.code == core::ErrorCode::kNotFound || e.code == core::ErrorCode::kInvalidRequest;
}

}  // namespace

std::string manifest_accept_header() {
  return std::string(oci::kMediaTypeManifest) + ", " + std::string(oci::kMediaTypeIndex) + ", " +
         std::string(oci::kDockerMediaTypeManifest) + ", " +
         std::string(oci::kDockerMediaTypeManifestList);
}

Client::Client(net::HttpTransport& transport, core::Clock& clock, std::string registry,
               Credential credential, ClientOptions options)
    : transport_(transport),
      clock_(clock),
      registry_(std::move(registry)),
      options_(options),
      auth_(transport, registry_, std::move(credential)),
      base_("https://" + registry_) {}

std::string Client::url(const std::string& repo, std::string_view tail) const {
  return base_ + "/v2/" + repo + "/" + std::string(tail);
}

std::string Client::resolve(std::string_view location) const {
  if (location.starts_with("https://") || location.starts_with("http://"))
    return std::string(location);
  if (location.starts_with("/")) return base_ + std::string(location);
  return base_ + "/" + std::string(location);
}

core::Status Client::ping() {
  net::HttpRequest req;
  // A loopback registry, where plain HTTP is allowed anyway, mostly speaks
  // it: asking that first spares a failed TLS handshake (and loading the CA
  // bundle) on every command. A TLS registry answers it with 400.
  if (options_.allow_http && is_loopback(registry_)) {
    req.url = "http://" + registry_ + "/v2/";
    auto plain = transport_.send(req);
    if (plain.ok() && (plain->status == 200 || plain->status == 401)) {
      base_ = "http://" + registry_;
      return core::Status::Ok();
    }
  }
  req.url = base_ + "/v2/";
  auto first = transport_.send(req);
  if (first.ok()) {
    if (first->status == 200 || first->status == 401) return core::Status::Ok();
    return core::make_error(registry_, "answered HTTP " + std::to_string(first->status) +
                                           " to GET /v2/: not an OCI registry");
  }
  if (!options_.allow_http)
    return core::make_error(registry_, "cannot connect over https: " + first.error().what,
                            registry_.empty() ? "" : "use --insecure for a plain-HTTP registry");
  base_ = "http://" + registry_;
  Call call{"", "reach the registry", false, false};
  req.url = base_ + "/v2/";
  auto plain = send(req, call);
  if (plain.ok() && (plain->status == 200 || plain->status == 401)) return core::Status::Ok();
  // Say why https failed too: a TLS registry answers plain HTTP with 400.
  std::string why = plain.ok() ? "HTTP " + std::to_string(plain->status) : plain.error().what;
  return core::make_error(
      registry_,
      "cannot connect over https (" + first.error().what + ") nor plain http (" + why + ")",
      "for a private CA give --ca-cert FILE");
}

core::Result<net::HttpResponse> Client::send(net::HttpRequest req, const Call& call,
                                             const net::BodySink* sink,
                                             const RetryHook& before_retry) {
  const std::string scope = call.repo.empty() ? "" : repository_scope(call.repo, call.push);
  const std::string where = call.repo.empty() ? registry_ : registry_ + "/" + call.repo;
  bool auth_renewed = false;
  auto delay = options_.retry.base_delay;
  std::string last;
  for (int attempt = 0; attempt < options_.retry.attempts;) {
    Authenticator::State state = auth_.current();
    net::HttpRequest r = req;
    if (!state.header.empty()) r.headers.emplace_back("Authorization", state.header);
    auto resp = transport_.send(r, sink);
    // The body cannot be read (a corrupt or unreadable blob): no retry helps.
    if (!resp.ok() && r.body_source && r.body_source->broken()) return resp.error();
    // The receiver stopped the transfer: its own error says why.
    if (!resp.ok() && resp.error().code == core::ErrorCode::kAborted) return resp.error();
    if (!resp.ok() && !net::is_retryable(resp.error()))
      return core::make_error(where, "cannot " + call.action + ": " + resp.error().what)
          .with_code(resp.error().code);
    if (resp.ok() && resp->status == 401 && call.authenticate && !auth_renewed) {
      auth_renewed = true;
      DISTILL_TRY(auth_.on_unauthorized(*resp, scope, state));
      if (before_retry) before_retry(req);
      continue;
    }
    if (resp.ok() && !net::is_transient_status(resp->status)) return resp;
    last = resp.ok() ? "HTTP " + std::to_string(resp->status) : resp.error().what;
    if (++attempt >= options_.retry.attempts) break;
    clock_.sleep_for(delay);
    delay *= 2;
    if (before_retry) before_retry(req);
  }
  return core::make_error(where,
                          "cannot " + call.action + ": " + last + " (after " +
                              std::to_string(options_.retry.attempts) + " attempts)",
                          "check that the registry is running and reachable, then retry")
      .with_code(core::ErrorCode::kUnavailable);
}

core::Error Client::status_error(const net::HttpResponse& r, const Call& call) const {
  std::string where = call.repo.empty() ? registry_ : registry_ + "/" + call.repo;
  std::string detail = registry_detail(r.body);
  std::string suffix = detail.empty() ? "" : " (" + detail + ")";
  switch (r.status) {
    case 401:
      return core::make_error(where, "not authorized to " + call.action + suffix,
                              "run `distill login " + registry_ + "`")
          .with_code(core::ErrorCode::kUnauthorized);
    case 403:
      return core::make_error(where, "access denied to " + call.action + suffix,
                              "the credentials lack permission for this repository")
          .with_code(core::ErrorCode::kUnauthorized);
    case 404:
      return core::make_error(where, "not found: cannot " + call.action + suffix,
                              "check the repository name, tag or digest")
          .with_code(core::ErrorCode::kNotFound);
    case 413:
      return core::make_error(where,
                              "the registry refused to " + call.action + ": too large" + suffix);
    default: {
      const bool malformed = r.status == 400 || r.status == 416;
      return core::make_error(where, "cannot " + call.action + ": the registry answered HTTP " +
                                         std::to_string(r.status) + suffix)
          .with_code(malformed ? core::ErrorCode::kInvalidRequest : core::ErrorCode::kFailed);
    }
  }
}

core::Status Client::check_login() {
  Call call{"", "log in", false};
  net::HttpRequest req;
  req.url = base_ + "/v2/";
  DISTILL_ASSIGN(net::HttpResponse r, send(req, call));
  if (r.status != 200) return status_error(r, call);
  return core::Status::Ok();
}

core::Result<bool> Client::blob_exists(const std::string& repo, const oci::Digest& digest) {
  DISTILL_ASSIGN(std::optional<int64_t> size, blob_size(repo, digest));
  return size.has_value();
}

core::Result<std::optional<int64_t>> Client::blob_size(const std::string& repo,
                                                       const oci::Digest& digest) {
  Call call{repo, "check blob " + digest.str(), true};
  net::HttpRequest req;
  req.method = "HEAD";
  req.url = url(repo, "blobs/" + digest.str());
  DISTILL_ASSIGN(net::HttpResponse r, send(req, call));
  if (r.status == 404) return std::optional<int64_t>();
  if (r.status != 200) return status_error(r, call);
  const std::string length = r.header("content-length");
  int64_t size = -1;
  auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), size);
  if (ec != std::errc() || end != length.data() + length.size() || size < 0) size = -1;
  return std::optional<int64_t>(size);
}

core::Result<bool> Client::mount_blob(const std::string& repo, const oci::Digest& digest,
                                      const std::string& from_repo) {
  Call call{repo, "mount blob " + digest.str() + " from " + from_repo, true};
  net::HttpRequest req;
  req.method = "POST";
  req.url = url(
      repo, "blobs/uploads/?mount=" + url_encode(digest.str()) + "&from=" + url_encode(from_repo));
  DISTILL_ASSIGN(net::HttpResponse r, send(req, call));
  if (r.status == 201) {
    ++stats_.mounted;
    return true;
  }
  // 202 opens an upload session instead; the registry expires unused ones.
  if (r.status == 202 || r.status == 401 || r.status == 403 || r.status == 404) return false;
  return status_error(r, call);
}

core::Status Client::upload_blob(const std::string& repo, const oci::Digest& digest,
                                 std::string_view data) {
  net::StringBody body{std::string(data)};
  return upload_blob(repo, digest, body);
}

core::Status Client::upload_blob(const std::string& repo, const oci::Digest& digest,
                                 net::BodySource& body) {
  Call call{repo, "push blob " + digest.str(), true};
  // An upload session broken by a reset may be unusable: start a new one once.
  core::Status first = upload_once(repo, digest, body, call);
  if (first.ok()) {
    ++stats_.uploaded;
    return first;
  }
  if (body.broken() || !fresh_session_may_help(first.error())) return first;
  DISTILL_ASSIGN(bool there, blob_exists(repo, digest));
  if (there) {
    ++stats_.uploaded;
    return core::Status::Ok();
  }
  DISTILL_TRY(upload_once(repo, digest, body, call));
  ++stats_.uploaded;
  return core::Status::Ok();
}

core::Status Client::upload_once(const std::string& repo, const oci::Digest& digest,
                                 net::BodySource& body, const Call& call) {
  net::HttpRequest start;
  start.method = "POST";
  start.url = url(repo, "blobs/uploads/");
  DISTILL_ASSIGN(net::HttpResponse opened, send(start, call));
  if (opened.status != 202) return status_error(opened, call);
  std::string location = opened.header("location");
  if (location.empty())
    return core::make_error(registry_ + "/" + repo, "upload started without a Location");
  location = resolve(location);
  DISTILL_TRY(body.rewind());

  int64_t chunk = options_.chunk_size;
  if (chunk > 0) {
    std::string min = opened.header("oci-chunk-min-length");
    if (!min.empty()) chunk = std::max<int64_t>(chunk, std::atoll(min.c_str()));
  }
  const int64_t size = body.size();
  int64_t offset = 0;
  if (chunk > 0 && size > chunk) {
    // One chunk in memory at a time: a PATCH retried must resend the same bytes.
    while (offset < size) {
      DISTILL_ASSIGN(std::string piece,
                     net::read_some(body, static_cast<size_t>(std::min(size - offset, chunk))));
      if (piece.empty()) return core::make_error(registry_ + "/" + repo, "blob ended early");
      const int64_t n = static_cast<int64_t>(piece.size());
      net::HttpRequest patch;
      patch.method = "PATCH";
      patch.url = location;
      patch.headers = {
          {"Content-Type", "application/octet-stream"},
          {"Expect", ""},
          {"Content-Range", std::to_string(offset) + "-" + std::to_string(offset + n - 1)}};
      patch.body = std::move(piece);
      DISTILL_ASSIGN(net::HttpResponse r, send(patch, call));
      if (r.status != 202) return status_error(r, call);
      if (std::string next = r.header("location"); !next.empty()) location = resolve(next);
      offset += n;
    }
  }
  net::HttpRequest put;
  put.method = "PUT";
  put.url = with_query(location, "digest=" + url_encode(digest.str()));
  // No "Expect: 100-continue" round trip before the body.
  put.headers = {{"Content-Type", "application/octet-stream"}, {"Expect", ""}};
  if (offset < size) put.body_source = &body;
  DISTILL_ASSIGN(net::HttpResponse done, send(put, call));
  if (done.status != 201) return status_error(done, call);
  return core::Status::Ok();
}

core::Result<std::string> Client::manifest_digest(const std::string& repo,
                                                  const std::string& ident) {
  Call call{repo, "check manifest " + ident, true};
  net::HttpRequest req;
  req.method = "HEAD";
  req.url = url(repo, "manifests/" + ident);
  req.headers = {{"Accept", manifest_accept_header()}};
  DISTILL_ASSIGN(net::HttpResponse r, send(req, call));
  if (r.status == 404) return std::string();
  if (r.status != 200) return status_error(r, call);
  return r.header("docker-content-digest");
}

core::Result<net::HttpResponse> Client::get_document(net::HttpRequest req, const Call& call,
                                                     std::string& body, const std::string& where,
                                                     std::string_view what, std::string_view kind) {
  bool too_large = false;
  net::BodySink bounded = [&](std::string_view chunk) {
    too_large = std::ssize(body) + std::ssize(chunk) > kMaxManifestSize;
    if (!too_large) body.append(chunk);
    return !too_large;
  };
  auto sent = send(std::move(req), call, &bounded, [&](net::HttpRequest&) { body.clear(); });
  if (too_large)
    return core::make_error(where, std::string(what) + " is larger than 8 MiB",
                            "the registry served something that is not " + std::string(kind));
  return sent;
}

core::Result<std::optional<std::string>> Client::get_referrers(const std::string& repo,
                                                               const oci::Digest& subject) {
  Call call{repo, "list referrers of " + subject.str(), false};
  net::HttpRequest req;
  req.url = url(repo, "referrers/" + subject.str());
  req.headers = {{"Accept", std::string(oci::kMediaTypeIndex)}};
  std::string body;
  DISTILL_ASSIGN(net::HttpResponse r,
                 get_document(std::move(req), call, body, registry_ + "/" + repo, "referrers index",
                              "an index"));
  if (r.status == 404) return std::optional<std::string>();
  if (r.status != 200) return status_error(r, call);
  return std::optional<std::string>(std::move(body));
}

core::Result<FetchedManifest> Client::get_manifest(const std::string& repo,
                                                   const std::string& ident) {
  Call call{repo, "pull manifest " + ident, false};
  net::HttpRequest req;
  req.url = url(repo, "manifests/" + ident);
  req.headers = {{"Accept", manifest_accept_header()}};
  const std::string where = registry_ + "/" + repo + "@" + ident;
  std::string body;
  DISTILL_ASSIGN(net::HttpResponse r,
                 get_document(std::move(req), call, body, where, "manifest", "a manifest"));
  if (r.status != 200) return status_error(r, call);
  FetchedManifest m;
  m.body = std::move(body);
  m.digest = oci::Digest::of(m.body);
  m.media_type = media_type_of(r);
  if (ident.starts_with("sha256:") && m.digest.str() != ident)
    return core::make_error(where,
                            "manifest does not match its digest (got " + m.digest.str() + ")",
                            "the registry served corrupt or tampered content");
  if (std::string claimed = r.header("docker-content-digest");
      !claimed.empty() && claimed.starts_with("sha256:") && claimed != m.digest.str())
    return core::make_error(
        where, "manifest digest " + m.digest.str() + " differs from the registry's " + claimed,
        "the registry served corrupt or tampered content");
  if (!oci::is_manifest_media_type(m.media_type) && !oci::is_index_media_type(m.media_type)) {
    // Some registries send a generic Content-Type; the body says what it is.
    auto j = core::parse_json(m.body);
    if (j.ok() && j->is_object()) m.media_type = j->value("mediaType", "");
    if (m.media_type.empty() && j.ok() && j->is_object() && j->contains("manifests"))
      m.media_type = std::string(oci::kMediaTypeIndex);
    else if (m.media_type.empty())
      m.media_type = std::string(oci::kMediaTypeManifest);
  }
  return m;
}

core::Result<oci::Digest> Client::put_manifest(const std::string& repo, const std::string& ident,
                                               std::string_view media_type, std::string_view body) {
  Call call{repo, "push manifest " + ident, true};
  net::HttpRequest req;
  req.method = "PUT";
  req.url = url(repo, "manifests/" + ident);
  req.headers = {{"Content-Type", std::string(media_type)}};
  req.body = std::string(body);
  DISTILL_ASSIGN(net::HttpResponse r, send(req, call));
  if (r.status != 201 && r.status != 200) return status_error(r, call);
  return oci::Digest::of(body);
}

core::Status Client::get_blob(const std::string& repo, const oci::Digest& digest,
                              const net::BodySink& sink) {
  Call call{repo, "pull blob " + digest.str(), false};
  int64_t delivered = 0;  // bytes the sink has
  int64_t skip = 0;       // bytes at the start of this answer that the sink has
  std::string bad_range;
  net::BodySink resumed = [&](std::string_view chunk) {
    const auto drop = static_cast<size_t>(std::min<int64_t>(skip, std::ssize(chunk)));
    skip -= static_cast<int64_t>(drop);
    chunk.remove_prefix(drop);
    if (chunk.empty()) return true;
    delivered += std::ssize(chunk);
    return sink(chunk);
  };
  net::HttpRequest req;
  req.url = url(repo, "blobs/" + digest.str());
  // A 206 must start where the sink stopped; a 200 is the whole blob again.
  req.on_head = [&](const net::HttpResponse& head) {
    if (head.status != 206) return true;
    if (range_start_of(head.header("content-range")) == skip) {
      skip = 0;
      return true;
    }
    bad_range = head.header("content-range");
    return false;
  };
  auto before_retry = [&](net::HttpRequest& r) {
    skip = delivered;
    std::erase_if(r.headers, [](const auto& h) { return h.first == "Range"; });
    if (delivered > 0) r.headers.emplace_back("Range", "bytes=" + std::to_string(delivered) + "-");
  };
  auto sent = send(req, call, &resumed, before_retry);
  if (!bad_range.empty())
    return core::make_error(registry_ + "/" + repo,
                            "cannot " + call.action + ": asked for bytes from " +
                                std::to_string(delivered) + ", got Content-Range '" + bad_range +
                                "'",
                            "the registry or a proxy in between mishandles Range requests");
  DISTILL_ASSIGN(net::HttpResponse r, std::move(sent));
  if (r.status != 200 && r.status != 206) return status_error(r, call);
  ++stats_.downloaded;
  return core::Status::Ok();
}

}  // namespace distill::registry
