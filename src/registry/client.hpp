#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "net/fetcher.hpp"
#include "net/http.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"
#include "registry/auth.hpp"

namespace distill::registry {

struct ClientOptions {
  // Allows http:// when https:// does not answer (--insecure, or a loopback host).
  bool allow_http = false;
  // > 0: upload blobs larger than this in PATCH chunks of this size (raised
  // to the registry's OCI-Chunk-Min-Length). 0: one PUT per blob.
  int64_t chunk_size = 0;
  net::RetryPolicy retry;
};

// A manifest or index exactly as the registry sent it.
struct FetchedManifest {
  std::string media_type;
  std::string body;
  oci::Digest digest;
};

// What a push or pull moved, for the summary line and the tests.
struct TransferStats {
  std::atomic<int> uploaded{0};
  std::atomic<int> mounted{0};
  std::atomic<int> skipped{0};
  std::atomic<int> downloaded{0};
};

// The OCI Distribution API of one registry. Every request carries the
// Authenticator's header and is retried with doubling backoff when no answer
// arrives, the answer is cut short or it is 408/429/5xx; other failures (a
// 4xx, an unsupported protocol, a receiver that stopped the transfer) fail at
// once with an error naming the repository and the action. Safe to share
// between threads.
class Client {
 public:
  Client(net::HttpTransport& transport, core::Clock& clock, std::string registry,
         Credential credential, ClientOptions options = {});

  const std::string& registry() const { return registry_; }
  // "https://host:port" or, after ping() fell back, "http://host:port".
  const std::string& base_url() const { return base_; }
  TransferStats& stats() { return stats_; }

  // GET /v2/: picks https or http and learns the auth scheme.
  core::Status ping();

  // GET /v2/ with the credential: fails when the registry refuses it.
  core::Status check_login();

  core::Result<bool> blob_exists(const std::string& repo, const oci::Digest& digest);
  // HEAD of a blob: its size (Content-Length; -1 when not sent), nullopt
  // when the registry does not have it.
  core::Result<std::optional<int64_t>> blob_size(const std::string& repo,
                                                 const oci::Digest& digest);
  // Asks the registry to link a blob from another of its repositories. False
  // when it declined (the caller uploads instead).
  core::Result<bool> mount_blob(const std::string& repo, const oci::Digest& digest,
                                const std::string& from_repo);
  // Uploads `body` (streamed: memory does not grow with the blob) and lets
  // the registry check it against `digest`.
  core::Status upload_blob(const std::string& repo, const oci::Digest& digest,
                           net::BodySource& body);
  core::Status upload_blob(const std::string& repo, const oci::Digest& digest,
                           std::string_view data);

  // HEAD of a manifest: the registry's digest for it, empty when it has none.
  core::Result<std::string> manifest_digest(const std::string& repo, const std::string& ident);
  core::Result<FetchedManifest> get_manifest(const std::string& repo, const std::string& ident);
  // GET /v2/<repo>/referrers/<digest> (distribution-spec 1.1): the image
  // index listing the manifests whose subject is `subject`, or nullopt when
  // the registry has no referrers API (404; Docker Distribution 2.8).
  core::Result<std::optional<std::string>> get_referrers(const std::string& repo,
                                                         const oci::Digest& subject);
  // PUT under a tag or digest; returns the digest of `body`.
  core::Result<oci::Digest> put_manifest(const std::string& repo, const std::string& ident,
                                         std::string_view media_type, std::string_view body);
  // Streams a blob into `sink` as one unbroken run of bytes: a retry after
  // a cut connection resumes at the first byte not delivered (a Range
  // request; when the registry ignores it, the bytes already delivered are
  // skipped). Unverified: the caller checks size and digest.
  core::Status get_blob(const std::string& repo, const oci::Digest& digest,
                        const net::BodySink& sink);

 private:
  struct Call {
    std::string repo;
    std::string action;  // "push blob sha256:..." for messages
    bool push = false;
    bool authenticate = true;  // false: a 401 is an answer (probing /v2/)
  };
  // `before_retry` may change the request for the next attempt.
  using RetryHook = std::function<void(net::HttpRequest&)>;
  core::Result<net::HttpResponse> send(net::HttpRequest req, const Call& call,
                                       const net::BodySink* sink = nullptr,
                                       const RetryHook& before_retry = {});
  // A GET of a document (a manifest, a referrers index) into `body`, read up
  // to 8 MiB and no further: a hostile registry's endless answer never sits
  // in memory. Past the limit, an error at `where` naming `what`
  // ("manifest") and what a document of that kind is ("a manifest").
  core::Result<net::HttpResponse> get_document(net::HttpRequest req, const Call& call,
                                               std::string& body, const std::string& where,
                                               std::string_view what, std::string_view kind);
  core::Error status_error(const net::HttpResponse& r, const Call& call) const;
  std::string url(const std::string& repo, std::string_view tail) const;
  std::string resolve(std::string_view location) const;
  core::Status upload_once(const std::string& repo, const oci::Digest& digest,
                           net::BodySource& body, const Call& call);

  net::HttpTransport& transport_;
  core::Clock& clock_;
  std::string registry_;
  ClientOptions options_;
  Authenticator auth_;
  std::string base_;
  TransferStats stats_;
};

// The Accept header for manifests: OCI and Docker schema 2, images and indexes.
std::string manifest_accept_header();

}  // namespace distill::registry
