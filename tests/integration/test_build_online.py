"""`distill build` of the presets from real Debian 12 packages (amd64).

Not hermetic: reads the host's apt sources (no --mirror) and checks the real
signatures; an unreachable mirror is a failure, not a skip. Packages go to
one cache shared by the online build tests ($DISTILL_TEST_TMP/online-cache).
Every image is judged by skopeo (inspect) and umoci (unpack --rootless), and
run under runc: the dynamic loader of base/cc, the standard library, TLS and
zoneinfo of python3. Also: reproducibility and the python3 image's size.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

LDSO = "/lib64/ld-linux-x86-64.so.2"
LIBDIR = "/usr/lib/x86_64-linux-gnu"

PYTHON_SPEC = """\
distro: {distro}
archs: [{arch}]
base: python3
files:
  - {{src: python_check.py, dst: /app/check.py}}
entrypoint: [/usr/bin/python3, /app/check.py]
"""


def python_spec(distro="debian12", arch="amd64"):
    return PYTHON_SPEC.format(distro=distro, arch=arch)


class PythonRunMixin:

    def check_python_image(self, distro, version_prefix):
        """Builds python3 for amd64, judges it, runs the stdlib check as
        nonroot. Returns (image, root, check result)."""
        digest, layout, _ = self.online_build(python_spec(distro), checks=["python_check.py"])
        img, root = self.judge(layout, "test", "amd64")
        pkgs = self.status_packages(root)
        for name in ("python3", "libc6", "tzdata", "base-files"):
            self.assertIn(name, pkgs)
        for name in ("bash", "dash", "dpkg", "perl-base", "debconf", "ca-certificates", "mawk"):
            self.assertNotIn(name, pkgs)
        self.assertEqual((root["usr/bin/python"].kind, root["usr/bin/python"].target),
                         ("l", "python3"))
        self.assertIn("LANG=C.UTF-8", img.config["config"]["Env"])
        self.assertEqual(img.config["config"]["User"], "65532:65532")
        bundle = self.run_bundle(layout, "test")
        r = T.runc_run(bundle)  # the image's entrypoint: python3 /app/check.py
        print("\n    [%s] %s" % (self._testMethodName, "\n    ".join(
            l for l in r.stdout.splitlines() if not l.startswith("RESULT "))), file=sys.stderr)
        try:
            result = T.result_json(r.stdout)
        except (AssertionError, ValueError) as e:
            self.fail("no check result (%s)\n%s" % (e, r.describe()))
        self.assertEqual(result["failed"], {}, "standard-library imports failed\n" + r.describe())
        self.assertEqual(result["errors"], [], r.describe())
        # ctypes finds libraries through ldconfig -p and the image's ld.so.cache.
        self.assertEqual(result["find_library"],
                         {"c": "libc.so.6", "ssl": "libssl.so.3", "crypto": "libcrypto.so.3"},
                         r.describe())
        self.assertEqual(r.rc, 0, r.describe())
        self.assertTrue(result["python"].startswith(version_prefix), result["python"])
        self.assertGreaterEqual(result["imported"], 400, result)
        self.assertEqual((result["uid"], result["gid"]), (65532, 65532), "runs as nonroot")
        ssl = result["ssl"]
        self.assertEqual(ssl["cafile"], "/etc/ssl/certs/ca-certificates.crt")
        self.assertGreaterEqual(ssl["default_context_ca_certs"], 100, ssl)
        self.assertGreaterEqual(ssl["cafile_ca_certs"], 100, ssl)
        tz = result["zoneinfo"]
        self.assertEqual((tz["summer_offset_s"], tz["winter_offset_s"]), (7200, 3600), tz)
        self.assertIn(tz["tzname"], ("CET", "CEST"))
        # /usr/bin/python is python3.
        r2 = T.runc_run(bundle, ["/usr/bin/python", "-c",
                                 "import os, sys; print(os.getuid(), sys.version_info[0])"])
        self.assertEqual((r2.rc, r2.stdout.strip()), (0, "65532 3"), r2.describe())
        self.assert_shell_fails(bundle)
        return img, root, result


class BuildOnlineTest(PythonRunMixin, T.OnlineBuildMixin, T.DistillTestCase):

    def test_static_debian12_amd64(self):
        _, layout, _ = self.online_build("distro: debian12\narchs: [amd64]\nbase: static\n")
        img, root = self.judge(layout, "test", "amd64")
        self.assertEqual(self.status_packages(root),
                         ["base-files", "media-types", "netbase", "tzdata"])
        self.assertNotIn(LIBDIR.lstrip("/") + "/libc.so.6", root)
        self.assertIn("etc/services", root)
        self.assertIn("etc/mime.types", root)
        self.assertEqual(root["bin"].target, "usr/bin")
        bundle = self.run_bundle(layout, "test")
        self.assert_shell_fails(bundle)

    def test_base_debian12_amd64(self):
        _, layout, _ = self.online_build("distro: debian12\narchs: [amd64]\nbase: base\n")
        img, root = self.judge(layout, "test", "amd64")
        pkgs = self.status_packages(root)
        for name in ("libc6", "libssl3", "base-files", "tzdata"):
            self.assertIn(name, pkgs)
        bundle = self.run_bundle(layout, "test")
        # The dynamic loader runs through the merged-/usr /lib64 link.
        r = T.runc_run(bundle, [LDSO, "--version"])
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("2.36", r.stdout, r.describe())
        r = T.runc_run(bundle, [LDSO, "--list", LIBDIR + "/libssl.so.3"])
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("libcrypto.so.3 =>", r.stdout, r.describe())
        self.assertNotIn("not found", r.stdout, r.describe())
        self.assert_shell_fails(bundle)

    def test_cc_debian12_amd64(self):
        _, layout, _ = self.online_build("distro: debian12\narchs: [amd64]\nbase: cc\n")
        img, root = self.judge(layout, "test", "amd64")
        pkgs = self.status_packages(root)
        for name in ("libc6", "libssl3", "libgcc-s1", "libgomp1", "libstdc++6"):
            self.assertIn(name, pkgs)
        bundle = self.run_bundle(layout, "test")
        for lib, needs in (("libstdc++.so.6", "libgcc_s.so.1 =>"),
                           ("libgomp.so.1", "libc.so.6 =>")):
            r = T.runc_run(bundle, [LDSO, "--list", "%s/%s" % (LIBDIR, lib)])
            self.assertEqual(r.rc, 0, r.describe())
            self.assertIn(needs, r.stdout, r.describe())
            self.assertNotIn("not found", r.stdout, r.describe())
        self.assert_shell_fails(bundle)

    def test_python3_debian12_amd64_runs_and_size(self):
        img, root, result = self.check_python_image("debian12", "3.11.")
        # The .pyc the build compiles are measured apart: they trade size for
        # start-up time (docs/effects.md, docs/performance.md).
        pyc = sum(e.size for p, e in root.items() if p.endswith(".pyc") and e.kind == "f")
        self.assertGreater(pyc, 0, "the python3 image has .pyc")
        size = img.rootfs_bytes() - pyc
        tars = img.uncompressed_size()
        print("\n    [%s] python3 debian12 amd64 image: %d bytes of files uncompressed "
              "(%.2f MB; limit %d) plus %d bytes of .pyc (%.2f MB); layer tars %d bytes "
              "(%.2f MB); %d bytes compressed" %
              (self._testMethodName, size, size / 1e6, T.SIZE_LIMIT_PYTHON3, pyc, pyc / 1e6,
               tars, tars / 1e6, sum(l["size"] for l in img.layers)), file=sys.stderr)
        self.assertLessEqual(size, T.SIZE_LIMIT_PYTHON3,
                             "python3 image holds %d bytes uncompressed" % size)

    def test_python3_debian12_reproducible(self):
        spec_text = python_spec("debian12")
        d1, _, _ = self.online_build(spec_text, checks=["python_check.py"],
                                     out=os.path.join(self.mkdir("a"), "image"))
        # A cache holding only the downloaded blobs: the layers are assembled
        # again, in another environment.
        fresh = os.path.join(self.tmp, "fresh-cache")
        T.seed_cache_blobs(T.ONLINE_CACHE, fresh)
        work = self.mkdir("elsewhere", "deeper")
        d2, _, res = self.online_build(spec_text, checks=["python_check.py"], cache=fresh,
                                       out=os.path.join(self.mkdir("b"), "image"),
                                       spec_folder=self.mkdir("spec2"), cwd=work, umask=0o077,
                                       env={"TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8"})
        self.assertNotIn("package layers from cache", res.stderr, "the layer must be rebuilt")
        self.assertEqual(d2, d1)


if __name__ == "__main__":
    T.main()
