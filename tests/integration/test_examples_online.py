"""examples/run.sh builds and runs the examples (real Debian packages).

Not hermetic: the example specs use the host's apt sources; an unreachable
mirror is a failure, not a skip. Shares $DISTILL_TEST_TMP/online-cache with
the other online build tests.
"""

import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

RUN_SH = os.path.join(T.SOURCE_DIR, "examples", "run.sh")


class ExamplesOnlineTest(T.DistillTestCase):

    def run_example(self, name):
        env = self.base_env()
        env.update({"DISTILL": T.DISTILL, "DISTILL_FLAGS": "--cache-dir %s" % T.ONLINE_CACHE,
                    "TMPDIR": self.tmp})
        p = subprocess.run([RUN_SH, os.path.join(T.SOURCE_DIR, "examples", name)], env=env,
                           cwd=self.tmp, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=1800)
        out, err = p.stdout.decode(), p.stderr.decode()
        print("\n    [%s] %s\n    %s" % (self._testMethodName, out.strip(),
                                         err.strip().replace("\n", "\n    ")), file=sys.stderr)
        return p.returncode, out, err

    def test_hello_python(self):
        rc, out, err = self.run_example("hello-python")
        self.assertEqual(rc, 0, "stdout:\n%s\nstderr:\n%s" % (out, err))
        self.assertRegex(out.strip(), r"^Hello from a distroless image! Python 3\.11\.\d+, "
                                      r"uid 65532, Paris time \d{4}-\d\d-\d\d \d\d:\d\d CES?T$")
        self.assertRegex(err, r"built hello-python: sha256:[0-9a-f]{64}")
        m = re.search(r"image size: ([\d.]+) MB uncompressed", err)
        self.assertIsNotNone(m, err)
        # The python3 preset with its .pyc (about 13 MB) and a small app.
        self.assertLess(float(m.group(1)), 70)
        left = [n for n in os.listdir(self.tmp) if n.startswith("distill-example.")]
        self.assertEqual(left, [], "run.sh leaves its work folder behind")

    def test_usage_errors(self):
        p = subprocess.run([RUN_SH], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"usage", p.stderr)
        p = subprocess.run([RUN_SH, self.tmp], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"no distill.yaml", p.stderr)


if __name__ == "__main__":
    T.main()
