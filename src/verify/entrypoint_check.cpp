#include "verify/entrypoint_check.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"
#include "oci/image_config.hpp"

namespace distill::verify {
namespace {

using image::FileType;

// What one candidate path turned out to be.
struct Candidate {
  std::string path;                         // as tried, "/usr/bin/x"
  const image::FileEntry* entry = nullptr;  // the file it leads to, symlinks followed
  std::string problem;                      // why it cannot start: empty when it can
};

Candidate look_at(const image::RootfsView& fs, std::string path) {
  Candidate c{std::move(path), nullptr, {}};
  auto r = fs.resolve(c.path);
  if (!r.ok()) {
    const auto* link = fs.find(c.path.substr(1));
    if (link != nullptr && link->type == FileType::kSymlink)
      c.problem = fmt::format("'{}' is a symlink to '{}', which is not in the image", c.path,
                              core::escape_control(link->link_target));
    else if (r.error().what.find("implied") != std::string::npos)
      c.problem = fmt::format("'{}' is a directory", c.path);
    return c;
  }
  c.entry = *r;
  if (c.entry->type == FileType::kDirectory)
    c.problem = fmt::format("'{}' is a directory", c.path);
  else if (c.entry->type != FileType::kRegular)
    c.problem = fmt::format("'{}' is not a regular file", c.path);
  else if ((c.entry->mode & 0111) == 0)
    c.problem = fmt::format("'{}' has no execute bit (mode {:04o})", c.path, c.entry->mode & 07777);
  return c;
}

std::string in_folder(std::string_view folder, std::string_view name) {
  std::string dir = folder.empty() ? "/" : std::string(folder);
  if (!dir.starts_with("/")) dir = "/" + dir;
  if (!dir.ends_with("/")) dir += "/";
  return dir + std::string(name);
}

// The permission bits that apply to `q`'s user, as the kernel picks them.
bool executable_by(const image::FileEntry& e, const EntrypointQuery& q) {
  if (q.uid == 0) return (e.mode & 0111) != 0;
  if (e.uid == q.uid) return (e.mode & 0100) != 0;
  if (e.gid == q.gid) return (e.mode & 0010) != 0;
  return (e.mode & 0001) != 0;
}

}  // namespace

core::Result<std::string> resolve_entrypoint(const image::RootfsView& fs,
                                             const EntrypointQuery& q) {
  const std::string path_env = q.path_env.empty() ? std::string(oci::kDefaultPath) : q.path_env;
  std::vector<Candidate> tried;
  if (q.program.find('/') != std::string::npos) {
    tried.push_back(
        look_at(fs, q.program.starts_with("/") ? q.program : in_folder(q.workdir, q.program)));
  } else {
    for (auto dir : core::split(path_env, ':')) {
      tried.push_back(
          look_at(fs, in_folder(dir.empty() ? std::string_view(q.workdir) : dir, q.program)));
      if (tried.back().entry != nullptr && tried.back().problem.empty()) break;
    }
  }
  const Candidate* found = nullptr;
  for (const auto& c : tried)
    if (c.entry != nullptr && c.problem.empty()) found = &c;
  if (found == nullptr) {
    for (const auto& c : tried)
      if (!c.problem.empty())
        return core::make_error("", fmt::format("'{}' cannot start: {}", q.program, c.problem),
                                "point it at an executable file of the image");
    bool searched = q.program.find('/') == std::string::npos;
    return core::make_error(
        "",
        searched ? fmt::format("'{}' not found in the image (PATH={})", q.program, path_env)
                 : fmt::format("'{}' not found in the image", q.program),
        "install the package that provides it, add it with files:, or fix the path");
  }
  const image::FileEntry& e = *found->entry;
  if (!executable_by(e, q))
    return core::make_error(
        "",
        fmt::format("'{}' is not executable by user '{}' (mode {:04o}, owner {}:{})", found->path,
                    q.user, e.mode & 07777, e.uid, e.gid),
        "give it mode 0755 (files: mode), or run as its owner");
  return "/" + e.path;
}

}  // namespace distill::verify
