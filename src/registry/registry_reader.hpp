#pragma once

#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "oci/image_reader.hpp"
#include "registry/reference.hpp"
#include "registry/remote.hpp"

namespace distill::registry {

// A registry reference read like a local image: index() holds one entry, the
// manifest or index the reference names (annotated with its tag), and blobs
// are fetched on demand: manifests from /manifests/<digest>, the rest from
// /blobs/<digest>. ImageReader checks every byte against its descriptor.
class RegistryReader : public oci::ImageReader {
 public:
  static core::Result<std::unique_ptr<RegistryReader>> open(const Reference& ref,
                                                            std::unique_ptr<Remote> remote,
                                                            const oci::ReaderLimits& limits = {});
  // Over a client the caller keeps alive (tests, fakes).
  static core::Result<std::unique_ptr<RegistryReader>> open(const Reference& ref, Client& client,
                                                            const oci::ReaderLimits& limits = {});

  const oci::Index& index() const override { return index_; }
  // No limit of its own: the caller's --parallel decides.
  int parallel_reads() const override { return std::numeric_limits<int>::max(); }
  const Reference& reference() const { return ref_; }
  Client& client() { return *client_; }

 protected:
  core::Status stream_raw(const oci::Descriptor& d, const Sink& sink) override;

 private:
  RegistryReader(Reference ref, Client& client, const oci::ReaderLimits& limits)
      : ImageReader(ref.str(), limits), ref_(std::move(ref)), client_(&client) {}
  core::Status load();

  Reference ref_;
  std::unique_ptr<Remote> remote_;  // owns *client_ when opened from a Remote
  Client* client_;
  oci::Index index_;
  std::mutex mu_;
  std::map<oci::Digest, std::string> manifests_;  // fetched manifest bodies
};

// Parses and connects: what ImageSource uses for a registry reference.
core::Result<std::unique_ptr<oci::ImageReader>> open_registry_reader(
    std::string_view text, const RemoteOptions& options, const oci::ReaderLimits& limits = {});

}  // namespace distill::registry
