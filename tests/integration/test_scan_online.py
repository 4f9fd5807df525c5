"""`distill scan` and `distill sbom` on real Debian images. Not hermetic:
reads the host's apt sources (an unreachable mirror is a failure, not a
skip).

- The python3 preset image built from real bookworm packages, scanned
  against a database whose one record affects the image's installed openssl
  source version and another is fixed in it already: exactly the first is
  reported, with its fixed version and severity, and --fail-on sets the exit
  code.
- A regular root filesystem (`mmdebstrap --variant=minbase`, imported with
  `distill import`): the inventory of `distill inspect --json` and of the
  CycloneDX SBOM equals `dpkg-query -W --admindir` on the same root
  filesystem, extracted.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = "distro: debian12\narchs: [amd64]\nbase: python3\n"


def dpkg_greater(a: str, b: str) -> bool:
    return T.run_tool(["dpkg", "--compare-versions", a, "gt", b]).rc == 0


class ScanOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def test_python3_image_reports_exactly_the_affecting_openssl_record(self):
        _, layout, _ = self.online_build(SPEC)
        inventory = self.run_distill(["inspect", "--json", layout.path]).json()
        ssl = [p for p in inventory["images"][0]["packages"] if p["source"] == "openssl"]
        self.assertTrue(ssl, "the python3 image has openssl's libssl3")
        installed = ssl[0]["source_version"]
        fixed = installed + "+distilltest1"
        self.assertTrue(dpkg_greater(fixed, installed))
        bookworm = lambda status, v, urgency: {  # noqa: E731
            "status": status, "fixed_version": v, "urgency": urgency,
            "repositories": {"bookworm": installed}}
        tracker = {"openssl": {
            "CVE-2099-1001": {"description": "affects the installed openssl",
                              "releases": {"bookworm": bookworm("resolved", fixed, "medium*")}},
            "CVE-2099-1002": {"description": "fixed in the installed openssl",
                              "releases": {"bookworm": bookworm("resolved", installed, "high")}},
        }}
        path = os.path.join(self.tmp, "tracker.json")
        with open(path, "w") as f:
            json.dump(tracker, f)
        db = os.path.join(self.tmp, "vulndb.sqlite")
        self.run_distill(["db", "import", "--db", db, path])
        scan = ["scan", "--db", db, layout.path]
        report = self.run_distill(scan + ["--format", "json"]).json()
        self.assertEqual(report["image"]["release"], "bookworm")
        self.assertEqual(len(report["findings"]), 1, json.dumps(report, indent=1))
        f = report["findings"][0]
        self.assertEqual((f["id"], f["source_package"], f["installed_version"], f["fixed_version"],
                          f["severity"], f["status"]),
                         ("CVE-2099-1001", "openssl", installed, fixed, "medium", "fixed"))
        self.assertEqual(sorted(f["binaries"]), sorted(p["name"] for p in ssl))
        res = self.run_distill(scan + ["--fail-on", "medium"], expect_rc=3)
        self.assert_one_error(res, "1 finding at or above severity medium")
        self.run_distill(scan + ["--fail-on", "high"], expect_rc=0)
        # Answered from the inventory record this time: the same report.
        again = self.run_distill(scan + ["--format", "json"]).json()
        self.assertEqual(again["findings"], report["findings"])

    def test_minbase_inventory_equals_dpkg_query(self):
        tar = os.path.join(self.tmp, "root.tar")
        r = T.run_tool([T.tool("mmdebstrap"), "--variant=minbase", "--mode=root", "--quiet",
                        "bookworm", tar], timeout=1800)
        self.assertEqual(r.rc, 0, r.describe())
        root = self.mkdir("root")
        r = T.run_tool(["tar", "-xf", tar, "-C", root, "--exclude=./dev/*"], timeout=600)
        self.assertEqual(r.rc, 0, r.describe())
        r = T.run_tool(["dpkg-query", "-W", "--admindir=" + os.path.join(root, "var/lib/dpkg"),
                        "-f", "${Package} ${Version} ${Architecture}\n"])
        self.assertEqual(r.rc, 0, r.describe())
        want = sorted(tuple(l.split()) for l in r.stdout.splitlines() if l.strip())
        self.assertGreater(len(want), 50, r.stdout)
        self.assertIn("dpkg", [w[0] for w in want])

        out = os.path.join(self.tmp, "img")
        self.run_distill(["import", tar, "-o", out, "-t", "minbase:12"])
        inspect = self.run_distill(["inspect", "--json", out]).json()
        got = sorted((p["name"], p["version"], p["architecture"])
                     for p in inspect["images"][0]["packages"])
        self.assertEqual(got, want)
        sbom = json.loads(self.run_distill(["sbom", out, "--format", "cyclonedx-json"]).stdout)
        props = lambda c: {p["name"]: p["value"] for p in c.get("properties", [])}  # noqa: E731
        got = sorted((c["name"], c["version"], props(c)["distill:deb:architecture"])
                     for c in sbom["components"] if c.get("purl", "").startswith("pkg:deb/"))
        self.assertEqual(got, want)


if __name__ == "__main__":
    T.main()
