"""The spec's `healthcheck` on a python3 image built from the host's Debian
mirror: distill's static checker in the image (http and tcp forms) or the
image's own program (exec), docker's Healthcheck in the config (read back by
podman from a docker-archive), and `distill run` running it: healthy and
unhealthy by the app's answer, in the foreground (one line per change) and
detached (`ps`). Building twice gives the same digest. Not hermetic; needs
root, runc and podman.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

CHECKER = "/usr/libexec/distill/healthcheck"

# /health answers 500 once /tmp/sick exists or SICK_AFTER seconds have passed.
APP = """\
import http.server, os, time

START = time.monotonic()
SICK_AFTER = float(os.environ.get("SICK_AFTER", "0"))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        sick = os.path.exists("/tmp/sick") or (
            SICK_AFTER > 0 and time.monotonic() - START > SICK_AFTER)
        code = 500 if self.path == "/health" and sick else 200
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"sick\\n" if code == 500 else b"ok\\n")


print("listening", flush=True)
http.server.HTTPServer(("127.0.0.1", 8080), Handler).serve_forever()
"""

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
files:
  - {src: app.py, dst: /app/app.py, mode: "0644"}
entrypoint: [/usr/bin/python3, /app/app.py]
healthcheck:
  %s
  interval: 1s
  timeout: 5s
  retries: 2
"""

HTTP = "http: http://127.0.0.1:8080/health"
TCP = "tcp: 127.0.0.1:8080"
EXEC = ("exec: [/usr/bin/python3, -c, \"import urllib.request; "
        "urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=3)\"]")


class HealthcheckOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def setUp(self):
        super().setUp()
        T.tool("runc")
        self.state = self.mkdir("state")
        self.tmpdir = self.mkdir("tmpdir")
        self.addCleanup(self.stop_all)

    def env(self):
        return {"TMPDIR": self.tmpdir, "DISTILL_STATE_DIR": self.state}

    def d(self, *args, expect_rc=0):
        return self.run_distill(list(args), expect_rc=expect_rc, env=self.env(), timeout=120)

    def stop_all(self):
        for c in self.run_distill(["ps", "-a", "--format", "json"], env=self.env()).json():
            self.run_distill(["stop", "-t", "1", c["name"]], env=self.env(), expect_rc=None)

    def build(self, form, *extra, out=None, umask=None, tag="test"):
        folder = self.mkdir("spec-%d" % len(os.listdir(self.tmp)))
        with open(os.path.join(folder, "app.py"), "w") as f:
            f.write(APP)
        self.spec_folder = folder
        return self.online_build(SPEC % form, *extra, spec_folder=folder, out=out, umask=umask,
                                 tag=tag)

    def ps_row(self, name):
        rows = [c for c in self.d("ps", "-a", "--format", "json").json() if c["name"] == name]
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    def wait_health(self, name, status, timeout=90):
        deadline = time.time() + timeout
        row = None
        while time.time() < deadline:
            row = self.ps_row(name)
            if row["health"] and row["health"]["status"] == status:
                return row
            time.sleep(0.3)
        self.fail("%s never became %s: %s\n%s" % (name, status, row,
                                                   self.d("logs", name).stdout))

    def test_http_form(self):
        digest, layout, _ = self.build(HTTP)
        # Reproducible: another folder, another umask, the same digest.
        again, _, _ = self.build(HTTP, out=os.path.join(self.tmp, "image-again"), umask=0o077)
        self.assertEqual(again, digest)
        img = layout.image("test")
        self.assertEqual(img.config["config"]["Healthcheck"], {
            "Test": ["CMD", CHECKER, "http", "http://127.0.0.1:8080/health"],
            "Interval": 1000000000, "Timeout": 5000000000, "Retries": 2})
        root = img.rootfs()
        checker = root[CHECKER.lstrip("/")]
        self.assertEqual((checker.kind, checker.mode, checker.uid, checker.gid),
                         ("f", 0o755, 0, 0))
        self.assertEqual(checker.data[:4], b"\x7fELF")
        # A static program: the ELF check and lint have nothing against it.
        r = self.run_distill(["lint", "--format", "json", layout.path + ":test"], expect_rc=None)
        self.assertNotIn(CHECKER, r.stdout, r.describe())
        image = layout.path + ":test"

        # Foreground: one line per change, healthy then unhealthy (the app turns sick).
        full = self.base_env()
        full.update(self.env())
        p = subprocess.Popen([T.DISTILL, "run", "-e", "SICK_AFTER=6", image], env=full,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        lines = []
        try:
            deadline = time.time() + 90
            while time.time() < deadline:
                line = p.stderr.readline().decode()
                if not line:
                    break
                lines.append(line.rstrip("\n"))
                if line.startswith("distill: health: unhealthy"):
                    break
        finally:
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=60)
        health = [l for l in lines if l.startswith("distill: health:")]
        self.assertEqual(health, ["distill: health: healthy",
                                  "distill: health: unhealthy (distill-health: HTTP 500)"],
                         "\n".join(lines) + err.decode())
        self.assertEqual(os.listdir(self.tmpdir), [], "bundle or runc state left")

        # Detached: ps follows the checks the container's monitor runs.
        self.d("run", "-d", "--name", "web", image)
        row = self.wait_health("web", "healthy")
        self.assertEqual(row["status"], "running")
        table = self.d("ps").stdout.splitlines()
        self.assertRegex(table[1], r" Up .* \(healthy\)$")
        self.d("exec", "web", "/usr/bin/python3", "-c", "open('/tmp/sick', 'w').close()")
        row = self.wait_health("web", "unhealthy")
        self.assertEqual(row["health"]["reason"], "distill-health: HTTP 500")
        self.assertGreaterEqual(row["health"]["failing_streak"], 2)
        self.assertRegex(self.d("ps").stdout.splitlines()[1], r" Up .* \(unhealthy\)$")
        self.d("exec", "web", "/usr/bin/python3", "-c", "import os; os.remove('/tmp/sick')")
        self.wait_health("web", "healthy")
        # --no-healthcheck: nothing runs, nothing shown.
        self.d("run", "-d", "--no-healthcheck", "--name", "quiet", image)
        time.sleep(2.5)
        self.assertIsNone(self.ps_row("quiet")["health"])
        for name in ("web", "quiet"):
            self.d("stop", name)
        self.assertEqual(self.d("ps", "-a", "--format", "json").json(), [])
        self.assertEqual(self.monitors(), [], "a container monitor outlived its container")

        # docker-archive: podman reads the Healthcheck from the same config.
        tar = os.path.join(self.tmp, "image.tar")
        spec = os.path.join(self.spec_folder, "distill.yaml")
        r = self.run_distill(["--cache-dir", T.ONLINE_CACHE, "build", "-f", spec, "--format",
                              "docker", "-o", tar, "-t", "distill-test:test"], timeout=1800)
        self.assert_digest_line(r)
        self.assertEqual(self.podman_healthcheck(tar), {
            "Test": ["CMD", CHECKER, "http", "http://127.0.0.1:8080/health"],
            "Interval": 1000000000, "Timeout": 5000000000, "Retries": 2})

    def test_tcp_and_exec_forms(self):
        _, layout, _ = self.build(TCP)
        self.assertEqual(layout.image("test").config["config"]["Healthcheck"]["Test"],
                         ["CMD", CHECKER, "tcp", "127.0.0.1:8080"])
        self.d("run", "-d", "--name", "db", layout.path + ":test")
        self.wait_health("db", "healthy")
        self.d("stop", "db")

        _, layout, _ = self.build(EXEC, out=os.path.join(self.tmp, "image-exec"))
        img = layout.image("test")
        self.assertEqual(img.config["config"]["Healthcheck"]["Test"][:2],
                         ["CMD", "/usr/bin/python3"])
        self.assertNotIn(CHECKER.lstrip("/"), img.rootfs(), "exec needs no checker")
        self.d("run", "-d", "--name", "app", layout.path + ":test")
        self.wait_health("app", "healthy")
        self.d("exec", "app", "/usr/bin/python3", "-c", "open('/tmp/sick', 'w').close()")
        row = self.wait_health("app", "unhealthy")
        self.assertIn("HTTP Error 500", row["health"]["reason"])
        self.d("stop", "app")
        self.assertEqual(self.monitors(), [], "a container monitor outlived its container")

    def monitors(self):
        """Pids of container monitors of this test's state folder."""
        return T.processes_with(b"container-monitor", self.state.encode())

    def podman_healthcheck(self, tar):
        podman = T.tool("podman")
        # podman refuses a runroot path longer than 50 characters.
        root, runroot = self.mkdir("podman-root"), tempfile.mkdtemp(prefix="distill-podman-")
        self.addCleanup(shutil.rmtree, runroot, True)
        base = [podman, "--root", root, "--runroot", runroot, "--runtime", T.tool("runc"),
                "--cgroup-manager", "cgroupfs", "--storage-driver", "vfs",
                "--events-backend", "none"]
        try:
            r = subprocess.run(base + ["load", "-i", tar], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            r = subprocess.run(base + ["image", "inspect", "--format",
                                       "{{json .Config.Healthcheck}}", "distill-test:test"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            return json.loads(r.stdout)
        finally:
            subprocess.run(base + ["system", "reset", "--force"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)


if __name__ == "__main__":
    T.main()
