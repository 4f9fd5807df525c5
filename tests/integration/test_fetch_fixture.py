"""`distill fetch`: verified downloads, the content-addressed cache, retries and
broken indices, against the hermetic fixture repository."""

import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402


def corrupt_index(suite, arch, text):
    if suite == "bookworm-updates" and arch == "amd64":
        # A stanza with a line that is no field and no required fields.
        return text + "\nPackage: garbled\nthis line is not a field\nVersion 1.0-1\n"
    return text


class FetchFixtureTest(T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_repo()
        self.server = self.serve(self.repo)
        self.out = os.path.join(self.tmp, "out")

    def fetch(self, *args, expect_rc=0, server=None, out=True):
        extra = ["-o", self.out] if out else []
        return self.run_distill(self.mirror_args(server or self.server) +
                                ["fetch", *args, "--distro", "debian12"] + extra,
                                expect_rc=expect_rc)

    def check_out(self, arch="amd64", archs=None):
        """out/ holds exactly app's closure, byte-identical to the index."""
        want = {}
        for a in (archs or [arch]):
            for e in self.repo.closure(a).values():
                want[e.deb_name] = e
        got = sorted(os.listdir(self.out))
        self.assertEqual(got, sorted(want))
        for name, e in want.items():
            path = os.path.join(self.out, name)
            self.assertEqual(os.path.getsize(path), e.size, name)
            self.assertEqual(T.sha256_file(path), e.sha256, name)
            p = subprocess.run(["dpkg-deb", "--info", path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 0, "dpkg-deb --info %s: %s" % (name, p.stderr))
            ctl = T.deb_control(path)
            self.assertEqual((ctl["Package"], ctl["Version"], ctl["Architecture"]),
                             (e.name, e.version, e.architecture))
        return want

    def test_fetch_then_cache_hit(self):
        res = self.fetch("app", "--arch", "amd64")
        self.assertTrue(res.stdout.strip() or res.stderr.strip(), "no summary printed")
        want = self.check_out()
        debs = self.server.deb_requests()
        self.assertEqual(sorted(debs), sorted(e.url_path for e in want.values()),
                         "each .deb downloaded exactly once")
        # Every .deb is in the cache under its SHA-256.
        for e in want.values():
            self.assertIsNotNone(T.find_blob(self.cache_dir, e.sha256), e.name)
        self.assert_no_temp_files(self.cache_dir, self.out)

        # Second run: everything from the cache.
        self.server.clear_log()
        for name in os.listdir(self.out):
            os.unlink(os.path.join(self.out, name))
        self.fetch("app", "--arch", "amd64")
        self.assertEqual(self.server.deb_requests(), [], "second fetch must hit the cache")
        self.check_out()

    def test_fetch_both_archs(self):
        self.fetch("app", "--arch", "amd64,arm64")
        self.check_out(archs=["amd64", "arm64"])
        # The Architecture: all package is one file, downloaded once.
        tz = self.repo.entry("tzdata-ish", "amd64", "bookworm-updates")
        self.assertEqual(self.server.deb_requests().count(tz.url_path), 1)

    def test_fetch_without_output_dir_fills_cache(self):
        self.fetch("app", "--arch", "arm64", out=False)
        self.assertFalse(os.path.exists(self.out))
        for e in self.repo.closure("arm64").values():
            self.assertIsNotNone(T.find_blob(self.cache_dir, e.sha256), e.name)

    def test_offline_uses_only_the_cache(self):
        res = self.run_distill(["--offline"] + self.mirror_args(self.server) +
                               ["fetch", "app", "--distro", "debian12", "--arch", "amd64"],
                               expect_rc=None)
        self.assert_one_error(res, pattern="cache|offline")
        self.assertEqual(self.server.requests, [], "--offline must not touch the network")
        self.fetch("app", "--arch", "amd64", out=False)
        self.server.clear_log()
        self.run_distill(["--offline"] + self.mirror_args(self.server) +
                         ["fetch", "app", "--distro", "debian12", "--arch", "amd64",
                          "-o", self.out])
        self.assertEqual(self.server.requests, [], "--offline must not touch the network")
        self.check_out()
        # A package whose .deb was never downloaded is an error offline.
        res = self.run_distill(["--offline"] + self.mirror_args(self.server) +
                               ["fetch", "tool", "--distro", "debian12", "--arch", "amd64"],
                               expect_rc=None)
        self.assert_one_error(res, "tool")
        self.assertEqual(self.server.requests, [])

    def test_concurrent_fetches_share_the_cache(self):
        # Several processes filling one cache at once: all succeed, every blob
        # is intact, no temporary file survives.
        procs = []
        for i in range(3):
            out = self.mkdir("out%d" % i)
            cmd = [T.DISTILL] + self.mirror_args(self.server) + [
                "fetch", "app", "--distro", "debian12", "--arch", "amd64,arm64", "-o", out]
            procs.append((out, subprocess.Popen(cmd, cwd=self.tmp, env=self.base_env(),
                                                stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE)))
        for out, p in procs:
            stdout, stderr = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, stderr.decode())
            self.out = out
            self.check_out(archs=["amd64", "arm64"])
        for path in T.blob_files(self.cache_dir):
            self.assertEqual(T.sha256_file(path), os.path.basename(path), path)
        self.assert_no_temp_files(self.tmp)

    def corrupt_cached(self, how):
        self.fetch("app", "--arch", "amd64")
        victim = self.repo.entry("libfoo1", "amd64", "bookworm-security")
        blob = T.find_blob(self.cache_dir, victim.sha256)
        self.assertIsNotNone(blob)
        mode = os.stat(blob).st_mode
        os.chmod(blob, 0o644)
        with open(blob, "r+b") as f:
            if how == "flip":
                f.seek(victim.size // 2)
                b = f.read(1)
                f.seek(victim.size // 2)
                f.write(bytes([b[0] ^ 0xFF]))
            else:
                f.truncate(victim.size // 3)
        os.chmod(blob, mode & 0o7777)
        self.assertNotEqual(T.sha256_file(blob), victim.sha256)
        for name in os.listdir(self.out):
            os.unlink(os.path.join(self.out, name))
        self.server.clear_log()
        self.fetch("app", "--arch", "amd64")
        self.assertEqual(self.server.deb_requests(), [victim.url_path],
                         "exactly the corrupt blob is downloaded again")
        self.check_out()
        blob = T.find_blob(self.cache_dir, victim.sha256)
        self.assertEqual(T.sha256_file(blob), victim.sha256, "cache entry repaired")
        self.assert_no_temp_files(self.cache_dir, self.out)

    def test_corrupt_cached_blob_flipped_byte(self):
        self.corrupt_cached("flip")

    def test_corrupt_cached_blob_truncated(self):
        self.corrupt_cached("truncate")

    def test_tampered_deb_on_server(self):
        victim = self.repo.entry("libssl3", "amd64", "bookworm")
        data = bytearray(self.repo.read(victim.url_path))
        data[len(data) // 2] ^= 0x01
        self.server.set_content(victim.url_path, bytes(data))
        res = self.fetch("app", "--arch", "amd64", expect_rc=None)
        line = self.assert_one_error(res, pattern=r"sha-?256|hash")
        self.assertTrue("libssl3" in line or victim.filename in line,
                        "error must name the package or its URL: " + line)
        self.assertIn(victim.url_path, self.server.deb_requests())
        self.assertIsNone(T.find_blob(self.cache_dir, victim.sha256))
        self.assertIsNone(T.find_blob(self.cache_dir, T.sha256_bytes(bytes(data))))
        self.assert_no_temp_files(self.tmp)
        if os.path.isdir(self.out):
            self.assertNotIn(victim.deb_name, os.listdir(self.out))

    def test_truncated_deb_on_server(self):
        victim = self.repo.entry("app", "arm64", "bookworm")
        self.server.set_content(victim.url_path, self.repo.read(victim.url_path)[:100])
        res = self.fetch("app", "--arch", "arm64", expect_rc=None)
        line = self.assert_one_error(res)
        self.assertTrue("app" in line or victim.filename in line, line)
        self.assertIsNone(T.find_blob(self.cache_dir, victim.sha256))
        self.assert_no_temp_files(self.tmp)

    def test_503_once_is_retried(self):
        victim = self.repo.entry("libfoo1", "amd64", "bookworm-security")
        self.server.fail(victim.url_path, 503, times=1)
        self.fetch("app", "--arch", "amd64")
        self.assertEqual(self.server.deb_requests().count(victim.url_path), 2,
                         "one failed attempt, one retry")
        self.check_out()

    def test_404_deb_fails(self):
        victim = self.repo.entry("libbar1", "amd64", "bookworm")
        self.server.fail(victim.url_path, 404, times=None)
        res = self.fetch("app", "--arch", "amd64", expect_rc=None)
        line = self.assert_one_error(res)
        self.assertTrue("libbar1" in line or victim.filename in line, line)
        self.assertIn("404", line)
        self.assert_no_temp_files(self.tmp)

    def test_malformed_packages_index(self):
        repo = self.make_repo("bad-repo", index_mutator=corrupt_index)
        server = self.serve(repo)
        res = self.fetch("app", "--arch", "amd64", server=server, expect_rc=None)
        line = self.assert_one_error(res, "bookworm-updates")
        self.assertIn("amd64", line)
        self.assertEqual(server.deb_requests(), [])
        self.assert_no_temp_files(self.tmp)

    def test_truncated_packages_xz(self):
        digest, size = self.repo.release_files["bookworm"]["main/binary-amd64/Packages.xz"]
        paths = self.repo.index_url_paths("bookworm", "amd64", "Packages.xz")
        data = self.repo.read(paths[0])
        self.assertEqual(len(data), size)
        for p in paths:
            self.server.set_content(p, data[:size // 2])
        res = self.fetch("app", "--arch", "amd64", expect_rc=None)
        requested = [p for p in self.server.paths() if p in paths]
        self.assertTrue(requested, "the CLI did not download Packages.xz: %s" %
                        self.server.paths())
        line = self.assert_one_error(res, "bookworm", pattern=r"sha-?256|hash|size")
        self.assertIn("amd64", line)
        self.assertEqual(self.server.deb_requests(), [])
        plain = self.repo.release_files["bookworm"]["main/binary-amd64/Packages"][0]
        for d in (digest, plain, T.sha256_bytes(data[:size // 2])):
            self.assertIsNone(T.find_blob(self.cache_dir, d))
        self.assert_no_temp_files(self.tmp)


if __name__ == "__main__":
    T.main()
