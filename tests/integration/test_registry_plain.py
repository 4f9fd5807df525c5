"""push / pull / copy / inspect against a plain-HTTP docker-registry on 127.0.0.1.

Round trips, skipped re-pushes, cross-repository mounts, multi-arch indexes
with --platform, interop with skopeo in both directions, and faults: the
registry stopped during a push, and a blob corrupted on its disk.
"""

import json
import os
import pty
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402


class PlainRegistryTest(R.RegistryTestCase):

    def test_push_then_pull_gives_identical_digests_and_bytes(self):
        src, digest = self.layout()
        ref = "%s/team/app:v1" % self.host
        res = self.push(src, ref)
        self.assert_pushed_line(res, ref, digest)
        out = os.path.join(self.tmp, "pulled")
        res = self.distill("pull", ref, "-o", out)
        self.assertEqual(res.stdout.strip(), "%s@%s" % (out, digest))
        self.assert_same_layout_content(src, out)
        # The pulled layout is one skopeo reads as well.
        R.skopeo(self, "inspect", "oci:%s:v1" % out)
        # Pull by digest gives the same image.
        out2 = os.path.join(self.tmp, "by-digest")
        self.distill("pull", "%s/team/app@%s" % (self.host, digest), "-o", out2)
        self.assertEqual(R.layout_blobs(src), R.layout_blobs(out2))

    def test_inspect_reads_a_registry_reference(self):
        src, digest = self.layout(archs=("amd64", "arm64"))
        ref = "%s/team/app:v1" % self.host
        self.push(src, ref)
        res = self.distill("inspect", ref)
        self.assertIn("arm64", res.stdout)
        self.assertIn("amd64", res.stdout)

    def test_repush_uploads_nothing_and_second_repository_mounts(self):
        src, digest = self.layout(archs=("amd64", "arm64"))
        blobs = len(R.layout_blobs(src)) - 3  # minus two manifests and the index
        self.push(src, "%s/team/app:v1" % self.host)
        self.registry.mark()
        start = time.monotonic()
        res = self.push(src, "%s/team/app:v1" % self.host)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(self.registry.blob_uploads(), [], res.describe())
        self.assertIn("0 blob(s) uploaded, 0 mounted, %d already there" % blobs, res.stderr)

        self.registry.mark()
        res = self.push(src, "%s/team/other:v2" % self.host)
        self.assertEqual(self.registry.blob_uploads(), [], res.describe())
        self.assertEqual(len(self.registry.mounts()), blobs, self.registry.requests())
        self.assertIn("0 blob(s) uploaded, %d mounted" % blobs, res.stderr)
        R.skopeo(self, "inspect", "--tls-verify=false", "docker://%s/team/other:v2" % self.host)

    def test_multi_arch_index_round_trips_and_platform_selects(self):
        src, digest = self.layout(archs=("amd64", "arm64"))
        ref = "%s/multi:v1" % self.host
        self.push(src, ref)
        out = os.path.join(self.tmp, "all")
        self.distill("pull", ref, "-o", out)
        self.assert_same_layout_content(src, out)

        index = json.loads(R.layout_blobs(src)[digest])
        arm = [m for m in index["manifests"] if m["platform"]["architecture"] == "arm64"][0]
        one = os.path.join(self.tmp, "arm")
        res = self.distill("pull", ref, "-o", one, "--platform", "linux/arm64")
        self.assertEqual(res.stdout.strip(), "%s@%s" % (one, arm["digest"]))
        top = R.read_json(os.path.join(one, "index.json"))["manifests"][0]
        self.assertEqual(top["digest"], arm["digest"])
        config = json.loads(R.layout_blobs(one)[json.loads(
            R.layout_blobs(one)[arm["digest"]])["config"]["digest"]])
        self.assertEqual(config["architecture"], "arm64")

        tar = os.path.join(self.tmp, "arm.tar")
        self.distill("pull", ref, "-o", tar, "--format", "docker", "--platform", "linux/arm64")
        members = T.docker_archive_members(tar)
        self.assertIn("manifest.json", members)
        R.skopeo(self, "inspect", "docker-archive:%s" % tar)

        res = self.distill("pull", ref, "-o", os.path.join(self.tmp, "none"), "--platform",
                           "linux/s390x", expect_rc=1)
        self.assertIn("linux/amd64", res.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "none")))

    def test_skopeo_reads_what_distill_pushed(self):
        src, digest = self.layout(archs=("amd64", "arm64"))
        ref = "%s/interop:v1" % self.host
        self.push(src, ref)
        p = R.skopeo(self, "inspect", "--raw", "--tls-verify=false", "docker://" + ref)
        self.assertEqual(p.stdout, R.layout_blobs(src)[digest])
        p = R.skopeo(self, "inspect", "--tls-verify=false", "--override-arch", "arm64",
                     "docker://" + ref)
        self.assertEqual(json.loads(p.stdout)["Architecture"], "arm64")
        out = os.path.join(self.tmp, "by-skopeo")
        R.skopeo(self, "copy", "--all", "--src-tls-verify=false", "docker://" + ref,
                 "oci:%s:v1" % out)
        self.assert_same_layout_content(src, out)

    def test_distill_pulls_what_skopeo_pushed_byte_for_byte(self):
        src, digest = self.layout(archs=("amd64", "arm64"), seed="skopeo")
        ref = "%s/from-skopeo:v1" % self.host
        R.skopeo(self, "copy", "--all", "--dest-tls-verify=false", "oci:%s:v1" % src,
                 "docker://" + ref)
        raw = R.skopeo(self, "inspect", "--raw", "--tls-verify=false", "docker://" + ref).stdout
        out = os.path.join(self.tmp, "pulled")
        res = self.distill("pull", ref, "-o", out)
        pulled = R.layout_blobs(out)
        top = R.read_json(os.path.join(out, "index.json"))["manifests"][0]["digest"]
        self.assertEqual(pulled[top], raw)
        self.assertEqual(res.stdout.strip(), "%s@%s" % (out, top))
        for d, data in pulled.items():
            self.assertEqual(T.sha256_bytes(data), d.split(":")[1])
        self.assertEqual(pulled, R.layout_blobs(src))

    def test_copy_between_repositories_and_formats(self):
        src, digest = self.layout()
        self.distill("copy", src, "%s/a:v1" % self.host)
        self.registry.mark()
        res = self.distill("copy", "%s/a:v1" % self.host, "%s/b:v1" % self.host)
        self.assertEqual(res.stdout.strip(), "%s/b:v1@%s" % (self.host, digest))
        self.assertEqual(self.registry.blob_uploads(), [])
        self.assertEqual(len(self.registry.mounts()), 3)
        tar = os.path.join(self.tmp, "b.tar")
        self.distill("copy", "%s/b:v1" % self.host, "docker-archive:%s:b:v1" % tar)
        R.skopeo(self, "inspect", "docker-archive:%s" % tar)
        # And back: a docker-archive pushed to a registry.
        res = self.distill("copy", tar, "%s/c:v1" % self.host)
        self.assertTrue(res.stdout.startswith("%s/c:v1@sha256:" % self.host), res.describe())
        R.skopeo(self, "inspect", "--tls-verify=false", "docker://%s/c:v1" % self.host)

    def test_registry_stopped_mid_push_then_retry_succeeds_without_duplicates(self):
        archs = ("amd64", "arm64", "ppc64le", "s390x", "386", "riscv64")
        src, digest = self.layout(archs=archs, layer_size=4 << 20, seed="big")
        ref = "%s/big:v1" % self.host
        cmd = [T.DISTILL, "push", "--parallel", "1", src, ref]
        p = subprocess.Popen(cmd, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline:
            if any(m == "PUT" and "/blobs/uploads/" in u and s == 201
                   for (m, u, s) in self.registry.requests()):
                break
            time.sleep(0.01)
        self.registry.stop()
        out, err = p.communicate(timeout=120)
        err = err.decode()
        self.assertNotEqual(p.returncode, 0, "the push finished before the registry stopped")
        lines = [l for l in err.splitlines() if l.startswith(T.ERROR_PREFIX)]
        self.assertEqual(len(lines), 1, err)
        self.assertIn(self.host + "/big", lines[0])
        self.assertIn("cannot", lines[0])
        self.assertIn("attempts", lines[0])

        self.registry.start()
        self.assertEqual(urllib_status("http://%s/v2/big/manifests/v1" % self.host), 404)
        res = self.push(src, ref)
        self.assert_pushed_line(res, ref, digest)
        completed = [u.split("?")[0] for (m, u, s) in self.registry.requests()
                     if m == "PUT" and "/blobs/uploads/" in u and s == 201]
        # Each blob was stored once across both attempts.
        all_blobs = len(R.layout_blobs(src)) - len(archs) - 1
        self.assertLessEqual(len(completed), all_blobs)
        self.assertIn("already there", res.stderr)
        out = os.path.join(self.tmp, "pulled")
        self.distill("pull", ref, "-o", out)
        self.assert_same_layout_content(src, out)

    def test_corrupt_blob_on_the_registry_fails_the_pull_and_writes_nothing(self):
        src, digest = self.layout()
        ref = "%s/team/app:v1" % self.host
        self.push(src, ref)
        manifest = json.loads(R.layout_blobs(src)[digest])
        layer = manifest["layers"][1]["digest"]
        path = self.registry.blob_data_path(layer)
        with open(path, "rb") as f:
            data = bytearray(f.read())
        data[len(data) // 2] ^= 0xff
        with open(path, "wb") as f:
            f.write(bytes(data))
        out = os.path.join(self.tmp, "pulled")
        res = self.distill("pull", ref, "-o", out, expect_rc=1)
        line = [l for l in res.stderr.splitlines() if l.startswith(T.ERROR_PREFIX)]
        self.assertEqual(len(line), 1, res.describe())
        self.assertIn(layer, line[0])
        self.assertIn("digest", line[0])
        self.assertFalse(os.path.exists(out))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("pulled")], [])

    def test_errors_name_the_repository_and_action(self):
        res = self.distill("pull", "%s/missing/repo:nope" % self.host, "-o",
                           os.path.join(self.tmp, "x"), expect_rc=1)
        self.assertIn("%s/missing/repo" % self.host, res.stderr)
        self.assertIn("pull manifest nope", res.stderr)
        res = self.distill("push", os.path.join(self.tmp, "nowhere"), "%s/a" % self.host,
                           expect_rc=1)
        self.assertIn("nowhere", res.stderr)

    def test_chunked_push_sends_patches_and_round_trips(self):
        # Incompressible layers of ~300 KB: five 64 KiB chunks each.
        src, digest = self.layout(seed="chunks", layer_size=300000)
        ref = "%s/team/chunked:v1" % self.host
        self.registry.mark()
        res = self.push(src, ref, "--chunk-size", "65536")
        self.assert_pushed_line(res, ref, digest)
        patches = [u for (m, u, s) in self.registry.requests() if m == "PATCH" and s == 202]
        self.assertGreaterEqual(len(patches), 2 * 5, self.registry.requests())
        out = os.path.join(self.tmp, "pulled")
        self.distill("pull", ref, "-o", out)
        self.assert_same_layout_content(src, out)
        R.skopeo(self, "inspect", "--tls-verify=false", "docker://" + ref)
        res = self.push(src, ref, "--chunk-size", "-1", expect_rc=1)
        self.assertIn("--chunk-size", res.stderr)

    def test_corrupt_local_blob_fails_the_push_and_leaves_no_tag(self):
        src, digest = self.layout(seed="corrupt-local", layer_size=200000)
        manifest = json.loads(R.layout_blobs(src)[digest])
        layer = manifest["layers"][1]["digest"]
        path = os.path.join(src, "blobs", "sha256", layer.split(":", 1)[1])
        size = os.path.getsize(path)
        with open(path, "wb") as f:
            f.write(b"x" * size)  # same size: only the digest tells
        ref = "%s/team/bad:v1" % self.host
        res = self.push(src, ref, expect_rc=1)
        self.assertIn(layer, res.stderr)
        self.assertIn("does not match its digest", res.stderr)
        base = "http://%s/v2/team/bad" % self.host
        self.assertEqual(urllib_status(base + "/manifests/v1"), 404)
        self.assertEqual(urllib_status(base + "/blobs/" + layer), 404)

    def test_progress_redrawn_on_a_terminal_lines_elsewhere_none_with_quiet(self):
        src, digest = self.layout(seed="progress", layer_size=100000)
        res = self.push(src, "%s/team/bar:v1" % self.host)
        # Off a terminal: no redraws, a plain line with the final state.
        self.assertNotIn("\r", res.stderr)
        self.assertRegex(res.stderr, r"(?m)^Pushing \[(\d+)/\1\] .*\n")
        res = self.push(src, "%s/team/bar:v0" % self.host, "-q")
        self.assertNotIn("Pushing", res.stderr)
        tty = self.run_on_tty("push", src, "%s/team/bar:v2" % self.host)
        self.assertIn("Pushing", tty)
        self.assertRegex(tty, r"\[\d+/\d+\] ")
        tty = self.run_on_tty("pull", "%s/team/bar:v2" % self.host, "-o",
                              os.path.join(self.tmp, "pulled"))
        self.assertIn("Pulling", tty)
        tty = self.run_on_tty("-q", "push", src, "%s/team/bar:v3" % self.host)
        self.assertNotIn("Pushing", tty)

    def run_on_tty(self, *args) -> str:
        """Runs distill with stderr on a pseudo-terminal; returns what it drew."""
        master, slave = pty.openpty()
        p = subprocess.Popen([T.DISTILL] + list(args), cwd=self.tmp, env=self.env(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        os.close(master)
        self.assertEqual(p.wait(timeout=600), 0, drawn.decode(errors="replace"))
        return drawn.decode(errors="replace")


def urllib_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


if __name__ == "__main__":
    T.main()
