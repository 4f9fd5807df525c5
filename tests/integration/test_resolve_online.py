"""`distill resolve python3` against the host's configured Debian mirror.

Not hermetic: reads the apt sources of the host (no --mirror), checks the
real signatures with the default keyring and downloads ~15 MB of indices into
a cache below the test folder. An unreachable mirror is a failure, not a skip.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

MUST_HAVE = ["python3", "python3.11", "python3.11-minimal", "libpython3.11-stdlib", "libc6",
             "libssl3"]
MUST_NOT_HAVE = ["bash", "dash", "dpkg", "perl-base", "debconf", "coreutils"]


class ResolveOnlineTest(T.DistillTestCase):

    def test_python3_debian12(self):
        cache = os.path.join(self.tmp, "cache")
        by_arch = {}
        for arch in ("amd64", "arm64"):
            res = self.run_distill(["--cache-dir", cache, "resolve", "python3", "--distro",
                                    "debian12", "--arch", arch, "--json"], timeout=900)
            data = res.json()
            self.assertEqual(data["distro"], "debian12")
            self.assertEqual(sorted(data["archs"]), [arch])
            pkgs = {p["name"]: p for p in data["archs"][arch]["packages"]}
            by_arch[arch] = pkgs
            with self.subTest(arch=arch):
                for name in MUST_HAVE:
                    self.assertIn(name, pkgs, "%s missing for %s" % (name, arch))
                for name in MUST_NOT_HAVE:
                    self.assertNotIn(name, pkgs, "%s must be dropped for %s" % (name, arch))
                self.assertTrue(pkgs["python3"]["requested"])
                self.assertEqual(pkgs["libc6"]["architecture"], arch)
                self.assertTrue(pkgs["python3.11-minimal"]["version"].startswith("3.11."))
                for p in pkgs.values():
                    self.assertRegex(p["sha256"], r"^[0-9a-f]{64}$")
                    self.assertGreater(p["size"], 0)
                    self.assertTrue(p["filename"].startswith("pool/"), p)
                    self.assertIn(p["suite"], ("bookworm", "bookworm-updates",
                                               "bookworm-security"))
                    self.assertIn(p["architecture"], (arch, "all"))
                dropped = data["archs"][arch]["dropped"]
                reasons = {d["reason"] for d in dropped}
                self.assertIn("package manager", reasons, dropped)
        self.assertEqual(sorted(by_arch["amd64"]), sorted(by_arch["arm64"]),
                         "python3 pulls in the same packages on both architectures")
        # The cache holds the Packages indices of 3 suites x 2 architectures.
        self.assertGreaterEqual(len(T.blob_files(cache)), 6)
        self.assert_no_temp_files(cache)


if __name__ == "__main__":
    T.main()
