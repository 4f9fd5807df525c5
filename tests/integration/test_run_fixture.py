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
import socket
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

# ELF machines and qemu's names for them, for a program of another architecture.
FOREIGN = {"aarch64": (183, "arm64"), "s390x": (22, "s390x"), "riscv64": (243, "riscv64"),
           "ppc64le": (21, "ppc64el")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_address():
    """A non-loopback IPv4 address of the host, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: only the route is looked up
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


def tcp_listeners(port: int):
    """The local addresses (hex, as /proc/net/tcp has them) listening on `port`."""
    found = []
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            addr, hexport = fields[1].split(":")
            if int(hexport, 16) == port and fields[3] == "0A":
                found.append(addr)
    return found


def fetch(address: str, port: int) -> str:
    with socket.create_connection((address, port), timeout=10) as c:
        data = b""
        while True:
            chunk = c.recv(4096)
            if not chunk:
                return data.decode()
            data += chunk


def foreign_elf(machine: int) -> bytes:
    """A 64-bit little-endian (big for s390x) ELF header with `machine`, as a program file."""
    big = machine == 22
    head = b"\x7fELF" + bytes([2, 2 if big else 1, 1]) + bytes(9)
    head += (2).to_bytes(2, "big" if big else "little")
    head += machine.to_bytes(2, "big" if big else "little")
    return head + bytes(64 - len(head))


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
        r = self.run_image("--entrypoint", "/nonexistent", self.image, expect_rc=1)
        # Found missing before runc starts: distill's error, not an exit code.
        self.assert_one_error(r, "'/nonexistent' not found in the image (PATH=")
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

    # -- network: --network private, -p ---------------------------------------------

    def test_private_network_has_an_interface(self):
        r = self.run_image("--network", "private", self.image, "netdevs")
        devs = sorted(l.split(":")[0].strip() for l in r.stdout.splitlines()[2:])
        self.assertEqual(len(devs), 2, r.stdout)
        self.assertIn("lo", devs, "pasta's interface besides loopback")
        self.assertEqual(T.processes_with(self.tmpdir.encode(), b"--netns"), [], "pasta is gone")
        self.assert_clean()

    def serve(self, *flags):
        """Starts `distill run FLAGS IMAGE serve 8080`; returns it once the
        container listens."""
        env = self.base_env()
        env["TMPDIR"] = self.tmpdir
        p = subprocess.Popen([T.DISTILL, "run"] + list(flags) + [self.image, "serve", "8080"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        line = p.stdout.readline()
        if line != b"ready\n":
            p.kill()
            _, err = p.communicate()
            self.fail("expected ready, got %r\n%s" % (line, err.decode()))
        return p

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 143, err)
        self.assertEqual(out, b"got SIGTERM\n", err)
        self.assertEqual(T.processes_with(self.tmpdir.encode(), b"--netns"), [],
                         "pasta outlived the run")
        self.assert_clean()

    def test_publish_a_port_on_loopback(self):
        other = host_address()
        for flags in (["-p", "127.0.0.1:%d:8080"], ["-p", "%d:8080"]):
            port = free_port()
            p = self.serve(flags[0], flags[1] % port)
            try:
                self.assertEqual(fetch("127.0.0.1", port), "hello from 8080\n")
                self.assertEqual(tcp_listeners(port), ["0100007F"],
                                 "%s: 127.0.0.1 only" % " ".join(flags))
                if other:
                    with self.assertRaises(ConnectionRefusedError):
                        fetch(other, port)
            finally:
                self.stop(p)

    def test_publish_on_all_addresses_and_udp_flag(self):
        port = free_port()
        p = self.serve("-p", "0.0.0.0:%d:8080" % port, "-p", "%d:53/udp" % free_port())
        try:
            self.assertEqual(tcp_listeners(port), ["00000000"])
            # (From the host itself only through loopback: pasta gives the
            # container the host's own address.)
            self.assertEqual(fetch("127.0.0.1", port), "hello from 8080\n")
        finally:
            self.stop(p)

    def test_a_taken_port_is_an_error_before_the_container_starts(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            r = self.run_image("-p", "%d:8080" % port, self.image, "hello", expect_rc=1)
        self.assert_one_error(r, "network: pasta could not set up the container's network",
                              "Failed to bind")
        self.assertEqual(r.stdout, "", "the container never started")
        self.assertEqual(T.processes_with(self.tmpdir.encode(), b"--netns"), [])
        self.assert_clean()

    def test_a_killed_run_leaves_no_pasta(self):
        port = free_port()
        flag = ("127.0.0.1:%d:8080" % port).encode()
        p = self.serve("-p", flag.decode())
        try:
            pastas = T.processes_with(self.tmpdir.encode(), b"--netns")
            self.assertEqual(len(pastas), 1, "pasta runs")
            p.kill()
            p.wait()
            deadline = time.time() + 10
            while time.time() < deadline and (T.processes_with(self.tmpdir.encode(), b"--netns") or
                                              T.processes_with(flag)):
                time.sleep(0.1)
            self.assertEqual(T.processes_with(self.tmpdir.encode(), b"--netns"), [],
                             "pasta outlived distill")
            self.assertEqual(T.processes_with(flag), [], "the namespace holder outlived distill")
            with self.assertRaises(ConnectionRefusedError):
                fetch("127.0.0.1", port)
        finally:
            if p.poll() is None:
                p.kill()
            p.communicate(timeout=60)
        self.run_image(self.image)
        self.assert_clean()

    # -- errors with hints ------------------------------------------------------------

    def test_hints_for_a_missing_or_foreign_program(self):
        r = self.run_image("--entrypoint", "/usr/bin/pyhton3", self.image, expect_rc=1)
        self.assert_one_error(r, "'/usr/bin/pyhton3' not found in the image (PATH=",
                              "pass --entrypoint")
        r = self.run_image("--entrypoint", "pyhton3", self.image, expect_rc=1)
        self.assert_one_error(r, "'pyhton3' not found in the image (PATH=/usr/local/sbin:")
        # An arch with no binfmt_misc handler enabled on this host.
        def enabled(qemu):
            try:
                with open("/proc/sys/fs/binfmt_misc/qemu-" + qemu) as f:
                    return f.readline().strip() == "enabled"
            except OSError:
                return False
        qemu = next(q for q in FOREIGN if not enabled(q))
        machine, arch = FOREIGN[qemu]
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, data in (("app/server", foreign_elf(machine)),
                               ("app/run.sh", b"#!/bin/sh\necho hi\n")):
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o755, 0
                tar.addfile(info, io.BytesIO(data))
        image = layer_image(self, self.image, buf.getvalue(), "foreign-image")
        r = self.run_image("--entrypoint", "/app/server", image, expect_rc=1)
        self.assert_one_error(r, "'/app/server' is a program for %s (%s) and this host runs" %
                              (arch, qemu), "with no emulator registered",
                              "update-binfmts --enable qemu-" + qemu)
        r = self.run_image("--entrypoint", "/app/run.sh", image, expect_rc=1)
        self.assert_one_error(r, "'/app/run.sh' is a script for '/bin/sh', which is not in the "
                              "image")
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
        r = self.run_image("-p", "8080", self.image, expect_rc=1)
        self.assert_one_error(r, "-p 8080: expected [IP:]HOST:CONTAINER[/tcp|udp]")
        r = self.run_image("-p", "8080:80", "--network", "host", self.image, expect_rc=1)
        self.assert_one_error(r, "-p 8080:80: publishing a port needs the container's own "
                              "network")
        r = self.run_image("-p", "8080:80", "--network", "none", self.image, expect_rc=1)
        self.assert_one_error(r, "drop --network none")
        r = self.run_image("--platform", "linux/arm64", self.image, expect_rc=1)
        self.assert_one_error(r, "linux/arm64")
        self.assert_clean()


if __name__ == "__main__":
    T.main()
