#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "oci/image_reader.hpp"

namespace distill::oci {

// An OCI image layout folder. Files are opened relative to the folder with
// O_NOFOLLOW at every step, so a symlinked blob (or blobs folder) cannot make
// us read outside it.
class LayoutReader : public ImageReader {
 public:
  static core::Result<std::unique_ptr<LayoutReader>> open(const std::string& path,
                                                          const ReaderLimits& limits);

  const Index& index() const override { return index_; }

 protected:
  core::Status stream_raw(const Descriptor& d, const Sink& sink) override;

 private:
  LayoutReader(std::string path, ReaderLimits limits, core::UniqueFd dir)
      : ImageReader(std::move(path), limits), dir_(std::move(dir)) {}
  core::Result<std::string> read_small(const char* name, int64_t max_size);

  core::UniqueFd dir_;
  Index index_;
};

}  // namespace distill::oci
