"""`distill lint` on real images (docs/lint.md). Not hermetic: reads the
host's apt sources.

A regular Debian root filesystem (`mmdebstrap --variant=minbase`, imported
with `distill import`) must report its shells, package managers and setuid
files with their paths, and no ELF dependency problem (every real library
resolves); a distroless python3 image built by distill has no fatal finding
and no ELF dependency problem either.
"""

import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402


class LintOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def lint_json(self, image, expect_rc):
        res = self.run_distill(["lint", image, "--format", "json"], expect_rc=expect_rc)
        return json.loads(res.stdout)["images"][0], res

    def test_mmdebstrap_minbase_reports_shells_package_managers_and_setuid(self):
        tar = os.path.join(self.tmp, "minbase.tar")
        r = T.run_tool([T.tool("mmdebstrap"), "--variant=minbase", "--mode=root", "--quiet",
                        "bookworm", tar], timeout=1800)
        self.assertEqual(r.rc, 0, r.describe())
        out = os.path.join(self.tmp, "minbase")
        res = self.run_distill(["import", tar, "-o", out, "-t", "minbase:12"])
        self.assertIn("distill: note: /dev/null: device node, FIFO or socket dropped", res.stderr)
        report, res = self.lint_json(out, expect_rc=None)
        got = {(f["id"], f["path"]) for f in report["findings"]}
        for want in (("DISTILL-0001", "/usr/bin/bash"), ("DISTILL-0001", "/usr/bin/dash"),
                     ("DISTILL-0001", "/usr/bin/sh"), ("DISTILL-0002", "/usr/bin/apt-get"),
                     ("DISTILL-0002", "/usr/bin/dpkg"), ("DISTILL-0003", "/usr/bin/perl"),
                     ("CIS-DI-0008", "/usr/bin/su"), ("CIS-DI-0008", "/usr/bin/passwd"),
                     ("CIS-DI-0001", None)):
            self.assertIn(want, got, res.stdout)
        elf = [f for f in report["findings"] if f["id"] in ("DISTILL-0006", "DISTILL-0008")]
        self.assertEqual(elf, [], "every ELF object of a real Debian system resolves")
        print("\n    [%s] %d findings: %s" % (self._testMethodName, len(report["findings"]),
                                             report["summary"]), file=sys.stderr)

    def test_distroless_python3_image_has_no_fatal_finding(self):
        spec = "distro: debian12\narchs: [amd64]\nbase: python3\nentrypoint: [/usr/bin/python3]\n"
        _, layout, _ = self.online_build(spec)
        report, res = self.lint_json(layout.path, expect_rc=0)
        self.assertEqual(report["summary"]["fatal"], 0, res.stdout)
        ids = {f["id"] for f in report["findings"]}
        for bad in ("DISTILL-0001", "DISTILL-0002", "DISTILL-0003", "DISTILL-0006",
                    "DISTILL-0008", "CIS-DI-0001", "CIS-DI-0008"):
            self.assertNotIn(bad, ids, res.stdout)


if __name__ == "__main__":
    T.main()
