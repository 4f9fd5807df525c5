"""`distill build` online, beyond Debian 12 amd64: python3 for Debian 13,
python3 for arm64 and nodejs for Debian 12.

Not hermetic: reads the host's apt sources (no --mirror); an unreachable
mirror is a failure, not a skip. Shares $DISTILL_TEST_TMP/online-cache with
test_build_online.py. The amd64 images run under runc; the arm64 one is
judged by skopeo and umoci and by the ELF headers of its binaries.
"""

import hashlib
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_build_online import PythonRunMixin, python_spec  # noqa: E402

NODE_SPEC = """\
distro: debian12
archs: [amd64]
base: nodejs
files:
  - {src: node_check.js, dst: /app/check.js}
entrypoint: [/usr/bin/node, /app/check.js]
"""


class BuildVariantsOnlineTest(PythonRunMixin, T.OnlineBuildMixin, T.DistillTestCase):

    def test_python3_debian13_amd64(self):
        img, root, result = self.check_python_image("debian13", "3.13.")
        st = T.parse_stanza(root["var/lib/dpkg/status.d/base-files"].text())
        self.assertTrue(st["Version"].startswith("13"), st)
        # trixie's OpenSSL library package after the 64-bit time_t rename.
        self.assertIn("libssl3t64", self.status_packages(root))

    def test_python3_debian12_arm64(self):
        _, layout, _ = self.online_build(python_spec("debian12", "arm64"),
                                         checks=["python_check.py"])
        img, root = self.judge(layout, "test", "arm64")
        self.assertEqual(img.config["architecture"], "arm64")
        python = root["usr/bin/python3.11"]
        self.assertEqual(python.kind, "f")
        self.assertEqual(T.elf_arch(python.data), "arm64")
        libc = root["usr/lib/aarch64-linux-gnu/libc.so.6"]
        self.assertEqual(T.elf_arch(libc.data), "arm64")
        self.assertNotIn("usr/lib/x86_64-linux-gnu/libc.so.6", root)
        for name in ("libc6", "python3.11-minimal", "libssl3"):
            st = T.parse_stanza(root["var/lib/dpkg/status.d/%s" % name].text())
            self.assertEqual(st["Architecture"], "arm64", name)
        self.assertEqual(root["usr/bin/python"].target, "python3")
        self.assertEqual(root["app/check.py"].kind, "f")

    def test_nodejs_debian12_amd64(self):
        _, layout, _ = self.online_build(NODE_SPEC, checks=["node_check.js"])
        img, root = self.judge(layout, "test", "amd64")
        pkgs = self.status_packages(root)
        self.assertIn("nodejs", pkgs)
        for name in ("npm", "bash", "dash", "dpkg", "perl-base"):
            self.assertNotIn(name, pkgs)
        bundle = self.run_bundle(layout, "test")
        r = T.runc_run(bundle)  # the image's entrypoint: node /app/check.js
        print("\n    [%s] %s" % (self._testMethodName, "\n    ".join(
            l for l in r.stdout.splitlines() if not l.startswith("RESULT "))), file=sys.stderr)
        try:
            result = T.result_json(r.stdout)
        except (AssertionError, ValueError) as e:
            self.fail("no check result (%s)\n%s" % (e, r.describe()))
        self.assertEqual(result["errors"], [], r.describe())
        self.assertEqual(r.rc, 0, r.describe())
        self.assertTrue(result["node"].startswith("v18."), result["node"])
        self.assertEqual((result["uid"], result["gid"]), (65532, 65532), "runs as nonroot")
        self.assertEqual(result["sha256"], hashlib.sha256(b"distill").hexdigest())
        self.assertGreater(result["root_certificates"], 0)
        self.assertGreaterEqual(result["bundle_certificates"], 100)
        self.assertTrue(result["https_agent"])
        self.assertEqual(result["paris"], "01/07/2024, 14:00:00")
        self.assert_shell_fails(bundle)


if __name__ == "__main__":
    T.main()
