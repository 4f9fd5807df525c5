"""`distill db import|update|status`: the Security Tracker samples of
../shared/testdata/debian-security-tracker, OSV records as a folder and as a
zip, downloads from a local HTTP server on 127.0.0.1, and the errors.
"""

import json
import os
import sys
import zipfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_sbom_fixture import shared_testdata  # noqa: E402


def osv_record(cve, release, name, fixed=None, urgency="low"):
    events = [{"introduced": "0"}] + ([{"fixed": fixed}] if fixed else [])
    return {"id": "DEBIAN-" + cve, "modified": "2024-01-01T00:00:00Z", "summary": cve,
            "affected": [{"package": {"ecosystem": "Debian:%s" % release, "name": name},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}],
                          "ecosystem_specific": {"urgency": urgency}}]}


class VulnDbFixtureTest(T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.samples = os.path.join(shared_testdata(), "debian-security-tracker")

    def status(self, *args):
        return self.run_distill(["db", "status", "--json"] + list(args)).json()

    def test_import_tracker_samples_into_the_default_cache(self):
        files = [os.path.join(self.samples, n) for n in ("osv-dev-mock.json",
                                                        "vunnel-fixture.json")]
        res = self.run_distill(["db", "import"] + files)
        db = os.path.join(self.cache_dir, "vulndb.sqlite")
        self.assertIn(db, res.stdout)
        st = self.status()
        self.assertEqual(st["path"], db)
        self.assertEqual(st["sources"], files)
        # 20 + 21 (release, package, issue) rows; the empty `releases` adds none.
        self.assertEqual(st["advisories"], 41)
        self.assertEqual(st["issues"], 4 + 5)
        self.assertEqual(st["source_packages"], 2 + 4)
        self.assertEqual(st["releases"]["bookworm"], 4 + 1)
        self.assertFalse(st["stale"])
        text = self.run_distill(["db", "status"]).stdout
        self.assertIn("Source:", text)
        self.assertIn("Data date:", text)
        self.assert_no_temp_files(self.cache_dir)

    def test_import_osv_folder_and_zip(self):
        folder = self.mkdir("osv", "deep")
        with open(os.path.join(folder, "a.json"), "w") as f:
            json.dump(osv_record("CVE-2099-1", "12", "zlib", "1:1.3-1"), f)
        with open(os.path.join(folder, "notes.txt"), "w") as f:
            f.write("not a record")
        z = os.path.join(self.tmp, "osv.zip")
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("DEBIAN-CVE-2099-2.json", json.dumps(osv_record("CVE-2099-2", "13", "curl")))
            zf.writestr("DEBIAN-CVE-2099-3.json",
                        json.dumps(osv_record("CVE-2099-3", "12", "curl", "8.0-1")))
        db = os.path.join(self.tmp, "db", "v.sqlite")
        self.run_distill(["db", "import", "--db", db, os.path.join(self.tmp, "osv"), z])
        st = self.status("--db", db)
        self.assertEqual(st["advisories"], 3)
        self.assertEqual(st["releases"], {"bookworm": 2, "trixie": 1})

    def test_update_downloads_from_a_local_server(self):
        root = self.mkdir("www")
        with open(os.path.join(self.samples, "osv-dev-mock.json"), "rb") as f:
            data = f.read()
        with open(os.path.join(root, "tracker.json"), "wb") as f:
            f.write(data)
        srv = self.serve(root)
        url = srv.url + "/tracker.json"
        self.run_distill(["db", "update", "--url", url])
        st = self.status()
        self.assertEqual(st["sources"], [url])
        self.assertEqual(st["advisories"], 20)
        self.assertEqual(st["age_days"], 0)
        # The URL may come from the environment too.
        self.run_distill(["db", "update"], env={"DISTILL_VULNDB_URL": url})
        # A failed download keeps the old database.
        res = self.run_distill(["db", "update", "--url", srv.url + "/missing.json"], expect_rc=1)
        self.assert_one_error(res, "missing.json", "404")
        self.assertEqual(self.status()["advisories"], 20)
        res = self.run_distill(["db", "update"], expect_rc=1)
        self.assert_one_error(res, "--url")
        res = self.run_distill(["--offline", "db", "update", "--url", url], expect_rc=1)
        self.assert_one_error(res, "--offline")

    def test_bad_input_is_one_error_and_keeps_the_old_database(self):
        good = os.path.join(self.samples, "osv-dev-mock.json")
        self.run_distill(["db", "import", good])
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump({"zlib": {"CVE-1": {"releases": {"bookworm": {"status": "bogus"}}}}}, f)
        res = self.run_distill(["db", "import", good, bad], expect_rc=1)
        self.assert_one_error(res, bad, "zlib", "CVE-1", "bogus")
        self.assertEqual(self.status()["advisories"], 20)
        with open(bad, "w") as f:
            f.write("{")
        res = self.run_distill(["db", "import", bad], expect_rc=1)
        self.assert_one_error(res, bad, "JSON")
        self.assert_no_temp_files(self.cache_dir)
        res = self.run_distill(["db", "status", "--db", os.path.join(self.tmp, "none")],
                               expect_rc=1)
        self.assert_one_error(res, "db import")


if __name__ == "__main__":
    T.main()
