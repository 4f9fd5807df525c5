#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/temp_dir.hpp"
#include "core/unique_fd.hpp"
#include "runtime/container_record.hpp"

namespace distill::runtime {

// distill's folder for named containers (docs/run.md, "State"), root's
// only (0700 at every level):
//   <root>/containers/<name>/  record.json, log, runc.log, the bundle
//   <root>/runc/               runc's state (`runc --root`): distill owns it
//   <root>/new/                folders being claimed (core::TempDir)
// A name is claimed by renaming a fresh, locked folder of new/ to
// containers/<name>: atomic, so two runs never get one name. Whoever holds
// a folder's flock (a creating or stopping distill, a foreground run) owns
// it; the lock dies with its process, even on SIGKILL.
class StateStore {
 public:
  explicit StateStore(std::string root) : root_(std::move(root)) {}
  // $DISTILL_STATE_DIR, else /var/lib/distill.
  static std::string default_root();

  const std::string& root() const { return root_; }
  std::string runc_root() const { return root_ + "/runc"; }
  std::string container_dir(const std::string& name) const;
  std::string log_path(const std::string& name) const { return container_dir(name) + "/log"; }
  std::string runc_log_path(const std::string& name) const {
    return container_dir(name) + "/runc.log";
  }

  // Makes the folders (0700) when missing.
  core::Status prepare() const;
  // The names under containers/, sorted; none when the root is missing.
  std::vector<std::string> names() const;
  bool exists(const std::string& name) const;

  core::Result<ContainerRecord> read_record(const std::string& name) const;
  core::Status write_record(const ContainerRecord& record) const;
  // The folder's lock when no live distill holds it, else an empty fd.
  core::Result<core::UniqueFd> try_lock(const std::string& name) const;
  // Creates containers/<record.name> holding `record`; locked for as long as
  // the returned folder lives (kept on destruction: the caller removes it).
  core::Result<core::TempDir> claim(const ContainerRecord& record) const;
  // Deletes a container's folder with everything in it.
  core::Status remove(const std::string& name) const;

 private:
  std::string root_;
};

}  // namespace distill::runtime
