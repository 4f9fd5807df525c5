"""`distill test` with container-structure-test files on an image built by
distill from the fixture repository (structure/probe_image.py).

structure/probe_v2.yaml and probe_v1.yaml must pass in both schema
versions and exercise every field kind; structure/probe_failing.yaml must
fail test by test with the messages asserted here. The JUnit output is read
back with Python's XML parser. Command tests run under runc (root needed).
"""

import json
import os
import sys
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
        failed = [x for x in j["results"] if not x["pass"]]
        self.assertEqual(failed, [], r.describe())
        kinds = sorted({x["kind"] for x in j["results"]})
        self.assertEqual(kinds, ["Command Test", "File Content Test", "File Existence Test",
                                 "License Test", "Metadata Test"])
        self.assertEqual(j["total"], 7 + 4 + 1 + 1 + 7)
        self.assertEqual(j["fail"], 0)
        env = [x for x in j["results"] if x["name"] == "environment"][0]
        self.assertIn("TEST_VAR=set-by-the-test", env["stdout"])

    def test_version_1_passes_and_text_output(self):
        r = self.distill_test("-c", config("probe_v1.yaml"))
        self.assertIn("=== RUN: File Existence Test: probe\n--- PASS", r.stdout)
        self.assertIn("=== RUN: Command Test: exit code\n--- PASS", r.stdout)
        self.assertIn("Passes:      7\nFailures:    0\nTotal tests: 7", r.stdout, r.describe())
        self.assertEqual(os.listdir(self.tmpdir), [])

    def test_several_files_and_junit(self):
        r = self.distill_test("-c", config("probe_v1.yaml"), "-c", config("probe_failing.yaml"),
                              "--output", "junit", expect_rc=1)
        self.assert_one_error(r, "structure tests failed")
        root = ET.fromstring(r.stdout)
        self.assertEqual(root.tag, "testsuites")
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(sorted(suites), sorted([config("probe_v1.yaml"),
                                                 config("probe_failing.yaml")]))
        self.assertEqual(suites[config("probe_v1.yaml")].get("failures"), "0")
        failing = suites[config("probe_failing.yaml")]
        cases = failing.findall("testcase")
        self.assertEqual(len(cases), 10)
        self.assertEqual(failing.get("failures"), "10")
        for c in cases:
            self.assertIsNotNone(c.find("failure"), c.get("name"))

    def test_failures_say_what_was_expected_and_found(self):
        r, j = self.results("probe_failing.yaml", expect_rc=1)
        self.assert_one_error(r, "10 of 10 structure tests failed")
        by_name = {x["name"]: x for x in j["results"]}
        self.assertTrue(all(not x["pass"] for x in j["results"]), r.stdout)

        def errors(name):
            return "\n".join(by_name[name]["errors"])

        self.assertIn("File /bin/sh does not exist", errors("shell present"))
        self.assertIn("File /etc/passwd should not exist but does", errors("passwd absent"))
        self.assertIn("/etc/passwd has incorrect permissions. Expected: -rw-rw-rw-, "
                      "Actual: -rw-r--r--", errors("wrong permissions"))
        self.assertIn("/app/app.conf has incorrect user ownership. Expected: 0, Actual: 65532",
                      errors("wrong owner"))
        self.assertIn("/app/app.conf has incorrect group ownership. Expected: 0, Actual: 65532",
                      errors("wrong owner"))
        self.assertIn("/app/app.conf is not executable by other (permissions -rw-r-----)",
                      errors("not executable"))
        self.assertIn("Expected string 'ID=alpine' not found in file /etc/os-release",
                      errors("wrong content"))
        self.assertIn("Excluded string 'ID=debian' found in file /etc/os-release",
                      errors("wrong content"))
        meta = errors("Metadata Test")
        for want in ("env var GREETING has value 'bonjour', expected 'hello'",
                     "env var MISSING_VAR not found in image metadata",
                     "label org.example.version has value '1.2.3', expected a match for '^2\\.'",
                     "port 9090 not found in image metadata",
                     "port 8080 found in image metadata",
                     "volume /srv not found in image metadata",
                     "volume /data found in image metadata",
                     "Image entrypoint [\"/usr/local/bin/probe\"] does not match expected "
                     "[\"/bin/sh\"]",
                     "Image cmd [\"hello\"] does not match expected []",
                     "Image workdir '/app' does not match expected '/'",
                     "Image user '65532:65532' does not match expected 'root'"):
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
        self.assertIn("/bin/sh", by_name["missing program"]["stderr"], "runc says what is missing")
        # The text output shows the same, test by test.
        t = self.distill_test("-c", config("probe_failing.yaml"), expect_rc=1)
        self.assertIn("=== RUN: File Existence Test: shell present\n--- FAIL", t.stdout)
        self.assertIn("Error: File /bin/sh does not exist", t.stdout)
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
        self.assertEqual([x["name"] for x in j["results"] if not x["pass"]], [], r.describe())
        self.assertEqual(j["total"], 4)
        # Privileged containers are refused when the file is read.
        bad = os.path.join(self.tmp, "privileged.yaml")
        with open(bad, "w") as f:
            f.write("schemaVersion: 2.0.0\ncontainerRunOptions:\n  privileged: true\n")
        r = self.run_distill(["test", self.image, "-c", bad], expect_rc=T.NONZERO,
                             env={"TMPDIR": self.tmpdir})
        self.assert_one_error(r, "privileged.yaml:3", "privileged")

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
