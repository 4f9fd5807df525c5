"""`distill test` with container-structure-test files on an image built by
distill from the fixture repository (structure/probe_image.py).

structure/probe_v2.yaml and probe_v1.yaml must pass in both schema
versions and exercise every field kind; structure/probe_failing.yaml must
fail test by test with the messages asserted here. The JUnit output is read
back with Python's XML parser. Command tests run under runc (root needed).
"""

import json
import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure"))
import distill_testlib as T  # noqa: E402
import probe_image  # noqa: E402

STRUCTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure")


def config(name):
    return os.path.join(STRUCTURE, name)


class StructureFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        probe_image.set_up(self)

    def distill_test(self, *args, expect_rc=0):
        return self.run_distill(["test", self.image] + list(args), expect_rc=expect_rc,
                                env={"TMPDIR": self.tmpdir})

    def results(self, *files, expect_rc=0):
        args = []
        for f in files:
            args += ["-c", config(f)]
        r = self.distill_test(*(args + ["--output", "json"]), expect_rc=expect_rc)
        self.assertEqual(os.listdir(self.tmpdir), [], "bundle, runc state or /tmp folders left")
        return r, r.json()

    def test_version_2_passes(self):
        r, j = self.results("probe_v2.yaml")
        failed = [x for x in j["Results"] if not x["Pass"]]
        self.assertEqual(failed, [], r.describe())
        kinds = sorted({x["Name"].split(":")[0] for x in j["Results"]})
        self.assertEqual(kinds, ["Command Test", "File Content Test", "File Existence Test",
                                 "License Test", "Metadata Test"])
        self.assertEqual(j["Total"], 7 + 4 + 1 + 1 + 7)
        self.assertEqual(j["Fail"], 0)
        env = [x for x in j["Results"] if x["Name"] == "Command Test: environment"][0]
        self.assertIn("TEST_VAR=set-by-the-test", env["Stdout"])

    def test_distroless_shaped_version_1_file_passes(self):
        r, j = self.results("distroless_shape_v1.yaml")
        self.assertEqual([x["Name"] for x in j["Results"] if not x["Pass"]], [], r.describe())
        # Upstream's order: command, file content, file existence tests.
        self.assertEqual([x["Name"] for x in j["Results"]][:3],
                         ["Command Test: argv list", "Command Test: hello",
                          "File Content Test: known users"])
        self.assertIn("File Existence Test: root", [x["Name"] for x in j["Results"]])
        self.assertEqual(j["Total"], 10)

    def test_version_1_passes_and_text_output(self):
        r = self.distill_test("-c", config("probe_v1.yaml"))
        self.assertIn("=== RUN: File Existence Test: probe\n--- PASS", r.stdout)
        self.assertIn("=== RUN: Command Test: exit code\n--- PASS", r.stdout)
        self.assertIn("====== Test file: probe_v1.yaml ======", r.stdout)
        self.assertIn("Passes:      6\nFailures:    0\nDuration:    ", r.stdout, r.describe())
        self.assertIn("Total tests: 6\n\nPASS\n", r.stdout)
        self.assertEqual(os.listdir(self.tmpdir), [])

    def test_several_files_and_junit(self):
        r = self.distill_test("-c", config("probe_v1.yaml"), "-c", config("probe_failing.yaml"),
                              "--output", "junit", expect_rc=1)
        self.assert_one_error(r, "structure tests failed")
        root = ET.fromstring(r.stdout)
        # Upstream's shape: one suite for the whole run.
        self.assertEqual(root.tag, "testsuites")
        self.assertEqual((root.get("tests"), root.get("failures")), ("16", "10"))
        suites = root.findall("testsuite")
        self.assertEqual([s.get("name") for s in suites], ["container-structure-test.test"])
        cases = suites[0].findall("testcase")
        self.assertEqual(len(cases), 16)
        failed = [c for c in cases if c.find("failure") is not None]
        self.assertEqual(len(failed), 10)
        for c in cases:
            self.assertIsNotNone(c.find("system-out"), c.get("name"))

    def test_failures_say_what_was_expected_and_found(self):
        r, j = self.results("probe_failing.yaml", expect_rc=1)
        self.assert_one_error(r, "10 of 10 structure tests failed")
        by_name = {x["Name"].split(": ", 1)[-1]: x for x in j["Results"]}
        self.assertTrue(all(not x["Pass"] for x in j["Results"]), r.stdout)

        def errors(name):
            return "\n".join(by_name[name].get("Errors", []))

        self.assertIn("Error examining file in container: lstat /bin/sh: no such file or directory",
                      errors("shell present"))
        self.assertIn("File /etc/passwd should not exist but does", errors("passwd absent"))
        self.assertIn("/etc/passwd has incorrect permissions. Expected: -rw-rw-rw-, "
                      "Actual: -rw-r--r--", errors("wrong permissions"))
        self.assertIn("/app/app.conf has incorrect user ownership. Expected: 0, Actual: 65532",
                      errors("wrong owner"))
        self.assertIn("/app/app.conf has incorrect group ownership. Expected: 0, Actual: 65532",
                      errors("wrong owner"))
        self.assertIn("/app/app.conf has incorrect executable bit. Expected to be executable by "
                      "other, Actual: -rw-r-----", errors("not executable"))
        self.assertIn("Expected string 'ID=alpine' not found in file content string",
                      errors("wrong content"))
        self.assertIn("Excluded string 'ID=debian' found in file content string",
                      errors("wrong content"))
        meta = errors("Metadata Test")
        for want in ("env var GREETING value bonjour does not match expected value: hello",
                     "variable MISSING_VAR not found in image env",
                     "label org.example.version value 1.2.3 does not match expected value: ^2\\.",
                     "Port 9090 not found in config",
                     "Port 8080 should not be exposed",
                     "Volume /srv not found in config",
                     "Volume /data should not be mounted",
                     "Image entrypoint [/usr/local/bin/probe] does not match expected "
                     "entrypoint: [/bin/sh]",
                     "Image Cmd [hello] does not match expected Cmd: []",
                     "Image workdir /app does not match config workdir: /",
                     "Image user 65532:65532 does not match config user: root"):
            self.assertIn(want, meta)
        out = errors("wrong output")
        self.assertIn("Expected string 'uid=0 ' not found in output 'uid=65532 gid=65532\n'", out)
        self.assertIn("Excluded string '65532' found in output", out)
        code = errors("wrong exit code")
        self.assertIn("Test 'wrong exit code' exited with incorrect error code. Expected: 0, "
                      "Actual: 2", code)
        self.assertIn("Expected string 'no such line' not found in error 'exiting with 2\n'", code)
        shell = errors("missing program")
        self.assertIn("Expected string 'shell-ran' not found in output ''", shell)
        self.assertIn("exited with incorrect error code", shell)
        self.assertIn("/bin/sh", by_name["missing program"]["Stderr"], "runc says what is missing")
        # The text output shows the same, test by test.
        t = self.distill_test("-c", config("probe_failing.yaml"), expect_rc=1)
        self.assertIn("=== RUN: File Existence Test: shell present\n--- FAIL", t.stdout)
        self.assertIn("Error: Error examining file in container: lstat /bin/sh", t.stdout)
        self.assertIn("Passes:      0\nFailures:    10", t.stdout)

    def test_container_run_options(self):
        data = self.mkdir("data")
        with open(os.path.join(data, "note"), "w") as f:
            f.write("from the host\n")
        with open(os.path.join(self.tmp, "vars.env"), "w") as f:
            f.write("# test variables\nFROM_FILE=file-value\n")
        path = os.path.join(self.tmp, "run_options.yaml")
        with open(path, "w") as f:
            f.write("""schemaVersion: 2.0.0
containerRunOptions:
  user: "0"
  capabilities: [NET_BIND_SERVICE]
  envVars: [DISTILL_TEST_PASSED_ON]
  envFile: vars.env
  bindMounts: ["%s:/data:ro"]
  allocateTty: false
commandTests:
  - name: user
    command: /usr/local/bin/probe
    args: [id]
    expectedOutput: ['uid=0 gid=0']
  - name: capabilities
    command: /usr/local/bin/probe
    args: [caps]
    expectedOutput: ['CapEff:\\s+0000000000000400']
  - name: environment
    command: /usr/local/bin/probe
    args: [env]
    expectedOutput: ['DISTILL_TEST_PASSED_ON=yes', 'FROM_FILE=file-value']
  - name: bind mount
    command: /usr/local/bin/probe
    args: [cat, /data/note]
    expectedOutput: ['from the host']
""" % data)
        r = self.run_distill(["test", self.image, "-c", path, "--output", "json"],
                             env={"TMPDIR": self.tmpdir, "DISTILL_TEST_PASSED_ON": "yes"})
        j = r.json()
        self.assertEqual([x["Name"] for x in j["Results"] if not x["Pass"]], [], r.describe())
        self.assertEqual(j["Total"], 4)
        # Privileged containers are refused when the file is read.
        bad = os.path.join(self.tmp, "privileged.yaml")
        with open(bad, "w") as f:
            f.write("schemaVersion: 2.0.0\ncontainerRunOptions:\n  privileged: true\n")
        r = self.run_distill(["test", self.image, "-c", bad], expect_rc=T.NONZERO,
                             env={"TMPDIR": self.tmpdir})
        self.assert_one_error(r, "privileged.yaml:3", "privileged")

    def as_nobody(self, *argv):
        """Runs argv as uid/gid 65534 with no groups and no capabilities:
        another local user. (Not `setpriv`, which keeps root's capabilities
        until its execve, so that execve may cross folders nobody could.)"""
        def drop():
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)

        try:
            return subprocess.run(list(argv), preexec_fn=drop, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        except OSError as e:  # the program could not even be started
            return subprocess.CompletedProcess(argv, 127, b"", str(e).encode())

    def find_planted(self, root, name, deadline):
        """Every path named `name` below `root` (walked as root, into
        mounts) once the copy in /tmp and the one in the image's
        /usr/local/bin have both appeared; what was there at the deadline
        otherwise."""
        found = []
        while time.time() < deadline:
            found = [os.path.join(d, name) for d, _dirs, files in os.walk(root) if name in files]
            parents = {os.path.basename(os.path.dirname(f)) for f in found}
            if "bin" in parents and parents - {"bin"}:
                break
            time.sleep(0.1)
        return found

    def test_setuid_file_from_the_container_is_out_of_other_users_reach(self):
        """A command test running as root in the image writes setuid-root
        copies of a binary to /tmp and to the (overlay) root; while it
        runs, another host user must neither find nor run them as root, and
        every folder distill made for the container is private (0700)."""
        tmpdir = self.mkdir("shared-tmpdir")
        os.chmod(tmpdir, 0o755)
        # Preconditions that make the attack possible at all, so the test
        # cannot pass by accident: the other user can reach TMPDIR, and its
        # filesystem honours setuid bits.
        self.assertEqual(self.as_nobody("test", "-x", tmpdir).returncode, 0,
                         "test set-up: uid 65534 cannot reach %s" % tmpdir)
        self.assertFalse(os.statvfs(tmpdir).f_flag & os.ST_NOSUID, "%s is nosuid" % tmpdir)
        path = os.path.join(self.tmp, "plant.yaml")
        with open(path, "w") as f:
            f.write("""schemaVersion: 2.0.0
containerRunOptions:
  user: "0"
commandTests:
  - name: plant setuid copies
    command: /usr/local/bin/probe
    args: [plant, /tmp/suid-done, /tmp/suid-probe, /usr/local/bin/suid-probe]
    expectedOutput: ['planted /tmp/suid-probe']
""")
        env = self.base_env()
        env["TMPDIR"] = tmpdir
        p = subprocess.Popen([T.DISTILL, "test", self.image, "-c", path, "--output", "json"],
                             env=env, cwd=self.tmp, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            found = self.find_planted(tmpdir, "suid-probe", time.time() + 45)
            folders = {n: os.lstat(os.path.join(tmpdir, n)) for n in os.listdir(tmpdir)}
            searched = self.as_nobody("find", tmpdir, "-name", "suid-probe")
            runs = {f: self.as_nobody(f, "euid") for f in found}
            in_tmp = [f for f in found if os.path.basename(os.path.dirname(f)) != "bin"]
            for f in in_tmp:
                open(os.path.join(os.path.dirname(f), "suid-done"), "w").close()
            out, err = p.communicate(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertTrue(in_tmp, "the copy in /tmp never appeared on the host: %s\n%s%s" %
                        (found, err.decode(), out.decode()))
        self.assertEqual(p.returncode, 0, err.decode() + out.decode())
        self.assertEqual(json.loads(out)["Pass"], 1, out.decode())
        for f, r in runs.items():
            self.assertNotIn(b"euid=0", r.stdout, "uid 65534 ran %s as root" % f)
        self.assertEqual(searched.stdout.decode(), "",
                         "uid 65534 found the setuid copies")
        self.assertTrue(folders, "distill made no folder in TMPDIR")
        for name, st in folders.items():
            self.assertTrue(stat.S_ISDIR(st.st_mode), name)
            self.assertEqual((oct(stat.S_IMODE(st.st_mode)), st.st_uid),
                             (oct(0o700), os.getuid()), "%s must be private" % name)
        self.assertEqual(os.listdir(tmpdir), [], "folders left in TMPDIR")

    def test_bad_files_are_errors_with_lines(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: x\n    path: /x\n"
                    "    shouldExists: true\n")
        r = self.distill_test("-c", bad, expect_rc=1)
        self.assert_one_error(r, "%s:5" % bad, "unknown key 'shouldExists'", "shouldExist")
        with open(bad, "w") as f:
            f.write("schemaVersion: 3.0.0\n")
        r = self.distill_test("-c", bad, expect_rc=1)
        self.assert_one_error(r, "%s:1" % bad, "unsupported schemaVersion '3.0.0'")
        r = self.distill_test("-c", config("probe_v2.yaml"), "--output", "xml", expect_rc=1)
        self.assert_one_error(r, "--output xml")
        r = self.run_distill(["test", self.image], expect_rc=2)
        self.assertIn("--config", r.stderr)


if __name__ == "__main__":
    T.main()
