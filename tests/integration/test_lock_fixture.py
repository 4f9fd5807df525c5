"""`distill lock` and `distill fetch --lock` against the fixture repository."""

import dataclasses
import json
import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402


def load_checking_sorted(testcase, data: bytes):
    """Parses JSON and asserts every object's keys appear sorted."""

    def hook(pairs):
        keys = [k for k, _ in pairs]
        testcase.assertEqual(keys, sorted(keys), "object keys not sorted")
        testcase.assertEqual(len(keys), len(set(keys)), "duplicate keys")
        return dict(pairs)

    return json.loads(data.decode("utf-8"), object_pairs_hook=hook)


class LockFixtureTest(T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_repo()
        self.server = self.serve(self.repo)

    def lock(self, *args, expect_rc=0, server=None, **kw):
        return self.run_distill(self.mirror_args(server or self.server) +
                                ["lock", *args, "--distro", "debian12"], expect_rc=expect_rc,
                                **kw)

    def read(self, path) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    def test_lock_is_byte_stable(self):
        a = os.path.join(self.mkdir("a"), "first.lock")
        self.lock("app", "tool", "--arch", "amd64,arm64", "-o", a)
        first = self.read(a)
        # Fresh cache, other time zone, umask, locale, working folder; the
        # default output name in the working folder.
        wd = self.mkdir("elsewhere", "deeper")
        self.lock("tool", "app", "--arch", "amd64,arm64", cwd=wd, umask=0o077,
                  env={"TZ": "Pacific/Chatham", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8",
                       "XDG_CACHE_HOME": self.mkdir("cache2")})
        self.assertNotEqual(T.blob_files(os.path.join(self.tmp, "cache2", "distill")), [])
        self.assertEqual(self.read(os.path.join(wd, "distill.lock")), first)
        # Warm cache, request given in another order with duplicates.
        c = os.path.join(self.tmp, "c.lock")
        self.lock("app", "tool", "app", "--arch", "amd64,arm64", "-o", c, umask=0o022,
                  env={"TZ": "America/St_Johns"})
        self.assertEqual(self.read(c), first)
        self.assertTrue(first.endswith(b"\n"))
        self.assertEqual(json.loads(first)["request"], {"exclude": [], "packages": ["app", "tool"]})
        self.assertNotIn(b"127.0.0.1", first, "no mirror URL in the lock")
        self.assertNotIn(b"http", first, "no mirror URL in the lock")
        self.assertNotIn(self.tmp.encode(), first, "no local paths in the lock")

    def test_lock_content(self):
        path = os.path.join(self.tmp, "distill.lock")
        self.lock("app", "--arch", "amd64,arm64", "--exclude", "libssl3", "-o", path)
        lock = load_checking_sorted(self, self.read(path))
        self.assertEqual(lock["version"], 1)
        self.assertEqual(lock["distro"], "debian12")
        self.assertEqual(lock["request"], {"packages": ["app"], "exclude": ["libssl3"]})
        self.assertEqual(sorted(lock["archs"]), ["amd64", "arm64"])
        closure = {n: s for n, s in T.APP_CLOSURE.items() if n != "libssl3"}
        for arch in T.ARCHS:
            a = lock["archs"][arch]
            want = self.repo.closure(arch, closure)
            names = [p["name"] for p in a["packages"]]
            self.assertEqual(names, sorted(want), "packages sorted by name, %s" % arch)
            for p in a["packages"]:
                e = want[p["name"]]
                self.assertEqual(p, {"name": e.name, "version": e.version,
                                     "architecture": e.architecture, "suite": e.suite,
                                     "filename": e.filename, "sha256": e.sha256,
                                     "size": e.size})
            # One index per suite, each vouched for by that suite's Release.
            suites = sorted(i["suite"] for i in a["indices"])
            self.assertEqual(suites, sorted(T.SUITES), a["indices"])
            for i in a["indices"]:
                self.assertEqual(i["component"], "main")
                self.assertTrue(i["path"].startswith("main/binary-%s/Packages" % arch), i)
                listed = self.repo.release_files[i["suite"]]
                self.assertIn(i["path"], listed)
                self.assertEqual(i["sha256"], listed[i["path"]][0], i)
            keys = [(i["suite"], i["component"], i["path"]) for i in a["indices"]]
            self.assertEqual(keys, sorted(keys), "indices sorted")

    def test_lock_single_arch(self):
        path = os.path.join(self.tmp, "one.lock")
        self.lock("tool", "--arch", "arm64", "-o", path)
        lock = load_checking_sorted(self, self.read(path))
        self.assertEqual(sorted(lock["archs"]), ["arm64"])
        self.assertEqual([p["name"] for p in lock["archs"]["arm64"]["packages"]], ["tool"])

    def test_fetch_lock_from_another_mirror(self):
        path = os.path.join(self.tmp, "distill.lock")
        self.lock("app", "--arch", "amd64,arm64", "-o", path)
        lock = json.loads(self.read(path))
        copy = os.path.join(self.tmp, "mirror2")
        shutil.copytree(self.repo.root, copy)
        second = self.serve(copy)
        self.assertNotEqual(second.port, self.server.port)
        self.server.clear_log()
        out = os.path.join(self.tmp, "out")
        self.run_distill(["--cache-dir", os.path.join(self.tmp, "cache2")] +
                         self.mirror_args(second) + ["fetch", "--lock", path, "-o", out])
        self.assertEqual(self.server.requests, [], "the first mirror must not be used")
        want = {}
        for arch in T.ARCHS:
            for p in lock["archs"][arch]["packages"]:
                want["%s_%s_%s.deb" % (p["name"], p["version"], p["architecture"])] = p
        self.assertEqual(sorted(os.listdir(out)), sorted(want))
        for name, p in want.items():
            self.assertEqual(T.sha256_file(os.path.join(out, name)), p["sha256"], name)
        # Security packages come from the second mirror's -security root.
        foo = self.repo.entry("libfoo1", "amd64", "bookworm-security")
        self.assertIn(foo.url_path, second.deb_requests())

    def check_refused(self, same_size: bool):
        # Two mirrors whose signed indices are each self-consistent but list
        # different builds of libfoo1 (bookworm-security). With an uncompressed
        # payload the rebuild has the same size, so only SHA-256 tells them
        # apart.
        def packages(salt):
            return [dataclasses.replace(p, salt=salt, compression="none" if same_size else "xz")
                    if (p.name, p.suite) == ("libfoo1", "bookworm-security") else p
                    for p in T.default_packages()]

        first = self.make_repo("mirror1", packages=packages(""))
        other = self.make_repo("mirror2", packages=packages("rebuilt"))
        locked = first.entry("libfoo1", "amd64", "bookworm-security")
        changed = other.entry("libfoo1", "amd64", "bookworm-security")
        self.assertNotEqual(changed.sha256, locked.sha256)
        self.assertEqual(changed.size == locked.size, same_size)

        path = os.path.join(self.tmp, "distill.lock")
        self.lock("app", "--arch", "amd64", "-o", path, server=self.serve(first))
        second = self.serve(other)
        out = os.path.join(self.tmp, "out")
        res = self.run_distill(["--cache-dir", self.mkdir("cache2")] + self.mirror_args(second) +
                               ["fetch", "--lock", path, "-o", out], expect_rc=None)
        line = self.assert_one_error(res, pattern=r"sha-?256" if same_size else r"size")
        self.assertTrue("libfoo1" in line or locked.filename in line, line)
        self.assertIn(changed.url_path, second.deb_requests())
        for cache in (self.cache_dir, os.path.join(self.tmp, "cache2")):
            self.assertIsNone(T.find_blob(cache, changed.sha256))
        self.assert_no_temp_files(self.tmp)
        if os.path.isdir(out):
            self.assertNotIn(locked.deb_name, os.listdir(out))

    def test_fetch_lock_refuses_changed_deb_same_size(self):
        self.check_refused(same_size=True)

    def test_fetch_lock_refuses_changed_deb_other_size(self):
        self.check_refused(same_size=False)

    def test_fetch_lock_rejects_tampered_lockfile(self):
        path = os.path.join(self.tmp, "distill.lock")
        self.lock("app", "--arch", "amd64", "-o", path)
        lock = json.loads(self.read(path))
        lock["archs"]["amd64"]["packages"][0]["filename"] = "../../etc/passwd"
        with open(path, "w") as f:
            json.dump(lock, f)
        res = self.run_distill(self.mirror_args(self.server) +
                               ["fetch", "--lock", path], expect_rc=None)
        self.assert_one_error(res)
        self.assertEqual(self.server.deb_requests(), [])

    def test_failed_lock_keeps_old_file(self):
        path = os.path.join(self.tmp, "distill.lock")
        old = b"old content, must survive\n"
        with open(path, "wb") as f:
            f.write(old)
        res = self.lock("broken", "--arch", "amd64", "-o", path, expect_rc=None)
        self.assert_one_error(res, "broken -> libmissing (>= 2)")
        self.assertEqual(self.read(path), old)
        res = self.lock("nosuch", "--arch", "amd64", "-o", path, expect_rc=None)
        self.assert_one_error(res, "nosuch")
        self.assertEqual(self.read(path), old)
        self.assertEqual(sorted(os.listdir(self.tmp)),
                         sorted(["distill.lock", "home", "xdg-cache", "repo",
                                 "archive-keyring.gpg"]),
                         "no stray files next to the lock")
        self.assert_no_temp_files(self.tmp)

    def test_failed_lock_creates_no_file(self):
        path = os.path.join(self.tmp, "new.lock")
        res = self.lock("nosuch", "--arch", "amd64", "-o", path, expect_rc=None)
        self.assert_one_error(res, "nosuch")
        self.assertFalse(os.path.exists(path))


if __name__ == "__main__":
    T.main()
