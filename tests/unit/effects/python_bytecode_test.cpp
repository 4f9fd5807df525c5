#include "effects/python_bytecode.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "core/process.hpp"
#include "unit/test_util/temp_folder.hpp"

namespace distill::effects {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHostPython = "/usr/bin/python3.11";
constexpr int64_t kEpoch = 1700000000;

// A PEP 552 header with `flags`, then a body.
std::string pyc_bytes(uint8_t flags) {
  std::string data = "\xa7\x0d\x0d\x0a";
  data += static_cast<char>(flags);
  data += std::string(3, '\0');
  data += std::string(8, 'h') + "body";
  return data;
}

void add_host_file(Tree& tree, const fs::path& host) {
  struct stat st;
  ASSERT_EQ(::lstat(host.c_str(), &st), 0) << host;
  std::string path = tree_path(host.string());
  if (S_ISDIR(st.st_mode)) {
    tree.put(oci::FsEntry::directory(path, st.st_mode & 07777));
  } else if (S_ISLNK(st.st_mode)) {
    tree.put(oci::FsEntry::symlink(path, fs::read_symlink(host).string()));
  } else if (S_ISREG(st.st_mode)) {
    tree.put(oci::FsEntry::host_file(path, host.string(), st.st_mode & 07777));
  }
}

void add_host_folder(Tree& tree, const fs::path& dir) {
  add_host_file(tree, dir);
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->path().filename() == "__pycache__") {
      it.disable_recursion_pending();
      continue;
    }
    add_host_file(tree, it->path());
  }
}

// The libraries ldd names, at their real paths, with a symlink where the
// name ld.so looks for differs (lib64/ld-linux-x86-64.so.2).
void add_libraries(Tree& tree) {
  auto ldd = core::system_process_runner().run({"/usr/bin/ldd", kHostPython});
  ASSERT_TRUE(ldd.ok());
  for (std::string_view line : core::lines(ldd->out)) {
    size_t slash = line.find('/');
    if (slash == std::string_view::npos) continue;
    std::string_view rest = line.substr(slash);
    fs::path named(std::string(rest.substr(0, rest.find(' '))));
    fs::path real = fs::canonical(named);
    tree.put(oci::FsEntry::host_file(tree_path(real.string()), real.string(), 0755));
    fs::path link = fs::canonical(named.parent_path()) / named.filename();
    if (link != real)
      tree.put(oci::FsEntry::symlink(tree_path(link.string()), "/" + tree_path(real.string())));
  }
}

// The host's python3.11 with the part of its stdlib that starting it and
// py_compile need, plus a few packages, a broken source and a dist-package.
Tree host_python_tree() {
  Tree tree;
  tree.put(oci::FsEntry::symlink("bin", "usr/bin"));
  tree.put(oci::FsEntry::symlink("lib", "usr/lib"));
  tree.put(oci::FsEntry::symlink("lib64", "usr/lib64"));
  for (const char* d : {"usr", "usr/bin", "usr/lib", "usr/lib64", "usr/lib/python3",
                        "usr/lib/python3/dist-packages", "usr/lib/python3/dist-packages/demo"})
    tree.put(oci::FsEntry::directory(d));
  tree.put(oci::FsEntry::host_file("usr/bin/python3.11", kHostPython, 0755));
  tree.put(oci::FsEntry::symlink("usr/bin/python3", "python3.11"));
  add_libraries(tree);
  const fs::path stdlib = "/usr/lib/python3.11";
  add_host_file(tree, stdlib);
  for (const auto& e : fs::directory_iterator(stdlib))
    if (e.is_regular_file() && e.path().extension() == ".py") add_host_file(tree, e.path());
  for (const char* pkg : {"encodings", "collections", "importlib", "json", "email", "re", "asyncio",
                          "concurrent", "lib-dynload"})
    add_host_folder(tree, stdlib / pkg);
  tree.put(oci::FsEntry::file("usr/lib/python3.11/distill_broken.py", "def (:\n"));
  // A set literal becomes a frozenset constant, whose order follows the hash seed.
  tree.put(oci::FsEntry::file("usr/lib/python3/dist-packages/demo/__init__.py",
                              "WORDS = {'alpha', 'beta', 'gamma', 'delta', 'epsilon'}\n"));
  return tree;
}

std::map<std::string, std::string> pyc_files(const Tree& tree) {
  std::map<std::string, std::string> out;
  for (const auto& e : tree.entries())
    if (e.path.ends_with(".pyc")) out[e.path] = e.data;
  return out;
}

class PythonBytecode : public test_support::TempFolderTest {
 protected:
  BytecodeOptions options() const {
    BytecodeOptions o;
    o.arch = "amd64";
    o.work_parent = dir_->path();
    o.mtime = kEpoch;
    return o;
  }
};

TEST_F(PythonBytecode, CompilesTheImagesStdlibReproduciblyWithHashBasedPyc) {
  ASSERT_EQ(::access(kHostPython, X_OK), 0) << "the test needs the host's python3.11";
  Tree first = host_python_tree();
  const size_t before = first.size();
  auto r = compile_python(first, options());
  ASSERT_TRUE(r.ok()) << r.error().what;
  ASSERT_TRUE(r->ran) << "skipped: " << r->skipped << " (CI installs runc and runs as root)";
  EXPECT_GT(r->compiled, 300u);
  // distill_broken.py, and Debian's sitecustomize.py, a link into /etc the tree lacks.
  EXPECT_GE(r->failed, 1u);
  auto files = pyc_files(first);
  EXPECT_EQ(files.size(), r->compiled);
  EXPECT_GT(first.size(), before + files.size());  // the __pycache__ folders too
  for (const auto& [path, data] : files) {
    const oci::FsEntry* e = first.find(path);
    EXPECT_EQ(e->mode, 0644u);
    EXPECT_EQ(e->mtime, kEpoch);
    EXPECT_EQ(e->uid, 0u);
    fs::path p(path);
    ASSERT_EQ(p.parent_path().filename(), "__pycache__") << path;
    const oci::FsEntry* dir = first.find(p.parent_path().string());
    ASSERT_NE(dir, nullptr);
    EXPECT_EQ(dir->type, oci::EntryType::kDirectory);
    EXPECT_EQ(dir->mode, 0755u);
    std::string stem = p.filename().string();
    ASSERT_TRUE(stem.ends_with(".cpython-311.pyc")) << path;
    stem.resize(stem.size() - std::string(".cpython-311.pyc").size());
    EXPECT_NE(first.find((p.parent_path().parent_path() / (stem + ".py")).string()), nullptr);
    ASSERT_GE(data.size(), 16u);
    EXPECT_EQ(data.substr(4, 4), std::string("\x01\0\0\0", 4)) << path << ": not unchecked-hash";
  }
  EXPECT_EQ(files.count("usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc"), 1u);
  EXPECT_EQ(files.count("usr/lib/python3/dist-packages/demo/__pycache__/__init__.cpython-311.pyc"),
            1u);

  Tree second = host_python_tree();
  auto again = compile_python(second, options());
  ASSERT_TRUE(again.ok()) << again.error().what;
  EXPECT_TRUE(pyc_files(second) == files) << "two runs gave different .pyc";
  // The sandbox and runc's state are gone.
  EXPECT_TRUE(fs::is_empty(dir_->path()));
}

// The host's python accepts one of the files as the cache of its source,
// and compiling that source on the host gives the same bytes.
TEST_F(PythonBytecode, HostPythonLoadsTheCompiledFile) {
  Tree tree = host_python_tree();
  auto r = compile_python(tree, options());
  ASSERT_TRUE(r.ok()) << r.error().what;
  ASSERT_TRUE(r->ran) << "skipped: " << r->skipped;
  const std::string source = "/usr/lib/python3.11/json/decoder.py";
  const oci::FsEntry* pyc =
      tree.find("usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc");
  ASSERT_NE(pyc, nullptr);
  ASSERT_TRUE(core::write_file_atomic(path("ours.pyc"), pyc->data).ok());
  const std::string check =
      "import importlib.util, marshal, py_compile, sys\n"
      "src, ours, host = sys.argv[1:]\n"
      "data = open(ours, 'rb').read()\n"
      "assert data[:4] == importlib.util.MAGIC_NUMBER, 'magic'\n"
      "assert data[8:16] == importlib.util.source_hash(open(src, 'rb').read()), 'hash'\n"
      "code = marshal.loads(data[16:])\n"
      "assert code.co_filename == src, code.co_filename\n"
      "py_compile.compile(src, cfile=host, dfile=src, doraise=True,\n"
      "    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)\n"
      "print('same' if open(host, 'rb').read() == data else 'different')\n";
  auto run =
      core::system_process_runner().run({"/usr/bin/env", "PYTHONHASHSEED=0", kHostPython, "-s",
                                         "-c", check, source, path("ours.pyc"), path("host.pyc")});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 0) << run->err;
  EXPECT_EQ(run->out, "same\n");
}

// Run by the image's interpreter at start (site imports it even with -s):
// checks the sandbox from inside, failing the run with a line on stderr,
// then plants what a hostile image could leave in /out.
std::string sandbox_probe(int port) {
  std::string probe = R"PY(
import os, socket, sys
def breach(what):
    sys.stderr.write("SANDBOX-BREACH: " + what + "\n")
    sys.stderr.flush()
    os._exit(3)
if os.getuid() != 65534 or os.getgid() != 65534:
    breach("runs as %d:%d" % (os.getuid(), os.getgid()))
status = open("/proc/self/status").read()
if "CapEff:\t0000000000000000" not in status or "CapBnd:\t0000000000000000" not in status:
    breach("has capabilities")
if "NoNewPrivs:\t1" not in status:
    breach("may gain privileges")
if os.environ.get("PYTHONHASHSEED") != "0" or "PYTHONDONTWRITEBYTECODE" in os.environ:
    breach("environment: %r" % dict(os.environ))
if sys.flags.hash_randomization:
    breach("hash randomization on")
try:
    open("/usr/lib/python3.11/planted.py", "w")
    breach("the root is writable")
except OSError:
    pass
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("127.0.0.1", PORT))
    breach("reached the host's loopback")
except OSError:
    pass
if os.stat("/out").st_uid != 65534:
    breach("/out is not the container user's")
os.makedirs("/out/usr/lib/python3.11/__pycache__", exist_ok=True)
os.symlink("/etc/hostname", "/out/usr/lib/python3.11/__pycache__/abc.cpython-311.pyc")
os.symlink("/", "/out/usr/lib/python3.11/json")
)PY";
  probe.replace(probe.find("PORT"), 4, std::to_string(port));
  return probe;
}

TEST_F(PythonBytecode, SandboxHasNoPrivilegesNoNetworkAndItsOutputIsNotTrusted) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  Tree tree = host_python_tree();
  tree.put(oci::FsEntry::file("usr/lib/python3.11/sitecustomize.py",
                              sandbox_probe(ntohs(addr.sin_port))));
  auto r = compile_python(tree, options());
  ::close(listener);
  ASSERT_TRUE(r.ok()) << r.error().what;
  ASSERT_TRUE(r->ran) << "skipped: " << r->skipped;
  auto files = pyc_files(tree);
  EXPECT_EQ(files.count("usr/lib/python3.11/__pycache__/os.cpython-311.pyc"), 1u);
  EXPECT_EQ(files.count("usr/lib/python3.11/__pycache__/abc.cpython-311.pyc"), 0u);
  for (const auto& [path, data] : files)
    EXPECT_FALSE(path.starts_with("usr/lib/python3.11/json/")) << path;
}

TEST_F(PythonBytecode, AnInterpreterThatCannotStartIsAnErrorAndLeavesNothingBehind) {
  Tree tree;
  tree.put(oci::FsEntry::file("usr/bin/python3.11", "not a program", 0755));
  tree.put(oci::FsEntry::file("usr/lib/python3.11/os.py", "x = 1\n"));
  auto r = compile_python(tree, options());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("byte-compiling failed in the sandbox"), std::string::npos)
      << r.error().what;
  EXPECT_EQ(tree.size(), 2u);
  EXPECT_TRUE(fs::is_empty(dir_->path()));
}

TEST_F(PythonBytecode, SkipsWithAReasonWhenRuncIsMissing) {
  Tree tree;
  tree.put(oci::FsEntry::file("usr/bin/python3.11",
                              "\x7f"
                              "ELF",
                              0755));
  tree.put(oci::FsEntry::directory("usr/lib/python3.11"));
  tree.put(oci::FsEntry::file("usr/lib/python3.11/os.py", "x = 1\n"));
  BytecodeOptions o = options();
  o.runc = path("no-such-runc");
  auto r = compile_python(tree, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ran);
  EXPECT_EQ(r->skipped, "runc not found");
  EXPECT_EQ(tree.size(), 3u);
}

TEST_F(PythonBytecode, DoesNothingWithoutPython) {
  Tree tree;
  tree.put(oci::FsEntry::file("usr/bin/python3", "not an interpreter we compile with", 0755));
  tree.put(oci::FsEntry::file("usr/bin/python3.11-config", "#!/bin/sh\n", 0755));
  tree.put(oci::FsEntry::file("usr/lib/python3/dist-packages/x.py", "x = 1\n"));
  auto r = compile_python(tree, options());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ran);
  EXPECT_EQ(r->skipped, "");
  EXPECT_EQ(tree.size(), 3u);
}

TEST_F(PythonBytecode, SkipsAForeignArchitectureWithoutAnEmulator) {
  // s390x: foreign on every host distill builds on (amd64, arm64), so the
  // case runs everywhere.
  Tree tree;
  tree.put(oci::FsEntry::file("usr/bin/python3.11",
                              "\x7f"
                              "ELF",
                              0755));
  tree.put(oci::FsEntry::directory("usr/lib/python3.11"));
  BytecodeOptions o = options();
  o.arch = "s390x";
  o.binfmt_misc = path("binfmt");
  ASSERT_TRUE(core::make_dirs(o.binfmt_misc).ok());
  auto none = compile_python(tree, o);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->ran);
  EXPECT_EQ(none->skipped, "no emulator registered for s390x (binfmt_misc qemu-s390x)");

  ASSERT_TRUE(core::write_file_atomic(o.binfmt_misc + "/qemu-s390x", "disabled\n").ok());
  EXPECT_EQ(compile_python(tree, o)->skipped,
            "no emulator registered for s390x (binfmt_misc qemu-s390x)");
  ASSERT_TRUE(core::write_file_atomic(o.binfmt_misc + "/qemu-s390x",
                                      "enabled\ninterpreter /usr/bin/qemu-s390x\nflags: PO\n")
                  .ok());
  EXPECT_EQ(compile_python(tree, o)->skipped,
            "the emulator for s390x (binfmt_misc qemu-s390x) is registered without the F flag");
  EXPECT_EQ(tree.size(), 2u);
}

// What a hostile interpreter could leave in /out: symlinked folders and
// files, a FIFO, files with no source, other tags, timestamp-based .pyc.
TEST_F(PythonBytecode, ReadsBackOnlyPycOfTreeSourcesWithoutFollowingSymlinks) {
  Tree tree;
  for (const char* f : {"a.py", "b.py", "d.py", "x.py", "t.py", "pkg/m.py", "pkg2/n.py"})
    tree.put(oci::FsEntry::file(std::string("usr/lib/python3.11/") + f, "x = 1\n"));
  tree.put(oci::FsEntry::file("etc/e.py", "x = 1\n"));
  tree.put(oci::FsEntry::symlink("usr/lib/python3.11/lnk", "/etc"));
  const std::string out = path("out");
  const std::string cache = out + "/usr/lib/python3.11/__pycache__";
  const std::string outside = path("outside");
  ASSERT_TRUE(core::make_dirs(cache).ok());
  ASSERT_TRUE(core::make_dirs(outside + "/__pycache__").ok());
  ASSERT_TRUE(core::make_dirs(out + "/etc/__pycache__").ok());
  ASSERT_TRUE(core::make_dirs(out + "/usr/lib/python3.11/pkg2").ok());
  auto write = [](const std::string& p, const std::string& data) {
    ASSERT_TRUE(core::write_file_atomic(p, data).ok()) << p;
  };
  write(cache + "/a.cpython-311.pyc", pyc_bytes(1));
  write(cache + "/c.cpython-311.pyc", pyc_bytes(1));  // no c.py
  write(cache + "/b.cpython-312.pyc", pyc_bytes(1));  // another interpreter's tag
  write(cache + "/t.cpython-311.pyc", pyc_bytes(0));  // timestamp-based
  write(out + "/etc/__pycache__/e.cpython-311.pyc", pyc_bytes(1));
  // A real folder in /out where the tree has a symlink: its .pyc would land in etc/.
  ASSERT_TRUE(core::make_dirs(out + "/usr/lib/python3.11/lnk/__pycache__").ok());
  write(out + "/usr/lib/python3.11/lnk/__pycache__/e.cpython-311.pyc", pyc_bytes(1));
  write(outside + "/secret", pyc_bytes(1));
  write(outside + "/__pycache__/m.cpython-311.pyc", pyc_bytes(1));
  write(outside + "/__pycache__/n.cpython-311.pyc", pyc_bytes(1));
  ASSERT_EQ(::symlink((outside + "/secret").c_str(), (cache + "/x.cpython-311.pyc").c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (out + "/usr/lib/python3.11/pkg").c_str()), 0);
  ASSERT_EQ(::symlink((outside + "/__pycache__").c_str(),
                      (out + "/usr/lib/python3.11/pkg2/__pycache__").c_str()),
            0);
  ASSERT_EQ(::mkfifo((cache + "/d.cpython-311.pyc").c_str(), 0644), 0);

  const size_t before = tree.size();
  auto added = add_bytecode_output(tree, out, {"cpython-311"}, kEpoch);
  ASSERT_TRUE(added.ok()) << added.error().what;
  EXPECT_EQ(*added, 1u);
  EXPECT_EQ(tree.size(), before + 2);
  const oci::FsEntry* pyc = tree.find("usr/lib/python3.11/__pycache__/a.cpython-311.pyc");
  ASSERT_NE(pyc, nullptr);
  EXPECT_EQ(pyc->data, pyc_bytes(1));
  EXPECT_EQ(pyc->mtime, kEpoch);
  ASSERT_NE(tree.find("usr/lib/python3.11/__pycache__"), nullptr);
  EXPECT_EQ(tree.find("usr/lib/python3.11/__pycache__")->type, oci::EntryType::kDirectory);

  // The output folder itself must not be a symlink either.
  ASSERT_EQ(::symlink(out.c_str(), path("out-link").c_str()), 0);
  EXPECT_FALSE(add_bytecode_output(tree, path("out-link"), {"cpython-311"}, kEpoch).ok());
}

}  // namespace
}  // namespace distill::effects
