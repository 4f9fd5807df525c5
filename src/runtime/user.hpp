#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::runtime {

// The uid and gids a container process runs with.
struct ProcessUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;  // groups of /etc/group listing the user, sorted
};

// Resolves an image config's or `--user`'s "user[:group]" the way container
// engines do: a name is looked up in the image's /etc/passwd (its primary
// group becomes the gid), a number is used as is (with the gid of its passwd
// entry when there is one, else 0); a group, by name (in /etc/group) or
// number, overrides the gid. Empty means root. A name that the image does
// not know is an error.
core::Result<ProcessUser> resolve_user(std::string_view spec, std::string_view passwd,
                                       std::string_view group);

}  // namespace distill::runtime
