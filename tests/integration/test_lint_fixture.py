"""`distill lint IMAGE` (docs/lint.md) on images built by `distill build` from
the hermetic fixture repository and on root filesystems imported with
`distill import`. The SARIF output is validated against the official SARIF
2.1.0 schema with python3-jsonschema.
"""

import json
import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_import_fixture import make_tar, member  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
"""


def sarif_schema() -> dict:
    """The SARIF 2.1.0 schema kept in the shared test data (../shared beside the checkout)."""
    here = os.path.abspath(os.environ.get("DISTILL_SOURCE_DIR", os.path.dirname(__file__)))
    while True:
        path = os.path.join(here, "shared", "testdata", "schemas", "sarif-2.1.0.schema.json")
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        if os.path.dirname(here) == here:
            raise AssertionError("sarif-2.1.0.schema.json not found above DISTILL_SOURCE_DIR")
        here = os.path.dirname(here)


def host_true() -> bytes:
    with open("/usr/bin/true", "rb") as f:
        return f.read()


# A root filesystem like a regular (non-distroless) image's.
REGULAR = [
    member("./etc/", "d"),
    member("./etc/passwd", data=b"root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/:/bin/sh\n"
                                b"nopass::1001:1001::/home/nopass:/bin/sh\n"),
    member("./etc/shadow", data=b"root:*:19000:0:99999:7:::\nnopass::19000:0:99999:7:::\n",
           mode=0o640),
    member("./etc/group", data=b"root:x:0:\nusers:x:100:\nstaff:x:100:\n"),
    member("./usr/", "d"),
    member("./usr/bin/", "d"),
    member("./usr/bin/bash", data=b"#!fake bash\n", mode=0o755),
    member("./usr/bin/sh", "l", target="bash", mode=0o777),
    member("./usr/bin/apt-get", data=b"#!fake apt-get\n", mode=0o755),
    member("./usr/bin/dpkg", data=b"#!fake dpkg\n", mode=0o755),
    member("./usr/bin/perl", data=b"#!fake perl\n", mode=0o755),
    member("./usr/bin/su", data=b"#!fake su\n", mode=0o4755),
    member("./usr/bin/busybox", data=b"#!fake busybox\n", mode=0o755),
    member("./usr/bin/true", data=host_true(), mode=0o755),
    member("./var/", "d"),
    member("./var/drop/", "d", mode=0o777),
    member("./tmp/", "d", mode=0o1777),
    member("./root/", "d", mode=0o700),
    member("./root/.ssh/", "d", mode=0o700),
    member("./root/.ssh/id_rsa", data=b"not really a key\n", mode=0o600),
    member("./srv/", "d"),
    member("./srv/.git/", "d"),
]


class LintFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)

    def build(self, spec_text, tag="test"):
        spec = self.write_spec(spec_text)
        out = os.path.join(self.tmp, "image-" + tag)
        args = self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f", spec,
                                                "-o", out, "-t", "lint:" + tag]
        self.run_distill(args)
        return out

    def imported(self, members, *extra, name="regular"):
        tar = os.path.join(self.tmp, name + ".tar")
        with open(tar, "wb") as f:
            f.write(make_tar(members))
        out = os.path.join(self.tmp, name)
        self.run_distill(["import", tar, "-o", out] + list(extra))
        return out

    def lint(self, image, *extra, expect_rc=0):
        return self.run_distill(["lint", image] + list(extra), expect_rc=expect_rc)

    def lint_json(self, image, *extra, expect_rc=0):
        res = self.lint(image, "--format", "json", *extra, expect_rc=expect_rc)
        doc = json.loads(res.stdout)
        self.assertEqual(len(doc["images"]), 1, res.describe())
        return doc["images"][0], res

    def test_distroless_image_has_no_fatal_finding(self):
        image = self.build(SPEC)
        report, res = self.lint_json(image)
        self.assertEqual(report["summary"]["fatal"], 0, res.describe())
        ids = {f["id"] for f in report["findings"]}
        for bad in ("CIS-DI-0001", "CIS-DI-0008", "DISTILL-0001", "DISTILL-0002",
                    "DISTILL-0003", "DISTILL-0004", "DISTILL-0005"):
            self.assertNotIn(bad, ids, res.stdout)

    def test_regular_rootfs_reports_every_problem_with_its_path(self):
        image = self.imported(REGULAR)
        report, res = self.lint_json(image, expect_rc=1)
        got = {(f["id"], f["level"], f["path"]) for f in report["findings"]}
        want = {
            ("CIS-DI-0001", "warn", None),
            ("DISTILL-0001", "warn", "/usr/bin/bash"),
            ("DISTILL-0001", "warn", "/usr/bin/sh"),
            ("DISTILL-0002", "warn", "/usr/bin/apt-get"),
            ("DISTILL-0002", "warn", "/usr/bin/dpkg"),
            ("DISTILL-0003", "warn", "/usr/bin/perl"),
            ("CIS-DI-0008", "warn", "/usr/bin/su"),
            ("DISTILL-0004", "warn", "/var/drop"),
            ("DISTILL-0005", "fatal", "/usr/bin/busybox"),
            ("CIS-DI-0010", "fatal", "/root/.ssh/id_rsa"),
            ("DKL-LI-0001", "fatal", "/etc/shadow"),
            ("DKL-LI-0001", "fatal", "/etc/passwd"),
            ("DKL-LI-0002", "fatal", "/etc/passwd"),
            ("DKL-LI-0002", "fatal", "/etc/group"),
            ("DKL-LI-0003", "info", "/srv/.git"),
            ("DISTILL-0006", "fatal", "/usr/bin/true"),
        }
        self.assertEqual(want - got, set(), res.stdout)
        self.assertNotIn(("DISTILL-0004", "warn", "/tmp"), got, "sticky folders are fine")
        messages = {(f["id"], f["message"]) for f in report["findings"]}
        self.assertIn(("DKL-LI-0002", "uid 0 is shared by root, toor"), messages)
        self.assertIn(("DKL-LI-0002", "gid 100 is shared by users, staff"), messages)
        self.assertIn(("DKL-LI-0001", "user nopass has an empty password"), messages)
        self.assertIn(("CIS-DI-0008", "setuid file (mode 4755)"), messages)
        self.assertIn(("DISTILL-0006", "needs libc.so.6, which is not in the image "
                                       "(add `packages: [libc6]`)"), messages)
        self.assertEqual(report["findings"][0]["level"], "fatal", "fatal findings come first")
        self.assert_one_error(res, "findings at level fatal or above")
        # The text report lists the same, grouped by check.
        text = self.lint(image, expect_rc=1).stdout
        self.assertIn("FATAL - DKL-LI-0001: Avoid empty passwords\n"
                      "        * /etc/passwd: user nopass has an empty password\n", text)
        self.assertIn("WARN  - DISTILL-0001: No shell in a distroless image\n"
                      "        * /usr/bin/bash: shell\n        * /usr/bin/sh: shell\n", text)

    def test_exit_level_and_ignore(self):
        members = [m for m in REGULAR if m[0].name in (
            "./usr/", "./usr/bin/", "./usr/bin/bash", "./usr/bin/sh", "./usr/bin/perl")]
        image = self.imported(members)
        res = self.lint(image)  # warnings only: exit 0 at the default fatal level
        self.assertIn("DISTILL-0001", res.stdout)
        res = self.lint(image, "--exit-level", "warn", expect_rc=1)
        self.assert_one_error(res, "4 findings at level warn or above")
        res = self.lint(image, "--exit-level", "warn", "--ignore", "DISTILL-0001",
                        "--ignore", "DISTILL-0003", "--ignore", "CIS-DI-0001")
        self.assertNotIn("DISTILL-0001", res.stdout)
        res = self.lint(image, "--ignore", "NOPE-0001", expect_rc=2)
        self.assert_one_error(res, "--ignore", "no such check: NOPE-0001")
        # By path: a folder with its trailing slash, or one check on one file.
        res = self.lint(image, "--exit-level", "warn", "--ignore", "/usr/bin/",
                        "--ignore", "CIS-DI-0001")
        self.assertIn("Platform linux/amd64: 0 findings", res.stdout)
        res = self.lint(image, "--ignore", "DISTILL-0001:/usr/bin/sh")
        self.assertIn("* /usr/bin/bash: shell", res.stdout)
        self.assertNotIn("/usr/bin/sh:", res.stdout)
        res = self.lint(image, "--ignore", "/usr/../etc/", expect_rc=2)
        self.assert_one_error(res, "--ignore", "'/usr/../etc/'")

    def test_debug_tag_allows_busybox_and_entrypoint_runtime_is_allowed(self):
        members = [member("./usr/", "d"), member("./usr/bin/", "d"),
                   member("./usr/bin/busybox", data=b"#!fake\n", mode=0o755),
                   member("./usr/bin/python3.11", data=b"#!fake\n", mode=0o755),
                   member("./usr/bin/python3", "l", target="python3.11", mode=0o777)]
        image = self.imported(members, "-t", "app:debug")
        report, _ = self.lint_json(image)
        ids = {f["id"] for f in report["findings"]}
        self.assertNotIn("DISTILL-0005", ids)
        self.assertIn("DISTILL-0003", ids)
        # With python3 as the entrypoint, python is the runtime, not an extra interpreter.
        # The built image holds a stand-in for it: the build checks that the entrypoint exists.
        stand_in = os.path.join(self.mkdir("spec"), "python3")
        with open(stand_in, "w") as f:
            f.write("#!fake\n")
        os.chmod(stand_in, 0o755)
        built = self.build(SPEC + "files:\n  - {src: python3, dst: /usr/bin/python3}\n"
                           "entrypoint: [/usr/bin/python3]\n", tag="py")
        image2 = self.imported(members, "--config-from", built, name="py-rootfs")
        report, _ = self.lint_json(image2, expect_rc=1)
        self.assertNotIn("DISTILL-0003", {f["id"] for f in report["findings"]})
        self.assertIn("DISTILL-0005", {f["id"] for f in report["findings"]})

    def test_env_credentials_are_named_never_shown(self):
        image = self.build(SPEC + "user: root\nenv: {DB_PASSWORD: hunter2, API_TOKEN: s3cr3t}\n")
        report, res = self.lint_json(image, expect_rc=1)
        got = {(f["id"], f["message"]) for f in report["findings"]}
        self.assertIn(("CIS-DI-0001", 'the image runs as root (User is "0:0")'), got)
        self.assertIn(("CIS-DI-0010", "environment variable DB_PASSWORD looks like a credential"),
                      got)
        self.assertIn(("CIS-DI-0010", "environment variable API_TOKEN looks like a credential"),
                      got)
        for out in (res.stdout, res.stderr, self.lint(image, "--format", "sarif",
                                                      expect_rc=1).stdout):
            self.assertNotIn("hunter2", out)
            self.assertNotIn("s3cr3t", out)

    def test_sarif_is_valid_sarif_2_1_0(self):
        import jsonschema
        image = self.imported(REGULAR)
        res = self.lint(image, "--format", "sarif", expect_rc=1)
        doc = json.loads(res.stdout)
        jsonschema.validate(doc, sarif_schema())
        self.assertEqual(doc["version"], "2.1.0")
        run = doc["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        results = run["results"]
        su = [r for r in results if r["ruleId"] == "CIS-DI-0008"]
        self.assertEqual(len(su), 1)
        self.assertEqual(su[0]["level"], "warning")
        self.assertEqual(su[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                         "usr/bin/su")
        self.assertEqual(rules[su[0]["ruleIndex"]]["id"], "CIS-DI-0008")
        self.assertIn("error", {r["level"] for r in results})


if __name__ == "__main__":
    T.main()
