"""`distill run` of the python3 image built from the host's Debian mirror:
output and exit code passed through, uid 65532, read-only root (a write
outside /tmp fails), and no bundle or runc state left after a normal exit,
a failure and SIGINT. Not hermetic; needs root and runc.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure"))
import distill_testlib as T  # noqa: E402
import probe_image  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
entrypoint: [/usr/bin/python3]
"""

WAIT = ("import signal, sys\n"
        "def stop(sig, frame):\n"
        "    print('stopping on', signal.Signals(sig).name, flush=True)\n"
        "    sys.exit(130)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        "print('ready', flush=True)\n"
        "signal.pause()\n")


FLASK_SPEC = """\
distro: debian12
archs: [amd64]
base: python3
packages: [python3-flask]
files:
  - {src: app.py, dst: /app/app.py, mode: "0644"}
entrypoint: [/usr/bin/python3, /app/app.py]
"""

FLASK_APP = """\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello from flask\\n"


app.run(host="0.0.0.0", port=8080)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pastas_in(folder: str):
    """Pids of processes whose command line names `folder` (pasta's pid file)."""
    pids = []
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmdline = f.read()
                if folder.encode() in cmdline and b"--netns" in cmdline:
                    pids.append(int(d))
        except OSError:
            pass
    return pids


class RunOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def test_python3_image(self):
        T.tool("runc")
        _, layout, _ = self.online_build(SPEC)
        image = layout.path + ":test"
        tmpdir = self.mkdir("tmpdir")
        env = {"TMPDIR": tmpdir}

        def run(*args, expect_rc=0):
            r = self.run_distill(["run", image, "--"] + list(args), env=env, expect_rc=expect_rc)
            self.assertEqual(os.listdir(tmpdir), [], "bundle or runc state left\n" + r.describe())
            return r

        r = run("-c", "import os, sys; print('hello', os.getuid(), os.getgid(), sys.version_info[:2])")
        self.assertEqual(r.stdout, "hello 65532 65532 (3, 11)\n", r.describe())
        r = run("-c", "import sys; print('to stderr', file=sys.stderr); sys.exit(42)", expect_rc=42)
        self.assertEqual(r.stderr.strip(), "to stderr")
        r = run("-c", "open('/usr/lib/evil', 'w')", expect_rc=1)
        self.assertIn("OSError: [Errno 30] Read-only file system: '/usr/lib/evil'", r.stderr)
        r = run("-c", "open('/tmp/ok', 'w').write('x'); print(open('/tmp/ok').read())")
        self.assertEqual(r.stdout, "x\n")
        r = run("-c", "import subprocess; subprocess.run('id', shell=True)", expect_rc=1)
        self.assertIn("FileNotFoundError", r.stderr)
        full = self.base_env()
        full.update(env)
        rc, out, err = probe_image.signal_when_ready(
            self, [T.DISTILL, "run", image, "--", "-c", WAIT], full, signal.SIGINT)
        self.assertEqual(out, "stopping on SIGINT\n", err)
        self.assertEqual(rc, 130, err)
        self.assertEqual(os.listdir(tmpdir), [], "bundle or runc state left after SIGINT")

        # Names: a per-run /etc/hosts (localhost, --add-host) and resolv.conf
        # (--dns), read-only, and the image itself unchanged.
        r = run("-c", "import socket; print(socket.gethostbyname('localhost'), "
                "socket.getaddrinfo('localhost', 80)[0][4][0] in ('127.0.0.1', '::1'))")
        self.assertEqual(r.stdout, "127.0.0.1 True\n", r.describe())
        r = self.run_distill(["run", "--add-host", "db.internal:192.0.2.7", "--dns", "192.0.2.53",
                              image, "--", "-c",
                              "import socket; print(socket.gethostbyname('db.internal')); "
                              "print(open('/etc/resolv.conf').read().strip())"], env=env)
        self.assertEqual(r.stdout, "192.0.2.7\nnameserver 192.0.2.53\n", r.describe())
        # Even root in the container cannot change them.
        r = self.run_distill(["run", "-u", "0", image, "--", "-c",
                              "open('/etc/hosts', 'a').write('x')"], env=env, expect_rc=1)
        self.assertIn("Read-only file system", r.stderr)
        root = layout.image("test").rootfs()
        self.assertNotIn("etc/resolv.conf", root)
        r = self.run_distill(["run", "--add-host", "bad name:1.2.3.4", image], expect_rc=1)
        self.assertIn("distill: error: --add-host bad name:1.2.3.4: 'bad name' is not a host name",
                      r.stderr)

    def test_init_stops_python_on_sigterm(self):
        # Python as process 1 ignores SIGTERM (no default action for pid 1):
        # without --init a stop waits for the timeout and SIGKILL; with it,
        # Python gets the signal as any process does, at once.
        T.tool("runc")
        _, layout, _ = self.online_build(SPEC)
        image = layout.path + ":test"
        tmpdir = self.mkdir("tmpdir")
        env = self.base_env()
        env["TMPDIR"] = tmpdir
        sleep = "import time; print('ready', flush=True); time.sleep(600)"
        start = []

        def while_running():
            start.append(time.monotonic())

        self.while_running = while_running
        rc, out, err = probe_image.signal_when_ready(
            self, [T.DISTILL, "run", "--init", image, "--", "-c", sleep], env, signal.SIGTERM)
        elapsed = time.monotonic() - start[0]
        self.assertEqual(rc, 128 + signal.SIGTERM, err)
        self.assertLess(elapsed, 1.0, "stopping with --init took %.2f s" % elapsed)
        self.assertEqual(os.listdir(tmpdir), [], "bundle or runc state left after --init")
        # Without --init the same app outlives SIGTERM until --stop-timeout ends it.
        start.clear()
        rc, out, err = probe_image.signal_when_ready(
            self, [T.DISTILL, "run", "--stop-timeout", "2", image, "--", "-c", sleep], env,
            signal.SIGTERM)
        elapsed = time.monotonic() - start[0]
        self.assertEqual(rc, 128 + signal.SIGKILL, err)
        # The whole timeout: it once counted whole seconds of the wall clock,
        # and 2 s could be 1.0.
        self.assertGreaterEqual(elapsed, 2.0)
        # The app's own exit code passes through distill-init.
        r = self.run_distill(["run", "--init", image, "--", "-c", "raise SystemExit(7)"], env=env,
                             expect_rc=7)
        self.assertEqual(os.listdir(tmpdir), [], r.describe())


    def test_flask_app_on_a_published_port(self):
        # Debian's python3-flask in the image, reached from the host through
        # -p 127.0.0.1:PORT:8080 (pasta), stopped with SIGTERM.
        T.tool("runc")
        folder = self.mkdir("spec")
        with open(os.path.join(folder, "app.py"), "w") as f:
            f.write(FLASK_APP)
        _, layout, _ = self.online_build(FLASK_SPEC, spec_folder=folder)
        image = layout.path + ":test"
        tmpdir = self.mkdir("tmpdir")
        env = self.base_env()
        env["TMPDIR"] = tmpdir
        for publish in ("127.0.0.1:%d:8080", "%d:8080"):
            port = free_port()
            p = subprocess.Popen([T.DISTILL, "run", "--init", "-p", publish % port, image], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL)
            try:
                body, deadline = None, time.time() + 120
                while body is None and time.time() < deadline and p.poll() is None:
                    try:
                        with urllib.request.urlopen("http://127.0.0.1:%d/" % port,
                                                    timeout=5) as r:
                            body = (r.status, r.read().decode())
                    except OSError:
                        time.sleep(0.2)
                self.assertEqual(body, (200, "hello from flask\n"),
                                 "no answer from the app on 127.0.0.1:%d" % port)
                self.assertEqual(len(pastas_in(tmpdir)), 1, "pasta runs")
                # Published on loopback only: not on the host's other addresses.
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.connect(("192.0.2.1", 9))
                    other = s.getsockname()[0]
                if not other.startswith("127."):
                    with self.assertRaises(ConnectionRefusedError):
                        socket.create_connection((other, port), timeout=5).close()
                p.send_signal(signal.SIGTERM)
                out, err = p.communicate(timeout=60)
                self.assertEqual(p.returncode, 128 + signal.SIGTERM, err.decode())
            finally:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
            self.assertEqual(pastas_in(tmpdir), [], "pasta outlived the run")
            self.assertEqual(os.listdir(tmpdir), [], "bundle or runc state left")
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()


if __name__ == "__main__":
    T.main()
