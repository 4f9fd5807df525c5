"""`distill run` on an image built by distill from the fixture repository.

The image (structure/probe_image.py) is the `static` preset plus `probe`, a
static C program compiled here, as its entrypoint. Each run points TMPDIR at
a folder of the test, so the bundle and runc's state folder land there and
the test can check that nothing is left after a normal exit, a failure and
SIGINT, that a bundle deeper than PATH_MAX is removed, that a `kill -9` of
distill leaves no container running and that the next run removes what a
killed one left. Needs root and runc, like the command itself.
"""

import glob
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure"))
import distill_testlib as T  # noqa: E402
import probe_image  # noqa: E402


DEEP = 2100  # folders in a row: "d/" * DEEP is past PATH_MAX


def process_alive(pid: int) -> bool:
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def deep_layer_image(test, ref: str) -> str:
    """A copy of the layout `ref` ("<dir>:<tag>") with one more layer holding
    DEEP nested folders and a file at the bottom."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        path = ""
        for _ in range(DEEP):
            path += "d/"
            info = tarfile.TarInfo(path.rstrip("/"))
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        info = tarfile.TarInfo(path + "bottom")
        info.size, info.mode, info.mtime = 2, 0o644, 0
        tar.addfile(info, io.BytesIO(b"x\n"))
    return layer_image(test, ref, buf.getvalue(), "deep-image")


def layer_image(test, ref: str, raw: bytes, name: str) -> str:
    """A copy of the layout `ref` ("<dir>:<tag>") with the tar `raw` as one
    more layer, gzip-compressed."""
    src, tag = ref.rsplit(":", 1)
    out = os.path.join(test.tmp, name)
    shutil.copytree(src, out)
    blob = gzip.compress(raw, mtime=0)

    def put(data: bytes) -> str:
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
            f.write(data)
        return "sha256:" + h

    def get(digest: str) -> dict:
        with open(os.path.join(out, "blobs", "sha256", digest.split(":", 1)[1])) as f:
            return json.load(f)

    with open(os.path.join(out, "index.json")) as f:
        index = json.load(f)
    entry = index["manifests"][0]
    manifest = get(entry["digest"])
    config = get(manifest["config"]["digest"])
    config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw).hexdigest())
    cdata = json.dumps(config).encode()
    manifest["config"].update(digest=put(cdata), size=len(cdata))
    manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                               "digest": put(blob), "size": len(blob)})
    mdata = json.dumps(manifest).encode()
    entry.update(digest=put(mdata), size=len(mdata))
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)
    return out + ":" + tag


class RunFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        probe_image.set_up(self)

    def run_image(self, *args, expect_rc=0, env=None):
        full_env = {"TMPDIR": self.tmpdir}
        full_env.update(env or {})
        return self.run_distill(["run"] + list(args), expect_rc=expect_rc, env=full_env)

    def assert_clean(self):
        self.assertEqual(os.listdir(self.tmpdir), [],
                         "bundle or runc state left in TMPDIR")

    # -- output, exit code, user ----------------------------------------------------

    def test_output_exit_code_and_user(self):
        r = self.run_image(self.image)
        self.assertEqual(r.stdout, "hello from the container\n", r.describe())
        self.assert_clean()
        r = self.run_image(self.image, "--", "exit", "3", expect_rc=3)
        self.assertEqual(r.stdout, "")
        self.assertIn("exiting with 3", r.stderr)
        self.assertEqual(r.error_lines(), [], "the container's failure is not distill's")
        self.assert_clean()
        r = self.run_image(self.image, "id")
        self.assertEqual(r.stdout, "uid=65532 gid=65532\n", "runs as the image's user")
        r = self.run_image("--user", "0:0", self.image, "id")
        self.assertEqual(r.stdout, "uid=0 gid=0\n")
        r = self.run_image("--user", "nobody", self.image, "id")
        self.assertEqual(r.stdout, "uid=65534 gid=65534\n", "names come from the image's passwd")
        self.assert_clean()

    def test_read_only_root_and_writable_tmp(self):
        r = self.run_image(self.image, "write", "/etc/evil", expect_rc=1)
        self.assertIn("write /etc/evil: Read-only file system", r.stdout)
        r = self.run_image("--user", "0", self.image, "write", "/usr/evil", expect_rc=1)
        self.assertIn("Read-only file system", r.stdout, "even for root")
        r = self.run_image(self.image, "write", "/tmp/ok")
        self.assertEqual(r.stdout, "wrote /tmp/ok\n")
        self.assert_clean()

    def test_env_volumes_entrypoint(self):
        r = self.run_image("-e", "FOO=bar", "-e", "GREETING=hallo", self.image, "env")
        env = r.stdout.splitlines()
        self.assertIn("FOO=bar", env)
        self.assertIn("GREETING=hallo", env, "-e overrides the image's env")
        self.assertNotIn("GREETING=bonjour", env)
        self.assertTrue(any(e.startswith("PATH=") for e in env), env)
        host = self.mkdir("host")
        with open(os.path.join(host, "f.txt"), "w") as f:
            f.write("from the host\n")
        os.chmod(host, 0o755)
        os.chmod(os.path.join(host, "f.txt"), 0o644)
        r = self.run_image("-v", "%s:/data:ro" % host, self.image, "cat", "/data/f.txt")
        self.assertEqual(r.stdout, "from the host\n")
        r = self.run_image("-v", "%s:/data:ro" % host, "--user", "0", self.image, "write",
                           "/data/x", expect_rc=1)
        self.assertIn("Read-only file system", r.stdout)
        r = self.run_image("--entrypoint", "/usr/local/bin/probe", self.image)
        self.assertEqual(r.stdout, "hello from the container\n", "--entrypoint drops the cmd")
        r = self.run_image("--entrypoint", "/nonexistent", self.image, expect_rc=T.NONZERO)
        # runc failing to start the container is distill's error, not an exit code.
        self.assert_one_error(r, "run: runc could not start the container", "/nonexistent")
        self.assert_clean()

    def test_capabilities_and_network(self):
        r = self.run_image("--user", "0", self.image, "caps")
        self.assertEqual(r.stdout.split(), ["CapEff:", "0000000000000000"], "no capabilities")
        r = self.run_image("--user", "0", "--cap-add", "NET_BIND_SERVICE", self.image, "caps")
        self.assertEqual(r.stdout.split(), ["CapEff:", "0000000000000400"])
        r = self.run_image(self.image, "netdevs")
        devs = sorted(l.split(":")[0].strip() for l in r.stdout.splitlines()[2:])
        self.assertEqual(devs, ["lo"], "its own network namespace")
        r = self.run_image("--network", "host", self.image, "netdevs")
        self.assertGreater(len(r.stdout.splitlines()[2:]), 1, "the host's interfaces")
        self.assert_clean()

    def signal_run(self, sig):
        env = self.base_env()
        env["TMPDIR"] = self.tmpdir
        return probe_image.signal_when_ready(self, [T.DISTILL, "run", self.image, "wait"], env,
                                             sig)

    def while_running(self):
        self.assertNotEqual(os.listdir(self.tmpdir), [], "the bundle exists while running")

    def test_sigint_is_forwarded_and_everything_removed(self):
        rc, out, err = self.signal_run(signal.SIGINT)
        self.assertEqual(out, "got SIGINT\n", err)
        self.assertEqual(rc, 130, err)
        self.assert_clean()

    def test_sigterm_while_running(self):
        rc, out, err = self.signal_run(signal.SIGTERM)
        self.assertEqual(out, "got SIGTERM\n", err)
        self.assertEqual(rc, 143, err)
        self.assert_clean()

    # -- leftovers -----------------------------------------------------------------

    def test_a_bundle_deeper_than_path_max_is_removed(self):
        image = deep_layer_image(self, self.image)
        r = self.run_image(image)
        self.assertEqual(r.stdout, "hello from the container\n", r.describe())
        self.assert_clean()

    # -- memory -----------------------------------------------------------------------

    def test_a_sparse_gigabyte_file_is_streamed_by_run_and_test(self):
        """A layer with a 1 GiB sparse file (a few KB of tar) is unpacked by
        `run` and `test` in bounded memory: peak RSS (by /usr/bin/time) within
        100 MiB of what the binary takes to print its version."""
        T.tool("/usr/bin/time")
        src = self.mkdir("sparse-src")
        with open(os.path.join(src, "hole"), "wb") as f:
            f.truncate(1 << 30)
        tar_path = os.path.join(self.tmp, "sparse.tar")
        subprocess.run(["tar", "--sparse", "--format=posix", "--numeric-owner", "-cf", tar_path,
                        "-C", src, "hole"], check=True)
        with open(tar_path, "rb") as f:
            raw = f.read()
        self.assertLess(len(raw), 1 << 20, "the layer is small")
        image = layer_image(self, self.image, raw, "sparse-image")

        def peak(args, rss_name):
            rss = os.path.join(self.tmp, rss_name)
            env = self.base_env()
            env["TMPDIR"] = self.tmpdir
            p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, T.DISTILL] + args,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=600)
            with open(rss) as f:
                return p, int(f.read().split()[-1])

        base, version = peak(["--version"], "rss-version")
        self.assertEqual(base.returncode, 0)
        budget = version + 100 * 1024
        p, rss = peak(["run", image], "rss-run")
        self.assertEqual((p.returncode, p.stdout), (0, b"hello from the container\n"), p.stderr)
        self.assertLess(rss, budget, "run: peak RSS %d KiB" % rss)
        config = os.path.join(self.tmp, "hole.yaml")
        with open(config, "w") as f:
            f.write('schemaVersion: "2.0.0"\n'
                    "commandTests:\n"
                    "  - name: probe\n"
                    "    command: /usr/local/bin/probe\n"
                    "    expectedOutput: [\"hello from the container\"]\n"
                    "fileExistenceTests:\n"
                    "  - name: hole\n"
                    "    path: /hole\n"
                    "    shouldExist: true\n")
        p, rss = peak(["test", image, "-c", config], "rss-test")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertLess(rss, budget, "test: peak RSS %d KiB" % rss)
        self.assert_clean()

    def test_leftovers_of_dead_runs_are_removed(self):
        dead = T.gone_pid()
        T.make_deep_tree(os.path.join(self.tmpdir, "distill-bundle.%d.AAAAAA" % dead), DEEP)
        os.mkdir(os.path.join(self.tmpdir, "distill-runc.%d.AAAAAA" % dead), 0o700)
        self.run_image(self.image)
        self.assert_clean()

    def runc_containers(self, state: str):
        p = subprocess.run([T.tool("runc"), "--root", state, "list", "--format", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return json.loads(p.stdout or b"null") or []

    def test_a_killed_run_leaves_no_container(self):
        env = self.base_env()
        env["TMPDIR"] = self.tmpdir
        p = subprocess.Popen([T.DISTILL, "run", self.image, "wait"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        try:
            self.assertEqual(p.stdout.readline(), b"ready\n")
            states = glob.glob(os.path.join(self.tmpdir, "distill-runc.*"))
            self.assertEqual(len(states), 1, os.listdir(self.tmpdir))
            running = self.runc_containers(states[0])
            self.assertEqual(len(running), 1, running)
            pid = running[0]["pid"]
            p.kill()  # SIGKILL: distill cleans nothing up itself
            p.wait()
            deadline = time.time() + 10
            while time.time() < deadline and (self.runc_containers(states[0]) or
                                              process_alive(pid)):
                time.sleep(0.1)
            self.assertEqual(self.runc_containers(states[0]), [],
                             "the container outlived distill")
            self.assertFalse(process_alive(pid), "the container's process outlived distill")
        finally:
            if p.poll() is None:
                p.kill()
            # A container that outlived distill holds its output pipes: ended here.
            for state in glob.glob(os.path.join(self.tmpdir, "distill-runc.*")):
                for c in self.runc_containers(state):
                    subprocess.run([T.tool("runc"), "--root", state, "delete", "--force",
                                    c["id"]], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            p.communicate(timeout=60)
        # What the killed run left (its bundle, runc's state folder) goes with the next run.
        self.run_image(self.image)
        self.assert_clean()

    # -- errors -------------------------------------------------------------------

    def test_errors(self):
        r = self.run_image(os.path.join(self.tmp, "missing"), expect_rc=1)
        self.assert_one_error(r, "missing")
        r = self.run_image("--user", "alice", self.image, expect_rc=1)
        self.assert_one_error(r, "no user 'alice' in /etc/passwd")
        r = self.run_image("-v", "relative:/x", self.image, expect_rc=1)
        self.assert_one_error(r, "-v relative:/x", "absolute")
        r = self.run_image("--cap-add", "FLY", self.image, expect_rc=1)
        self.assert_one_error(r, "unknown capability")
        r = self.run_image("--network", "bridge", self.image, expect_rc=1)
        self.assert_one_error(r, "unknown network mode")
        r = self.run_image("--platform", "linux/arm64", self.image, expect_rc=1)
        self.assert_one_error(r, "linux/arm64")
        self.assert_clean()


if __name__ == "__main__":
    T.main()
