"""`distill run` on an image built by distill from the fixture repository.

The image (structure/probe_image.py) is the `static` preset plus `probe`, a
static C program compiled here, as its entrypoint. Each run points TMPDIR at
a folder of the test, so the bundle and runc's state folder land there and
the test can check that nothing is left after a normal exit, a failure and
SIGINT. Needs root and runc, like the command itself.
"""

import os
import signal
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure"))
import distill_testlib as T  # noqa: E402
import probe_image  # noqa: E402


class RunFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        probe_image.set_up(self)

    def run_image(self, *args, expect_rc=0, env=None):
        full_env = {"TMPDIR": self.tmpdir}
        full_env.update(env or {})
        return self.run_distill(["run"] + list(args), expect_rc=expect_rc, env=full_env)

    def assert_clean(self):
        self.assertEqual(os.listdir(self.tmpdir), [],
                         "bundle or runc state left in TMPDIR")

    # -- output, exit code, user ----------------------------------------------------

    def test_output_exit_code_and_user(self):
        r = self.run_image(self.image)
        self.assertEqual(r.stdout, "hello from the container\n", r.describe())
        self.assert_clean()
        r = self.run_image(self.image, "--", "exit", "3", expect_rc=3)
        self.assertEqual(r.stdout, "")
        self.assertIn("exiting with 3", r.stderr)
        self.assertEqual(r.error_lines(), [], "the container's failure is not distill's")
        self.assert_clean()
        r = self.run_image(self.image, "id")
        self.assertEqual(r.stdout, "uid=65532 gid=65532\n", "runs as the image's user")
        r = self.run_image("--user", "0:0", self.image, "id")
        self.assertEqual(r.stdout, "uid=0 gid=0\n")
        r = self.run_image("--user", "nobody", self.image, "id")
        self.assertEqual(r.stdout, "uid=65534 gid=65534\n", "names come from the image's passwd")
        self.assert_clean()

    def test_read_only_root_and_writable_tmp(self):
        r = self.run_image(self.image, "write", "/etc/evil", expect_rc=1)
        self.assertIn("write /etc/evil: Read-only file system", r.stdout)
        r = self.run_image("--user", "0", self.image, "write", "/usr/evil", expect_rc=1)
        self.assertIn("Read-only file system", r.stdout, "even for root")
        r = self.run_image(self.image, "write", "/tmp/ok")
        self.assertEqual(r.stdout, "wrote /tmp/ok\n")
        self.assert_clean()

    def test_env_volumes_entrypoint(self):
        r = self.run_image("-e", "FOO=bar", "-e", "GREETING=hallo", self.image, "env")
        env = r.stdout.splitlines()
        self.assertIn("FOO=bar", env)
        self.assertIn("GREETING=hallo", env, "-e overrides the image's env")
        self.assertNotIn("GREETING=bonjour", env)
        self.assertTrue(any(e.startswith("PATH=") for e in env), env)
        host = self.mkdir("host")
        with open(os.path.join(host, "f.txt"), "w") as f:
            f.write("from the host\n")
        os.chmod(host, 0o755)
        os.chmod(os.path.join(host, "f.txt"), 0o644)
        r = self.run_image("-v", "%s:/data:ro" % host, self.image, "cat", "/data/f.txt")
        self.assertEqual(r.stdout, "from the host\n")
        r = self.run_image("-v", "%s:/data:ro" % host, "--user", "0", self.image, "write",
                           "/data/x", expect_rc=1)
        self.assertIn("Read-only file system", r.stdout)
        r = self.run_image("--entrypoint", "/usr/local/bin/probe", self.image)
        self.assertEqual(r.stdout, "hello from the container\n", "--entrypoint drops the cmd")
        r = self.run_image("--entrypoint", "/nonexistent", self.image, expect_rc=T.NONZERO)
        # runc failing to start the container is distill's error, not an exit code.
        self.assert_one_error(r, "run: runc could not start the container", "/nonexistent")
        self.assert_clean()

    def test_capabilities_and_network(self):
        r = self.run_image("--user", "0", self.image, "caps")
        self.assertEqual(r.stdout.split(), ["CapEff:", "0000000000000000"], "no capabilities")
        r = self.run_image("--user", "0", "--cap-add", "NET_BIND_SERVICE", self.image, "caps")
        self.assertEqual(r.stdout.split(), ["CapEff:", "0000000000000400"])
        r = self.run_image(self.image, "netdevs")
        devs = sorted(l.split(":")[0].strip() for l in r.stdout.splitlines()[2:])
        self.assertEqual(devs, ["lo"], "its own network namespace")
        r = self.run_image("--network", "host", self.image, "netdevs")
        self.assertGreater(len(r.stdout.splitlines()[2:]), 1, "the host's interfaces")
        self.assert_clean()

    def signal_run(self, sig):
        env = self.base_env()
        env["TMPDIR"] = self.tmpdir
        return probe_image.signal_when_ready(self, [T.DISTILL, "run", self.image, "wait"], env,
                                             sig)

    def while_running(self):
        self.assertNotEqual(os.listdir(self.tmpdir), [], "the bundle exists while running")

    def test_sigint_is_forwarded_and_everything_removed(self):
        rc, out, err = self.signal_run(signal.SIGINT)
        self.assertEqual(out, "got SIGINT\n", err)
        self.assertEqual(rc, 130, err)
        self.assert_clean()

    def test_sigterm_while_running(self):
        rc, out, err = self.signal_run(signal.SIGTERM)
        self.assertEqual(out, "got SIGTERM\n", err)
        self.assertEqual(rc, 143, err)
        self.assert_clean()

    # -- errors -------------------------------------------------------------------

    def test_errors(self):
        r = self.run_image(os.path.join(self.tmp, "missing"), expect_rc=1)
        self.assert_one_error(r, "missing")
        r = self.run_image("--user", "alice", self.image, expect_rc=1)
        self.assert_one_error(r, "no user 'alice' in /etc/passwd")
        r = self.run_image("-v", "relative:/x", self.image, expect_rc=1)
        self.assert_one_error(r, "-v relative:/x", "absolute")
        r = self.run_image("--cap-add", "FLY", self.image, expect_rc=1)
        self.assert_one_error(r, "unknown capability")
        r = self.run_image("--network", "bridge", self.image, expect_rc=1)
        self.assert_one_error(r, "unknown network mode")
        r = self.run_image("--platform", "linux/arm64", self.image, expect_rc=1)
        self.assert_one_error(r, "linux/arm64")
        self.assert_clean()


if __name__ == "__main__":
    T.main()
