"""`distill scan --vex`: OpenVEX 0.2.0 statements suppress exactly the named
vulnerability for the named product. The image is imported from a root
filesystem tar holding two Debian packages (openssl's libssl3, glibc's libc6),
a Python distribution and an npm package; the database holds a Security
Tracker export written here and the OSV fixtures of testdata/osv-lang. Every
VEX document the test writes is validated against testdata/schemas'
OpenVEX schema first, and the SARIF against the official 2.1.0 schema.
"""

import io
import json
import os
import sys
import tarfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_sbom_fixture import validate  # noqa: E402

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")
OSV_DIR = os.path.join(TESTDATA, "osv-lang")
OPENSSL = "3.0.15-1~deb12u1"


def bookworm(status, fixed=None, urgency="high"):
    r = {"status": status, "repositories": {"bookworm": OPENSSL}, "urgency": urgency}
    if fixed is not None:
        r["fixed_version"] = fixed
    return r


# CVE-2099-0001 affects openssl and glibc (the same id for two products);
# CVE-2099-0002 is another issue of openssl.
TRACKER = {
    "openssl": {
        "CVE-2099-0001": {"releases": {"bookworm": bookworm("resolved", "3.0.15-1~deb12u2")}},
        "CVE-2099-0002": {"releases": {"bookworm": bookworm("open", urgency="medium")}},
    },
    "glibc": {"CVE-2099-0001": {"releases": {"bookworm": bookworm("open", urgency="low")}}},
}

ALL = {("CVE-2099-0001", "openssl"), ("CVE-2099-0001", "glibc"), ("CVE-2099-0002", "openssl"),
       ("PYSEC-2099-1", "Fixture_Web"), ("GHSA-fix1-npm1-0001", "@fixture/merge")}


def validate_openvex(test, doc):
    import jsonschema  # python3-jsonschema; missing is an error, never a skip
    with open(os.path.join(TESTDATA, "schemas", "openvex-0.2.0.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]
    test.assertEqual(errors, [], json.dumps(doc, indent=1))


def vex_document(*statements, timestamp="2099-02-01T00:00:00Z"):
    return {"@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://vex.invalid/distill-fixture/%d" % len(statements),
            "author": "distill fixture", "timestamp": timestamp, "version": 1,
            "statements": list(statements)}


def statement(vuln, products, status, timestamp=None, **extra):
    s = {"vulnerability": {"name": vuln}, "products": products, "status": status}
    if status == "not_affected" and "impact_statement" not in extra:
        s["justification"] = "vulnerable_code_not_in_execute_path"
    if status == "affected":
        s["action_statement"] = "upgrade"
    if timestamp:
        s["timestamp"] = timestamp
    s.update(extra)
    return s


class ScanVexFixtureTest(T.DistillTestCase):

    def setUp(self):
        super().setUp()
        files = {
            "etc/os-release": 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
            "var/lib/dpkg/status.d/libssl3": "Package: libssl3\nSource: openssl\nVersion: %s\n"
                                             "Architecture: amd64\n" % OPENSSL,
            "var/lib/dpkg/status.d/libc6": "Package: libc6\nSource: glibc\nVersion: %s\n"
                                           "Architecture: amd64\n" % OPENSSL,
            "app/lib/python3.11/site-packages/Fixture_Web-1.2.0.dist-info/METADATA":
                "Metadata-Version: 2.1\nName: Fixture_Web\nVersion: 1.2.0\n",
            "srv/web/node_modules/@fixture/merge/package.json":
                json.dumps({"name": "@fixture/merge", "version": "1.9.9"}),
            "srv/web/package-lock.json": json.dumps(
                {"name": "web", "lockfileVersion": 3,
                 "packages": {"": {"name": "web"},
                              "node_modules/@fixture/merge": {"version": "1.9.9"}}}),
        }
        tar = os.path.join(self.tmp, "rootfs.tar")
        with tarfile.open(tar, "w") as t:
            for path in sorted(files):
                data = files[path].encode()
                info = tarfile.TarInfo("./" + path)
                info.size, info.mode = len(data), 0o644
                t.addfile(info, io.BytesIO(data))
        self.layout = os.path.join(self.tmp, "image")
        self.run_distill(["import", tar, "-o", self.layout, "--platform", "linux/amd64"])
        self.db = os.path.join(self.tmp, "vulndb.sqlite")
        tracker = os.path.join(self.tmp, "tracker.json")
        with open(tracker, "w") as f:
            json.dump(TRACKER, f)
        self.run_distill(["db", "import", "--db", self.db, tracker, OSV_DIR])
        report = self.scan("--format", "json").json()
        self.digest = report["image"]["digest"]
        self.image_purl = "pkg:oci/image@" + self.digest.replace(":", "%3A") + \
            "?repository_url=registry.invalid%2Fimage"

    def scan(self, *args, expect_rc=0):
        return self.run_distill(["scan", "--db", self.db, "--cache-dir", self.cache_dir,
                                 self.layout] + list(args), expect_rc=expect_rc)

    def write_vex(self, name, doc):
        validate_openvex(self, doc)
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def scan_vex(self, *docs, args=()):
        vex_args = []
        for i, doc in enumerate(docs):
            vex_args += ["--vex", self.write_vex("vex-%d.json" % i, doc)]
        report = self.scan("--format", "json", *vex_args, *args).json()
        found = {(f["id"], f["source_package"]) for f in report["findings"]}
        suppressed = {(f["id"], f["source_package"]): f["vex"] for f in report["suppressed"]}
        self.assertEqual(found | set(suppressed), ALL, "nothing lost, nothing added")
        self.assertFalse(found & set(suppressed))
        return found, suppressed

    def test_without_vex_every_finding_is_reported(self):
        found, suppressed = self.scan_vex()
        self.assertEqual(found, ALL)
        self.assertEqual(suppressed, {})

    def test_suppresses_exactly_the_named_cve_for_the_named_product(self):
        doc = vex_document(statement(
            "CVE-2099-0001",
            [{"@id": self.image_purl,
              "subcomponents": [{"@id": "pkg:deb/debian/openssl@%s?distro=debian-12" % OPENSSL}]}],
            "not_affected"))
        found, suppressed = self.scan_vex(doc)
        self.assertEqual(set(suppressed), {("CVE-2099-0001", "openssl")})
        self.assertIn(("CVE-2099-0001", "glibc"), found, "the same CVE in another package stays")
        self.assertIn(("CVE-2099-0002", "openssl"), found, "another CVE of openssl stays")
        vex = suppressed[("CVE-2099-0001", "openssl")]
        self.assertEqual(vex["status"], "not_affected")
        self.assertEqual(vex["justification"], "vulnerable_code_not_in_execute_path")
        self.assertEqual(vex["product"], self.image_purl)
        self.assertEqual(vex["statement"], 0)
        self.assertTrue(vex["document"].endswith("vex-0.json"))

        table = self.scan("--vex", os.path.join(self.tmp, "vex-0.json")).stdout
        self.assertIn("Suppressed: CVE-2099-0001 in openssl (VEX not_affected: "
                      "vulnerable_code_not_in_execute_path", table)
        self.assertEqual([l.split()[:3] for l in table.splitlines() if l.startswith("CVE-2099-0001")],
                         [["CVE-2099-0001", "low", "glibc"]])

    def test_another_image_suppresses_nothing(self):
        other = "pkg:oci/image@sha256%3A" + "0" * 64
        doc = vex_document(statement("CVE-2099-0001", [{"@id": other}], "not_affected"),
                           statement("CVE-2099-0002", [{"@id": other}], "fixed"))
        _, suppressed = self.scan_vex(doc)
        self.assertEqual(suppressed, {})

    def test_the_image_alone_covers_its_packages_and_language_packages_match(self):
        doc = vex_document(
            statement("CVE-2099-0001", [{"@id": self.image_purl}], "fixed"),
            statement("PYSEC-2099-1", [{"@id": "pkg:pypi/fixture-web@1.2.0"}], "not_affected",
                      impact_statement="the fixture never parses requests"),
            statement("GHSA-fix1-npm1-0001",
                      [{"@id": "pkg:oci/image@" + self.digest,
                        "subcomponents": [{"@id": "pkg:npm/%40fixture/merge@1.9.9"}]}],
                      "not_affected"),
            # Another version of the Python package: not this image's.
            statement("PYSEC-2099-1", [{"@id": "pkg:pypi/fixture-web@2.1.0"}], "affected",
                      timestamp="2099-03-01T00:00:00Z"))
        found, suppressed = self.scan_vex(doc)
        self.assertEqual(found, {("CVE-2099-0002", "openssl")})
        self.assertEqual(suppressed[("CVE-2099-0001", "glibc")]["status"], "fixed")
        self.assertEqual(suppressed[("PYSEC-2099-1", "Fixture_Web")]["impact_statement"],
                         "the fixture never parses requests")
        self.assertEqual(suppressed[("GHSA-fix1-npm1-0001", "@fixture/merge")]["statement"], 2)

    def test_affected_and_under_investigation_suppress_nothing(self):
        doc = vex_document(
            statement("CVE-2099-0001", [{"@id": "pkg:deb/debian/openssl"}], "affected"),
            statement("CVE-2099-0002", [{"@id": self.image_purl}], "under_investigation"),
            statement("PYSEC-2099-1", [{"@id": "pkg:pypi/fixture-web"}], "under_investigation"))
        _, suppressed = self.scan_vex(doc)
        self.assertEqual(suppressed, {})

    def test_a_later_statement_overrides_an_earlier_one(self):
        ssl = [{"@id": "pkg:deb/debian/openssl"}]
        first = vex_document(
            statement("CVE-2099-0001", ssl, "not_affected", timestamp="2099-02-01T00:00:00Z"),
            statement("CVE-2099-0001", ssl, "affected", timestamp="2099-02-02T00:00:00Z"))
        _, suppressed = self.scan_vex(first)
        self.assertEqual(suppressed, {}, "affected on 2 Feb overrides not_affected on 1 Feb")
        # In time, not in reading order: a second file with an older statement loses...
        older = vex_document(
            statement("CVE-2099-0001", ssl, "not_affected", timestamp="2099-01-15T00:00:00Z"))
        _, suppressed = self.scan_vex(first, older)
        self.assertEqual(suppressed, {})
        # ...and one with a newer statement wins.
        newer = vex_document(
            statement("CVE-2099-0001", ssl, "fixed", timestamp="2099-02-03T00:00:00Z"))
        _, suppressed = self.scan_vex(first, newer)
        self.assertEqual(set(suppressed), {("CVE-2099-0001", "openssl")})
        self.assertEqual(suppressed[("CVE-2099-0001", "openssl")]["status"], "fixed")

    def test_fail_on_honours_vex(self):
        # Highs without VEX: openssl's CVE-2099-0001 and the PyPI record.
        res = self.scan("--fail-on", "high", expect_rc=3)
        self.assert_one_error(res, "2 findings at or above severity high")
        vex = self.write_vex("vex.json", vex_document(
            statement("CVE-2099-0001", [{"@id": "pkg:deb/debian/openssl"}], "not_affected"),
            statement("PYSEC-2099-1", [{"@id": "pkg:pypi/Fixture_Web"}], "fixed")))
        res = self.scan("--fail-on", "high", "--vex", vex, "--format", "json", expect_rc=0)
        self.assertEqual(res.json()["failing"], 0)
        self.assertEqual(len(res.json()["suppressed"]), 2)
        # What VEX leaves (CVE-2099-0002, medium) still fails a lower threshold.
        res = self.scan("--fail-on", "medium", "--vex", vex, expect_rc=3)
        self.assert_one_error(res, "2 findings at or above severity medium")

    def test_sarif_carries_accepted_suppressions(self):
        vex = self.write_vex("vex.json", vex_document(
            statement("CVE-2099-0001", [{"@id": "pkg:deb/debian/libssl3"}], "not_affected")))
        sarif = self.scan("--format", "sarif", "--vex", vex).json()
        validate("sarif-2.1.0.schema.json", sarif)
        results = [(r["ruleId"], r["properties"]["sourcePackage"], r.get("suppressions"))
                   for r in sarif["runs"][0]["results"]]
        suppressed = [r for r in results if r[2]]
        self.assertEqual(len(results), len(ALL))
        self.assertEqual(len(suppressed), 1, results)
        rule, package, suppressions = suppressed[0]
        self.assertEqual((rule, package), ("CVE-2099-0001", "openssl"))
        self.assertEqual(suppressions[0]["kind"], "external")
        self.assertEqual(suppressions[0]["status"], "accepted")
        self.assertIn("not_affected: vulnerable_code_not_in_execute_path",
                      suppressions[0]["justification"])

    def test_invalid_vex_is_one_error_naming_file_and_statement(self):
        path = os.path.join(self.tmp, "bad.json")
        doc = vex_document(statement("CVE-2099-0001", [{"@id": self.image_purl}], "fixed"),
                           {"vulnerability": {"name": "CVE-2099-0002"}, "status": "not_affected"})
        with open(path, "w") as f:
            json.dump(doc, f)
        res = self.scan("--vex", path, expect_rc=1)
        self.assert_one_error(res, path + ": statement 1", "justification")
        with open(path, "w") as f:
            json.dump(dict(doc, **{"@context": "https://openvex.dev/ns/v0.0.1"}), f)
        res = self.scan("--vex", path, expect_rc=1)
        self.assert_one_error(res, path, "@context", "v0.2.0")
        res = self.scan("--vex", os.path.join(self.tmp, "missing.json"), expect_rc=1)
        self.assert_one_error(res, "missing.json")


if __name__ == "__main__":
    T.main()
