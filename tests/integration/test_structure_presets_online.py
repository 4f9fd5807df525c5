"""container-structure-test files against every preset's image, built from
the host's mirror (docs/structure-tests.md). tests/integration/structure/
presets/ holds, in our own words, one 1.0.0 file in the shape of Google
distroless's testdata (common_v1.yaml: '/', trailing slashes, whole-text
passwd and os-release regexes) that passes on every preset, and per preset a
2.0.0 file (metadata, ownership, permissions, isExecutableBy, licenses, run
options) plus a 1.0.0 command file for nodejs. Each check passes, or it is
named "expected failure: <reason>" and must fail with the error this test
states. The python3 preset's files are test_structure_online.py's.

Where container-structure-test is on the host (it is not in Debian), the
same files must give upstream's pass/fail per test with its tar driver; the
comparison test says so when it cannot run. Not hermetic; needs root and runc.
"""

import json
import os
import shutil
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

PRESETS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure", "presets")

SPEC = """\
distro: debian12
archs: [amd64]
base: {preset}
workdir: /home/nonroot
env: {{APP_MODE: production}}
labels: {{org.example.preset: {preset}}}
ports: [8080]
{extra}"""

# Per preset: its files, and each expected failure with the error it gives.
CASES = {
    "static": (["common_v1.yaml", "static_v2.yaml"], {
        "File Existence Test: expected failure: no libc in static":
            "Error examining file in container: lstat /lib/x86_64-linux-gnu/libc.so.6: no such file or directory",
    }),
    "base": (["common_v1.yaml", "base_v2.yaml"], {
        "File Existence Test: expected failure: no C++ runtime in base":
            "Error examining file in container: lstat /usr/lib/x86_64-linux-gnu/libstdc++.so.6: no such file or directory",
    }),
    "cc": (["common_v1.yaml", "cc_v2.yaml"], {
        "File Existence Test: expected failure: no Python in cc":
            "Error examining file in container: lstat /usr/bin/python3: no such file or directory",
    }),
    "nodejs": (["common_v1.yaml", "nodejs_v1.yaml", "nodejs_v2.yaml"], {
        "Command Test: expected failure: no shell for child_process":
            "Test 'expected failure: no shell for child_process' exited with incorrect error "
            "code. Expected: 0, Actual: 1",
        "File Existence Test: expected failure: npm stays out":
            "Error examining file in container: lstat /usr/bin/npm: no such file or directory",
    }),
}


# Checks with uid/gid, which upstream's tar driver always fails.
UPSTREAM_TAR_OWNERSHIP = {"File Existence Test: nonroot home", "File Existence Test: libssl"}


class StructurePresetsOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def build_preset(self, preset):
        extra = "entrypoint: [/usr/bin/node]\n" if preset == "nodejs" else ""
        _, layout, _ = self.online_build(SPEC.format(preset=preset, extra=extra), tag=preset)
        return layout.path + ":" + preset

    def run_files(self, image, files):
        args = ["test", image, "--output", "json"]
        for name in files:
            args += ["-c", os.path.join(PRESETS_DIR, name)]
        return self.run_distill(args, expect_rc=None, timeout=900,
                                env={"TMPDIR": self.mkdir("tmpdir-" + image.rsplit(":", 1)[1]),
                                     "STRUCTURE_PASSED_ON": "from the host"})

    def check_preset(self, preset):
        T.tool("runc")
        files, expected = CASES[preset]
        image = self.build_preset(preset)
        r = self.run_files(image, files)
        j = r.json()
        failed = {x["Name"]: x.get("Errors", []) for x in j["Results"] if not x["Pass"]}
        self.assertEqual(sorted(failed), sorted(expected), r.describe())
        for name, error in expected.items():
            self.assertIn(error, failed[name], r.describe())
        self.assertEqual(r.rc, 1, "a failed test fails the run")
        self.assertEqual(j["Fail"], len(expected))
        self.assertGreater(j["Pass"], 10)
        names = [x["Name"] for x in j["Results"]]
        for name in ("File Existence Test: root", "File Content Test: passwd", "Metadata Test"):
            self.assertIn(name, names)
        return image

    def test_static(self):
        self.check_preset("static")

    def test_base(self):
        self.check_preset("base")

    def test_cc(self):
        image = self.check_preset("cc")
        self.assertIn("License Test", [x["Name"] for x in self.run_files(
            image, ["cc_v2.yaml"]).json()["Results"]])

    def test_nodejs(self):
        self.check_preset("nodejs")

    def test_same_verdicts_as_upstream(self):
        cst = shutil.which("container-structure-test")
        if cst is None:
            # Allowed by issue 19: upstream's tool is not in Debian.
            raise unittest.SkipTest("container-structure-test is not on this host: "
                                    "the comparison with upstream's verdicts did not run")
        for preset in ("static", "base", "cc"):
            files, _ = CASES[preset]
            image = self.build_preset(preset)
            layout_dir = image.rsplit(":", 1)[0]
            tar = os.path.join(self.tmp, preset + ".tar")
            self.run_distill(["copy", image, "docker-archive:%s" % tar])
            ours = {x["Name"]: x["Pass"] for x in self.run_files(image, files).json()["Results"]}
            args = [cst, "test", "--driver", "tar", "--image", tar, "--output", "json"]
            for name in files:
                args += ["--config", os.path.join(PRESETS_DIR, name)]
            up = subprocess.run(args, capture_output=True, text=True, cwd=layout_dir)
            theirs = {x["Name"]: x["Pass"] for x in json.loads(up.stdout)["Results"]}
            # The tar driver fails every uid/gid check (docs/structure-tests.md):
            # compare the rest.
            for name, verdict in theirs.items():
                if name not in UPSTREAM_TAR_OWNERSHIP:
                    self.assertEqual(verdict, ours.get(name), name)


if __name__ == "__main__":
    T.main()
