#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

// Debian byte-compiles Python in maintainer scripts (python3.N's postinst
// runs py_compile over the stdlib, py3compile does dist-packages), which
// distill never runs: without this effect a python3 image has no .pyc and
// every start on a read-only root compiles the stdlib again.
//
// compile_python() runs the image's own interpreter over its own sources, in
// a runc sandbox (read-only root, no network, no capabilities, uid 65534,
// one writable folder at /out), and adds what it wrote back to the tree as
// hash-based .pyc (PEP 552, unchecked): no source mtime inside, so two builds
// give the same bytes. See docs/effects-python-bytecode.md.

// .pyc compiled before, for the same interpreters and sources.
struct StoredBytecode {
  std::vector<oci::FsEntry> files;  // the .pyc entries, paths as in the tree
  size_t failed = 0;
};

// Where compile_python keeps what it compiled and finds it again under a key
// (bytecode_key) that covers every byte deciding the output, so a stored set
// is the set the sandbox would make: the build's layer stays reproducible.
class BytecodeStore {
 public:
  virtual ~BytecodeStore() = default;
  virtual std::optional<StoredBytecode> load(const std::string& key) = 0;
  virtual void save(const std::string& key, const StoredBytecode& stored) = 0;
};

struct BytecodeOptions {
  std::string arch;         // Debian arch of the image (amd64, arm64, ...); empty: the host's
  std::string work_parent;  // where the private 0700 sandbox folder is made
  int64_t mtime = 0;        // the build's SOURCE_DATE_EPOCH, for the new entries
  // Test seams. runc: the program to use, empty for runtime::find_runc();
  // binfmt_misc: where the kernel lists its emulators for foreign binaries.
  std::string runc;
  std::string binfmt_misc = "/proc/sys/fs/binfmt_misc";
  // Compiled sets kept between builds; nullptr compiles every time.
  BytecodeStore* store = nullptr;
};

struct BytecodeResult {
  bool ran = false;         // false: nothing to do (no python in the tree) or skipped
  std::string skipped;      // one-line reason when the sandbox cannot run
  size_t compiled = 0;      // .pyc files added
  size_t failed = 0;        // sources the interpreter refused (Debian ignores them too)
  bool from_store = false;  // the set came from options.store: no sandbox ran
};

// Compiles, at optimisation level 0 as Debian does, every .py under
// usr/lib/python3.N and usr/lib/python3/dist-packages with each interpreter
// usr/bin/python3.N of the tree, adding
// ".../__pycache__/NAME.cpython-3N.pyc" (0644, root, `mtime`) and the
// __pycache__ folders (0755). When the sandbox cannot run (no runc, not root,
// no emulator for a foreign architecture) the tree is left as it is and
// `skipped` says why. An interpreter that cannot start is an error.
core::Result<BytecodeResult> compile_python(Tree& tree, const BytecodeOptions& options);

// Why compile_python would skip here (the reason it gives), or "" when its
// sandbox can run. Part of the package layer's cache key: a layer built
// where it could not run is not reused where it can.
std::string bytecode_sandbox_blocker(const BytecodeOptions& options);

// The key of a tree's bytecode: the recipe (driver, format), the target
// architecture, each interpreter's bytes and the path and bytes of every
// source under the compiled roots, in sorted order.
core::Result<std::string> bytecode_key(const Tree& tree, std::string_view arch);

// The second half of compile_python, exposed for tests: reads what the
// sandbox wrote below `out_dir` (a mirror of the image's paths) without
// following any symlink, and adds to `tree` only regular files named
// "<dir>/__pycache__/<stem>.<tag>.pyc" with a tag of `tags` ("cpython-311")
// whose source "<dir>/<stem>.py" is in the tree under a compiled root, each
// a hash-based .pyc of bounded size. Anything else is ignored; more output
// than any image needs is an error. Returns the number of .pyc added.
core::Result<size_t> add_bytecode_output(Tree& tree, const std::string& out_dir,
                                         const std::vector<std::string>& tags, int64_t mtime);

}  // namespace distill::effects
