#pragma once

#include <string>

#include "core/result.hpp"

namespace distill::runtime {

// A SHA-256 over the metadata of every entry below `dir` (the folder itself
// included), in a fixed order: depth, name, type and mode, owner, size,
// inode, link count, device number, modification and inode-change times in
// nanoseconds. Contents are not read: writing a file, changing its owner,
// mode or extended attributes, renaming, adding or removing an entry all
// change an inode-change time (ctime), which nobody but the kernel sets, so
// the digest of a tree changes whenever anything in it does, at the cost of
// one fstatat per entry. Trees deeper than PATH_MAX are walked one folder
// at a time ("..", checked against the folder we came from), so depth costs
// no descriptors. Nothing is followed: symlinks are listed, never entered,
// and a mount point is an error.
core::Result<std::string> tree_digest(const std::string& dir);

}  // namespace distill::runtime
