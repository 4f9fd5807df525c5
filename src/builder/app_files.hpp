#pragma once

#include <vector>

#include "builder/spec.hpp"
#include "core/ignore_patterns.hpp"
#include "core/result.hpp"
#include "oci/fs_entry.hpp"

namespace distill::builder {

// The name of the ignore file read beside the spec.
inline constexpr const char* kIgnoreFileName = ".distillignore";

// The layer entries for the spec's `files` (docs/app-dependencies.md): a
// folder is copied as it is under dst, a file becomes dst (or dst/<name>
// when dst ends in '/'). Inside a folder, symlinks stay symlinks with their
// target verbatim (never followed), hard links within one entry stay hard
// links, names are walked in sorted order, and what the default excludes,
// the `.distillignore` beside the spec and the entry's `exclude` leave out
// is not read at all. Files and folders keep their host permissions without
// the write bits for group and others (& 0755): what the host withholds
// stays withheld in the image, and a loose umask adds nothing; a file's
// `mode` replaces them. A device, FIFO or socket is an error naming the
// host path and the spec's line.
core::Result<std::vector<oci::FsEntry>> app_file_entries(const Spec& spec);

// The patterns matched against paths relative to the spec's folder: the
// default excludes (.git, .env*, __pycache__, *.pyc, the spec and the ignore
// file themselves) followed by `.distillignore`'s lines, which may re-include
// with '!'. A missing ignore file is no error; one that is not a regular
// file (a symlink) is, so it is never read through a link.
core::Result<core::IgnorePatterns> app_ignore_patterns(const Spec& spec);

// Every `src` must resolve, symlinks followed as reading it follows them,
// inside the spec's folder unless `allow_outside` (`--allow-outside`): a
// spec is often someone else's, and must not copy the host's secrets
// (`src: /etc/shadow`, `../`, a symlink out of the tree) into an image. The
// ignore file is read here too, so a bad pattern stops the build before
// anything is fetched.
core::Status check_file_sources(const Spec& spec, bool allow_outside);

}  // namespace distill::builder
