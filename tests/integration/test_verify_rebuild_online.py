"""`distill verify --rebuild` of examples/hello-python (real Debian packages),
pushed with `distill build --push --sign-key` to a docker-registry on
127.0.0.1.

Not hermetic: the lockfile is made from the host's apt sources (an
unreachable mirror is a failure, not a skip), through a copy of the warm
package cache $DISTILL_TEST_TMP/online-cache shared with the other online
tests. The copy is made of hard links, and the one .deb this test swaps is
unlinked first, so the shared cache never changes.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402

EXIT_CHECK_FAILED = 3
EXAMPLE = os.path.join(T.SOURCE_DIR, "examples", "hello-python")


class VerifyRebuildOnlineTest(R.RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.cache = os.path.join(self.tmp, "cache")
        os.makedirs(T.ONLINE_CACHE, exist_ok=True)
        # Hard links: no copy of ~100 MB, and an unlinked entry leaves the
        # shared cache's file as it was.
        subprocess.run(["cp", "-al", T.ONLINE_CACHE, self.cache], check=True)
        self.example = os.path.join(self.tmp, "hello-python")
        shutil.copytree(EXAMPLE, self.example)
        self.spec = os.path.join(self.example, "distill.yaml")
        self.lock = os.path.join(self.example, "distill.lock")
        self.key = os.path.join(self.tmp, "release.pem")
        self.pub = os.path.join(self.tmp, "release.pub")
        R.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
               "-out", self.key])
        R.run(["openssl", "pkey", "-in", self.key, "-pubout", "-out", self.pub])
        self.ref = "%s/hello-python:1" % self.host

    def cached(self, *args, expect_rc=0):
        return self.distill("--cache-dir", self.cache, *args, expect_rc=expect_rc)

    def build_signed(self):
        self.cached("lock", "-f", self.spec, "-o", self.lock)
        res = self.cached("build", "-f", self.spec, "--lock", self.lock,
                          "-o", os.path.join(self.tmp, "image"), "--push", self.ref,
                          "--sign-key", self.key)
        self.assertEqual(res.stderr.count("distill: attested "), 3, res.describe())
        return res.stdout.splitlines()[-1].split("@")[-1]

    def rebuild(self, expect_rc=0):
        return self.cached("--offline", "verify", self.ref, "--key", self.pub, "--rebuild",
                           "--spec", self.spec, "--lock", self.lock, expect_rc=expect_rc)

    def test_rebuild_offline_then_a_swapped_deb(self):
        digest = self.build_signed()
        self.assertRegex(digest, T.DIGEST_RE)
        res = self.rebuild()
        self.assertEqual(res.stdout.strip(), "%s/hello-python@%s" % (self.host, digest))
        self.assertIn("rebuilt %s from its provenance: same digest" % digest, res.stderr,
                      res.describe())
        self.assertIn("verified 3 attestations", res.stderr)

        # One cached .deb replaced by another version of it (same package,
        # version bumped, repacked by dpkg-deb).
        with open(self.lock) as f:
            pkg = next(p for p in json.load(f)["archs"]["amd64"]["packages"]
                       if p["name"] == "tzdata")
        cached = os.path.join(self.cache, "blobs", "sha256", pkg["sha256"])
        self.assertTrue(os.path.isfile(cached), cached)
        unpacked = os.path.join(self.tmp, "unpacked")
        R.run(["dpkg-deb", "-R", cached, unpacked])
        control = os.path.join(unpacked, "DEBIAN", "control")
        with open(control) as f:
            text = f.read()
        self.assertIn("Version: %s\n" % pkg["version"], text)
        with open(control, "w") as f:
            f.write(text.replace("Version: %s\n" % pkg["version"],
                                 "Version: %s+1\n" % pkg["version"]))
        other = os.path.join(self.tmp, "tzdata-other.deb")
        R.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-b", unpacked, other])
        with open(other, "rb") as f:
            self.assertNotEqual(hashlib.sha256(f.read()).hexdigest(), pkg["sha256"])
        os.unlink(cached)  # the shared cache's hard link stays as it was
        shutil.copyfile(other, cached)

        res = self.rebuild(expect_rc=EXIT_CHECK_FAILED)
        errors = [ln for ln in res.stderr.splitlines() if ln.startswith("distill: error:")]
        self.assertEqual(len(errors), 1, res.describe())
        self.assertIn("rebuild: an input does not match the provenance: tzdata %s: %s in the "
                      "cache is not the pinned .deb" % (pkg["version"], pkg["filename"]),
                      errors[0])
        self.assertIn(pkg["sha256"], errors[0])


if __name__ == "__main__":
    T.main()
