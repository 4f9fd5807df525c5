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
                    shutil.rmtree(tmp, ignore_errors=True)
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
            shutil.rmtree(path)
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
           pkg.compression)
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
        p = subprocess.run(["dpkg-deb", "--root-owner-group", "-Z" + pkg.compression, "--build", root, out],
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
    """

    def __init__(self, root: str, key: Optional[GpgKey] = None,
                 packages: Optional[List[FixturePackage]] = None, date_offset: int = 0,
                 valid_for: Optional[int] = None,
                 index_mutator: Optional[Callable[[str, str, str], str]] = None):
        self.root = root
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
                "Packages.xz": lzma.compress(plain, format=lzma.FORMAT_XZ,
                                             check=lzma.CHECK_CRC64),
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
