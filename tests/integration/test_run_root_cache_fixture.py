"""`distill run` over cached layers: the root an overlay of layers unpacked once.

The fixture's probe image (structure/probe_image.py) gets two more layers:
one with /data/a and /data/b, and one that makes /data opaque (adding
/data/c) and deletes /app/app.conf with a whiteout. The tests check that the
second run reuses the cached layers (the same inodes, an overlay mount over
them while the container runs) with the same output, that whiteouts and
opaque folders hide what they should, that a layer changed in the cache is
detected and unpacked again, that nothing stays mounted or in TMPDIR after a
run, a SIGKILLed run plus the next one, or a detached container's stop, and
that a cache overlayfs cannot use falls back to copying with one warning.
Needs root and runc, like the command itself.
"""

import fcntl
import io
import os
import signal
import stat
import subprocess
import sys
import tarfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure"))
import distill_testlib as T  # noqa: E402
import probe_image  # noqa: E402
from test_run_fixture import layer_image, process_alive  # noqa: E402


def tar_of(members) -> bytes:
    """members: (name, data or None for a folder)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def mounts_under(path: str):
    """Mount points (from /proc/self/mountinfo) at or below `path`."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            if point == path or point.startswith(path.rstrip("/") + "/"):
                found.append(line.strip())
    return found


class RootCacheFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        probe_image.set_up(self)
        ref = layer_image(self, self.image, tar_of([("data", None), ("data/a", b"a\n"),
                                                    ("data/b", b"b\n")]), "with-data")
        self.layered = layer_image(self, ref, tar_of([
            ("data", None), ("data/.wh..wh..opq", b""), ("data/c", b"c\n"),
            ("app", None), ("app/.wh.app.conf", b"")]), "layered")
        path, tag = self.layered.rsplit(":", 1)
        self.layer_count = len(T.OciLayout(path).image(tag).layers)  # the probe's layers + 2
        self.state = self.mkdir("state")
        self.unpacked = os.path.join(self.cache_dir, "unpacked", "sha256")

    def env(self, **more):
        e = {"TMPDIR": self.tmpdir, "DISTILL_STATE_DIR": self.state}
        e.update(more)
        return e

    def run_image(self, *args, expect_rc=0, env=None):
        return self.run_distill(["run", self.layered] + list(args), expect_rc=expect_rc,
                                env=env or self.env())

    def layers(self):
        return sorted(os.listdir(self.unpacked)) if os.path.isdir(self.unpacked) else []

    def assert_clean(self):
        self.assertEqual(os.listdir(self.tmpdir), [], "bundle or runc state left in TMPDIR")
        self.assertEqual(mounts_under(self.tmp), [], "a mount left behind")

    def tree_of_file(self, rel: str) -> str:
        """The cached tree holding `rel` (the topmost layer that has it)."""
        for layer in self.layers():
            p = os.path.join(self.unpacked, layer, "tree", rel)
            if os.path.lexists(p):
                return p
        self.fail("no cached layer holds " + rel)

    def test_a_second_run_reuses_the_layers_with_the_same_output(self):
        self.assertEqual(self.layers(), [])
        first = self.run_image("cat", "/data/c")
        self.assertEqual(first.stdout, "c\n")
        self.assertEqual(first.stderr, "")
        layers = self.layers()
        self.assertEqual(len(layers), self.layer_count, "one folder per layer")
        for layer in layers:
            d = os.path.join(self.unpacked, layer)
            self.assertEqual(sorted(os.listdir(d)), ["seal", "tree"])
            with open(os.path.join(d, "seal")) as f:
                self.assertTrue(f.read().startswith("distill-unpacked-v1 sha256:" + layer + " "))
        self.assertEqual(os.stat(os.path.join(self.cache_dir, "unpacked")).st_mode & 0o7777,
                         0o700)
        inodes = {l: os.stat(os.path.join(self.unpacked, l, "tree")).st_ino for l in layers}
        self.assert_clean()

        second = self.run_image("cat", "/data/c")
        self.assertEqual((second.stdout, second.stderr, second.rc),
                         (first.stdout, first.stderr, first.rc))
        self.assertEqual(self.layers(), layers)
        self.assertEqual({l: os.stat(os.path.join(self.unpacked, l, "tree")).st_ino
                          for l in layers}, inodes, "reused, not unpacked again")
        self.assert_clean()

        # While a container runs its root is an overlay of exactly those layers.
        env = self.base_env()
        env.update(self.env())
        p = subprocess.Popen([T.DISTILL, "run", self.layered, "wait"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        try:
            self.assertEqual(p.stdout.readline(), b"ready\n")
            mounted = mounts_under(self.tmpdir)
            self.assertEqual(len(mounted), 1, mounted)
            fields = mounted[0].split()
            self.assertTrue(fields[4].endswith("/rootfs"), mounted)
            sep = fields.index("-")
            self.assertEqual(fields[sep + 1], "overlay")
            self.assertIn("nosuid", fields[5])
            self.assertIn("nodev", fields[5])
            for layer in layers:
                self.assertIn(os.path.join(self.unpacked, layer, "tree"), fields[sep + 3])
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assert_clean()

    def test_whiteouts_and_opaque_folders(self):
        self.assertEqual(self.run_image("cat", "/data/c").stdout, "c\n")
        for hidden in ("/data/a", "/data/b", "/app/app.conf"):
            r = self.run_image("cat", hidden, expect_rc=T.NONZERO)
            self.assertEqual(r.stdout, "", hidden)
        # probe, from the lower layer, is still there; the folder /app too.
        self.assertEqual(self.run_image("hello").stdout.strip(), "hello from the container")
        # In the cache the whiteouts are overlayfs's, both in the top layer.
        whiteouts = [l for l in self.layers() if os.path.lexists(self.in_tree(l, "app/app.conf"))
                     and stat.S_ISCHR(os.lstat(self.in_tree(l, "app/app.conf")).st_mode)]
        self.assertEqual(len(whiteouts), 1, "one layer deletes /app/app.conf")
        self.assertEqual(os.lstat(self.in_tree(whiteouts[0], "app/app.conf")).st_rdev, 0)
        self.assertEqual(self.getxattr(self.in_tree(whiteouts[0], "data")), b"y")
        self.assertEqual(os.listdir(self.in_tree(whiteouts[0], "data")), ["c"])
        self.assertFalse(any(n.startswith(".wh.") for l in self.layers()
                             for _, _, files in os.walk(os.path.join(self.unpacked, l, "tree"))
                             for n in files), "no .wh. names in the cache")
        self.assert_clean()

    def in_tree(self, layer: str, rel: str) -> str:
        return os.path.join(self.unpacked, layer, "tree", rel)

    @staticmethod
    def getxattr(path: str):
        try:
            return os.getxattr(path, "trusted.overlay.opaque", follow_symlinks=False)
        except OSError:
            return None

    def test_a_layer_changed_in_the_cache_is_detected_and_unpacked_again(self):
        self.assertEqual(self.run_image("cat", "/data/c").stdout, "c\n")
        target = self.tree_of_file("data/c")
        st = os.stat(target)
        with open(target, "wb") as f:
            f.write(b"C\n")  # same size
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime
        r = self.run_image("cat", "/data/c")
        self.assertEqual(r.stdout, "c\n", "the changed layer is never used")
        warnings = [l for l in r.stderr.splitlines() if l.startswith("distill: warning:")]
        self.assertEqual(len(warnings), 1, r.stderr)
        self.assertIn("changed on disk", warnings[0])
        self.assertIn("unpacking it again", warnings[0])
        with open(target, "rb") as f:
            self.assertEqual(f.read(), b"c\n")
        again = self.run_image("cat", "/data/c")
        self.assertEqual((again.stdout, again.stderr), ("c\n", ""))
        # A file added to a cached layer is detected too.
        with open(os.path.join(os.path.dirname(target), "planted"), "w") as f:
            f.write("x")
        r = self.run_image("cat", "/data/planted", expect_rc=T.NONZERO)
        self.assertIn("changed on disk", r.stderr)
        self.assert_clean()

    def test_a_killed_run_leaves_nothing_mounted_after_the_next_run(self):
        env = self.base_env()
        env.update(self.env())
        p = subprocess.Popen([T.DISTILL, "run", self.layered, "wait"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        try:
            self.assertEqual(p.stdout.readline(), b"ready\n")
            self.assertEqual(len(mounts_under(self.tmpdir)), 1)
            p.kill()  # SIGKILL: distill unmounts nothing itself
            p.wait()
        finally:
            if p.poll() is None:
                p.kill()
            p.communicate(timeout=60)
        # The supervisor deletes the container; the bundle and its overlay stay.
        self.assertEqual(len(mounts_under(self.tmpdir)), 1, "the killed run's overlay")
        # Until the supervisor is done it holds the bundle's lock (it is the
        # killed run's fork), so the bundle is not stale yet: wait for that
        # (measured: 0.15 s). A run in between leaves it to a later one.
        start = time.time()
        for name in os.listdir(self.tmpdir):
            fd = os.open(os.path.join(self.tmpdir, name), os.O_RDONLY | os.O_DIRECTORY)
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        self.assertLess(time.time() - start, 30, "the supervisor never ends")
                        time.sleep(0.05)
            finally:
                os.close(fd)  # the lock goes with it
        self.assertEqual(self.run_image("cat", "/data/c").stdout, "c\n")
        self.assert_clean()

    def test_a_detached_containers_overlay_goes_with_stop(self):
        name = self.run_distill(["run", "-d", "--name", "cached", "--network", "host",
                                 self.layered, "wait"], env=self.env()).stdout.strip()
        self.assertEqual(name, "cached")
        deadline = time.time() + 30
        while time.time() < deadline and not mounts_under(self.state):
            time.sleep(0.1)
        mounted = mounts_under(self.state)
        self.assertEqual(len(mounted), 1, mounted)
        self.assertIn("overlay", mounted[0])
        # cache prune keeps the layers of a running container...
        r = self.run_distill(["cache", "prune"], env=self.env())
        self.assertEqual(r.stdout,
                         "removed 0 unpacked layers, kept %d in use\n" % self.layer_count)
        self.assertEqual(len(self.layers()), self.layer_count)
        self.run_distill(["stop", "--time", "5", "cached"], env=self.env())
        self.assertEqual(mounts_under(self.state), [])
        self.assertEqual(os.listdir(os.path.join(self.state, "containers")), [])
        self.assert_clean()
        # ...and removes them once it is gone; the next run unpacks them again.
        r = self.run_distill(["cache", "prune"], env=self.env())
        self.assertEqual(r.stdout,
                         "removed %d unpacked layers, kept 0 in use\n" % self.layer_count)
        self.assertEqual(self.layers(), [])
        self.assertEqual(self.run_image("cat", "/data/c").stdout, "c\n")
        self.assertEqual(len(self.layers()), self.layer_count)

    def test_a_cache_overlayfs_cannot_use_falls_back_to_copying(self):
        # overlayfs options cannot hold a ':' in a path: the layers are copied.
        odd = self.mkdir("odd:cache")
        env = self.env(XDG_CACHE_HOME=odd)
        r = self.run_image("cat", "/data/c", env=env)
        self.assertEqual(r.stdout, "c\n")
        warnings = [l for l in r.stderr.splitlines() if l.startswith("distill: warning:")]
        self.assertEqual(len(warnings), 1, r.stderr)
        self.assertIn("unpacking the image into the bundle instead", warnings[0])
        r = self.run_image("cat", "/data/a", env=env, expect_rc=T.NONZERO)
        self.assertEqual(r.stdout, "")
        self.assert_clean()

    def test_structure_tests_use_the_cached_layers(self):
        config = os.path.join(self.tmp, "t.yaml")
        with open(config, "w") as f:
            f.write("schemaVersion: 2.0.0\n"
                    "commandTests:\n"
                    "  - name: opaque\n"
                    "    command: /usr/local/bin/probe\n"
                    "    args: [cat, /data/c]\n"
                    "    expectedOutput: [\"^c\\n\"]\n"
                    "fileExistenceTests:\n"
                    "  - name: whiteout\n"
                    "    path: /app/app.conf\n"
                    "    shouldExist: false\n")
        self.run_distill(["test", self.layered, "-c", config], env=self.env())
        self.assertEqual(len(self.layers()), self.layer_count)
        self.assert_clean()


if __name__ == "__main__":
    T.main()
