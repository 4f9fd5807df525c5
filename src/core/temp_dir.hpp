#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace distill::core {

// Every temporary distill makes is named "<prefix>.<pid>.XXXXXX" and flock'd
// by its creator for as long as it lives (the lock dies with the process,
// even on SIGKILL). A later run removes the temporaries whose owner is gone:
// its pid no longer exists and nobody holds the lock. Age alone is never a
// reason, so a slow live writer's temporary is never removed.

// A private folder removed with everything in it when this goes out of scope.
class TempDir {
 public:
  // Created under `parent` (default $TMPDIR or /tmp); stale folders of the
  // same prefix left there by dead processes are removed first.
  static Result<TempDir> create(const std::string& parent = {},
                                const std::string& prefix = "distill");
  TempDir(TempDir&& o) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // Keeps the folder on destruction (for debugging a failure).
  void keep() { keep_ = true; }

 private:
  TempDir(std::string path, UniqueFd lock) : path_(std::move(path)), lock_(std::move(lock)) {}
  std::string path_;
  UniqueFd lock_;
  bool keep_ = false;
};

// `parent`, or $TMPDIR (else /tmp) when it is empty: where TempDir::create makes its folder.
std::string temp_parent(const std::string& parent = {});

// A file or folder made beside `target` ("<target>.distill-tmp.<pid>.XXXXXX"),
// flock'd through `fd` (the file itself, or the folder opened read-only).
struct TempSibling {
  std::string path;
  UniqueFd fd;
};
enum class TempKind { kFile, kFolder };
// Removes the stale temporaries of `target` first, then makes a new one
// (a file with mode 0600, a folder with mode 0700).
Result<TempSibling> create_temp_sibling(const std::string& target, TempKind kind);

// The temporaries named "<prefix>.<pid>.XXXXXX" in `dir` whose owner is gone.
std::vector<std::string> stale_temporaries(const std::string& dir, std::string_view prefix);
// Removes them; one that cannot be removed is left for a later run.
void remove_stale_temporaries(const std::string& dir, std::string_view prefix);

// rm -rf without following symlinks or crossing into another filesystem (a
// mount left behind is reported, never emptied). It works one folder at a
// time relative to its parent (openat/unlinkat), so trees deeper than
// PATH_MAX or than the open-files limit are removed too.
Status remove_tree(const std::string& path);

}  // namespace distill::core
