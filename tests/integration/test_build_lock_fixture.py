"""`distill lock -f SPEC`, `distill build --lock` and the resolution cache,
against the fixture repository.

A lock made from a spec pins every package the image installs and the ones it
only reads data from (ca-certificates); a build from it fetches exactly those
files from whichever mirror is configured, so a newer package published later
does not change the image, and any mismatch is refused.
"""

import dataclasses
import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
"""


def newer_hello_tool():
    """image_packages() plus hello-tool 1.1-1 in bookworm-updates."""
    pkgs = T.image_packages()
    old = next(p for p in pkgs if p.name == "hello-tool")
    return pkgs + [dataclasses.replace(old, version="1.1-1", suite="bookworm-updates")]


class BuildLockTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.serve(self.make_image_repo())
        self.spec = self.write_spec(SPEC)
        self.lock_path = os.path.join(self.tmp, "distill.lock")

    def distill(self, server, *args, cache=None, expect_rc=0):
        return self.run_distill(self.mirror_args(server) +
                                ["--cache-dir", cache or self.cache_dir] + list(args),
                                expect_rc=expect_rc)

    def build(self, server, *extra, out, cache=None, expect_rc=0):
        res = self.distill(server, "build", "-f", self.spec, "-o", out, *extra, cache=cache,
                           expect_rc=expect_rc)
        return res if expect_rc != 0 else self.assert_digest_line(res)

    def lock(self):
        self.distill(self.server, "lock", "-f", self.spec, "-o", self.lock_path)
        with open(self.lock_path) as f:
            return json.load(f)

    def test_lock_from_spec_pins_installed_and_data_only_packages(self):
        lock = self.lock()
        self.assertEqual(lock["distro"], "debian12")
        self.assertEqual(lock["request"]["base"], "base")
        self.assertIn("hello-tool", lock["request"]["packages"])
        amd64 = lock["archs"]["amd64"]
        installed = {p["name"]: p["version"] for p in amd64["packages"]}
        self.assertEqual(installed["hello-tool"], "1.0-1")
        self.assertIn("libc6", installed)
        self.assertNotIn("ca-certificates", installed, "ca-certificates is read, not installed")
        self.assertEqual([p["name"] for p in amd64["extract"]], ["ca-certificates"])
        # Byte-stable: locking again writes the same bytes.
        with open(self.lock_path, "rb") as f:
            first = f.read()
        self.lock()
        with open(self.lock_path, "rb") as f:
            self.assertEqual(f.read(), first)

    def test_build_from_lock_ignores_newer_packages(self):
        self.lock()
        resolved = self.build(self.server, out=os.path.join(self.tmp, "a"))
        locked = self.build(self.server, "--lock", self.lock_path, out=os.path.join(self.tmp, "b"))
        self.assertEqual(locked, resolved, "a lock of the same packages builds the same image")

        # A mirror that has since published hello-tool 1.1-1, and a cold cache.
        newer = self.serve(self.make_repo("repo2", packages=newer_hello_tool()))
        fresh = self.build(newer, out=os.path.join(self.tmp, "c"),
                           cache=os.path.join(self.tmp, "cache2"))
        self.assertNotEqual(fresh, resolved, "without the lock the newer version is used")
        newer.clear_log()
        replay = self.build(newer, "--lock", self.lock_path, out=os.path.join(self.tmp, "d"),
                            cache=os.path.join(self.tmp, "cache3"))
        self.assertEqual(replay, resolved, "the lock replays the same image on another mirror")
        status = T.OciLayout(os.path.join(self.tmp, "d")).image().rootfs()
        self.assertIn("Version: 1.0-1",
                      status["var/lib/dpkg/status.d/hello-tool"].text())
        # A lock build downloads pool files only: no index, no signature.
        paths = newer.paths()
        self.assertTrue(paths and all("/pool/" in p for p in paths), paths)

    def test_tampered_lock_is_refused_and_nothing_written(self):
        lock = self.lock()
        for p in lock["archs"]["amd64"]["packages"]:
            if p["name"] == "hello-tool":
                p["sha256"] = "0" * 64
        with open(self.lock_path, "w") as f:
            json.dump(lock, f)
        parent = self.mkdir("out")
        res = self.build(self.server, "--lock", self.lock_path, out=os.path.join(parent, "img"),
                         expect_rc=T.NONZERO)
        self.assert_one_error(res, "hello-tool")
        self.assertEqual(os.listdir(parent), [], "no output")
        self.assert_no_temp_files(self.cache_dir)

    def test_lock_for_another_request_is_refused(self):
        self.lock()
        other = self.write_spec(SPEC.replace("[hello-tool]", "[]"), folder=self.mkdir("other"))
        parent = self.mkdir("out")
        res = self.distill(self.server, "build", "-f", other, "--lock", self.lock_path, "-o",
                           os.path.join(parent, "img"), expect_rc=T.NONZERO)
        self.assert_one_error(res, self.lock_path, "differ")
        res = self.distill(self.server, "build", "-f", self.spec, "--arch", "arm64", "--lock",
                           self.lock_path, "-o", os.path.join(parent, "img"), expect_rc=T.NONZERO)
        self.assert_one_error(res, self.lock_path, "arm64")
        self.assertEqual(os.listdir(parent), [])

    def test_lock_rejects_spec_and_packages_together(self):
        res = self.distill(self.server, "lock", "-f", self.spec, "hello-tool", "-o",
                           self.lock_path, expect_rc=T.NONZERO)
        self.assert_one_error(res, "together")
        self.assertFalse(os.path.exists(self.lock_path))



class ResolutionCacheTest(T.BuildTestMixin, T.FixtureTestCase):
    """A rebuild reuses the resolution while the signed indices are unchanged."""

    def setUp(self):
        super().setUp()
        self.spec = self.write_spec(SPEC)

    def build(self, server, out, *extra, expect_rc=0):
        res = self.run_distill(self.mirror_args(server) + ["--cache-dir", self.cache_dir] +
                               list(extra) + ["build", "-f", self.spec, "-o",
                                              os.path.join(self.tmp, out)],
                               expect_rc=expect_rc)
        return res if expect_rc != 0 else self.assert_digest_line(res)

    def index_blobs(self, repo):
        """Cache paths of the decompressed Packages indices of `repo`."""
        paths = set()  # suites with identical indices share one blob
        for files in repo.release_files.values():
            for rel, (sha256, _size) in files.items():
                found = rel.endswith("/Packages") and T.find_blob(self.cache_dir, sha256)
                if found:
                    paths.add(found)
        return sorted(paths)

    def test_rebuild_skips_the_indices_until_they_change(self):
        repo = self.make_image_repo()
        server = self.serve(repo)
        first = self.build(server, "a")
        blobs = self.index_blobs(repo)
        self.assertTrue(blobs, "the indices were cached")
        for p in blobs:
            os.unlink(p)
        # Offline, with the indices gone: only the cached resolution can do it.
        self.assertEqual(self.build(server, "b", "--offline"), first)
        self.assertFalse(self.index_blobs(repo), "no index was needed, so none was fetched")

        # The mirror publishes hello-tool 1.1-1: new signed indices, new key.
        newer = self.serve(self.make_repo("repo2", packages=newer_hello_tool()))
        second = self.build(newer, "c")
        self.assertNotEqual(second, first)
        status = T.OciLayout(os.path.join(self.tmp, "c")).image().rootfs()
        self.assertIn("Version: 1.1-1", status["var/lib/dpkg/status.d/hello-tool"].text())


if __name__ == "__main__":
    T.main()
