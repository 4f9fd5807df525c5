"""push / pull over HTTPS: a docker-registry with a certificate from a CA the
test generates; trusted only through --ca-cert."""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402


class TlsRegistryTest(R.RegistryTestCase):
    SETUP = "tls"

    def test_push_and_pull_with_the_private_ca(self):
        src, digest = self.layout(archs=("amd64", "arm64"))
        ref = "%s/secure/app:v1" % self.host
        res = self.push(src, ref, "--ca-cert", self.registry.ca_cert)
        self.assert_pushed_line(res, ref, digest)
        out = os.path.join(self.tmp, "pulled")
        self.distill("pull", ref, "-o", out, "--ca-cert", self.registry.ca_cert)
        self.assert_same_layout_content(src, out)
        # The registry really speaks TLS: skopeo, trusting the CA, reads it.
        certs = self.mkdir("certs")
        os.symlink(self.registry.ca_cert, os.path.join(certs, "ca.crt"))
        R.skopeo(self, "inspect", "--cert-dir", certs, "docker://" + ref)

    def test_unknown_ca_is_refused_and_no_plain_http_fallback_happens(self):
        src, _ = self.layout()
        ref = "%s/secure/app:v1" % self.host
        res = self.push(src, ref, expect_rc=1)
        # Loopback allows HTTP, but a TLS registry answers http:// with 400:
        # either way nothing is pushed and the error names the registry.
        self.assertIn(self.host, res.stderr)
        self.assertEqual(self.registry.blob_uploads(), [])

    def test_missing_ca_file_is_an_error(self):
        src, _ = self.layout()
        res = self.push(src, "%s/a:v1" % self.host, "--ca-cert",
                        os.path.join(self.tmp, "nope.pem"), expect_rc=1)
        self.assertIn("nope.pem", res.stderr)

    def test_insecure_skips_verification(self):
        src, digest = self.layout()
        ref = "%s/insecure:v1" % self.host
        res = self.push(src, ref, "--insecure")
        self.assert_pushed_line(res, ref, digest)


if __name__ == "__main__":
    T.main()
