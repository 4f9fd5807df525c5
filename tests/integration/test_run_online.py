"""`distill run` of the python3 image built from the host's Debian mirror:
output and exit code passed through, uid 65532, read-only root (a write
outside /tmp fails), and no bundle or runc state left after a normal exit,
a failure and SIGINT. Not hermetic; needs root and runc.
"""

import os
import signal
import sys

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


if __name__ == "__main__":
    T.main()
