"""Release signature and validity checks: nothing unverified is used or cached."""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SIGNATURE_WORDS = r"signature|signed|key|gpgv|InRelease|Release\.gpg"


class SignatureFixtureTest(T.FixtureTestCase):

    def resolve(self, server, keyring=None, expect_rc=None):
        return self.run_distill(self.mirror_args(server, keyring) +
                                ["resolve", "app", "--distro", "debian12", "--arch", "amd64"],
                                expect_rc=expect_rc)

    def assert_nothing_cached(self, server):
        # The failure must come from checking what the server sent.
        self.assertTrue(any(p.endswith(("/InRelease", "/Release", "/Release.gpg"))
                            for p in server.paths()), server.paths())
        self.assertEqual(T.blob_files(self.cache_dir), [],
                         "unverified data must not reach the cache")
        self.assert_no_temp_files(self.tmp)

    def test_good_repo_is_accepted(self):
        # Control for the cases below: the same setup with a correct key works
        # and does cache the indices.
        repo = self.make_repo()
        server = self.serve(repo)
        self.resolve(server, expect_rc=0)
        self.assertNotEqual(T.blob_files(self.cache_dir), [])
        # gpgv agrees with the fixture.
        for suite in T.SUITES:
            self.assertTrue(T.gpgv_verify(self.keyring(),
                                          os.path.join(repo.suite_dir(suite), "InRelease")))

    def test_wrong_key(self):
        repo = self.make_repo(key="other")
        server = self.serve(repo)
        res = self.resolve(server)
        self.assert_one_error(res, pattern=r"signature|key")
        self.assert_nothing_cached(server)
        # The unrelated key really did not sign it.
        self.assertFalse(T.gpgv_verify(self.keyring(), os.path.join(repo.suite_dir("bookworm"),
                                                                    "InRelease")))

    def test_wrong_key_only_for_security_suite(self):
        # A correctly signed archive does not excuse a badly signed security
        # suite (it is served from a different base URL).
        repo = self.make_repo()
        other = self.make_repo("other-repo", key="other")
        server = self.serve(repo)
        path = repo.dists_url_path("bookworm-security", "InRelease")
        server.set_content(path, other.read(path))
        res = self.resolve(server)
        self.assert_one_error(res, "bookworm-security", pattern=r"signature|key")
        self.assertIn(path, server.paths())
        self.assert_no_temp_files(self.tmp)
        # Nothing from the security suite is cached.
        sec = repo.release_files["bookworm-security"]
        for digest, _size in sec.values():
            self.assertIsNone(T.find_blob(self.cache_dir, digest))

    def test_tampered_inrelease(self):
        repo = self.make_repo()
        server = self.serve(repo)
        for suite in T.SUITES:
            path = repo.dists_url_path(suite, "InRelease")
            signed = repo.read(path)
            # Flip one hex digit of the Packages.xz hash inside the signed
            # text: what an attacker substituting an index would have to do.
            digest = repo.release_files[suite]["main/binary-amd64/Packages.xz"][0]
            i = signed.index(digest.encode())
            flipped = b"0" if signed[i:i + 1] != b"0" else b"1"
            tampered = signed[:i] + flipped + signed[i + 1:]
            self.assertNotEqual(tampered, signed)
            self.assertEqual(len(tampered), len(signed))
            server.set_content(path, tampered)
        res = self.resolve(server)
        self.assert_one_error(res, pattern=SIGNATURE_WORDS)
        self.assert_nothing_cached(server)

    def test_tampered_origin_line(self):
        repo = self.make_repo()
        server = self.serve(repo)
        path = repo.dists_url_path("bookworm-updates", "InRelease")
        signed = repo.read(path)
        tampered = signed.replace(b"Origin: Debian", b"Origin: Debiam", 1)
        self.assertNotEqual(tampered, signed)
        server.set_content(path, tampered)
        res = self.resolve(server)
        self.assert_one_error(res, pattern=SIGNATURE_WORDS)
        self.assertIn(path, server.paths())
        self.assert_no_temp_files(self.tmp)
        for digest, _size in repo.release_files["bookworm-updates"].values():
            self.assertIsNone(T.find_blob(self.cache_dir, digest))

    def test_unsigned_release_only(self):
        # No InRelease, no Release.gpg: only a plain Release is served.
        repo = self.make_repo(key=None)
        for suite in T.SUITES:
            self.assertFalse(os.path.exists(os.path.join(repo.suite_dir(suite), "InRelease")))
            self.assertTrue(os.path.exists(os.path.join(repo.suite_dir(suite), "Release")))
        server = self.serve(repo)
        res = self.resolve(server)
        self.assert_one_error(res)
        self.assert_nothing_cached(server)

    def test_inrelease_without_signature(self):
        repo = self.make_repo()
        server = self.serve(repo)
        for suite in T.SUITES:
            plain = repo.read(repo.dists_url_path(suite, "Release"))
            server.set_content(repo.dists_url_path(suite, "InRelease"), plain)
        res = self.resolve(server)
        self.assert_one_error(res, pattern=SIGNATURE_WORDS)
        self.assert_nothing_cached(server)

    def test_inrelease_with_garbage_signature_block(self):
        repo = self.make_repo()
        server = self.serve(repo)
        for suite in T.SUITES:
            path = repo.dists_url_path(suite, "InRelease")
            signed = repo.read(path)
            head, _sep, _tail = signed.partition(b"-----BEGIN PGP SIGNATURE-----")
            forged = (head + b"-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEEAAAAAAAAAAAA\n"
                      b"=AAAA\n-----END PGP SIGNATURE-----\n")
            server.set_content(path, forged)
        res = self.resolve(server)
        self.assert_one_error(res, pattern=SIGNATURE_WORDS)
        self.assert_nothing_cached(server)

    def test_expired_valid_until(self):
        # Signed ten days ago, valid for a week: expired three days ago.
        repo = self.make_repo(date_offset=-10 * 86400, valid_for=7 * 86400)
        server = self.serve(repo)
        res = self.resolve(server)
        self.assert_one_error(res, pattern=r"expired")
        self.assert_nothing_cached(server)

    def test_future_valid_until_is_accepted(self):
        repo = self.make_repo(valid_for=7 * 86400)
        server = self.serve(repo)
        self.resolve(server, expect_rc=0)


if __name__ == "__main__":
    T.main()
