#pragma once

#include <archive.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/content_pack.hpp"

namespace distill::oci {

// Every kind of member a tar can hold. What a caller accepts is its own
// policy (a .deb refuses devices, `import` drops them, `lint` reports them);
// reading them is the same everywhere.
enum class TarType {
  kRegular,
  kDirectory,
  kSymlink,
  kHardlink,
  kCharDevice,
  kBlockDevice,
  kFifo,
  kSocket
};

// "regular file", "directory", "symlink", "hardlink", "character device", ...
std::string_view tar_type_name(TarType type);

// One tar member's header, as the tar states it.
struct TarMember {
  std::string name;  // verbatim; valid UTF-8 (the reader pins the locale)
  TarType type = TarType::kRegular;
  uint32_t mode = 0;  // permission bits, setuid/setgid/sticky included
  // The one owner policy of every tar distill reads: ids are 0..2^32-1, as
  // in a filesystem; a header with a negative or larger id is refused.
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime = 0;
  int64_t size = 0;  // content bytes the header states (0 when it states none)
  // kSymlink: the target; kHardlink: the member name it links to. Verbatim.
  std::string link;
  std::map<std::string, std::string> xattrs;  // e.g. "security.capability"
};

struct TarReadOptions {
  // A .deb must be exactly what dpkg reads; an image layer from another tool
  // is read as leniently as the runtimes read it.
  bool warnings_are_errors = false;
  uint64_t max_members = UINT64_MAX;
};

using ContentSink = std::function<core::Status(std::string_view)>;

// Walks the members of a tar that the caller has opened on `tar` (and keeps
// open and owns), with one set of rules for names, types, ids and content
// reads. Each error's `where` is the `where` given here; its `what` names the
// member. Used by every tar distill reads: layers, .deb members and the root
// filesystem tars of `import`.
class TarEntryReader {
 public:
  TarEntryReader(archive* tar, std::string where, TarReadOptions options = {});

  // Reads the next header into `out`; false at the end of the archive.
  core::Result<bool> next(TarMember& out);

  // The current member's content, streamed to `sink` in bounded chunks.
  core::Status copy_content(const ContentSink& sink);
  // Appends the current member's content to `pack` and gives its range
  // there, so that no member's size costs memory (and a file of zeros costs
  // no disk either: the pack leaves holes).
  core::Result<ContentRange> pack_content(ContentPack& pack);
  // The current member's content; more than `max_bytes` is an error, checked
  // against the stated size before anything is read.
  core::Result<std::string> read_content(uint64_t max_bytes);

  // "member 'name' <what>", the name escaped so that a hostile one cannot
  // drive the terminal that shows it.
  core::Error member_error(std::string what, std::string hint = {}) const;
  const std::string& where() const { return where_; }
  uint64_t members_read() const { return members_; }

 private:
  core::Result<TarType> type_of(struct archive_entry* e) const;

  archive* tar_;
  std::string where_;
  TarReadOptions options_;
  std::string current_;  // the name of the member `next` returned last
  uint64_t current_size_ = 0;
  uint64_t members_ = 0;
  std::vector<char> buffer_;  // copy_content's, kept across members
};

// Quotes a name from an archive for a message, escaping control bytes (and,
// in a name that is not UTF-8, every non-ASCII byte).
std::string quote_name(std::string_view name);

}  // namespace distill::oci
