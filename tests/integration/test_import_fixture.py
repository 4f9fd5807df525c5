"""`distill import ROOTFS.tar -o OUT` (docs/import.md): a root filesystem tar
becomes a one-layer image, like `docker import`. The tars are made here
with Python's tarfile; the images are read back by this module and judged by
skopeo.
"""

import gzip
import io
import json
import lzma
import os
import subprocess
import sys
import tarfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402


def member(name, kind="f", data=b"", mode=0o644, target="", uid=0, gid=0, mtime=1700000000):
    ti = tarfile.TarInfo(name)
    ti.mode, ti.uid, ti.gid, ti.mtime = mode, uid, gid, mtime
    if kind == "f":
        ti.size = len(data)
    elif kind == "d":
        ti.type = tarfile.DIRTYPE
    elif kind == "l":
        ti.type = tarfile.SYMTYPE
        ti.linkname = target
    elif kind == "h":
        ti.type = tarfile.LNKTYPE
        ti.linkname = target
    elif kind == "c":
        ti.type = tarfile.CHRTYPE
        ti.devmajor, ti.devminor = 1, 3
    elif kind == "p":
        ti.type = tarfile.FIFOTYPE
    return ti, (data if kind == "f" else None)


def make_tar(members) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


ROOTFS = [
    member("./", "d", mode=0o755),
    member("./etc/", "d", mode=0o755),
    member("./etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"),
    member("./etc/os-release", data=b"ID=debian\nVERSION_ID=\"12\"\n"),
    member("./usr/", "d"),
    member("./usr/bin/", "d"),
    member("./usr/bin/dash", data=b"#!fake dash\n", mode=0o755),
    member("./usr/bin/sh", "l", target="dash", mode=0o777),
    member("./usr/bin/passwd", data=b"fake passwd\n", mode=0o4755),
    member("./usr/bin/passwd-hardlink", "h", target="./usr/bin/passwd"),
    member("./bin", "l", target="usr/bin", mode=0o777),
    member("./tmp/", "d", mode=0o1777),
    member("./home/user/", "d", mode=0o700, uid=1000, gid=1000),
    member("./dev/", "d"),
    member("./dev/null", "c", mode=0o666),
    member("./dev/initctl", "p", mode=0o600),
]


class ImportFixtureTest(T.DistillTestCase):

    def write(self, name, data: bytes) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def do_import(self, tar, *extra, out=None, expect_rc=0):
        out = out or os.path.join(self.tmp, "image")
        res = self.run_distill(["import", tar, "-o", out] + list(extra), expect_rc=expect_rc)
        return res, out

    def test_rootfs_becomes_one_layer_image(self):
        tar = self.write("rootfs.tar", make_tar(ROOTFS))
        res, out = self.do_import(tar, "-t", "imported:1.0")
        digest = res.stdout.strip()
        self.assertRegex(digest, r"^sha256:[0-9a-f]{64}$", res.describe())
        layout = T.OciLayout(out)
        self.assertEqual(layout.ref("1.0")["digest"], digest)
        img = layout.image("1.0")
        self.assertEqual(len(img.layers), 1)
        self.assertEqual(img.config["config"]["Env"],
                         ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
        root = img.rootfs()
        self.assertEqual(root["usr/bin/sh"].kind, "l")
        self.assertEqual(root["usr/bin/sh"].target, "dash")
        self.assertEqual(root["bin"].target, "usr/bin")
        self.assertEqual(root["usr/bin/passwd"].mode & 0o7777, 0o4755)
        self.assertEqual(root["usr/bin/passwd"].data, b"fake passwd\n")
        self.assertEqual((root["usr/bin/passwd-hardlink"].kind,
                          root["usr/bin/passwd-hardlink"].target), ("h", "usr/bin/passwd"))
        self.assertEqual(root["tmp"].mode & 0o7777, 0o1777)
        self.assertEqual((root["home/user"].uid, root["home/user"].gid), (1000, 1000))
        self.assertEqual(root["etc/passwd"].data, b"root:x:0:0:root:/root:/bin/sh\n")
        self.assertNotIn("dev/null", root)
        self.assertNotIn("dev/initctl", root)
        self.assertIn("distill: note: /dev/null: device node, FIFO or socket dropped", res.stderr)
        self.assertIn("distill: note: /dev/initctl: device node, FIFO or socket dropped",
                      res.stderr)
        info = T.skopeo("inspect", "oci:%s:1.0" % out)
        self.assertEqual(info.rc, 0, info.describe())

    def test_deterministic_and_compressions_give_the_same_image(self):
        raw = make_tar(ROOTFS)
        digests = set()
        for name, data in (("a.tar", raw), ("b.tar.gz", gzip.compress(raw, mtime=0)),
                           ("c.tar.xz", lzma.compress(raw))):
            res, _ = self.do_import(self.write(name, data), out=os.path.join(self.tmp, name + ".oci"))
            digests.add(res.stdout.strip())
        zst = os.path.join(self.tmp, "d.tar.zst")
        subprocess.run([T.tool("zstd"), "-q", "-o", zst, self.write("d.tar", raw)], check=True)
        res, _ = self.do_import(zst, out=os.path.join(self.tmp, "zst.oci"))
        digests.add(res.stdout.strip())
        self.assertEqual(len(digests), 1, digests)

    def test_docker_archive_and_config_from(self):
        tar = self.write("rootfs.tar", make_tar(ROOTFS))
        _, first = self.do_import(tar, "-t", "first:1", out=os.path.join(self.tmp, "first"))
        out = os.path.join(self.tmp, "img.tar")
        res, _ = self.do_import(tar, "--format", "docker", "-t", "app:2", "--config-from",
                                first, out=out)
        members = T.docker_archive_members(out)
        manifest = json.loads(members["manifest.json"])
        self.assertEqual(manifest[0]["RepoTags"], ["app:2"])
        config = json.loads(members[manifest[0]["Config"]])
        self.assertEqual(config["config"]["Env"],
                         T.OciLayout(first).image("1").config["config"]["Env"])
        info = T.skopeo("inspect", "docker-archive:%s" % out)
        self.assertEqual(info.rc, 0, info.describe())

    def test_unsafe_member_names_are_refused(self):
        for name in ("../evil", "./etc/../../evil"):
            tar = self.write("bad.tar", make_tar([member("./etc/", "d"), member(name, data=b"x")]))
            res, out = self.do_import(tar, expect_rc=1)
            self.assert_one_error(res, "member", "escape the root")
            self.assertFalse(os.path.exists(out))

    def test_absolute_names_are_relative_to_the_root(self):
        tar = self.write("abs.tar", make_tar([member("/etc/", "d"),
                                              member("/etc/hostname", data=b"box\n")]))
        _, out = self.do_import(tar)
        self.assertEqual(T.OciLayout(out).image().rootfs()["etc/hostname"].data, b"box\n")

    def test_not_a_tar(self):
        res, _ = self.do_import(self.write("junk.tar", b"not a tar at all" * 100), expect_rc=1)
        self.assert_one_error(res, "junk.tar")


    def test_no_external_decompressor_runs(self):
        """libarchive's "all" filters would start `lrzip -d` (or lzop, grzip...)
        from PATH on bytes that start with its magic: a tar must never make
        distill run a program. A fake lrzip on PATH records any call."""
        bindir = self.mkdir("fakebin")
        marker = os.path.join(self.tmp, "lrzip-ran")
        fake = os.path.join(bindir, "lrzip")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\ntouch %s\ncat >/dev/null\n" % marker)
        os.chmod(fake, 0o755)
        tar = os.path.join(self.tmp, "rootfs.tar.lrz")
        with open(tar, "wb") as f:
            f.write(b"LRZI\x00\x06" + bytes(4096))
        res = self.run_distill(["import", tar, "-o", os.path.join(self.tmp, "out")],
                               env={"PATH": bindir + ":" + os.environ.get("PATH", "/usr/bin")},
                               expect_rc=T.NONZERO)
        self.assert_one_error(res, tar)
        self.assertFalse(os.path.exists(marker), "an external decompressor ran")

if __name__ == "__main__":
    T.main()
