"""A `files` folder copied as it is, and what the ignore patterns leave out
(docs/app-dependencies.md), against the hermetic fixture repository.

The folder's symlinks (relative, absolute, dangling, chained, to a folder),
hard links, contents and modes must come out of the image exactly: umoci, an
independent unpacker, unpacks it and the tree is compared with the source.
`.distillignore` and `exclude:` follow .dockerignore's rules; the defaults
keep `.git`, `.env*`, `__pycache__`, `*.pyc` and the spec out unless a `!`
line brings them back. Every error names the spec's line.
"""

import os
import stat
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC_BASE = """\
distro: debian12
archs: [amd64]
base: static
"""


def tree(root):
    """rel path -> (kind, mode, target or content, inode) for everything below root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", 0, os.readlink(path), st.st_ino)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode), None, st.st_ino)
            else:
                with open(path, "rb") as f:
                    out[rel] = ("f", stat.S_IMODE(st.st_mode), f.read(), st.st_ino)
    return out


def link_groups(t):
    """The sets of paths sharing an inode, for files with several names."""
    by_inode = {}
    for rel, (kind, _, _, ino) in t.items():
        if kind == "f":
            by_inode.setdefault(ino, set()).add(rel)
    return sorted(sorted(g) for g in by_inode.values() if len(g) > 1)


class BuildAppFolderFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.serve(self.make_image_repo())
        self.spec_dir = self.mkdir("project")
        self.out = os.path.join(self.tmp, "image")

    def build(self, files_yaml, expect_rc=0, distill=None):
        spec = self.write_spec(SPEC_BASE + "files:\n" + files_yaml, folder=self.spec_dir)
        args = self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f",
                                                 spec, "-o", self.out, "-t", "files:test"]
        return spec, self.run_distill(args, expect_rc=expect_rc)

    def app_paths(self):
        img = T.OciLayout(self.out).image("test")
        return {e.path: e for e in img.layer_entries(len(img.layers) - 1)}

    def write(self, files):
        self.write_files(self.spec_dir, files)

    # -- copied as it is ---------------------------------------------------------------

    def test_symlinks_hard_links_and_modes_round_trip_through_umoci(self):
        app = os.path.join(self.spec_dir, "app")
        self.write_files(app, {
            "bin/run.sh": ("#!/bin/false\n", 0o755),
            "lib/data.txt": ("data\n", 0o644),
            "lib/loose.txt": ("loose\n", 0o666),
            "private/key": ("k\n", 0o600),
            "node_modules/semver/bin/semver.js": ("// semver\n", 0o755),
            "shared": ("one inode\n", 0o640),
        })
        os.chmod(os.path.join(app, "private"), 0o700)
        os.makedirs(os.path.join(app, "node_modules/.bin"))
        links = {
            "rel": "lib/data.txt",
            "abs": "/etc/ssl/certs/java/cacerts",
            "dangling": "no/such/file",
            "chain1": "chain2",
            "chain2": "lib/data.txt",
            "libdir": "lib",
            "out-of-tree": "../../host-secret",
            "node_modules/.bin/semver": "../semver/bin/semver.js",
        }
        for name, target in links.items():
            os.symlink(target, os.path.join(app, name))
        os.link(os.path.join(app, "shared"), os.path.join(app, "lib/shared-again"))
        os.link(os.path.join(app, "shared"), os.path.join(app, "private/shared-too"))
        self.build("  - {src: app/, dst: /app}\n")

        src = tree(app)
        bundle = self.unpack(self.out, "test")
        got = tree(os.path.join(bundle, "rootfs", "app"))
        want = {rel: (k, m & 0o755 if k != "l" else 0, v) for rel, (k, m, v, _) in src.items()}
        self.assertEqual({rel: v[:3] for rel, v in got.items()}, want)
        for name, target in links.items():
            self.assertEqual(got[name][2], target, name)
        self.assertEqual(link_groups(got), link_groups(src))
        self.assertEqual(link_groups(got),
                         [["lib/shared-again", "private/shared-too", "shared"]])
        # The layer names the first sorted path as the file, the others link to it.
        entries = self.app_paths()
        self.assertEqual(entries["app/lib/shared-again"].kind, "f")
        self.assertEqual((entries["app/shared"].kind, entries["app/shared"].target),
                         ("h", "app/lib/shared-again"))

    def test_same_folder_gives_the_same_layer_whatever_the_creation_order(self):
        names = ["zeta", "alpha", "mid", "Beta", "_x"]
        for order, sub in ((names, "one"), (list(reversed(names)), "two")):
            for n in order:
                self.write_files(os.path.join(self.spec_dir, sub), {n: (n + "\n", 0o644)})
        self.build("  - {src: one, dst: /app}\n")
        first = T.OciLayout(self.out).image("test").layers[-1]
        self.build("  - {src: two, dst: /app}\n")
        self.assertEqual(T.OciLayout(self.out).image("test").layers[-1], first)

    # -- what is left out --------------------------------------------------------------

    def test_default_excludes_and_their_reinclusion(self):
        self.write({
            "app/main.py": ("print(1)\n", 0o644),
            "app/.env": ("TOKEN=1\n", 0o600),
            "app/.env.local": ("TOKEN=2\n", 0o600),
            "app/__pycache__/main.cpython-311.pyc": ("c", 0o644),
            "app/x.pyc": ("c", 0o644),
            "app/.git/HEAD": ("ref: refs/heads/main\n", 0o644),
            "app/vendor/.git/config": ("[core]\n", 0o644),
        })
        self.build("  - {src: ., dst: /srv}\n")
        paths = set(self.app_paths())
        self.assertIn("srv/app/main.py", paths)
        for gone in ("srv/app/.env", "srv/app/.env.local", "srv/app/__pycache__",
                     "srv/app/x.pyc", "srv/app/.git", "srv/app/vendor/.git", "srv/distill.yaml",
                     "srv/app/__pycache__/main.cpython-311.pyc", "srv/app/.git/HEAD"):
            self.assertNotIn(gone, paths)
        self.write({".distillignore": ("!app/.env.local\n!**/x.pyc\n!/distill.yaml\n"
                                       "!app/.git\n", 0o644)})
        self.build("  - {src: ., dst: /srv}\n")
        paths = set(self.app_paths())
        for back in ("srv/app/.env.local", "srv/app/x.pyc", "srv/distill.yaml",
                     "srv/app/.git/HEAD"):
            self.assertIn(back, paths)
        for gone in ("srv/app/.env", "srv/app/__pycache__", "srv/app/vendor/.git",
                     "srv/.distillignore"):
            self.assertNotIn(gone, paths)

    def test_distillignore_negation_double_star_and_reincluded_child(self):
        self.write({
            "app/main.js": ("m\n", 0o644),
            "app/docs/a.md": ("a\n", 0o644),
            "app/docs/deep/b.md": ("b\n", 0o644),
            "app/docs/README.md": ("r\n", 0o644),
            "app/logs/today.log": ("t\n", 0o644),
            "app/logs/keep/schema.sql": ("s\n", 0o644),
            "app/data/x1.bin": ("1\n", 0o644),
            "app/data/xa.bin": ("a\n", 0o644),
        })
        os.chmod(os.path.join(self.spec_dir, "app/logs"), 0o750)
        self.write({".distillignore": (
            "# docs are for people\n"
            "\n"
            "app/**/*.md\n"
            "!app/docs/README.md\n"
            "/app/logs/\n"
            "!app/logs/keep/schema.sql\n"
            "app/data/x[0-9].bin\n", 0o644)})
        self.build("  - {src: app, dst: /app}\n")
        paths = self.app_paths()
        self.assertEqual(sorted(p for p in paths if p != "app"), [
            "app/data", "app/data/xa.bin", "app/docs", "app/docs/README.md", "app/docs/deep",
            "app/logs", "app/logs/keep", "app/logs/keep/schema.sql", "app/main.js"])
        # The excluded folder kept for its re-included child has its host mode.
        self.assertEqual(paths["app/logs"].mode & 0o7777, 0o750)

    def test_exclude_per_entry_is_relative_to_its_src(self):
        self.write({
            "app/main.py": ("m\n", 0o644),
            "app/tests/test_main.py": ("t\n", 0o644),
            "app/tests/fixture.json": ("{}\n", 0o644),
            "other/tests/keep.txt": ("k\n", 0o644),
        })
        self.build("  - src: app\n"
                   "    dst: /app\n"
                   "    exclude: [tests, '!tests/*.json']\n"
                   "  - {src: other, dst: /other}\n")
        paths = set(self.app_paths())
        self.assertIn("app/main.py", paths)
        self.assertIn("app/tests/fixture.json", paths)
        self.assertNotIn("app/tests/test_main.py", paths)
        self.assertIn("other/tests/keep.txt", paths)

    def test_excluded_file_change_keeps_the_layer_an_ignore_change_does_not(self):
        self.write({"app/main.py": ("m\n", 0o644), "app/notes.txt": ("n1\n", 0o644),
                    ".distillignore": ("app/notes.txt\n", 0o644)})
        self.build("  - {src: app, dst: /app}\n")
        first = T.OciLayout(self.out).image("test").layers[-1]
        self.write({"app/notes.txt": ("n2, changed\n", 0o644)})
        self.build("  - {src: app, dst: /app}\n")
        self.assertEqual(T.OciLayout(self.out).image("test").layers[-1], first)
        self.write({".distillignore": ("# nothing\n", 0o644)})
        self.build("  - {src: app, dst: /app}\n")
        self.assertNotEqual(T.OciLayout(self.out).image("test").layers[-1], first)
        self.assertIn("app/notes.txt", self.app_paths())

    # -- errors name the spec's line -----------------------------------------------------

    def assert_refused(self, r, *needles):
        self.assert_one_error(r, *needles)
        self.assertFalse(os.path.exists(self.out), "nothing written")

    def test_fifo_in_the_folder_is_refused_with_the_spec_line(self):
        self.write({"app/ok.txt": ("x\n", 0o644), "README": ("r\n", 0o644)})
        fifo = os.path.join(self.spec_dir, "app", "pipe")
        os.mkfifo(fifo)
        spec, r = self.build("  - {src: README, dst: /README}\n  - {src: app, dst: /app}\n",
                             expect_rc=T.NONZERO)
        self.assert_refused(r, "%s:6: files: %s: is a FIFO" % (spec, fifo), ".distillignore")
        # Left out, it is never looked at.
        self.write({".distillignore": ("app/pipe\n", 0o644)})
        self.build("  - {src: app, dst: /app}\n")

    def test_unreadable_file_is_refused_with_the_spec_line(self):
        self.write({"app/ok.txt": ("x\n", 0o644), "app/secret.key": ("k\n", 0o000)})
        host = os.path.join(self.spec_dir, "app", "secret.key")
        wrapper = os.path.join(self.tmp, "distill-no-dac")
        # As root, reading ignores permissions: run the build without the
        # capabilities that let it.
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec setpriv --inh-caps=-all "
                    "--bounding-set=-dac_override,-dac_read_search -- %s \"$@\"\n" % T.DISTILL)
        os.chmod(wrapper, 0o755)
        real, T.DISTILL = T.DISTILL, wrapper
        try:
            spec, r = self.build("  - {src: app, dst: /app}\n", expect_rc=T.NONZERO)
        finally:
            T.DISTILL = real
        self.assert_refused(r, "%s:5: files: %s: cannot read: Permission denied" % (spec, host))

    def test_bad_patterns_name_their_line(self):
        self.write({"app/ok.txt": ("x\n", 0o644)})
        ignore = os.path.join(self.spec_dir, ".distillignore")
        self.write({".distillignore": ("# fine\nok\napp/[a-\n", 0o644)})
        _, r = self.build("  - {src: app, dst: /app}\n", expect_rc=T.NONZERO)
        self.assert_refused(r, "%s:3: bad pattern 'app/[a-'" % ignore)
        os.unlink(ignore)
        spec, r = self.build("  - src: app\n    dst: /app\n    exclude:\n      - ok\n"
                             "      - 'x\\'\n", expect_rc=T.NONZERO)
        self.assert_refused(r, "%s:9: 'files[0].exclude' item: bad pattern 'x\\'" % spec)
        spec, r = self.build("  - src: app\n    dst: /app\n    exclude: ['!']\n",
                             expect_rc=T.NONZERO)
        self.assert_refused(r, "%s:7:" % spec, "'!' needs a pattern")


if __name__ == "__main__":
    T.main()
