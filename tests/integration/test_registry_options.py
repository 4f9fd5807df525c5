"""Every command that reads an image reaches a registry the same way: against
a docker-registry on 127.0.0.1 with a self-signed certificate and Basic auth,
`inspect`, `scan`, `sbom` and `lint` read a pushed image with --ca-cert (or
--insecure) and the credentials `distill login` stored, and refuse it with one
error line when the certificate is not trusted. `scan --fail-on` exits 3,
distinct from the 1 of an error."""

import io
import json
import os
import sys
import tarfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402

OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' \
             b'VERSION_CODENAME=bookworm\n'
STATUS = b"Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\n" \
         b"Source: openssl\nVersion: 3.0.11-1~deb12u2\n\n"
TRACKER = {"openssl": {"CVE-2099-0100": {
    "description": "a test issue",
    "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.15-1~deb12u1",
                              "urgency": "high", "repositories": {}}}}}}

# Every subcommand that reads an image names --insecure and --ca-cert.
READERS = ["inspect", "lint", "sbom", "scan", "compare", "run", "test", "probe", "import"]


def rootfs_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in (("etc/os-release", OS_RELEASE),
                           ("var/lib/dpkg/status", STATUS)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class RegistryOptionsTest(R.RegistryTestCase):
    SETUP = "selfsigned"

    def setUp(self):
        super().setUp()
        tar = os.path.join(self.tmp, "rootfs.tar")
        with open(tar, "wb") as f:
            f.write(rootfs_tar())
        self.layout_dir = os.path.join(self.tmp, "image")
        self.distill("import", tar, "-o", self.layout_dir, "--platform", "linux/amd64")
        self.cert = self.registry.ca_cert
        self.distill("login", self.host, "-u", R.USER, "--password-stdin", "--ca-cert", self.cert,
                     input_text=R.PASSWORD + "\n")
        self.ref = "%s/team/app:v1" % self.host
        self.push(self.layout_dir, self.ref, "--ca-cert", self.cert)
        self.db = os.path.join(self.tmp, "vulndb.sqlite")
        feed = os.path.join(self.tmp, "tracker.json")
        with open(feed, "w") as f:
            json.dump(TRACKER, f)
        self.distill("db", "import", "--db", self.db, feed)

    def assert_untrusted(self, res: T.RunResult):
        lines = [l for l in res.stderr.splitlines() if l.startswith("distill: error:")]
        self.assertEqual(len(lines), 1, res.describe())
        self.assertIn(self.host, lines[0], res.describe())
        self.assertNotIn(R.PASSWORD, res.stdout + res.stderr)

    def test_inspect_with_the_certificate_or_insecure(self):
        for flags in (["--ca-cert", self.cert], ["--insecure"]):
            res = self.distill("inspect", self.ref, "--json", *flags)
            doc = json.loads(res.stdout)
            self.assertEqual(doc["format"], "registry")
            names = [p["name"] for p in doc["images"][0]["packages"]]
            self.assertEqual(names, ["libssl3"], res.describe())
        self.assert_untrusted(self.distill("inspect", self.ref, expect_rc=1))

    def test_scan_with_the_certificate_and_fail_on(self):
        res = self.distill("scan", self.ref, "--db", self.db, "--format", "json",
                           "--ca-cert", self.cert)
        ids = [f["id"] for f in json.loads(res.stdout)["findings"]]
        self.assertEqual(ids, ["CVE-2099-0100"], res.describe())
        res = self.distill("scan", self.ref, "--db", self.db, "--insecure", "--fail-on", "high",
                           expect_rc=3)
        self.assertIn("CVE-2099-0100", res.stdout)
        self.assert_untrusted(self.distill("scan", self.ref, "--db", self.db, expect_rc=1))

    def test_sbom_and_lint_take_the_same_options(self):
        res = self.distill("sbom", self.ref, "--format", "spdx-json", "--ca-cert", self.cert)
        names = [p["name"] for p in json.loads(res.stdout)["packages"]]
        self.assertIn("libssl3", names)
        res = self.distill("lint", self.ref, "--format", "json", "--ca-cert", self.cert,
                           expect_rc=None)
        report = json.loads(res.stdout)
        self.assertEqual(report["image"], self.ref, res.describe())
        self.assertEqual(len(report["images"]), 1, res.describe())
        self.assert_untrusted(self.distill("lint", self.ref, expect_rc=1))
        self.assert_untrusted(self.distill("sbom", self.ref, "--format", "spdx-json",
                                           expect_rc=1))

    def test_without_credentials_the_registry_refuses(self):
        env_config = os.path.join(self.env()["DOCKER_CONFIG"], "config.json")
        os.remove(env_config)
        res = self.distill("inspect", self.ref, "--ca-cert", self.cert, expect_rc=1)
        self.assertIn("distill login %s" % self.host, res.stderr)

    def test_every_image_reading_command_has_the_options(self):
        for cmd in READERS:
            res = self.distill(cmd, "--help")
            self.assertIn("--insecure", res.stdout, cmd)
            self.assertIn("--ca-cert", res.stdout, cmd)


if __name__ == "__main__":
    T.main()
