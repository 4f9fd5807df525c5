#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/image_reader.hpp"

namespace distill::oci {

// A docker-archive tar (`docker save` output; plain, gzip, xz or zstd
// compressed). Opening reads the archive once: it hashes every member, keeps
// small JSON members in memory (bounded), then builds an OCI manifest for each
// manifest.json entry, so callers see the same descriptors as for a layout.
// A layer blob read later is found by a fresh pass and verified again.
class DockerArchiveReader : public ImageReader {
 public:
  static core::Result<std::unique_ptr<DockerArchiveReader>> open(const std::string& path,
                                                                 const ReaderLimits& limits);

  const Index& index() const override { return index_; }
  std::vector<std::string> ref_names(size_t i) const override { return refs_.at(i); }

  struct Member {
    int64_t size = 0;
    std::string sha256;
    std::string head;     // first bytes, to recognise compression
    std::string content;  // kept for small .json members and `repositories`
    bool kept = false;
    bool oversized = false;  // metadata (.json, repositories) too big to keep
  };

 protected:
  core::Status stream_raw(const Descriptor& d, const Sink& sink) override;

 private:
  DockerArchiveReader(std::string path, ReaderLimits limits)
      : ImageReader(std::move(path), limits) {}
  core::Status scan();
  core::Status build_index();

  std::map<std::string, Member> members_;            // regular files by normalised name
  std::map<std::string, std::string> blob_members_;  // digest hex -> member name
  std::map<std::string, std::string> synthesized_;   // digest hex -> manifest JSON
  std::vector<std::vector<std::string>> refs_;
  Index index_;
};

}  // namespace distill::oci
