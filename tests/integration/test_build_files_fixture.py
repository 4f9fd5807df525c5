"""`files` in a spec against the hermetic fixture repository: where `src`
may come from, and the modes the image gets.

A spec is often someone else's (a pull request, a cloned example), so its
`src` must stay inside the spec's folder, symlinks followed: an absolute
path, a `../` path and a folder symlinked out of the tree are each refused
with one error line naming the entry and the file, unless the one running
the build passes `--allow-outside`. A file keeps its host permissions (never
wider than 0755) unless the entry gives `mode`, so a 0640 secret does not
become world-readable in the image.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC_BASE = """\
distro: debian12
archs: [amd64]
base: static
"""


class BuildFilesFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.serve(self.make_image_repo())
        self.spec_dir = self.mkdir("project", "spec")
        # A host secret beside the spec's folder, readable by its group only.
        self.secret = os.path.join(self.mkdir("project", "host"), "secret")
        self.write_files(os.path.dirname(self.secret), {"secret": ("s3cret\n", 0o640)})
        self.out = os.path.join(self.tmp, "image")

    def build(self, files_yaml, *extra, expect_rc=0):
        spec = self.write_spec(SPEC_BASE + "files:\n" + files_yaml, folder=self.spec_dir)
        args = self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f",
                                                 spec, "-o", self.out, "-t", "files:test"]
        return spec, self.run_distill(args + list(extra), expect_rc=expect_rc)

    def app_entries(self):
        img = T.OciLayout(self.out).image("test")
        return {e.path: e for e in img.layer_entries(len(img.layers) - 1)}

    def assert_refused(self, src, resolved):
        spec, r = self.build("  - {src: %s, dst: /app/secret}\n" % src, expect_rc=T.NONZERO)
        self.assert_one_error(r, "%s:5" % spec, "'%s'" % src, resolved, "outside",
                              "--allow-outside")
        self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(self.out), "nothing written")

    # -- where src may come from -------------------------------------------------------

    def test_absolute_src_outside_the_spec_folder_is_refused(self):
        self.assert_refused(self.secret, self.secret)

    def test_dotdot_src_is_refused(self):
        self.assert_refused("../host/secret", self.secret)
        self.assert_refused("../../../../../../../../../../" + self.secret.lstrip("/"),
                            self.secret)

    def test_symlinked_folder_out_of_the_tree_is_refused(self):
        os.symlink(os.path.dirname(self.secret), os.path.join(self.spec_dir, "conf"))
        self.assert_refused("conf/secret", self.secret)
        self.assert_refused("conf/", os.path.dirname(self.secret))

    def test_ca_certificates_outside_the_spec_folder_are_refused(self):
        pem = os.path.join(os.path.dirname(self.secret), "both.pem")
        self.write_files(os.path.dirname(pem), {"both.pem": (
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            "-----BEGIN PRIVATE KEY-----\nMIIC\n-----END PRIVATE KEY-----\n", 0o600)})
        for given in (pem, "../host/both.pem"):
            spec = self.write_spec(SPEC_BASE + "ca_certificates: [%s]\n" % given,
                                   folder=self.spec_dir)
            r = self.run_distill(self.mirror_args(self.server) + [
                "--cache-dir", self.cache_dir, "build", "-f", spec, "-o", self.out],
                expect_rc=T.NONZERO)
            self.assert_one_error(r, "ca_certificates", pem, "outside", "--allow-outside")
            self.assertFalse(os.path.exists(self.out), "nothing written")

    def test_symlinks_inside_the_tree_are_fine(self):
        self.write_files(self.spec_dir, {"real/app.conf": ("x = 1\n", 0o644)})
        os.symlink("real", os.path.join(self.spec_dir, "conf"))
        # A symlink named as src is copied as a symlink, never read through.
        os.symlink(self.secret, os.path.join(self.spec_dir, "link"))
        self.build("  - {src: conf/app.conf, dst: /app/app.conf}\n"
                   "  - {src: link, dst: /app/link}\n")
        app = self.app_entries()
        self.assertEqual(app["app/app.conf"].data, b"x = 1\n")
        self.assertEqual((app["app/link"].kind, app["app/link"].target), ("l", self.secret))

    def test_allow_outside_builds_and_keeps_the_host_mode(self):
        self.build("  - {src: ../host/secret, dst: /app/secret}\n", "--allow-outside")
        e = self.app_entries()["app/secret"]
        self.assertEqual((e.data, oct(e.mode & 0o7777)), (b"s3cret\n", oct(0o640)))

    # -- modes -----------------------------------------------------------------------

    def test_host_modes_kept_unless_mode_is_given(self):
        self.write_files(self.spec_dir, {
            "secret.env": ("TOKEN=1\n", 0o640),
            "private/key": ("k\n", 0o600),
            "run.sh": ("#!/bin/false\n", 0o755),
            "loose.txt": ("umask 000\n", 0o666),
            "given.txt": ("g\n", 0o640),
        })
        os.chmod(os.path.join(self.spec_dir, "private"), 0o750)
        self.build("  - {src: secret.env, dst: /app/secret.env}\n"
                   "  - {src: private/, dst: /app/private}\n"
                   "  - {src: run.sh, dst: /app/run.sh}\n"
                   "  - {src: loose.txt, dst: /app/loose.txt}\n"
                   "  - {src: given.txt, dst: /app/given.txt, mode: \"0604\"}\n")
        app = self.app_entries()
        want = {"app/secret.env": 0o640, "app/private": 0o750, "app/private/key": 0o600,
                "app/run.sh": 0o755,
                # Never wider than 0755: no write for group or others from a loose umask.
                "app/loose.txt": 0o644,
                "app/given.txt": 0o604}
        got = {p: app[p].mode & 0o7777 for p in want}
        self.assertEqual({p: oct(m) for p, m in got.items()},
                         {p: oct(m) for p, m in want.items()})


if __name__ == "__main__":
    T.main()
