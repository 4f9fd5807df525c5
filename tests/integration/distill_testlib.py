"""Shared helpers for the black-box CLI tests (standard library only).

Environment (set by ctest, see tests/CMakeLists.txt):
  DISTILL             path to the distill binary under test
  DISTILL_SOURCE_DIR  repository root
  DISTILL_TEST_TMP    scratch root; every test gets its own folder below it,
                      removed when the test passes and kept when it fails.

The fixture repository is built with real tools (dpkg-deb, gpg) and mimics
the layout of Debian's archives: `bookworm` and `bookworm-updates` under
<root>/debian, `bookworm-security` under <root>/debian-security, component
main, architectures amd64 and arm64, Architecture: all packages listed in both
binary-* indices, Packages plain/.gz/.xz, by-hash copies and a clearsigned
InRelease made with a throwaway key.
"""

import atexit
import dataclasses
import email.utils
import gzip
import hashlib
import http.server
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

# ---------------------------------------------------------------------------
# Environment


def _default_binary() -> str:
    src = os.environ.get("DISTILL_SOURCE_DIR") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(src, "build", "src", "distill")


DISTILL = os.environ.get("DISTILL") or _default_binary()
SOURCE_DIR = os.environ.get("DISTILL_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEST_TMP = os.environ.get("DISTILL_TEST_TMP") or os.path.join(tempfile.gettempdir(),
                                                               "distill-test-tmp")

ERROR_PREFIX = "distill: error: "
TMP_MARKER = ".distill-tmp."


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def gone_pid() -> int:
    """The pid of a process that has exited and been reaped: the owner of a
    temporary left by a killed distill."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def remove_tree(path: str):
    """rm -rf that also removes trees deeper than Python's recursion limit
    (distill's cache keeps a deep layer unpacked: test_run_fixture's)."""
    try:
        shutil.rmtree(path, ignore_errors=True)
    except RecursionError:
        subprocess.run(["rm", "-rf", "--one-file-system", path], check=False)


def make_deep_tree(root: str, depth: int):
    """`depth` folders "d" in a row under a new folder `root`, each made
    relative to its parent (no path to the bottom need fit in PATH_MAX)."""
    os.mkdir(root, 0o700)
    fd = os.open(root, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(os.open("partial", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
    os.close(fd)


def files_under(root: str) -> List[str]:
    """Every regular file below root (absolute paths, sorted)."""
    out = []
    if not os.path.isdir(root):
        return out
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            out.append(os.path.join(dirpath, n))
    return sorted(out)


def temp_files_under(root: str) -> List[str]:
    return [p for p in files_under(root) if TMP_MARKER in os.path.basename(p)]


def blob_files(cache_dir: str) -> List[str]:
    """Content-addressed blobs of a distill cache (<cache>/blobs/...)."""
    return [p for p in files_under(os.path.join(cache_dir, "blobs")) if TMP_MARKER not in p]


def find_blob(cache_dir: str, sha256: str) -> Optional[str]:
    for p in blob_files(cache_dir):
        if os.path.basename(p) == sha256 or os.path.basename(p).startswith(sha256 + "."):
            return p
    return None


# ---------------------------------------------------------------------------
# Running the binary


def processes_with(needle: bytes, also: bytes = b""):
    """Pids whose command line contains `needle` (and `also`)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmdline = f.read()
                if needle in cmdline and also in cmdline:
                    pids.append(int(d))
        except OSError:
            pass
    return pids


@dataclass
class RunResult:
    args: List[str]
    rc: int
    stdout: str
    stderr: str
    cwd: str

    def describe(self) -> str:
        return ("command: %s\n(cwd %s)\nexit code: %d\n--- stdout ---\n%s\n--- stderr ---\n%s" %
                (" ".join(self.args), self.cwd, self.rc, self.stdout, self.stderr))

    def error_lines(self) -> List[str]:
        return [l for l in self.stderr.splitlines() if l.startswith(ERROR_PREFIX)]

    def json(self):
        try:
            return json.loads(self.stdout)
        except ValueError as e:
            raise AssertionError("stdout is not JSON (%s)\n%s" % (e, self.describe()))


NONZERO = "nonzero"

# ---------------------------------------------------------------------------
# Test case base: a per-test folder, kept on failure


class DistillTestCase(unittest.TestCase):
    """Gives each test self.tmp (fresh), self.home, self.cache_dir and run()."""

    maxDiff = None

    def run(self, result=None):
        if result is None:
            result = self.defaultTestResult()
        bad_before = len(result.failures) + len(result.errors)
        try:
            return super().run(result)
        finally:
            bad_after = len(result.failures) + len(result.errors)
            tmp = getattr(self, "tmp", None)
            if tmp and os.path.isdir(tmp):
                if bad_after == bad_before:
                    remove_tree(tmp)
                else:
                    print("\n[kept test folder for %s: %s]" % (self.id(), tmp), file=sys.stderr)

    def setUp(self):
        super().setUp()
        module = os.path.splitext(os.path.basename(sys.modules[type(self).__module__].__file__
                                                   or "tests"))[0]
        name = "%s.%s" % (type(self).__name__, self._testMethodName)
        base = os.path.join(TEST_TMP, module)
        os.makedirs(base, exist_ok=True)
        path = os.path.join(base, name)
        if os.path.exists(path):
            remove_tree(path)
        os.makedirs(path)
        self.tmp = path
        self.home = os.path.join(path, "home")
        self.xdg_cache = os.path.join(path, "xdg-cache")
        os.makedirs(self.home)
        os.makedirs(self.xdg_cache)
        # Where the CLI puts its cache by default ($XDG_CACHE_HOME/distill).
        self.cache_dir = os.path.join(self.xdg_cache, "distill")

    def mkdir(self, *parts) -> str:
        p = os.path.join(self.tmp, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    # -- running ------------------------------------------------------------

    def base_env(self) -> Dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CACHE_HOME": self.xdg_cache,
            "LC_ALL": "C",
            "TZ": "UTC",
        }
        # Keep a proxy configuration of the host (online tests need it), but
        # never send the fixture's loopback traffic through it.
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                  "ALL_PROXY"):
            if k in os.environ:
                env[k] = os.environ[k]
        no_proxy = [p for p in os.environ.get("no_proxy", "").split(",") if p]
        env["no_proxy"] = env["NO_PROXY"] = ",".join(no_proxy + ["127.0.0.1", "localhost"])
        return env

    def run_distill(self, args, env=None, expect_rc=0, cwd=None, umask=None,
                    timeout=600) -> RunResult:
        """Runs the binary; expect_rc is an int, NONZERO or None (no check)."""
        full_env = self.base_env()
        for k, v in (env or {}).items():
            if v is None:
                full_env.pop(k, None)
            else:
                full_env[k] = v
        cmd = [DISTILL] + [str(a) for a in args]
        cwd = cwd or self.tmp

        def preexec():
            if umask is not None:
                os.umask(umask)

        try:
            p = subprocess.run(cmd, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                               preexec_fn=preexec)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("timed out after %ss: %s\nstdout:%s\nstderr:%s" %
                                 (timeout, " ".join(cmd), e.stdout, e.stderr))
        res = RunResult(cmd, p.returncode, p.stdout.decode("utf-8", "replace"),
                        p.stderr.decode("utf-8", "replace"), cwd)
        if expect_rc == NONZERO:
            if res.rc == 0:
                self.fail("expected a non-zero exit code\n" + res.describe())
            if res.rc < 0:
                self.fail("killed by signal %d\n%s" % (-res.rc, res.describe()))
        elif expect_rc is not None and res.rc != expect_rc:
            self.fail("expected exit code %d\n%s" % (expect_rc, res.describe()))
        return res

    # -- assertions ---------------------------------------------------------

    def assert_one_error(self, res: RunResult, *needles, pattern=None) -> str:
        """Non-zero exit, exactly one `distill: error: ` line (the last one on
        stderr) containing every needle (case-sensitive) and matching
        `pattern` (regex, case-insensitive) if given. Returns the line."""
        if res.rc == 0:
            self.fail("expected failure\n" + res.describe())
        if res.rc < 0:
            self.fail("killed by signal %d\n%s" % (-res.rc, res.describe()))
        lines = res.error_lines()
        self.assertEqual(len(lines), 1, "want exactly one error line\n" + res.describe())
        line = lines[0]
        if os.environ.get("DISTILL_TEST_VERBOSE"):
            print("\n    [%s] %s" % (self._testMethodName, line), file=sys.stderr)
        nonempty = [l for l in res.stderr.splitlines() if l.strip()]
        self.assertEqual(nonempty[-1], line,
                         "the error line must be the last line of stderr\n" + res.describe())
        for n in needles:
            self.assertIn(n, line, "error line lacks %r\n%s" % (n, res.describe()))
        if pattern is not None:
            self.assertRegex(line, re.compile(pattern, re.I),
                             "error line does not match /%s/\n%s" % (pattern, res.describe()))
        return line

    def assert_no_temp_files(self, *roots):
        for r in roots:
            left = temp_files_under(r)
            self.assertEqual(left, [], "temporary files left behind under %s" % r)


# ---------------------------------------------------------------------------
# OpenPGP keys (one throwaway key per module, cached)


class GpgKey:
    """A throwaway signing key in its own GNUPGHOME."""

    def __init__(self, uid: str):
        # Short path: gpg-agent's socket lives in the home on some systems.
        self.home = tempfile.mkdtemp(prefix="distill-gpg-")
        os.chmod(self.home, 0o700)
        atexit.register(self.close)
        self._gpg(["--quick-gen-key", uid, "ed25519", "sign", "1y"])
        out = self._gpg(["--list-secret-keys", "--with-colons"]).decode()
        fprs = [l.split(":")[9] for l in out.splitlines() if l.startswith("fpr:")]
        if not fprs:
            raise RuntimeError("gpg did not create a key:\n" + out)
        self.fingerprint = fprs[0]
        self.keyring = os.path.join(self.home, "keyring.gpg")
        with open(self.keyring, "wb") as f:
            f.write(self._gpg(["--export", self.fingerprint]))

    def _gpg(self, args, data: bytes = None) -> bytes:
        cmd = ["gpg", "--homedir", self.home, "--batch", "--quiet", "--no-tty",
               "--pinentry-mode", "loopback", "--passphrase", ""] + args
        p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(cmd), p.stderr.decode()))
        return p.stdout

    def clearsign(self, text: bytes) -> bytes:
        return self._gpg(["--local-user", self.fingerprint, "--digest-algo", "SHA256",
                          "--clearsign"], text)

    def detach_sign(self, text: bytes) -> bytes:
        return self._gpg(["--local-user", self.fingerprint, "--digest-algo", "SHA256",
                          "--armor", "--detach-sign"], text)

    def copy_keyring(self, dest: str) -> str:
        shutil.copyfile(self.keyring, dest)
        return dest

    def close(self):
        if os.path.isdir(self.home):
            subprocess.run(["gpgconf", "--homedir", self.home, "--kill", "all"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(self.home, ignore_errors=True)


_KEYS: Dict[str, GpgKey] = {}


def signing_key() -> GpgKey:
    """The module's archive key (generated once)."""
    if "main" not in _KEYS:
        _KEYS["main"] = GpgKey("distill test <test@example.invalid>")
    return _KEYS["main"]


def other_key() -> GpgKey:
    """An unrelated key, for wrong-key tests (generated once)."""
    if "other" not in _KEYS:
        _KEYS["other"] = GpgKey("distill other <other@example.invalid>")
    return _KEYS["other"]


def gpgv_verify(keyring: str, path: str) -> bool:
    p = subprocess.run(["gpgv", "--keyring", keyring, path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return p.returncode == 0


# ---------------------------------------------------------------------------
# Fixture packages


@dataclass
class FixturePackage:
    name: str
    version: str
    arch: str  # "any" (built for every repo arch) or "all"
    suite: str
    source: Optional[str] = None
    depends: Optional[str] = None
    pre_depends: Optional[str] = None
    provides: Optional[str] = None
    multi_arch: Optional[str] = None
    essential: bool = False
    priority: str = "optional"
    section: str = "misc"
    salt: str = ""  # changes the payload (and so the .deb's hash)
    # dpkg-deb -Z: "none" makes the size independent of the salt (fixed width).
    compression: str = "xz"
    # Payload beyond usr/share/<name>/README: DebFile items (deb_file,
    # deb_dir, deb_link); "{triplet}" in a path or link target becomes the
    # architecture's multiarch triplet.
    files: Tuple = ()
    scripts: Tuple = ()  # (name, text): maintainer scripts under DEBIAN/
    md5sums: bool = False  # write DEBIAN/md5sums as dh_md5sums does


@dataclass(frozen=True)
class DebFile:
    # "f" file, "d" folder, "l" symlink, "z" `size` zero bytes (a sparse file),
    # "p" `size` bytes of text that names the file (compresses well, not zeros)
    kind: str
    path: str
    data: bytes = b""
    mode: int = 0o644
    target: str = ""
    arch: Optional[str] = None  # only in this architecture's .deb
    size: int = 0


def deb_file(path: str, data, mode: int = 0o644, arch: Optional[str] = None) -> DebFile:
    return DebFile("f", path, data.encode() if isinstance(data, str) else data, mode, "", arch)


def deb_zeros(path: str, size: int) -> DebFile:
    """A file of `size` zero bytes: huge unpacked, tiny compressed."""
    return DebFile("z", path, b"", 0o644, "", None, size)


def deb_filler(path: str, size: int) -> DebFile:
    """`size` bytes of text repeating the file's name: written as the .deb is
    built (nothing held), compressed to almost nothing, yet real content that
    a reader must carry (no holes)."""
    return DebFile("p", path, b"", 0o644, "", None, size)


def deb_dir(path: str, mode: int = 0o755) -> DebFile:
    return DebFile("d", path, b"", mode)


def deb_link(path: str, target: str, arch: Optional[str] = None) -> DebFile:
    return DebFile("l", path, b"", 0o777, target, arch)


TRIPLETS = {"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}


def default_packages() -> List[FixturePackage]:
    P = FixturePackage
    return [
        P("libc6", "2.36-9+deb12u4", "any", "bookworm", source="glibc", multi_arch="same",
          priority="required", section="libs"),
        P("libssl3", "3.0.11-1~deb12u2", "any", "bookworm", source="openssl",
          depends="libc6 (>= 2.34)", multi_arch="same", section="libs"),
        P("libfoo1", "1.0-1", "any", "bookworm", source="libfoo", depends="libc6 (>= 2.17)",
          multi_arch="same", section="libs"),
        P("libfoo1", "1.0-1+deb12u1", "any", "bookworm-security", source="libfoo",
          depends="libc6 (>= 2.17)", multi_arch="same", section="libs"),
        P("libbar1", "2.1-3", "any", "bookworm", source="libbar", depends="libc6 (>= 2.34)",
          provides="libbar-provider", multi_arch="same", section="libs"),
        P("tzdata-ish", "2024a-0+deb12u1", "all", "bookworm", priority="required",
          section="localization"),
        P("tzdata-ish", "2025b-0+deb12u1", "all", "bookworm-updates", priority="required",
          section="localization"),
        P("app", "1.2-1", "any", "bookworm",
          depends="libfoo1 (>= 1.0), libssl3 (>= 3.0.0), dpkg (>= 1.19), libbar-provider, "
          "tzdata-ish", section="utils"),
        P("dpkg", "1.21.22", "any", "bookworm", pre_depends="libc6 (>= 2.34)", essential=True,
          priority="required", section="admin"),
        P("bash", "5.2.15-2+b2", "any", "bookworm", pre_depends="libc6 (>= 2.36)",
          essential=True, priority="required", section="shells"),
        P("dash", "0.5.12-2", "any", "bookworm", pre_depends="libc6 (>= 2.34)", essential=True,
          priority="required", section="shells"),
        P("coreutils", "9.1-1", "any", "bookworm", pre_depends="libc6 (>= 2.34)",
          essential=True, priority="required", section="utils"),
        P("tool", "0.3-1", "any", "bookworm", pre_depends="dash | bash", depends="coreutils",
          section="utils"),
        P("libmissing", "1.0-1", "any", "bookworm", depends="libc6", section="libs"),
        P("broken", "1.0-1", "any", "bookworm", depends="libmissing (>= 2)", section="misc"),
    ]


# ---------------------------------------------------------------------------
# Fixture packages for `distill build`: enough like Debian's real ones to
# exercise the assembly rules (merged /usr, docs, status.d, setuid, CA bundle).
# They are not runnable.

_CA_PEMS: List[bytes] = []


def fixture_ca_pems() -> List[bytes]:
    """Two self-signed CA certificates (PEM), made with openssl once per module."""
    if not _CA_PEMS:
        work = tempfile.mkdtemp(prefix="distill-ca-")
        try:
            for cn in ("Distill Test Root A", "Distill Test Root B"):
                out = os.path.join(work, "cert.pem")
                subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                                os.path.join(work, "key.pem"), "-subj", "/CN=%s" % cn, "-days",
                                "3650", "-out", out], check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                with open(out, "rb") as f:
                    _CA_PEMS.append(f.read())
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return list(_CA_PEMS)


def _zoneinfo_paris() -> bytes:
    try:
        with open("/usr/share/zoneinfo/Europe/Paris", "rb") as f:
            return f.read()
    except OSError:
        return b"TZif2" + b"\0" * 40 + b"\nCET-1CEST,M3.5.0,M10.5.0/3\n"


def _docs(pkg: str, extra: bool = False) -> List[DebFile]:
    """What every Debian package ships under usr/share/doc (extra: a README too)."""
    out = [deb_file("usr/share/doc/%s/copyright" % pkg,
                    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
                    "\nUpstream-Name: %s\n\nFiles: *\nLicense: fixture\n" % pkg),
           deb_file("usr/share/doc/%s/changelog.Debian.gz" % pkg,
                    gzip.compress(("%s (1.0) unstable; urgency=low\n" % pkg).encode(), mtime=0))]
    if extra:
        out.append(deb_file("usr/share/doc/%s/README.md" % pkg, "# %s\n" % pkg))
    return out


POSTINST = "#!/bin/sh\nset -e\necho configuring\n"

# Installed by each preset from image_packages() (mawk is excluded, and
# ca-certificates only read for its certificates).
IMAGE_PRESET_PACKAGES = {
    "static": ["base-files", "media-types", "netbase", "tzdata"],
    "base-nossl": ["base-files", "libc6", "media-types", "netbase", "tzdata"],
    "base": ["base-files", "libc6", "libssl3", "media-types", "netbase", "tzdata"],
    "cc": ["base-files", "libc6", "libgcc-s1", "libgomp1", "libssl3", "libstdc++6",
           "media-types", "netbase", "tzdata"],
}
IMAGE_PRESET_PACKAGES["python3"] = sorted(IMAGE_PRESET_PACKAGES["cc"] +
                                         ["libc-bin", "python3", "python3-distutils",
                                          "python3.11-minimal"])
NEVER_INSTALLED = ["mawk", "ca-certificates", "openssl", "debconf", "dash"]
# Versions that must win (from -updates and -security).
IMAGE_VERSIONS = {"tzdata": "2025b-0+deb12u1", "libssl3": "3.0.15-1~deb12u1",
                  "libc6": "2.36-9+deb12u4", "base-files": "12.4+deb12u5"}


def image_packages() -> List[FixturePackage]:
    """A bookworm-like archive for `distill build` tests."""
    P = FixturePackage
    pem_a, pem_b = fixture_ca_pems()
    amd, arm = "amd64", "arm64"
    return [
        P("base-files", "12.4+deb12u5", "any", "bookworm", pre_depends="awk", essential=True,
          priority="required", section="admin", md5sums=True, scripts=(("postinst", POSTINST),),
          files=tuple([
              deb_dir("bin"), deb_dir("sbin"), deb_dir("lib"), deb_dir("etc"),
              deb_dir("tmp", 0o1777), deb_dir("root", 0o700), deb_dir("home", 0o755),
              deb_dir("var/tmp", 0o1777), deb_dir("usr/bin"), deb_dir("usr/lib"),
              deb_file("etc/debian_version", "12.5\n"),
              deb_file("etc/host.conf", "multi on\n"),
              deb_file("etc/issue", "Debian GNU/Linux 12 \\n \\l\n"),
              deb_file("usr/lib/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
                       'ID=debian\nVERSION_ID="12"\n'),
              deb_link("etc/os-release", "../usr/lib/os-release"),
              deb_file("usr/share/base-files/motd", "fixture motd\n"),
          ] + _docs("base-files"))),
        P("mawk", "1.3.4.20200120-3.1", "any", "bookworm", pre_depends="libc6 (>= 2.34)",
          provides="awk", multi_arch="foreign", priority="required", section="interpreters",
          md5sums=True, files=tuple([deb_file("usr/bin/mawk", b"\x7fELF mawk", 0o755)] +
                                    _docs("mawk"))),
        P("dash", "0.5.12-2", "any", "bookworm", pre_depends="libc6 (>= 2.34)", essential=True,
          priority="required", section="shells", md5sums=True,
          files=tuple([deb_file("bin/dash", b"\x7fELF dash", 0o755), deb_link("bin/sh", "dash")]
                      + _docs("dash"))),
        P("netbase", "6.4", "all", "bookworm", priority="important", section="admin",
          md5sums=True, files=tuple([
              deb_file("etc/protocols", "ip\t0\tIP\ntcp\t6\tTCP\n"),
              deb_file("etc/services", "http\t\t80/tcp\twww\n"),
              deb_file("etc/rpc", "portmapper\t100000\n"),
              deb_file("etc/ethertypes", "IPv4\t0800\tip ip4\n"),
          ] + _docs("netbase"))),
    ] + [
        # The -updates version wins over the release's.
        P("tzdata", version, "all", suite, depends="debconf (>= 0.5) | debconf-2.0",
          priority="required", section="localization", md5sums=True,
          scripts=(("postinst", POSTINST), ("config", POSTINST)), files=tuple([
              deb_file("usr/share/zoneinfo/Europe/Paris", _zoneinfo_paris()),
              deb_file("usr/share/zoneinfo/Etc/UTC", b"TZif2 UTC"),
              deb_link("usr/share/zoneinfo/UTC", "Etc/UTC"),
              deb_file("usr/share/tzdata-version", version + "\n"),
          ] + _docs("tzdata")))
        for version, suite in (("2024a-0+deb12u1", "bookworm"),
                               ("2025b-0+deb12u1", "bookworm-updates"))
    ] + [
        P("media-types", "10.0.0", "all", "bookworm", priority="standard", section="net",
          md5sums=True, files=tuple([deb_file("etc/mime.types", "text/plain\t\ttxt\n")] +
                                    _docs("media-types"))),
        P("debconf", "1.5.82", "all", "bookworm", provides="debconf-2.0", priority="important",
          section="admin", md5sums=True,
          files=tuple([deb_file("usr/bin/debconf", "#!/usr/bin/perl\n", 0o755)] +
                      _docs("debconf"))),
        P("ca-certificates", "20230311", "all", "bookworm",
          depends="openssl (>= 1.1.1), debconf (>= 0.5) | debconf-2.0", section="misc",
          md5sums=True, scripts=(("postinst", POSTINST),), files=tuple([
              deb_file("usr/share/ca-certificates/mozilla/Distill_Test_Root_A.crt", pem_a),
              deb_file("usr/share/ca-certificates/mozilla/Distill_Test_Root_B.crt", pem_b),
              deb_file("usr/sbin/update-ca-certificates", "#!/bin/sh\n", 0o755),
              deb_dir("etc/ssl/certs"),
          ] + _docs("ca-certificates"))),
        P("openssl", "3.0.11-1~deb12u2", "any", "bookworm",
          depends="libc6 (>= 2.34), libssl3 (>= 3.0.9)", section="utils", md5sums=True,
          files=tuple([deb_file("usr/bin/openssl", b"\x7fELF openssl", 0o755),
                       deb_file("usr/lib/ssl/openssl.cnf", "# fixture\n")] + _docs("openssl"))),
        P("libc6", "2.36-9+deb12u4", "any", "bookworm", source="glibc", multi_arch="same",
          priority="optional", section="libs", md5sums=True, scripts=(("postinst", POSTINST),),
          files=tuple([
              deb_file("lib/{triplet}/libc.so.6", b"\x7fELF libc", 0o755),
              deb_file("lib/{triplet}/libm.so.6", b"\x7fELF libm", 0o644),
              deb_file("lib/{triplet}/ld-linux-x86-64.so.2", b"\x7fELF ld", 0o755, arch=amd),
              deb_link("lib64/ld-linux-x86-64.so.2", "/lib/{triplet}/ld-linux-x86-64.so.2",
                       arch=amd),
              deb_file("lib/{triplet}/ld-linux-aarch64.so.1", b"\x7fELF ld", 0o755, arch=arm),
              deb_link("lib/ld-linux-aarch64.so.1", "{triplet}/ld-linux-aarch64.so.1", arch=arm),
              deb_file("usr/share/locale/fr/LC_MESSAGES/libc.mo", b"\xde\x12\x04\x95libc"),
              deb_file("usr/share/lintian/overrides/libc6", "libc6: fixture-override\n"),
          ] + _docs("libc6"))),
    ] + [
        # The -security version wins over the release's.
        P("libssl3", version, "any", suite, source="openssl",
          depends="libc6 (>= 2.34)", multi_arch="same", section="libs", md5sums=True,
          files=tuple([deb_file("usr/lib/{triplet}/libssl.so.3",
                                b"\x7fELF ssl " + version.encode()),
                       deb_file("usr/lib/{triplet}/libcrypto.so.3", b"\x7fELF crypto")] +
                      _docs("libssl3")))
        for version, suite in (("3.0.11-1~deb12u2", "bookworm"),
                               ("3.0.15-1~deb12u1", "bookworm-security"))
    ] + [
        P("libgcc-s1", "12.2.0-14", "any", "bookworm", source="gcc-12",
          depends="libc6 (>= 2.35)", multi_arch="same", section="libs", md5sums=True,
          files=tuple([deb_file("lib/{triplet}/libgcc_s.so.1", b"\x7fELF gcc_s")] +
                      _docs("libgcc-s1"))),
        P("libgomp1", "12.2.0-14", "any", "bookworm", source="gcc-12",
          depends="libc6 (>= 2.34)", multi_arch="same", section="libs", md5sums=True,
          files=tuple([deb_file("usr/lib/{triplet}/libgomp.so.1.0.0", b"\x7fELF gomp"),
                       deb_link("usr/lib/{triplet}/libgomp.so.1", "libgomp.so.1.0.0")] +
                      _docs("libgomp1"))),
        P("libstdc++6", "12.2.0-14", "any", "bookworm", source="gcc-12",
          depends="libc6 (>= 2.36), libgcc-s1 (>= 4.2)", multi_arch="same", section="libs",
          md5sums=True,
          files=tuple([deb_file("usr/lib/{triplet}/libstdc++.so.6.0.30", b"\x7fELF stdc++"),
                       deb_link("usr/lib/{triplet}/libstdc++.so.6", "libstdc++.so.6.0.30")] +
                      _docs("libstdc++6"))),
        # The python3 preset's packages (not runnable here).
        P("python3.11-minimal", "3.11.2-6+deb12u6", "any", "bookworm", source="python3.11",
          depends="libc6 (>= 2.36), libssl3 (>= 3.0.0)", section="python", md5sums=True,
          files=tuple([deb_file("usr/bin/python3.11", b"\x7fELF python3.11", 0o755),
                       deb_file("usr/lib/python3.11/os.py", "# fixture\n")] +
                      _docs("python3.11-minimal"))),
        P("python3-distutils", "3.11.2-3", "all", "bookworm", source="python3-stdlib-extensions",
          depends="python3 (>= 3.11.1-1~)", section="python", md5sums=True,
          files=tuple([deb_file("usr/lib/python3.11/distutils/__init__.py", "# fixture\n")] +
                      _docs("python3-distutils"))),
        # The python3 preset keeps only its ldconfig (ctypes.util.find_library runs it).
        P("libc-bin", "2.36-9+deb12u4", "any", "bookworm", source="glibc",
          depends="libc6 (>> 2.36)", essential=True, priority="required", section="libs",
          md5sums=True, scripts=(("postinst", POSTINST),), files=tuple([
              deb_file("sbin/ldconfig", b"\x7fELF ldconfig", 0o755),
              deb_file("usr/bin/ldd", "#!/bin/bash\n", 0o755),
              deb_file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n"),
          ] + _docs("libc-bin"))),
        P("python3", "3.11.2-1+b1", "any", "bookworm", source="python3-defaults",
          depends="python3.11-minimal (>= 3.11.2-1~)", multi_arch="allowed", section="python",
          md5sums=True, files=tuple([deb_link("usr/bin/python3", "python3.11")] +
                                    _docs("python3"))),
        # Everything the trimming, merged-/usr and setuid rules act on.
        P("hello-tool", "1.0-1", "any", "bookworm", depends="libc6 (>= 2.34)", section="utils",
          md5sums=True,
          scripts=(("preinst", POSTINST), ("postinst", POSTINST), ("prerm", POSTINST),
                   ("postrm", POSTINST)),
          files=tuple([
              deb_file("bin/hello", b"\x7fELF hello", 0o755),
              deb_file("sbin/hello-admin", b"\x7fELF hello-admin", 0o755),
              deb_file("lib/{triplet}/libhello.so.1", b"\x7fELF libhello"),
              deb_file("usr/bin/hello-suid", b"\x7fELF suid", 0o4755),
              deb_file("usr/bin/hello-sgid", b"\x7fELF sgid", 0o2755),
              deb_file("usr/share/man/man1/hello.1.gz", gzip.compress(b".TH HELLO 1\n", mtime=0)),
              deb_file("usr/share/man/fr/man1/hello.1.gz", gzip.compress(b".TH HELLO 1\n",
                                                                         mtime=0)),
              deb_file("usr/share/info/hello.info.gz", gzip.compress(b"hello info\n", mtime=0)),
              deb_file("usr/share/lintian/overrides/hello-tool", "hello-tool: fixture\n"),
              deb_file("usr/share/locale/fr/LC_MESSAGES/hello.mo", b"\xde\x12\x04\x95hello"),
              deb_file("usr/share/locale/locale.alias", "french fr_FR.ISO-8859-1\n"),
              deb_file("usr/share/hello-tool/greeting.txt", "bonjour\n"),
          ] + _docs("hello-tool", extra=True))),
    ]


# Which suite's version of each package `app` resolves to (the highest
# version across suites wins).
APP_CLOSURE = {
    "app": "bookworm",
    "libfoo1": "bookworm-security",
    "libssl3": "bookworm",
    "libc6": "bookworm",
    "libbar1": "bookworm",
    "tzdata-ish": "bookworm-updates",
}
POLICY_DROPPED = ["dpkg", "bash", "dash", "coreutils"]

SUITES = {
    # suite: (archive folder, Suite:, Label:)
    "bookworm": ("debian", "stable", "Debian"),
    "bookworm-updates": ("debian", "stable-updates", "Debian"),
    "bookworm-security": ("debian-security", "stable-security", "Debian-Security"),
}
ARCHS = ["amd64", "arm64"]

_DEB_CACHE: Dict[Tuple, bytes] = {}


def _pool_dir(pkg: FixturePackage) -> str:
    src = pkg.source or pkg.name
    prefix = src[:4] if src.startswith("lib") else src[0]
    folder = "pool/updates/main" if pkg.suite.endswith("-security") else "pool/main"
    return "%s/%s/%s" % (folder, prefix, src)


def build_deb(pkg: FixturePackage, arch: str, workdir: str) -> bytes:
    """Builds a tiny .deb with dpkg-deb (cached per module by content)."""
    key = (pkg.name, pkg.version, arch, pkg.depends, pkg.pre_depends, pkg.provides,
           pkg.multi_arch, pkg.essential, pkg.priority, pkg.section, pkg.source, pkg.salt,
           pkg.compression, pkg.files, pkg.scripts, pkg.md5sums)
    if key in _DEB_CACHE:
        return _DEB_CACHE[key]
    root = tempfile.mkdtemp(prefix="deb-", dir=workdir)
    try:
        os.makedirs(os.path.join(root, "DEBIAN"))
        share = os.path.join(root, "usr", "share", pkg.name)
        os.makedirs(share)
        with open(os.path.join(share, "README"), "w") as f:
            # Fixed width, so that a salted rebuild can keep the same size.
            f.write("%s %s %s\nbuild: %-24s\n" % (pkg.name, pkg.version, arch, pkg.salt))
        _write_payload(root, pkg, arch)
        fields = [("Package", pkg.name), ("Source", pkg.source), ("Version", pkg.version),
                  ("Architecture", arch), ("Maintainer", "Distill Tests <test@example.invalid>"),
                  ("Installed-Size", "1"), ("Multi-Arch", pkg.multi_arch),
                  ("Essential", "yes" if pkg.essential else None),
                  ("Pre-Depends", pkg.pre_depends), ("Depends", pkg.depends),
                  ("Provides", pkg.provides), ("Section", pkg.section),
                  ("Priority", pkg.priority),
                  ("Description", "fixture package %s\n distill integration test data." %
                   pkg.name)]
        with open(os.path.join(root, "DEBIAN", "control"), "w") as f:
            for k, v in fields:
                if v is not None:
                    f.write("%s: %s\n" % (k, v))
        out = os.path.join(workdir, "%s_%s_%s.deb" % (pkg.name, pkg.version, arch))
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        p = subprocess.run(["dpkg-deb", "--root-owner-group", "-Z" + pkg.compression, "--build",
                            root, out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        if p.returncode != 0:
            raise RuntimeError("dpkg-deb failed for %s: %s" % (pkg.name, p.stderr.decode()))
        with open(out, "rb") as f:
            data = f.read()
        os.unlink(out)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    _DEB_CACHE[key] = data
    return data


def _write_payload(root: str, pkg: FixturePackage, arch: str):
    """Writes pkg.files, maintainer scripts and md5sums into a dpkg-deb tree."""
    triplet = TRIPLETS.get(arch, "")
    modes = {}
    for item in pkg.files:
        if item.arch and item.arch != arch:
            continue
        path = os.path.join(root, item.path.replace("{triplet}", triplet).strip("/"))
        if item.kind == "d":
            os.makedirs(path, exist_ok=True)
            modes[path] = item.mode
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if item.kind == "f":
            with open(path, "wb") as f:
                f.write(item.data)
            modes[path] = item.mode
        elif item.kind == "z":
            with open(path, "wb") as f:
                f.truncate(item.size)
            modes[path] = item.mode
        elif item.kind == "p":
            line = (item.path + "\n").encode()
            block = line * (65536 // len(line) + 1)
            with open(path, "wb") as f:
                left = item.size
                while left > 0:
                    f.write(block[:min(left, 65536)])
                    left -= 65536
            modes[path] = item.mode
        elif item.kind == "l":
            os.symlink(item.target.replace("{triplet}", triplet), path)
        else:
            raise ValueError("unknown DebFile kind %r" % item.kind)
    # Folders 0755 whatever the umask; then the modes asked for (setuid too).
    os.chmod(root, 0o755)
    for dirpath, dirs, _names in os.walk(root):
        for d in dirs:
            full = os.path.join(dirpath, d)
            if not os.path.islink(full):
                os.chmod(full, 0o755)
    for path, mode in modes.items():
        os.chmod(path, mode)
    for name, text in pkg.scripts:
        script = os.path.join(root, "DEBIAN", name)
        with open(script, "w") as f:
            f.write(text)
        os.chmod(script, 0o755)
    if pkg.md5sums:
        lines = []
        for dirpath, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not (dirpath == root and d == "DEBIAN")]
            for n in names:
                full = os.path.join(dirpath, n)
                if os.path.isfile(full) and not os.path.islink(full):
                    with open(full, "rb") as f:
                        digest = hashlib.md5(f.read()).hexdigest()
                    lines.append("%s  %s\n" % (digest, os.path.relpath(full, root)))
        with open(os.path.join(root, "DEBIAN", "md5sums"), "w") as f:
            f.write("".join(sorted(lines, key=lambda l: l[34:])))


def deb_control(path: str) -> Dict[str, str]:
    out = subprocess.run(["dpkg-deb", "--field", path], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    return parse_stanza(out)


def parse_stanza(text: str) -> Dict[str, str]:
    d = {}
    last = None
    for line in text.splitlines():
        if line.startswith((" ", "\t")) and last:
            d[last] += "\n" + line.strip()
        elif ":" in line:
            k, v = line.split(":", 1)
            d[k] = v.strip()
            last = k
    return d


# ---------------------------------------------------------------------------
# Fixture repository


@dataclass
class IndexEntry:
    """One package as listed in one Packages index."""
    name: str
    version: str
    architecture: str  # amd64, arm64 or all
    suite: str
    archive: str  # "debian" or "debian-security"
    filename: str  # relative to the archive root
    sha256: str
    size: int

    @property
    def url_path(self) -> str:
        return "/%s/%s" % (self.archive, self.filename)

    @property
    def deb_name(self) -> str:
        return "%s_%s_%s.deb" % (self.name, self.version, self.architecture)


class FixtureRepo:
    """A signed Debian-like repository on disk under `root`.

    key:           GpgKey signing InRelease/Release.gpg (None: unsigned)
    packages:      list of FixturePackage (default_packages())
    date_offset:   seconds added to "now" for Date:
    valid_for:     seconds from Date to Valid-Until (None: no Valid-Until)
    index_mutator: f(suite, arch, text) -> text applied to Packages before
                   compression and hashing (for hash-consistent broken indices)
    xz_writer:     f(suite, arch, plain) -> bytes served (and signed) as
                   Packages.xz instead of plain's xz (for hostile indices)
    """

    def __init__(self, root: str, key: Optional[GpgKey] = None,
                 packages: Optional[List[FixturePackage]] = None, date_offset: int = 0,
                 valid_for: Optional[int] = None,
                 index_mutator: Optional[Callable[[str, str, str], str]] = None,
                 xz_writer: Optional[Callable[[str, str, bytes], bytes]] = None):
        self.root = root
        self.xz_writer = xz_writer
        self.key = key
        self.packages = packages if packages is not None else default_packages()
        self.date_offset = date_offset
        self.valid_for = valid_for
        self.index_mutator = index_mutator
        # (suite, arch) -> list of IndexEntry
        self.indices: Dict[Tuple[str, str], List[IndexEntry]] = {}
        # suite -> {path: (sha256, size)}
        self.release_files: Dict[str, Dict[str, Tuple[str, int]]] = {}
        self.build()

    # -- building -----------------------------------------------------------

    def build(self):
        os.makedirs(self.root, exist_ok=True)
        work = tempfile.mkdtemp(prefix="build-", dir=self.root)
        try:
            stanzas: Dict[Tuple[str, str], List[str]] = {}
            for pkg in self.packages:
                archive = SUITES[pkg.suite][0]
                for arch in (["all"] if pkg.arch == "all" else ARCHS):
                    data = build_deb(pkg, arch, work)
                    filename = "%s/%s_%s_%s.deb" % (_pool_dir(pkg), pkg.name, pkg.version, arch)
                    dest = os.path.join(self.root, archive, filename)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with open(dest, "wb") as f:
                        f.write(data)
                    entry = IndexEntry(pkg.name, pkg.version, arch, pkg.suite, archive, filename,
                                       sha256_bytes(data), len(data))
                    stanza = self._stanza(pkg, arch, entry, data)
                    for index_arch in (ARCHS if arch == "all" else [arch]):
                        self.indices.setdefault((pkg.suite, index_arch), []).append(entry)
                        stanzas.setdefault((pkg.suite, index_arch), []).append(stanza)
            for suite in SUITES:
                self._write_suite(suite, stanzas)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @staticmethod
    def _stanza(pkg: FixturePackage, arch: str, entry: IndexEntry, data: bytes) -> str:
        fields = [("Package", pkg.name), ("Source", pkg.source), ("Version", pkg.version),
                  ("Installed-Size", "1"),
                  ("Maintainer", "Distill Tests <test@example.invalid>"),
                  ("Architecture", arch), ("Multi-Arch", pkg.multi_arch),
                  ("Essential", "yes" if pkg.essential else None),
                  ("Provides", pkg.provides), ("Pre-Depends", pkg.pre_depends),
                  ("Depends", pkg.depends),
                  ("Description", "fixture package %s" % pkg.name),
                  ("Section", pkg.section), ("Priority", pkg.priority),
                  ("Filename", entry.filename), ("Size", str(entry.size)),
                  ("MD5sum", hashlib.md5(data).hexdigest()), ("SHA256", entry.sha256)]
        return "".join("%s: %s\n" % (k, v) for k, v in fields if v is not None)

    def suite_dir(self, suite: str) -> str:
        return os.path.join(self.root, SUITES[suite][0], "dists", suite)

    def _write(self, suite: str, rel: str, data: bytes, files: Dict[str, Tuple[str, int]]):
        path = os.path.join(self.suite_dir(suite), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        digest = sha256_bytes(data)
        files[rel] = (digest, len(data))
        return digest

    def _write_suite(self, suite: str, stanzas):
        archive, suite_name, label = SUITES[suite]
        files: Dict[str, Tuple[str, int]] = {}
        md5: Dict[str, str] = {}
        for arch in ARCHS:
            text = "\n".join(sorted(stanzas.get((suite, arch), []),
                                    key=lambda s: s.split("\n", 1)[0]))
            if self.index_mutator:
                text = self.index_mutator(suite, arch, text)
            plain = text.encode()
            variants = {
                "Packages": plain,
                "Packages.gz": gzip.compress(plain, mtime=0),
                "Packages.xz": (self.xz_writer(suite, arch, plain) if self.xz_writer else
                                lzma.compress(plain, format=lzma.FORMAT_XZ,
                                              check=lzma.CHECK_CRC64)),
            }
            folder = "main/binary-%s" % arch
            for name, data in variants.items():
                digest = self._write(suite, "%s/%s" % (folder, name), data, files)
                md5["%s/%s" % (folder, name)] = hashlib.md5(data).hexdigest()
                byhash = os.path.join(self.suite_dir(suite), folder, "by-hash", "SHA256", digest)
                os.makedirs(os.path.dirname(byhash), exist_ok=True)
                with open(byhash, "wb") as f:
                    f.write(data)
            comp_release = ("Archive: %s\nOrigin: Debian\nLabel: %s\nAcquire-By-Hash: yes\n"
                            "Component: main\nArchitecture: %s\n" %
                            (suite_name, label, arch)).encode()
            self._write(suite, "%s/Release" % folder, comp_release, files)
            md5["%s/Release" % folder] = hashlib.md5(comp_release).hexdigest()
        self.release_files[suite] = files

        now = time.time() + self.date_offset
        lines = [
            "Origin: Debian",
            "Label: %s" % label,
            "Suite: %s" % suite_name,
        ]
        if suite == "bookworm":
            lines.append("Version: 12.99")
        lines += [
            "Codename: %s" % suite,
            "Date: %s" % email.utils.formatdate(now, usegmt=True),
        ]
        if self.valid_for is not None:
            lines.append("Valid-Until: %s" % email.utils.formatdate(now + self.valid_for,
                                                                     usegmt=True))
        lines += [
            "Acquire-By-Hash: yes",
            "No-Support-for-Architecture-all: Packages",
            "Architectures: all %s" % " ".join(ARCHS),
            "Components: main",
            "Description: distill test fixture (%s)" % suite,
            "MD5Sum:",
        ]
        for rel in sorted(files):
            lines.append(" %s %8d %s" % (md5[rel], files[rel][1], rel))
        lines.append("SHA256:")
        for rel in sorted(files):
            lines.append(" %s %8d %s" % (files[rel][0], files[rel][1], rel))
        release = ("\n".join(lines) + "\n").encode()
        d = self.suite_dir(suite)
        with open(os.path.join(d, "Release"), "wb") as f:
            f.write(release)
        for name in ("InRelease", "Release.gpg"):
            if os.path.exists(os.path.join(d, name)):
                os.unlink(os.path.join(d, name))
        if self.key is not None:
            with open(os.path.join(d, "InRelease"), "wb") as f:
                f.write(self.key.clearsign(release))
            with open(os.path.join(d, "Release.gpg"), "wb") as f:
                f.write(self.key.detach_sign(release))

    # -- queries ------------------------------------------------------------

    def entry(self, name: str, arch: str, suite: str) -> IndexEntry:
        """The package `name` as listed in the `arch` index of `suite`."""
        for e in self.indices.get((suite, arch), []):
            if e.name == name:
                return e
        raise KeyError("%s not in %s/%s" % (name, suite, arch))

    def closure(self, arch: str, closure: Dict[str, str] = None) -> Dict[str, IndexEntry]:
        """name -> IndexEntry for a {name: suite} map (default: app's closure)."""
        return {n: self.entry(n, arch, s) for n, s in (closure or APP_CLOSURE).items()}

    def dists_url_path(self, suite: str, rel: str) -> str:
        return "/%s/dists/%s/%s" % (SUITES[suite][0], suite, rel)

    def index_url_paths(self, suite: str, arch: str, name: str = "Packages.xz") -> List[str]:
        """The canonical and the by-hash URL path of an index file."""
        rel = "main/binary-%s/%s" % (arch, name)
        digest = self.release_files[suite][rel][0]
        return [self.dists_url_path(suite, rel),
                self.dists_url_path(suite, "main/binary-%s/by-hash/SHA256/%s" % (arch, digest))]

    def read(self, url_path: str) -> bytes:
        with open(os.path.join(self.root, url_path.lstrip("/")), "rb") as f:
            return f.read()


# ---------------------------------------------------------------------------
# HTTP server


class FixtureServer:
    """Serves a folder on 127.0.0.1:<random port>, logging every request.

    set_content(path, bytes)   serve these bytes instead of the file
    fail(path, status, times)  answer `status` for the next `times` requests
                               (times=None: for ever)
    requests                   [(method, path)] seen so far; clear_log()
    """

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self._lock = threading.Lock()
        self._log: List[Tuple[str, str]] = []
        self._content: Dict[str, bytes] = {}
        self._failures: Dict[str, List] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                self._serve(head=True)

            def do_GET(self):
                self._serve(head=False)

            def _serve(self, head):
                path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
                status, body = server._answer(self.command, path)
                self.send_response(status)
                if status == 200:
                    self.send_header("Content-Type", "application/octet-stream")
                else:
                    self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def _answer(self, method: str, path: str) -> Tuple[int, bytes]:
        with self._lock:
            self._log.append((method, path))
            fails = self._failures.get(path)
            if fails:
                status, times = fails[0], fails[1]
                if times is not None:
                    if times <= 1:
                        del self._failures[path]
                    else:
                        fails[1] = times - 1
                return status, ("status %d\n" % status).encode()
            if path in self._content:
                return 200, self._content[path]
        full = os.path.normpath(os.path.join(self.root, path.lstrip("/")))
        if not (full == self.root or full.startswith(self.root + os.sep)) or \
                not os.path.isfile(full):
            return 404, b"not found\n"
        with open(full, "rb") as f:
            return 200, f.read()

    # -- control ------------------------------------------------------------

    def set_content(self, path: str, data: bytes):
        with self._lock:
            self._content[path] = data

    def fail(self, path: str, status: int, times: Optional[int] = 1):
        with self._lock:
            self._failures[path] = [status, times]

    def reset(self):
        with self._lock:
            self._content.clear()
            self._failures.clear()

    @property
    def requests(self) -> List[Tuple[str, str]]:
        with self._lock:
            return list(self._log)

    def paths(self, method: Optional[str] = "GET") -> List[str]:
        return [p for m, p in self.requests if method is None or m == method]

    def deb_requests(self) -> List[str]:
        return [p for p in self.paths(None) if p.endswith(".deb")]

    def clear_log(self):
        with self._lock:
            self._log.clear()

    def close(self):
        if self._thread.is_alive():
            self.httpd.shutdown()
            self._thread.join(timeout=10)
        self.httpd.server_close()


# ---------------------------------------------------------------------------
# OCI images: reading what `distill build` wrote, independently of distill

MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
MT_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
REF_NAME = "org.opencontainers.image.ref.name"
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


def decompress_layer(data: bytes, media_type: str) -> bytes:
    if media_type.endswith("+gzip") or media_type.endswith(".gzip"):
        return gzip.decompress(data)
    if media_type.endswith("+zstd") or media_type.endswith(".zstd"):
        p = subprocess.run(["zstd", "-d", "-c", "-q"], input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise AssertionError("zstd -d failed: %s" % p.stderr.decode())
        return p.stdout
    if media_type.endswith(".tar") or media_type.endswith("tar.diff"):
        return data
    raise AssertionError("unknown layer media type %s" % media_type)


@dataclass
class TarEntry:
    path: str  # normalised: no leading "./" or "/", no trailing "/"
    kind: str  # f (file), d (folder), l (symlink), h (hard link), o (other)
    mode: int  # permission bits with setuid/setgid/sticky
    uid: int
    gid: int
    mtime: int
    size: int
    target: str  # link target (symlink or hard link)
    data: bytes  # regular files only

    def text(self) -> str:
        return self.data.decode("utf-8")


def norm_tar_path(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name.strip("/")


def tar_entries(tar_bytes: bytes) -> List[TarEntry]:
    """The members of an (uncompressed) tar, in archive order."""
    import io
    import tarfile
    out = []
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tf:
        for m in tf:
            kind = ("f" if m.isreg() else "d" if m.isdir() else "l" if m.issym() else
                    "h" if m.islnk() else "o")
            data = tf.extractfile(m).read() if m.isreg() else b""
            target = norm_tar_path(m.linkname) if m.islnk() else m.linkname
            out.append(TarEntry(norm_tar_path(m.name), kind, m.mode, m.uid, m.gid, int(m.mtime),
                                m.size, target, data))
    return out


class OciImage:
    """One platform's image: manifest, config and layers, read from blobs."""

    def __init__(self, layout: "OciLayout", desc: dict):
        self.layout = layout
        self.desc = desc
        self.digest = desc["digest"]
        self.manifest = layout.json_blob(desc)
        self.config = layout.json_blob(self.manifest["config"])
        self.layers = self.manifest["layers"]
        self._tars: Dict[int, bytes] = {}

    @property
    def platform(self) -> str:
        return "%s/%s" % (self.config.get("os"), self.config.get("architecture"))

    def layer_tar(self, i: int) -> bytes:
        """Layer i uncompressed; its sha256 must be the config's diff_id."""
        if i not in self._tars:
            d = self.layers[i]
            tar = decompress_layer(self.layout.read_blob(d["digest"], d["size"]), d["mediaType"])
            diff_ids = self.config["rootfs"]["diff_ids"]
            if "sha256:" + sha256_bytes(tar) != diff_ids[i]:
                raise AssertionError("layer %d: uncompressed sha256 %s is not diff_id %s" %
                                     (i, sha256_bytes(tar), diff_ids[i]))
            self._tars[i] = tar
        return self._tars[i]

    def layer_entries(self, i: int) -> List[TarEntry]:
        return tar_entries(self.layer_tar(i))

    def rootfs(self) -> Dict[str, TarEntry]:
        """path -> entry over all layers (later layers win). Whiteouts are an
        error: distill images never delete anything."""
        out: Dict[str, TarEntry] = {}
        for i in range(len(self.layers)):
            for e in self.layer_entries(i):
                if os.path.basename(e.path).startswith(".wh."):
                    raise AssertionError("whiteout in layer %d: %s" % (i, e.path))
                out[e.path] = e
        return out

    def uncompressed_size(self) -> int:
        """Sum of the uncompressed layer tars (headers and padding included)."""
        return sum(len(self.layer_tar(i)) for i in range(len(self.layers)))

    def rootfs_bytes(self) -> int:
        """What the unpacked filesystem holds: regular file sizes (a hard link
        counted once) plus symlink target lengths, as `du -b --apparent-size`
        counts files."""
        return sum(e.size if e.kind == "f" else len(e.target.encode()) if e.kind == "l" else 0
                   for e in self.rootfs().values())


class OciLayout:
    """An OCI image layout folder. Every blob read is checked against its
    digest and the size its descriptor gives."""

    def __init__(self, path: str):
        self.path = path
        with open(os.path.join(path, "oci-layout")) as f:
            layout = json.load(f)
        if layout.get("imageLayoutVersion") != "1.0.0":
            raise AssertionError("oci-layout: %r" % layout)
        with open(os.path.join(path, "index.json")) as f:
            self.index = json.load(f)
        if self.index.get("schemaVersion") != 2:
            raise AssertionError("index.json schemaVersion: %r" % self.index)

    def blob_path(self, digest: str) -> str:
        algo, hexd = digest.split(":", 1)
        return os.path.join(self.path, "blobs", algo, hexd)

    def read_blob(self, digest: str, size: Optional[int] = None) -> bytes:
        if not DIGEST_RE.match(digest):
            raise AssertionError("bad digest %r" % digest)
        with open(self.blob_path(digest), "rb") as f:
            data = f.read()
        if "sha256:" + sha256_bytes(data) != digest:
            raise AssertionError("blob %s has sha256 %s" % (digest, sha256_bytes(data)))
        if size is not None and len(data) != size:
            raise AssertionError("blob %s: %d bytes, descriptor says %d" %
                                 (digest, len(data), size))
        return data

    def json_blob(self, desc: dict) -> dict:
        return json.loads(self.read_blob(desc["digest"], desc.get("size")))

    def blobs(self) -> List[str]:
        """Every blob file's digest ("sha256:..."), sorted."""
        d = os.path.join(self.path, "blobs", "sha256")
        return sorted("sha256:" + n for n in os.listdir(d)) if os.path.isdir(d) else []

    @property
    def manifests(self) -> List[dict]:
        return self.index.get("manifests", [])

    def ref(self, tag: Optional[str] = None) -> dict:
        """The index.json entry named `tag` (None: the only entry)."""
        if tag is None:
            if len(self.manifests) != 1:
                raise AssertionError("index.json has %d entries, want 1: %s" %
                                     (len(self.manifests), self.index))
            return self.manifests[0]
        found = [m for m in self.manifests if m.get("annotations", {}).get(REF_NAME) == tag]
        if len(found) != 1:
            raise AssertionError("index.json has %d entries named %r: %s" %
                                 (len(found), tag, self.index))
        return found[0]

    def images(self, tag: Optional[str] = None) -> List[OciImage]:
        """The images behind an index.json entry (an image index expands to
        its manifests)."""
        desc = self.ref(tag)
        if desc["mediaType"] == MT_OCI_INDEX:
            sub = self.json_blob(desc)
            if sub.get("mediaType") != MT_OCI_INDEX:
                raise AssertionError("image index blob lacks its mediaType: %s" % sub)
            return [OciImage(self, d) for d in sub["manifests"]]
        if desc["mediaType"] != MT_OCI_MANIFEST:
            raise AssertionError("unexpected media type %s" % desc["mediaType"])
        return [OciImage(self, desc)]

    def image(self, tag: Optional[str] = None, platform: Optional[str] = None) -> OciImage:
        imgs = self.images(tag)
        if platform:
            imgs = [i for i in imgs if i.platform == platform]
        if len(imgs) != 1:
            raise AssertionError("want one image (platform %s), got %d" % (platform, len(imgs)))
        return imgs[0]


def docker_archive_members(path: str) -> Dict[str, bytes]:
    import tarfile
    out = {}
    with tarfile.open(path, "r:") as tf:
        for m in tf:
            if m.isreg():
                out[norm_tar_path(m.name)] = tf.extractfile(m).read()
    return out


# ---------------------------------------------------------------------------
# External judges: skopeo, umoci, runc



def on_terminal(argv, env, typed: bytes, timeout: int = 60) -> Tuple[bytes, int]:
    """Runs argv in a new session whose controlling terminal is a pty, types
    `typed` and returns (all the terminal showed, the exit code)."""
    import pty
    import select
    import signal
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    out = b""
    try:
        time.sleep(0.2)
        os.write(fd, typed)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the terminal's last user is gone
                    break
                if not chunk:
                    break
                out += chunk
    finally:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    return out, os.waitstatus_to_exitcode(status)

def tool(name: str) -> str:
    """The path of a required external tool; a missing one fails the test
    (it is what judges the output)."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")
    if not path:
        raise AssertionError("%s is needed to check images but is not installed" % name)
    return path


@dataclass
class ToolResult:
    args: List[str]
    rc: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return "command: %s\nexit code: %d\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            " ".join(self.args), self.rc, self.stdout[-20000:], self.stderr[-20000:])


def run_tool(args: List[str], timeout: int = 600, input_bytes: Optional[bytes] = None,
             env: Optional[Dict[str, str]] = None) -> ToolResult:
    args = [tool(args[0])] + [str(a) for a in args[1:]]
    try:
        p = subprocess.run(args, input=input_bytes,
                           stdin=None if input_bytes is not None else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           env=env)
    except subprocess.TimeoutExpired as e:
        return ToolResult(args, -999, (e.stdout or b"").decode("utf-8", "replace"),
                          "timed out after %ss\n%s" % (timeout, (e.stderr or b"").decode(
                              "utf-8", "replace")))
    return ToolResult(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))


def skopeo(*args, timeout: int = 600) -> ToolResult:
    # --insecure-policy: the host may have no /etc/containers/policy.json; we
    # only copy local files.
    return run_tool(["skopeo", "--insecure-policy"] + list(args), timeout=timeout)


def umoci_unpack(layout: str, tag: str, bundle: str, rootless: bool = True) -> ToolResult:
    args = ["umoci", "unpack"] + (["--rootless"] if rootless else []) + [
        "--image", "%s:%s" % (layout, tag), bundle]
    return run_tool(args)


@dataclass
class ContainerResult:
    rc: int
    stdout: str
    stderr: str
    args: List[str]

    def describe(self) -> str:
        return "container args: %s\nexit code: %d\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            self.args, self.rc, self.stdout[-30000:], self.stderr[-20000:])


_CONTAINER_SEQ = [0]


def runc_run(bundle: str, args: Optional[List[str]] = None, env: Optional[Dict[str, str]] = None,
             timeout: int = 300, readonly: bool = True) -> ContainerResult:
    """Runs the bundle umoci unpacked (without --rootless, as root) under
    runc, with its own state folder, and always deletes the container.
    args None keeps the image's entrypoint+cmd (umoci put them in
    config.json); env adds to the image's environment."""
    runc = tool("runc")
    cfg_path = os.path.join(bundle, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    proc = cfg["process"]
    proc["terminal"] = False
    if args is not None:
        proc["args"] = list(args)
    if env:
        keep = [e for e in proc.get("env", []) if e.split("=", 1)[0] not in env]
        proc["env"] = keep + ["%s=%s" % kv for kv in sorted(env.items())]
    cfg.setdefault("root", {})["readonly"] = readonly
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2)
    _CONTAINER_SEQ[0] += 1
    cid = "distill-test-%d-%d" % (os.getpid(), _CONTAINER_SEQ[0])
    state = tempfile.mkdtemp(prefix="runc-")  # short path: runc state sockets
    try:
        try:
            p = subprocess.run([runc, "--root", state, "run", "--bundle", bundle, cid],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
            return ContainerResult(p.returncode, p.stdout.decode("utf-8", "replace"),
                                   p.stderr.decode("utf-8", "replace"), proc["args"])
        except subprocess.TimeoutExpired as e:
            return ContainerResult(-999, (e.stdout or b"").decode("utf-8", "replace"),
                                   "timed out after %ss" % timeout, proc["args"])
    finally:
        subprocess.run([runc, "--root", state, "delete", "--force", cid],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(state, ignore_errors=True)


def result_json(stdout: str) -> dict:
    """The JSON after `RESULT ` on the last such line of a check script."""
    lines = [l for l in stdout.splitlines() if l.startswith("RESULT ")]
    if not lines:
        raise AssertionError("no RESULT line in the container's output")
    return json.loads(lines[-1][len("RESULT "):])


ELF_MACHINES = {62: "amd64", 183: "arm64"}


def elf_arch(data: bytes) -> Optional[str]:
    if data[:4] != b"\x7fELF" or len(data) < 20:
        return None
    return ELF_MACHINES.get(int.from_bytes(data[18:20], "little"), "machine %d" % int.from_bytes(
        data[18:20], "little"))


# ---------------------------------------------------------------------------
# Build tests


def seed_cache_blobs(src: str, dst: str):
    """A new cache at dst holding only src's content-addressed blobs (hard
    links): downloads are not repeated, but nothing derived (layer records,
    index state) carries over, so the next build assembles from scratch."""
    for path in blob_files(src):
        rel = os.path.relpath(path, src)
        target = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


class BuildTestMixin:
    """Helpers for `distill build` tests (mix into a DistillTestCase)."""

    def write_spec(self, text: str, folder: Optional[str] = None,
                   name: str = "distill.yaml") -> str:
        folder = folder or self.mkdir("spec")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def write_files(self, root: str, files: Dict[str, Tuple[str, int]]):
        """files: relative path -> (text, mode)."""
        for rel, (text, mode) in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, mode)

    def assert_digest_line(self, res: RunResult) -> str:
        lines = res.stdout.splitlines()
        self.assertEqual(len(lines), 1, "stdout must be the digest alone\n" + res.describe())
        self.assertRegex(lines[0], DIGEST_RE, res.describe())
        return lines[0]

    def assert_skopeo_inspect(self, ref: str, override_arch: Optional[str] = None) -> dict:
        args = (["--override-arch", override_arch] if override_arch else []) + ["inspect", ref]
        r = skopeo(*args)
        self.assertEqual(r.rc, 0, "skopeo rejects the image\n" + r.describe())
        return json.loads(r.stdout)

    def unpack(self, layout: str, tag: str, name: str = "bundle", rootless: bool = True) -> str:
        bundle = os.path.join(self.tmp, name)
        if os.path.exists(bundle):
            shutil.rmtree(bundle)
        r = umoci_unpack(layout, tag, bundle, rootless=rootless)
        self.assertEqual(r.rc, 0, "umoci cannot unpack the image\n" + r.describe())
        self.assertTrue(os.path.isfile(os.path.join(bundle, "config.json")), r.describe())
        return bundle

    def status_packages(self, root: Dict[str, TarEntry]) -> List[str]:
        """Packages with a /var/lib/dpkg/status.d entry (or md5sums)."""
        names = set()
        for path, e in root.items():
            if path.startswith("var/lib/dpkg/status.d/") and e.kind == "f":
                base = path[len("var/lib/dpkg/status.d/"):]
                names.add(base[:-len(".md5sums")] if base.endswith(".md5sums") else base)
        return sorted(names)

    def assert_no_shell(self, image_root: Dict[str, "TarEntry"], bundle: Optional[str] = None):
        for sh in ("bin/sh", "usr/bin/sh", "bin/bash", "usr/bin/bash", "bin/dash", "usr/bin/dash",
                   "bin/busybox", "usr/bin/busybox"):
            self.assertNotIn(sh, image_root, "%s must not exist in the image" % sh)
        if bundle:
            rootfs = os.path.join(bundle, "rootfs")
            for sh in ("bin/sh", "usr/bin/sh", "bin/bash", "bin/dash"):
                self.assertFalse(os.path.lexists(os.path.join(rootfs, sh)),
                                 "%s exists in the unpacked rootfs" % sh)


# ---------------------------------------------------------------------------
# Online build tests (real Debian packages from the host's apt sources)

ONLINE_CACHE = os.path.join(TEST_TMP, "online-cache")
CHECKS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "image_checks")
SIZE_LIMIT_PYTHON3 = 53 * 1000 * 1000


class OnlineBuildMixin(BuildTestMixin):
    """Builds against the host's configured mirror (no --mirror: an
    unreachable mirror fails the test) with one cache shared by every online
    build test, so each package is downloaded once."""

    def online_build(self, spec_text: str, *extra, tag: str = "test", checks=(),
                     out: Optional[str] = None, cache: str = ONLINE_CACHE,
                     env=None, cwd=None, umask=None, spec_folder: Optional[str] = None):
        """Writes the spec (copying the named image_checks scripts next to
        it), builds, checks stdout names the tagged image. Returns
        (digest, OciLayout, RunResult)."""
        folder = spec_folder or self.mkdir("spec")
        for name in checks:
            shutil.copyfile(os.path.join(CHECKS_DIR, name), os.path.join(folder, name))
        spec = self.write_spec(spec_text, folder=folder)
        out = out or os.path.join(self.tmp, "image")
        args = ["--cache-dir", cache, "build", "-f", spec, "-o", out,
                "-t", "distill-test:%s" % tag] + list(extra)
        res = self.run_distill(args, env=env, cwd=cwd, umask=umask, timeout=1800)
        digest = self.assert_digest_line(res)
        layout = OciLayout(out)
        self.assertEqual(layout.ref(tag)["digest"], digest, res.describe())
        print("\n    [%s] %s" % (self._testMethodName, res.stderr.strip().replace(
            "\n", "\n    ")), file=sys.stderr)
        return digest, layout, res

    def judge(self, layout: OciLayout, tag: str, arch: str) -> Tuple[OciImage, Dict[str, TarEntry]]:
        """skopeo inspect and umoci unpack --rootless accept the image; the
        unpacked rootfs has no shell. Returns the image and its files."""
        info = self.assert_skopeo_inspect("oci:%s:%s" % (layout.path, tag))
        self.assertEqual((info["Os"], info["Architecture"]), ("linux", arch))
        img = layout.image(tag)
        self.assertEqual(info["Digest"], img.digest)
        bundle = self.unpack(layout.path, tag, name="bundle-rootless", rootless=True)
        root = img.rootfs()
        self.assert_no_shell(root, bundle)
        rootfs = os.path.join(bundle, "rootfs")
        for p in ("etc/passwd", "etc/group", "etc/ssl/certs/ca-certificates.crt",
                  "usr/share/zoneinfo/Europe/Paris"):
            self.assertTrue(os.path.isfile(os.path.join(rootfs, p)), p)
        shutil.rmtree(bundle, ignore_errors=True)  # rootless unpacks can be large
        certs = root["etc/ssl/certs/ca-certificates.crt"].data.count(b"-----BEGIN CERTIFICATE-----")
        self.assertGreaterEqual(certs, 100, "the CA bundle holds Debian's certificates")
        return img, root

    def run_bundle(self, layout: OciLayout, tag: str) -> str:
        """Unpacks as root (real owners) for runc; returns the bundle path."""
        return self.unpack(layout.path, tag, name="bundle-run", rootless=False)

    def assert_shell_fails(self, bundle: str):
        r = runc_run(bundle, ["/bin/sh", "-c", "echo shell-ran"])
        self.assertNotEqual(r.rc, 0, "/bin/sh ran\n" + r.describe())
        self.assertNotIn("shell-ran", r.stdout)
        self.assertIn("/bin/sh", r.stderr, r.describe())


# ---------------------------------------------------------------------------
# Fixture glue for test cases


class FixtureTestCase(DistillTestCase):
    """A DistillTestCase with helpers for fixture repositories and servers."""

    def make_repo(self, name="repo", key="main", **kwargs) -> FixtureRepo:
        k = {"main": signing_key, "other": other_key}[key]() if isinstance(key, str) else key
        return FixtureRepo(os.path.join(self.tmp, name), key=k, **kwargs)

    def serve(self, repo_or_root) -> FixtureServer:
        root = repo_or_root.root if isinstance(repo_or_root, FixtureRepo) else repo_or_root
        srv = FixtureServer(root)
        self.addCleanup(srv.close)
        return srv

    def make_image_repo(self, name="repo", **kwargs) -> FixtureRepo:
        """A repository of image_packages() (for `distill build`)."""
        return self.make_repo(name, packages=image_packages(), **kwargs)

    def keyring(self) -> str:
        """The archive key's keyring, copied into the test folder so that a
        kept folder holds everything needed to rerun a failed command."""
        path = os.path.join(self.tmp, "archive-keyring.gpg")
        if not os.path.exists(path):
            signing_key().copy_keyring(path)
        return path

    def mirror_args(self, server: FixtureServer, keyring: Optional[str] = None) -> List[str]:
        return ["--mirror", server.url + "/debian", "--keyring", keyring or self.keyring()]


def main():
    """Runs the calling module's tests; exits non-zero on failure."""
    if not os.path.exists(DISTILL):
        print("distill binary not found: %s (set DISTILL)" % DISTILL, file=sys.stderr)
        sys.exit(2)
    os.makedirs(TEST_TMP, exist_ok=True)
    prog = unittest.main(module="__main__", exit=False, verbosity=2)
    r = prog.result
    module_dir = os.path.join(TEST_TMP, os.path.splitext(os.path.basename(sys.argv[0]))[0])
    try:
        os.rmdir(module_dir)  # only when empty: kept failure folders stay
    except OSError:
        pass
    bad = len(r.failures) + len(r.errors) + len(getattr(r, "unexpectedSuccesses", []))
    print("\nSUMMARY %s: %d run, %d failed, %d errors, %d skipped -> %s" %
          (os.path.basename(sys.argv[0]), r.testsRun, len(r.failures), len(r.errors),
           len(r.skipped), "OK" if bad == 0 and r.testsRun > 0 else "FAILED"))
    sys.exit(0 if bad == 0 and r.testsRun > 0 else 1)
