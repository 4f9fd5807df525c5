#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "net/http.hpp"

namespace distill::cache {

// The on-disk cache (docs/cache.md): blobs addressed by SHA-256, written
// atomically, verified on every read; a corrupt entry is removed and reported
// as a miss so that the caller fetches it again. Safe for several processes:
// writers never expose partial files and identical content may race freely.
class Cache {
 public:
  // $XDG_CACHE_HOME/distill, else $HOME/.cache/distill.
  static std::string default_root();
  static core::Result<Cache> open(std::string root);

  const std::string& root() const { return root_; }
  std::string blob_path(std::string_view sha256) const;

  // Path of the verified blob, or nullopt when absent or corrupt (then
  // removed, and `*corrupt` set when given: a file was there, but not of
  // this size and SHA-256, as when it was replaced).
  std::optional<std::string> lookup(std::string_view sha256, std::optional<uint64_t> size = {},
                                    bool* corrupt = nullptr);
  // Reads a verified blob into memory.
  std::optional<std::string> read(std::string_view sha256, std::optional<uint64_t> size = {});
  // The same, mapped instead of copied (for large blobs read whole, such as
  // Packages indices). The mapping is hashed after it is made; writers never
  // change a published blob in place, they rename a new file over it.
  std::optional<core::Buffer> read_mapped(std::string_view sha256,
                                          std::optional<uint64_t> size = {});

  // Writes a blob through `produce`, which pushes bytes into the sink it is
  // given; the result is published only if its SHA-256 (and size, if given)
  // match. `produce` may be re-run from scratch by the caller on retry.
  core::Result<std::string> store_with(
      std::string_view sha256, std::optional<uint64_t> size,
      const std::function<core::Status(const net::BodySink&)>& produce, const std::string& where);
  core::Result<std::string> store(std::string_view sha256, std::string_view data,
                                  const std::string& where);

  // Like store_with, for a producer that retries by itself (net::Fetcher):
  // calling `restart` discards everything pushed into the sink so far. A sink
  // given more bytes than `size` refuses them (aborting the transfer), so an
  // endless body never fills the disk.
  using RestartableProducer =
      std::function<core::Status(const net::BodySink& sink, const std::function<void()>& restart)>;
  core::Result<std::string> store_streaming(std::string_view sha256, std::optional<uint64_t> size,
                                            const RestartableProducer& produce,
                                            const std::string& where);

  // Small mutable entries keyed by name (the last verified InRelease of a
  // suite, layer and resolution records). Each is sealed with a SHA-256 of
  // its key and content (docs/cache.md): one that fails the check, as a
  // corrupt blob does, reads as absent.
  std::optional<std::string> read_named(std::string_view key);
  core::Status write_named(std::string_view key, std::string_view data);

 private:
  static constexpr std::string_view kRecordMagic = "distill-record-v1";
  static std::string seal(std::string_view key, std::string_view data);
  explicit Cache(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace distill::cache
