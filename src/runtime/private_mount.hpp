#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/temp_dir.hpp"

namespace distill::runtime {

// A filesystem mounted for containers inside a new private folder,
// $TMPDIR/<prefix>.XXXXXX (mode 0700, owned by us). What a container writes
// there lands on the host, so no other host user may reach it: a command
// running as root in the image can write a setuid-root program, which would
// run as root for anyone who can get to its path. The mount is nosuid and
// nodev as well, so such a file runs as root for nobody even by its path.
// Unmounted, then removed with everything in it, when destroyed.
class PrivateMount {
 public:
  // Creates the folder; mount() adds the filesystem.
  static core::Result<std::unique_ptr<PrivateMount>> create(const std::string& prefix);
  ~PrivateMount();
  PrivateMount(const PrivateMount&) = delete;
  PrivateMount& operator=(const PrivateMount&) = delete;

  // Makes <dir>/<name> and mounts a `type` filesystem there with `data`
  // (nosuid, nodev); called once.
  core::Status mount(const std::string& name, const std::string& type, const std::string& data);

  const std::string& dir() const { return dir_.path(); }
  // Where the filesystem is mounted; empty before mount().
  const std::string& target() const { return target_; }

 private:
  explicit PrivateMount(core::TempDir dir) : dir_(std::move(dir)) {}
  core::TempDir dir_;
  std::string target_;
};

}  // namespace distill::runtime
