"""`distill scan` end to end: an image built by `distill build` from the
hermetic fixture repository (python3 preset: libssl3 3.0.15-1~deb12u1 from
source openssl), a Security Tracker export written by the test, the report
in every format (SARIF validated against the official 2.1.0 schema), and the
exit codes of --fail-on.
"""

import json
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_sbom_fixture import validate  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
"""

INSTALLED_OPENSSL = "3.0.15-1~deb12u1"


def release(status, fixed=None, urgency="high", nodsa_reason=None):
    r = {"status": status, "repositories": {"bookworm": INSTALLED_OPENSSL}, "urgency": urgency}
    if fixed is not None:
        r["fixed_version"] = fixed
    if nodsa_reason:
        r["nodsa"] = "Minor issue"
        r["nodsa_reason"] = nodsa_reason
    return r


# One record affects the installed openssl, one is fixed in it already, one
# concerns another release, one is keyed by a binary package name (never a
# tracker key: it must not match libssl3).
TRACKER = {
    "openssl": {
        "CVE-2099-0001": {"description": "fixture: affects the image",
                          "releases": {"bookworm": release("resolved", "3.0.15-1~deb12u2", "high**"),
                                       "trixie": release("resolved", "3.0.15-1")}},
        "CVE-2099-0002": {"description": "fixture: fixed already",
                          "releases": {"bookworm": release("resolved", INSTALLED_OPENSSL, "medium")}},
        "CVE-2099-0003": {"releases": {"trixie": release("open")}},
        "CVE-2099-0009": {"releases": {"bookworm": release("resolved", "0", "high")}},
    },
    "libssl3": {"CVE-2099-0004": {"releases": {"bookworm": release("open")}}},
    "chromium-browser": {"CVE-2099-0005": {"releases": []}},
}

# Unfixed issues on glibc for --ignore-unfixed.
EXTRA = {
    "glibc": {
        "CVE-2099-0006": {"releases": {"bookworm": release("open", urgency="low")}},
        "CVE-2099-0007": {"releases": {"bookworm": release("open", urgency="unimportant",
                                                           nodsa_reason="ignored")}},
        "CVE-2099-0008": {"releases": {"bookworm": release("open", urgency="medium*",
                                                           nodsa_reason="postponed")}},
    }
}


class ScanFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)
        self.layout = os.path.join(self.tmp, "image")
        spec = self.write_spec(SPEC)
        self.assert_digest_line(self.run_distill(
            self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f", spec,
                                             "-o", self.layout]))
        self.db = os.path.join(self.tmp, "vulndb.sqlite")

    def import_db(self, *records):
        paths = []
        for i, rec in enumerate(records):
            path = os.path.join(self.tmp, "tracker-%d.json" % i)
            with open(path, "w") as f:
                json.dump(rec, f)
            paths.append(path)
        self.run_distill(["db", "import", "--db", self.db] + paths)
        return paths

    def scan(self, *args, expect_rc=0):
        return self.run_distill(["scan", "--db", self.db, self.layout] + list(args),
                                expect_rc=expect_rc)

    def test_reports_exactly_the_affecting_record(self):
        self.import_db(TRACKER)
        report = self.scan("--format", "json").json()
        self.assertEqual(report["image"]["release"], "bookworm")
        self.assertEqual(len(report["findings"]), 1, json.dumps(report, indent=1))
        f = report["findings"][0]
        self.assertEqual(f["id"], "CVE-2099-0001")
        self.assertEqual(f["source_package"], "openssl")
        self.assertEqual(f["installed_version"], INSTALLED_OPENSSL)
        self.assertEqual(f["fixed_version"], "3.0.15-1~deb12u2")
        self.assertEqual(f["severity"], "high")
        self.assertEqual(f["status"], "fixed")
        self.assertEqual(f["binaries"], ["libssl3"])
        self.assertEqual(report["ignored"], [])
        self.assertFalse(report["database"]["stale"])

        table = self.scan()
        self.assertEqual(table.stderr, "", table.describe())
        row = [l for l in table.stdout.splitlines() if l.startswith("CVE-")]
        self.assertEqual(len(row), 1, table.describe())
        self.assertEqual(row[0].split()[:6], ["CVE-2099-0001", "high", "openssl", INSTALLED_OPENSSL,
                                              "3.0.15-1~deb12u2", "fixed"])

    def test_fail_on_sets_the_exit_code(self):
        self.import_db(TRACKER)
        res = self.scan("--fail-on", "high", expect_rc=3)
        self.assert_one_error(res, "1 finding at or above severity high")
        self.assertIn("CVE-2099-0001", res.stdout)  # the report is still printed
        self.scan("--fail-on", "critical", expect_rc=0)
        self.scan("--fail-on", "medium", "--format", "json", expect_rc=3)
        res = self.scan("--fail-on", "severe", expect_rc=1)
        self.assert_one_error(res, "--fail-on", "severe")

    def test_ignore_file_and_ignore_unfixed(self):
        self.import_db(TRACKER, EXTRA)
        report = self.scan("--format", "json").json()
        got = {f["id"]: (f["status"], f["severity"], f["fixed_version"]) for f in report["findings"]}
        self.assertEqual(got, {
            "CVE-2099-0001": ("fixed", "high", "3.0.15-1~deb12u2"),
            "CVE-2099-0006": ("affected", "low", None),
            "CVE-2099-0007": ("will-not-fix", "negligible", None),
            "CVE-2099-0008": ("fix-deferred", "medium", None),
        })
        glibc = [f for f in report["findings"] if f["source_package"] == "glibc"]
        # The python3 preset keeps libc-bin's ldconfig: both glibc binaries.
        self.assertEqual(glibc[0]["binaries"], ["libc-bin", "libc6"])
        self.assertEqual(glibc[0]["installed_version"], "2.36-9+deb12u4")

        unfixed = self.scan("--format", "json", "--ignore-unfixed").json()
        self.assertEqual([f["id"] for f in unfixed["findings"]], ["CVE-2099-0001"])

        ignore = os.path.join(self.tmp, "ignore.txt")
        with open(ignore, "w") as f:
            f.write("# accepted\nCVE-2099-0001 the service never loads libssl\n")
        res = self.scan("--format", "json", "--ignore-unfixed", "--ignore", ignore,
                        "--fail-on", "low")
        report = res.json()
        self.assertEqual(report["findings"], [])
        self.assertEqual([(i["id"], i["reason"]) for i in report["ignored"]],
                         [("CVE-2099-0001", "the service never loads libssl")])
        table = self.scan("--ignore", ignore).stdout
        self.assertIn("Ignored: CVE-2099-0001 in openssl (the service never loads libssl)", table)

        with open(ignore, "w") as f:
            f.write("CVE-2099-0001\n")
        res = self.scan("--ignore", ignore, expect_rc=1)
        self.assert_one_error(res, ignore + ":1", "no reason")

    def test_sarif_validates(self):
        self.import_db(TRACKER, EXTRA)
        ignore = os.path.join(self.tmp, "ignore.txt")
        with open(ignore, "w") as f:
            f.write("CVE-2099-0006 accepted\n")
        sarif = self.scan("--format", "sarif", "--ignore", ignore).json()
        validate("sarif-2.1.0.schema.json", sarif)
        run = sarif["runs"][0]
        self.assertEqual(run["tool"]["driver"]["name"], "distill")
        results = {r["ruleId"]: r for r in run["results"]}
        self.assertEqual(sorted(results), ["CVE-2099-0001", "CVE-2099-0006", "CVE-2099-0007",
                                           "CVE-2099-0008"])
        self.assertEqual(results["CVE-2099-0001"]["level"], "error")
        self.assertEqual(results["CVE-2099-0008"]["level"], "warning")
        self.assertEqual(results["CVE-2099-0006"]["suppressions"][0]["justification"], "accepted")
        uri = results["CVE-2099-0001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        self.assertEqual(uri, "var/lib/dpkg/status.d/libssl3")

    def test_stale_data_warns(self):
        path = self.import_db(TRACKER)[0]
        old = time.time() - 10 * 86400
        os.utime(path, (old, old))
        self.run_distill(["db", "import", "--db", self.db, path])
        res = self.scan()
        self.assertIn("distill: warning: ", res.stderr)
        self.assertIn("days old", res.stderr)
        status = self.run_distill(["db", "status", "--db", self.db, "--json"]).json()
        self.assertTrue(status["stale"])
        self.assertGreaterEqual(status["age_days"], 9)

    def layer_paths(self):
        blobs = os.path.join(self.layout, "blobs", "sha256")

        def read(digest):
            with open(os.path.join(blobs, digest.split(":")[1])) as f:
                return json.load(f)
        with open(os.path.join(self.layout, "index.json")) as f:
            top = json.load(f)["manifests"][0]
        manifests = read(top["digest"]).get("manifests") or [top]
        return [os.path.join(blobs, l["digest"].split(":")[1])
                for m in manifests for l in read(m["digest"])["layers"]]

    def test_a_second_scan_reads_no_layer(self):
        self.import_db(TRACKER)
        first = self.scan("--format", "json").json()
        self.assertEqual(len(first["findings"]), 1)
        for path in self.layer_paths():
            os.unlink(path)
        res = self.scan("--no-cache", expect_rc=1)
        self.assertIn("distill: error: ", res.stderr)
        self.assertEqual(self.scan("--format", "json").json(), first,
                         "answered from the inventory recorded by the first scan")
        # The SBOM needs the copyright files the scan's record does not hold.
        self.run_distill(["sbom", self.layout], expect_rc=1)

    def test_missing_database_is_one_error(self):
        res = self.scan(expect_rc=1)
        self.assert_one_error(res, self.db, "db import")


if __name__ == "__main__":
    T.main()
