"""`distill compare` (docs/compare.md) on two images made from the hermetic
fixture repository: B is a distroless build (base preset + hello-tool), A is
B's root filesystem plus a shell, a package manager and one more dpkg
package, imported with `distill import`. Every number compare reports is
checked against `distill inspect --json` and against a du-style walk of the
layers unpacked here.
"""

import hashlib
import io
import json
import os
import sys
import tarfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
entrypoint: [/usr/bin/hello]
"""

DASH = b"\x7fELF fake dash " + b"d" * 3000
APT = b"fake apt-get " + b"a" * 500


def add(tf, name, data=None, mode=0o644, kind="f", target=""):
    ti = tarfile.TarInfo(name)
    ti.mode, ti.mtime = mode, 1700000000
    if kind == "f":
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
        return
    ti.type = tarfile.SYMTYPE if kind == "l" else tarfile.DIRTYPE
    ti.linkname = target
    tf.addfile(ti)


def build_distroless(test, server, extra="", name="distroless"):
    """`distill build` of SPEC (+ extra) from the fixture repository; the layout's path."""
    out = os.path.join(test.tmp, name)
    spec = test.write_spec(SPEC + extra, folder=test.mkdir(name + "-spec"))
    test.assert_digest_line(test.run_distill(
        test.mirror_args(server) + ["--cache-dir", test.cache_dir, "build", "-f", spec, "-o", out,
                                    "-t", "app:distroless"]))
    return out


def rootfs_tar_with(layout, path, extra):
    """A root filesystem tar at `path`: the image's layers in order, then
    what extra(tarfile) adds. Returns path."""
    img = T.OciLayout(layout).image()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as out:
        for i in range(len(img.layers)):
            with tarfile.open(fileobj=io.BytesIO(img.layer_tar(i)), mode="r:") as tf:
                for m in tf:
                    out.addfile(m, tf.extractfile(m) if m.isreg() else None)
        extra(out)
    return path


def du_walk(root):
    """(paths, bytes): every path below root, and regular files' sizes with
    each inode counted once, as `du -b --apparent-size` counts file data."""
    paths, total, seen = 0, 0, set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            paths += 1
            st = os.lstat(os.path.join(dirpath, name))
            if os.path.isfile(os.path.join(dirpath, name)) and not os.path.islink(
                    os.path.join(dirpath, name)) and (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return paths, total


class CompareFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)
        self.distroless = build_distroless(self, self.server)
        self.regular = os.path.join(self.tmp, "regular")
        self.run_distill(["import", self.regular_tar(), "-o", self.regular])

    def unpack(self, layout, name):
        """The image's layers extracted in order into a fresh folder."""
        img = T.OciLayout(layout).image()
        root = self.mkdir("unpacked-" + name)
        for i in range(len(img.layers)):
            with tarfile.open(fileobj=io.BytesIO(img.layer_tar(i)), mode="r:") as tf:
                tf.extractall(root, filter="tar")
        return root

    def regular_tar(self):
        """The distroless root filesystem plus /usr/bin/sh, apt-get and a dash package."""
        md5 = hashlib.md5(DASH).hexdigest()

        def extra(out):
            add(out, "usr/bin/dash", DASH, mode=0o755)
            add(out, "usr/bin/sh", kind="l", target="dash", mode=0o777)
            add(out, "usr/bin/apt-get", APT, mode=0o755)
            add(out, "var/lib/dpkg/status.d/dash",
                b"Package: dash\nVersion: 0.5.12-2\nArchitecture: amd64\n")
            add(out, "var/lib/dpkg/status.d/dash.md5sums", ("%s  usr/bin/dash\n" % md5).encode())
        return rootfs_tar_with(self.distroless, os.path.join(self.tmp, "regular.tar"), extra)

    def compare(self, *args, expect_rc=0):
        return self.run_distill(["compare"] + list(args), expect_rc=expect_rc)

    def test_numbers_match_inspect_and_the_unpacked_layers(self):
        html = os.path.join(self.tmp, "report.html")
        res = self.compare(self.regular, self.distroless, "--format", "json", "--html", html)
        self.assertEqual(res.stderr, "", res.describe())
        doc = res.json()
        for side, layout in (("a", self.regular), ("b", self.distroless)):
            got = doc[side]
            want = self.run_distill(["inspect", "--json", layout]).json()["images"][0]
            for key in ("compressed_size", "uncompressed_size", "files", "package_count"):
                self.assertEqual(got[key], want[key], (side, key))
            self.assertEqual(got["layers"], len(want["layers"]))
            paths, data = du_walk(self.unpack(layout, side))
            self.assertEqual(got["content_bytes"], data, side)
            self.assertEqual(got["files"], paths, side)
            # Size by package: each status.d md5sums file summed over the disk.
            root = os.path.join(self.tmp, "unpacked-" + side)
            for p in got["package_sizes"]:
                sums = os.path.join(root, "var/lib/dpkg/status.d", p["name"] + ".md5sums")
                if not os.path.exists(sums):
                    self.assertNotEqual(p["source"], "files", p)
                    continue
                self.assertEqual(p["source"], "files", p)
                with open(sums) as f:
                    listed = [l.split("  ", 1)[1] for l in f.read().splitlines() if l]
                # Folders followed (merged /usr), the file itself not.
                want_bytes = sum(os.lstat(os.path.join(root, f)).st_size for f in listed
                                 if os.path.isfile(os.path.join(root, f)) and
                                 not os.path.islink(os.path.join(root, f)))
                self.assertEqual(p["bytes"], want_bytes, p["name"])

        a, b = doc["a"], doc["b"]
        self.assertEqual(b["shells"], [])
        self.assertEqual(b["package_managers"], [])
        self.assertEqual(a["shells"], ["/usr/bin/dash", "/usr/bin/sh"])
        self.assertEqual(a["package_managers"], ["/usr/bin/apt-get"])
        # Each layer costs a gzip header and trailer and the tar's end blocks,
        # which on the fixture's tiny packages outweigh dash and apt-get: the
        # same files in one layer are smaller than the regular image.
        single = build_distroless(self, self.server, "layering: {strategy: single}\n", "single")
        one = self.run_distill(["inspect", "--json", single]).json()["images"][0]
        self.assertEqual(len(one["layers"]), 1)
        self.assertLess(one["compressed_size"], a["compressed_size"])
        self.assertLess(b["content_bytes"], a["content_bytes"])
        self.assertEqual(a["content_bytes"] - b["content_bytes"], len(DASH) + len(APT) + len(
            b"Package: dash\nVersion: 0.5.12-2\nArchitecture: amd64\n") + len(
            ("%s  usr/bin/dash\n" % hashlib.md5(DASH).hexdigest()).encode()))
        self.assertEqual(doc["only_in_a"]["packages"],
                         [{"name": "dash", "bytes": len(DASH), "files": 1, "source": "files"}])
        self.assertEqual(doc["only_in_b"]["packages"], [])
        self.assertIsNone(a["vulnerabilities"])
        summary = {r["metric"]: (r["a"], r["b"]) for r in doc["summary"]}
        self.assertEqual(summary["shells"], (2, 0))
        self.assertEqual(summary["lint_warn"], (a["lint_summary"]["warn"], b["lint_summary"]["warn"]))
        self.assertIn("DISTILL-0001", [f["id"] for f in a["lint"]])

        page = open(html, encoding="utf-8").read()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertIn('<svg id="size-chart"', page)
        for p in b["package_sizes"]:
            self.assertIn('data-package="%s"' % p["name"], page)
        self.assertNotIn("src=", page)
        self.assertNotIn("href=", page)
        self.assert_no_temp_files(self.tmp)

    def test_table_output(self):
        res = self.compare(self.regular, self.distroless)
        lines = res.stdout.splitlines()
        self.assertTrue(lines[0].startswith("Metric"), res.describe())
        shells = [l for l in lines if l.startswith("Shells ")]
        self.assertEqual(len(shells), 1, res.describe())
        self.assertEqual(shells[0].split()[1:3], ["2", "0"])
        self.assertIn("Only in A (1 packages", res.stdout)

    def test_errors(self):
        res = self.compare(self.regular, os.path.join(self.tmp, "missing"), expect_rc=1)
        self.assert_one_error(res, "missing")
        res = self.compare(self.regular, self.distroless, "--db",
                           os.path.join(self.tmp, "nodb.sqlite"), expect_rc=1)
        self.assert_one_error(res, "nodb.sqlite")
        html = os.path.join(self.tmp, "no-such-dir", "r.html")
        res = self.compare(self.regular, self.distroless, "--html", html, expect_rc=1)
        self.assert_one_error(res, "r.html")


if __name__ == "__main__":
    import unittest
    unittest.main()
