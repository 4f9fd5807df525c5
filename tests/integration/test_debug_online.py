"""`distill debug NAME|IMAGE` (docs/run.md): a toolbox container next to a
distroless target, from the host's mirror. The default toolbox is Debian's
busybox-static, built into a throwaway layout on each call; it lists the
target's processes (its pid namespace), reaches the target's port on its
loopback (its network namespace), and reads the target's files, a mode 0600
file of another user included, under /proc/1/root. An image target is
started for the session and gone afterwards; the target image and container
are never changed. An interactive shell works on a terminal. Not hermetic;
needs root and runc.
"""

import hashlib
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
user: nonroot
env: {PYTHONUNBUFFERED: "1"}
files:
  - {src: secret.txt, dst: /app/secret.txt, mode: "0600", uid: 65532, gid: 65532}
  - {src: index.html, dst: /app/index.html, mode: "0644"}
entrypoint: [python3, -m, http.server, "8080", --bind, 127.0.0.1, --directory, /app]
"""


def tree_digest(path):
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(root, name)
            h.update(p.encode())
            with open(p, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


class DebugOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def setUp(self):
        super().setUp()
        T.tool("runc")
        self.state = self.mkdir("state")
        self.tmpdir = self.mkdir("tmpdir")
        folder = self.mkdir("spec")
        with open(os.path.join(folder, "secret.txt"), "w") as f:
            f.write("only nonroot reads this\n")
        with open(os.path.join(folder, "index.html"), "w") as f:
            f.write("served by the target\n")
        _, self.layout, _ = self.online_build(SPEC, spec_folder=folder)
        self.image = self.layout.path + ":test"
        self.addCleanup(self.stop_all)

    def env(self):
        return {"TMPDIR": self.tmpdir, "DISTILL_STATE_DIR": self.state}

    def d(self, *args, expect_rc=0):
        return self.run_distill(["--cache-dir", T.ONLINE_CACHE] + list(args), env=self.env(),
                                expect_rc=expect_rc, timeout=900)

    def ps(self, *flags):
        import json
        return json.loads(self.d("ps", "--format", "json", *flags).stdout)

    def stop_all(self):
        for c in self.ps("-a"):
            self.d("stop", c["name"], expect_rc=None)

    def wait_serving(self, name):
        deadline = time.time() + 60
        while time.time() < deadline:
            if "Serving HTTP" in self.d("logs", name).stdout:
                return
            time.sleep(0.3)
        self.fail("the target never served: " + self.d("logs", name).stdout)

    def assert_nothing_left(self):
        self.assertEqual(os.listdir(self.tmpdir), [], "left in TMPDIR")

    def test_debug_a_running_container(self):
        before = tree_digest(self.layout.path)
        self.d("run", "-d", "--name", "web", self.image)
        self.wait_serving("web")
        ps = self.d("debug", "web", "--", "ps").stdout
        lines = [l.split() for l in ps.splitlines()[1:]]
        self.assertIn(["1", "nonroot"], [l[:2] for l in lines], "the target is process 1: " + ps)
        self.assertTrue(any("http.server" in " ".join(l) for l in lines), ps)
        r = self.d("debug", "web", "--", "cat", "/proc/1/root/app/secret.txt")
        self.assertEqual(r.stdout, "only nonroot reads this\n", r.describe())
        r = self.d("debug", "web", "--", "wget", "-qO-", "http://127.0.0.1:8080/index.html")
        self.assertEqual(r.stdout, "served by the target\n", r.describe())
        # The toolbox's own root is read-only; the target's is never touched.
        r = self.d("debug", "web", "--", "touch", "/proc/1/root/app/new", expect_rc=T.NONZERO)
        r = self.d("debug", "web", "--", "sh", "-c", "exit 7", expect_rc=7)
        self.assertEqual([(c["name"], c["status"]) for c in self.ps()], [("web", "running")])
        self.assertEqual(tree_digest(self.layout.path), before, "the image is unchanged")
        self.d("stop", "web")
        self.assertEqual(self.ps("-a"), [])
        self.assert_nothing_left()

    def test_debug_an_image(self):
        r = self.d("debug", self.image, "--", "sh", "-c",
                   "for i in $(seq 50); do ps | grep -q http.serve[r] && break; sleep 0.2; done; "
                   "ps; cat /proc/1/root/app/index.html")
        self.assertIn("http.server", r.stdout, r.describe())
        self.assertIn("served by the target\n", r.stdout)
        self.assertEqual(self.ps("-a"), [], "the session's container is gone")
        self.assert_nothing_left()
        r = self.d("debug", "nosuch", expect_rc=1)
        self.assert_one_error(r, "nosuch")

    def test_an_interactive_shell(self):
        self.d("run", "-d", "--name", "web", self.image)
        self.wait_serving("web")
        env = self.base_env()
        env.update(self.env())
        out, code = T.on_terminal(
            [T.DISTILL, "--cache-dir", T.ONLINE_CACHE, "debug", "web"], env,
            b"echo $((6 * 7)) from $(cat /proc/1/root/app/index.html)\rexit 3\r", timeout=300)
        self.assertIn(b"42 from served by the target", out, out)
        self.assertEqual(code, 3, out)
        self.d("stop", "web")


if __name__ == "__main__":
    T.main()
