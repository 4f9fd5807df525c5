"""A real Docker Distribution registry (Debian's docker-registry, 2.8) for the
registry integration tests, started by the test itself on 127.0.0.1 with a
free port and storage in the test's folder, in one of four setups:

  plain   HTTP, anonymous
  tls     HTTPS with a certificate signed by a CA generated here (openssl CLI)
  basic   HTTP with htpasswd (bcrypt, `htpasswd -B`) Basic auth
  token   HTTP with `auth: token`: a small token server in this module issues
          RS256 JWTs (python3-jwt) signed with a generated key that the
          registry trusts through rootcertbundle

Requests are counted from the registry's access log. Test images are OCI
layouts written here with the standard library (tar + gzip + JSON), so the
tests need nothing beyond 127.0.0.1.
"""

import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import re
import socket
import subprocess
import tarfile
import threading
import time
import urllib.parse
from typing import Dict, List, Optional, Tuple

import distill_testlib as T

USER = "alice"
PASSWORD = "Secr3t-pa55word"

ACCESS_RE = re.compile(r'"([A-Z]+) (\S+) HTTP/[0-9.]+" (\d{3})')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, input_bytes: Optional[bytes] = None) -> bytes:
    p = subprocess.run(args, input=input_bytes, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(args), p.returncode,
                                                      p.stderr.decode(errors="replace")))
    return p.stdout


# ---------------------------------------------------------------------------
# Certificates


def make_ca(folder: str) -> Tuple[str, str]:
    """A self-signed CA: (cert path, key path)."""
    T.tool("openssl")
    key = os.path.join(folder, "ca.key")
    cert = os.path.join(folder, "ca.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
         cert, "-days", "2", "-subj", "/CN=distill test CA"])
    return cert, key


def make_server_cert(folder: str, ca_cert: str, ca_key: str) -> Tuple[str, str]:
    """A certificate for 127.0.0.1 signed by the CA: (cert path, key path)."""
    key = os.path.join(folder, "server.key")
    csr = os.path.join(folder, "server.csr")
    cert = os.path.join(folder, "server.pem")
    ext = os.path.join(folder, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/CN=127.0.0.1"])
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext])
    return cert, key


def make_self_signed_cert(folder: str) -> Tuple[str, str]:
    """A certificate for 127.0.0.1 that signs itself: (cert path, key path)."""
    T.tool("openssl")
    key = os.path.join(folder, "self.key")
    cert = os.path.join(folder, "self.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
         cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
    return cert, key


# ---------------------------------------------------------------------------
# Token server


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_rs256(claims: dict, key_pem_path: str, x5c: str) -> str:
    """A JWT signed RS256 (RSASSA-PKCS1-v1_5 over SHA-256) by the openssl CLI,
    so the test needs no Python JWT module."""
    header = {"alg": "RS256", "typ": "JWT", "x5c": [x5c]}
    signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    sig = run(["openssl", "dgst", "-sha256", "-sign", key_pem_path], signing_input.encode())
    return signing_input + "." + _b64url(sig)


class TokenServer:
    """Issues registry tokens (RS256 JWT with an x5c header) to USER/PASSWORD."""

    def __init__(self, folder: str, service: str, issuer: str = "distill-test-issuer"):
        self.service = service
        self.issuer = issuer
        os.makedirs(folder, exist_ok=True)
        self.cert, self.key = make_ca(folder)  # self-signed: its own trust anchor
        der = run(["openssl", "x509", "-in", self.cert, "-outform", "DER"])
        self._x5c = base64.b64encode(der).decode()
        self.requests: List[Dict[str, List[str]]] = []
        self.issued = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer._answer(self)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.realm = "http://127.0.0.1:%d/token" % self.port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _answer(self, h):
        url = urllib.parse.urlparse(h.path)
        query = urllib.parse.parse_qs(url.query)
        self.requests.append(query)
        want = "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        if h.headers.get("Authorization") != want:
            h.send_response(401)
            h.end_headers()
            return
        access = []
        for scope in query.get("scope", []):
            for one in scope.split(" "):
                parts = one.split(":")
                if len(parts) >= 3:
                    access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                                   "actions": parts[-1].split(",")})
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": USER, "aud": self.service, "iat": now - 5,
                  "nbf": now - 5, "exp": now + 300, "jti": "t%d" % self.issued,
                  "access": access}
        self.issued += 1
        token = jwt_rs256(claims, self.key, self._x5c)
        body = json.dumps({"token": token, "expires_in": 300}).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def close(self):
        self._server.shutdown()
        self._server.server_close()


# ---------------------------------------------------------------------------
# The registry


class Registry:
    def __init__(self, folder: str, setup: str = "plain"):
        T.tool("docker-registry")
        self.folder = folder
        self.setup = setup
        os.makedirs(folder, exist_ok=True)
        self.storage = os.path.join(folder, "storage")
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.ca_cert: Optional[str] = None
        self.token_server: Optional[TokenServer] = None
        self.log_path = os.path.join(folder, "registry.log")
        self._proc: Optional[subprocess.Popen] = None
        self._log_offset = 0
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": self.storage},
                        "delete": {"enabled": True}},
            # stop() sends SIGTERM: with no drain time, docker-registry exits
            # in the middle of a request and may leave half-written files
            # that answer later requests with 500.
            "http": {"addr": self.host, "secret": "distill-test-secret", "draintimeout": "5s"},
        }
        if setup == "tls":
            self.ca_cert, ca_key = make_ca(folder)
            cert, key = make_server_cert(folder, self.ca_cert, ca_key)
            config["http"]["tls"] = {"certificate": cert, "key": key}
        elif setup == "selfsigned":  # a self-signed certificate and Basic auth
            self.ca_cert, key = make_self_signed_cert(folder)
            config["http"]["tls"] = {"certificate": self.ca_cert, "key": key}
            T.tool("htpasswd")
            htpasswd = os.path.join(folder, "htpasswd")
            with open(htpasswd, "wb") as f:
                f.write(run(["htpasswd", "-Bbn", USER, PASSWORD]))
            config["auth"] = {"htpasswd": {"realm": "distill-test", "path": htpasswd}}
        elif setup == "basic":
            T.tool("htpasswd")
            htpasswd = os.path.join(folder, "htpasswd")
            with open(htpasswd, "wb") as f:
                f.write(run(["htpasswd", "-Bbn", USER, PASSWORD]))
            config["auth"] = {"htpasswd": {"realm": "distill-test", "path": htpasswd}}
        elif setup == "token":
            self.token_server = TokenServer(os.path.join(folder, "token"), service="distill-test")
            config["auth"] = {"token": {"realm": self.token_server.realm,
                                        "service": self.token_server.service,
                                        "issuer": self.token_server.issuer,
                                        "rootcertbundle": self.token_server.cert}}
        elif setup != "plain":
            raise ValueError(setup)
        self.config_path = os.path.join(folder, "config.yml")
        with open(self.config_path, "w") as f:
            json.dump(config, f, indent=1)  # JSON is YAML
        self.start()

    def start(self):
        log = open(self.log_path, "ab")
        self._proc = subprocess.Popen(["docker-registry", "serve", self.config_path],
                                      stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.time() + 20
        while time.time() < deadline:
            if self._proc.poll() is not None:
                raise AssertionError("docker-registry exited:\n" + self.log_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("docker-registry did not listen:\n" + self.log_text())

    def stop(self):
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def close(self):
        self.stop()
        if self.token_server:
            self.token_server.close()

    def log_text(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    # -- request counting (from the access log) -------------------------------

    def mark(self):
        """Later calls to requests() see only what came after this."""
        time.sleep(0.2)  # let the registry flush its log
        self._log_offset = os.path.getsize(self.log_path)

    def requests(self) -> List[Tuple[str, str, int]]:
        time.sleep(0.2)
        with open(self.log_path, "rb") as f:
            f.seek(self._log_offset)
            text = f.read().decode(errors="replace")
        return [(m.group(1), m.group(2), int(m.group(3))) for m in ACCESS_RE.finditer(text)]

    def blob_uploads(self) -> List[str]:
        """Upload sessions started without a successful mount."""
        return [u for (m, u, s) in self.requests()
                if m == "POST" and "/blobs/uploads/" in u and s == 202]

    def mounts(self) -> List[str]:
        return [u for (m, u, s) in self.requests()
                if m == "POST" and "mount=" in u and s == 201]

    def blob_data_path(self, digest: str) -> str:
        hexd = digest.split(":", 1)[1]
        return os.path.join(self.storage, "docker", "registry", "v2", "blobs", "sha256", hexd[:2],
                            hexd, "data")


# ---------------------------------------------------------------------------
# Test images


def _noise(seed: str, size: int) -> bytes:
    """Deterministic, incompressible bytes."""
    base = hashlib.sha256(seed.encode()).digest()
    return b"".join(hashlib.sha256(base + i.to_bytes(4, "big")).digest()
                    for i in range(size // 32 + 1))[:size]


def _layer(files: Dict[str, bytes]) -> Tuple[bytes, str]:
    """A gzip layer (deterministic) and its diff_id."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(files[name]))
    tar_bytes = raw.getvalue()
    gz = gzip.compress(tar_bytes, mtime=0)
    return gz, "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


class LayoutBuilder:
    """Writes an OCI layout: one image per platform, optionally under an index."""

    def __init__(self, path: str):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob(self, data: bytes, media_type: str) -> dict:
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.path, "blobs", "sha256", h), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + h, "size": len(data)}

    def image(self, arch: str, seed: str, layer_size: int = 4096) -> dict:
        layers, diff_ids = [], []
        for i in range(2):
            payload = _noise("%s-%s-%d" % (seed, arch, i), layer_size)
            gz, diff = _layer({"data/%s-%d.bin" % (arch, i): payload,
                               "etc/arch": arch.encode()})
            layers.append(self.blob(gz, "application/vnd.oci.image.layer.v1.tar+gzip"))
            diff_ids.append(diff)
        config = {"architecture": arch, "os": "linux",
                  "config": {"Entrypoint": ["/bin/app"]},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        cdesc = self.blob(json.dumps(config, sort_keys=True).encode(),
                          "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cdesc, "layers": layers}
        mdesc = self.blob(json.dumps(manifest, sort_keys=True).encode(),
                          "application/vnd.oci.image.manifest.v1+json")
        mdesc["platform"] = {"architecture": arch, "os": "linux"}
        return mdesc

    def finish(self, top: dict, tag: str) -> dict:
        top = dict(top)
        top.pop("platform", None)
        top["annotations"] = {"org.opencontainers.image.ref.name": tag}
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [top]}
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(index, f)
        return top


def make_layout(path: str, archs=("amd64",), tag: str = "v1", seed: str = "s",
                layer_size: int = 4096) -> str:
    """An OCI layout with one image per arch (an index when several); returns
    the top digest."""
    b = LayoutBuilder(path)
    manifests = [b.image(a, seed, layer_size) for a in archs]
    if len(manifests) == 1:
        top = manifests[0]
    else:
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": manifests}
        top = b.blob(json.dumps(index, sort_keys=True).encode(),
                     "application/vnd.oci.image.index.v1+json")
    return b.finish(top, tag)["digest"]


def read_json(path: str):
    with open(path) as f:
        return json.load(f)


def layout_blobs(path: str) -> Dict[str, bytes]:
    """digest -> bytes of every blob in a layout."""
    out = {}
    root = os.path.join(path, "blobs", "sha256")
    for name in os.listdir(root):
        with open(os.path.join(root, name), "rb") as f:
            out["sha256:" + name] = f.read()
    return out


def isolated_env(test) -> Dict[str, str]:
    """HOME and XDG dirs inside the test folder (skopeo, distill)."""
    env = test.base_env()
    for k in ("XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME"):
        env[k] = os.path.join(test.tmp, k.lower())
        os.makedirs(env[k], mode=0o700, exist_ok=True)
    env["DOCKER_CONFIG"] = os.path.join(test.home, ".docker")
    env["REGISTRY_AUTH_FILE"] = os.path.join(test.tmp, "skopeo-auth.json")
    return env


def skopeo(test, *args, check=True) -> subprocess.CompletedProcess:
    T.tool("skopeo")
    p = subprocess.run(["skopeo"] + list(args), env=isolated_env(test), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError("skopeo %s failed (%d):\n%s" % (" ".join(args), p.returncode,
                                                            p.stderr.decode(errors="replace")))
    return p


class RegistryTestCase(T.DistillTestCase):
    """A registry per test (SETUP), distill and skopeo isolated in the test folder."""

    SETUP = "plain"

    def setUp(self):
        super().setUp()
        self.registry = Registry(os.path.join(self.tmp, "registry"), self.SETUP)
        self.addCleanup(self.registry.close)
        self.host = self.registry.host

    def env(self) -> Dict[str, str]:
        e = isolated_env(self)
        return {k: v for k, v in e.items()}

    def distill(self, *args, input_text: Optional[str] = None, expect_rc=0) -> T.RunResult:
        cmd = [T.DISTILL] + [str(a) for a in args]
        p = subprocess.run(cmd, cwd=self.tmp, env=self.env(), timeout=600,
                           input=(input_text or "").encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        res = T.RunResult(cmd, p.returncode, p.stdout.decode(errors="replace"),
                          p.stderr.decode(errors="replace"), self.tmp)
        if expect_rc == T.NONZERO:
            if res.rc <= 0:
                self.fail("expected failure\n" + res.describe())
        elif expect_rc is not None and res.rc != expect_rc:
            self.fail("expected exit code %d\n%s" % (expect_rc, res.describe()))
        return res

    def layout(self, name="src", **kwargs) -> Tuple[str, str]:
        path = os.path.join(self.tmp, name)
        return path, make_layout(path, **kwargs)

    def push(self, layout: str, ref: str, *extra, expect_rc=0) -> T.RunResult:
        return self.distill("push", layout, ref, *extra, expect_rc=expect_rc)

    def assert_pushed_line(self, res: T.RunResult, ref: str, digest: str):
        self.assertEqual(res.stdout.strip(), "%s@%s" % (ref, digest), res.describe())

    def assert_same_layout_content(self, a: str, b: str):
        """Same top digest in index.json and byte-identical blobs."""
        ia = read_json(os.path.join(a, "index.json"))
        ib = read_json(os.path.join(b, "index.json"))
        self.assertEqual([m["digest"] for m in ia["manifests"]],
                         [m["digest"] for m in ib["manifests"]])
        self.assertEqual(layout_blobs(a), layout_blobs(b))
