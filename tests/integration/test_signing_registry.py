"""Image signatures against a docker-registry on 127.0.0.1.

`distill key generate` writes cosign's key formats; `distill sign` writes a
sigstore signature to the image's `sha256-<hex>.sig` tag; `distill verify`
and `distill pull --verify-key` check one, naming the check that failed.

External judges: openssl verifies the ECDSA signatures over the payloads
with our public keys and reads our keys; an independent Go program
(judges/cosign_key.go, on golang.org/x/crypto's scrypt and nacl/secretbox
as cosign is) decrypts our encrypted key files and writes ones distill must
read. Debian's skopeo 1.9.3 cannot judge sigstore signatures: Debian built
it with sigstore support removed ("Debian-local change: sigstore disabled"
for both `--sign-by-sigstore-private-key` and `sigstoreSigned` policies).
"""

import base64
import json
import os
import stat
import subprocess
import sys
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
JUDGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "judges", "cosign_key.go")
PASSWORD = "correct horse battery staple"
EXIT_CHECK_FAILED = 3


class SigningTest(R.RegistryTestCase):

    def setUp(self):
        super().setUp()
        self.password = PASSWORD

    def env(self):
        e = super().env()
        e.pop("COSIGN_PASSWORD", None)
        e.pop("DISTILL_KEY_PASSWORD", None)
        if self.password is not None:
            e["DISTILL_KEY_PASSWORD"] = self.password
        return e

    # -- helpers ------------------------------------------------------------

    def keygen(self, name="cosign"):
        prefix = os.path.join(self.tmp, name)
        self.distill("key", "generate", "--output-key-prefix", prefix)
        return prefix + ".key", prefix + ".pub"

    def pushed(self, repo, tag="v1", seed="s"):
        src, digest = self.layout(name="src-%s-%s-%s" % (repo.replace("/", "_"), tag, seed),
                                  seed=seed)
        ref = "%s/%s:%s" % (self.host, repo, tag)
        self.push(src, ref)
        return src, ref, digest

    def openssl_verify(self, pub, payload: bytes, signature_b64: str):
        sig = os.path.join(self.tmp, "sig.der")
        data = os.path.join(self.tmp, "payload.json")
        with open(sig, "wb") as f:
            f.write(base64.b64decode(signature_b64))
        with open(data, "wb") as f:
            f.write(payload)
        R.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig, data])

    def go_judge(self, *args) -> str:
        """Builds (once) and runs judges/cosign_key.go; returns its stdout."""
        binary = os.path.join(self.tmp, "cosign_key")
        if not os.path.exists(binary):
            T.tool("go")
            env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
                       GOCACHE=os.path.join(self.tmp, "gocache"), GOFLAGS="")
            p = subprocess.run(["go", "build", "-o", binary, JUDGE], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        return R.run([binary] + list(args)).decode()

    def http(self, method, path, body=None, content_type=None):
        req = urllib.request.Request("http://%s/v2/%s" % (self.host, path), data=body,
                                     method=method)
        req.add_header("Accept", MANIFEST)
        if content_type:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def sig_manifest(self, repo, digest):
        tag = digest.replace(":", "-") + ".sig"
        return json.loads(self.http("GET", "%s/manifests/%s" % (repo, tag)))

    def put_sig_manifest(self, repo, digest, manifest):
        tag = digest.replace(":", "-") + ".sig"
        self.http("PUT", "%s/manifests/%s" % (repo, tag),
                  json.dumps(manifest).encode(), MANIFEST)

    def verify(self, ref, pub, expect_rc=0):
        return self.distill("verify", ref, "--key", pub, expect_rc=expect_rc)

    # -- keys ---------------------------------------------------------------

    def test_key_generate_writes_cosign_formats_private_key_0600(self):
        key, pub = self.keygen()
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        with open(key) as f:
            text = f.read()
        self.assertTrue(text.startswith("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"), text)
        body = base64.b64decode("".join(text.strip().splitlines()[1:-1]))
        j = json.loads(body)
        self.assertEqual(j["kdf"]["name"], "scrypt")
        self.assertEqual(j["kdf"]["params"], {"N": 32768, "r": 8, "p": 1})
        self.assertEqual(len(base64.b64decode(j["kdf"]["salt"])), 32)
        self.assertEqual(j["cipher"]["name"], "nacl/secretbox")
        self.assertEqual(len(base64.b64decode(j["cipher"]["nonce"])), 24)
        self.assertNotIn(PASSWORD, text)
        # The public key is a PKIX P-256 key openssl reads.
        out = R.run(["openssl", "pkey", "-pubin", "-in", pub, "-noout", "-text"]).decode()
        self.assertIn("prime256v1", out)
        # Never overwritten.
        res = self.distill("key", "generate", "--output-key-prefix",
                           os.path.join(self.tmp, "cosign"), expect_rc=T.NONZERO)
        self.assertIn("exists already", res.stderr)

    def test_key_generate_needs_a_passphrase_and_sign_refuses_a_wrong_one(self):
        self.password = None
        res = self.distill("key", "generate", "--output-key-prefix",
                           os.path.join(self.tmp, "k"), expect_rc=1)
        self.assertIn("needs a passphrase", res.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "k.key")))
        self.password = ""
        res = self.distill("key", "generate", "--output-key-prefix",
                           os.path.join(self.tmp, "k"), expect_rc=1)
        self.assertIn("empty passphrase", res.stderr)
        self.password = PASSWORD
        key, _ = self.keygen()
        _, ref, _ = self.pushed("team/app")
        self.password = "not the passphrase"
        res = self.distill("sign", ref, "--key", key, expect_rc=1)
        self.assertIn("wrong passphrase", res.stderr)
        self.assertEqual(len(res.error_lines()), 1, res.describe())
        self.assertNotIn(PASSWORD, res.stderr + res.stdout)
        # --passphrase-file: its first line.
        pf = os.path.join(self.tmp, "pass.txt")
        with open(pf, "w") as f:
            f.write(PASSWORD + "\nignored\n")
        self.distill("sign", ref, "--key", key, "--passphrase-file", pf)

    def test_sign_reads_a_plain_pkcs8_key(self):
        key = os.path.join(self.tmp, "plain.key")
        pub = os.path.join(self.tmp, "plain.pub")
        R.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
               "-out", key])
        R.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub])
        _, ref, digest = self.pushed("team/app")
        self.distill("sign", ref, "--key", key)
        res = self.verify(ref, pub)
        self.assertEqual(res.stdout.strip(), "%s/team/app@%s" % (self.host, digest))

    # -- distill's signatures ----------------------------------------------

    def test_sign_writes_cosigns_layout_verify_refuses_unsigned_and_moved_tag(self):
        key, pub = self.keygen()
        _, ref, digest = self.pushed("team/app")
        res = self.distill("sign", ref, "--key", key)
        self.assertEqual(res.stdout.strip(), "%s/team/app@%s" % (self.host, digest))
        m = self.sig_manifest("team/app", digest)
        self.assertEqual(m["mediaType"], MANIFEST)
        self.assertEqual(len(m["layers"]), 1)
        layer = m["layers"][0]
        self.assertEqual(layer["mediaType"], SIMPLE_SIGNING)
        payload = json.loads(self.http("GET", "team/app/blobs/" + layer["digest"]))
        self.assertEqual(payload["critical"], {
            "identity": {"docker-reference": "%s/team/app" % self.host},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature"})
        self.assertIsNone(payload["optional"])
        config = json.loads(self.http("GET", "team/app/blobs/" + m["config"]["digest"]))
        self.assertEqual(config["rootfs"], {"type": "layers", "diff_ids": [layer["digest"]]})
        # openssl agrees the annotation is an ECDSA-SHA256 signature of the payload.
        blob = self.http("GET", "team/app/blobs/" + layer["digest"])
        self.openssl_verify(pub, blob, layer["annotations"][SIG_ANNOTATION])
        self.verify(ref, pub)

        _, unsigned, _ = self.pushed("team/other")
        res = self.verify(unsigned, pub, expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("no signature", res.stderr)

        # The tag moves to another manifest: its signature does not follow.
        _, moved, moved_digest = self.pushed("team/app", seed="other")
        self.assertEqual(moved, ref)
        self.assertNotEqual(moved_digest, digest)
        res = self.verify(ref, pub, expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("no signature", res.stderr)
        # The first image, by digest, still verifies.
        self.verify("%s/team/app@%s" % (self.host, digest), pub)

    def test_pull_verify_key_refuses_unsigned_before_writing(self):
        key, pub = self.keygen()
        src, ref, digest = self.pushed("team/app")
        self.distill("sign", ref, "--key", key)
        out = os.path.join(self.tmp, "pulled")
        self.distill("pull", ref, "-o", out, "--verify-key", pub)
        self.assert_same_layout_content(src, out)
        _, unsigned, _ = self.pushed("team/other")
        out2 = os.path.join(self.tmp, "refused")
        res = self.distill("pull", unsigned, "-o", out2, "--verify-key", pub,
                           expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("no valid signature", res.stderr)
        self.assertEqual(len(res.error_lines()), 1, res.describe())
        self.assertFalse(os.path.exists(out2))

    # -- tampering ---------------------------------------------------------

    def test_verify_names_the_check_that_failed(self):
        key, pub = self.keygen()
        _, other_pub = self.keygen("other")
        _, ref, digest = self.pushed("team/app")
        self.distill("sign", ref, "--key", key)
        good = self.sig_manifest("team/app", digest)

        # Another public key.
        res = self.verify(ref, other_pub, expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("signature 1: signature does not verify with the public key", res.stderr)

        # The signature altered.
        bad = json.loads(json.dumps(good))
        der = bytearray(base64.b64decode(bad["layers"][0]["annotations"][SIG_ANNOTATION]))
        der[-1] ^= 1
        bad["layers"][0]["annotations"][SIG_ANNOTATION] = base64.b64encode(bytes(der)).decode()
        self.put_sig_manifest("team/app", digest, bad)
        res = self.verify(ref, pub, expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("signature 1: signature does not verify", res.stderr)
        bad["layers"][0]["annotations"][SIG_ANNOTATION] = "not base64!"
        self.put_sig_manifest("team/app", digest, bad)
        res = self.verify(ref, pub, expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("bad signature", res.stderr)
        self.put_sig_manifest("team/app", digest, good)
        self.verify(ref, pub)

        # A valid signature of another manifest, placed under this one's tag.
        _, ref2, digest2 = self.pushed("team/app", tag="v2", seed="two")
        self.put_sig_manifest("team/app", digest2, good)
        res = self.verify(ref2, pub, expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("digest mismatch: signed for %s, the image is %s" % (digest, digest2),
                      res.stderr)

        # The same image and signature copied to another repository.
        self.push(self.layout(name="same")[0], "%s/team/copy:v1" % self.host)
        for d in [good["config"]["digest"]] + [l["digest"] for l in good["layers"]]:
            self.http("POST", "team/copy/blobs/uploads/?mount=%s&from=team/app" % d, b"")
        self.put_sig_manifest("team/copy", digest, good)
        res = self.verify("%s/team/copy:v1" % self.host, pub, expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("reference mismatch: signed for %s/team/app, not %s/team/copy"
                      % (self.host, self.host), res.stderr)

    # -- key files judged by an independent implementation ------------------

    def test_go_reads_distills_key_and_distill_reads_gos(self):
        key, pub = self.keygen()
        pf = os.path.join(self.tmp, "pass.txt")
        with open(pf, "w") as f:
            f.write(PASSWORD + "\n")
        with open(pub) as f:
            self.assertEqual(self.go_judge("decrypt", key, pf), f.read())

        go_key = os.path.join(self.tmp, "go.key")
        go_pub = os.path.join(self.tmp, "go.pub")
        with open(go_pub, "w") as f:
            f.write(self.go_judge("encrypt", pf, go_key))
        _, ref, digest = self.pushed("team/app")
        self.distill("sign", ref, "--key", go_key, "--passphrase-file", pf)
        self.verify(ref, go_pub)

        # A second signature is added beside the first, which is kept.
        first = self.sig_manifest("team/app", digest)
        self.distill("sign", ref, "--key", key)
        both = self.sig_manifest("team/app", digest)
        self.assertEqual(len(both["layers"]), 2)
        self.assertEqual(both["layers"][0], first["layers"][0])
        layer = both["layers"][1]
        self.openssl_verify(pub, self.http("GET", "team/app/blobs/" + layer["digest"]),
                            layer["annotations"][SIG_ANNOTATION])
        res = self.verify(ref, pub)
        self.assertIn("signature 1: signature does not verify", res.stderr)
        self.assertIn("verified signature 2 of 2", res.stderr)
        self.verify(ref, go_pub)
        # Signing again adds a layer: ECDSA signatures are randomised.
        self.distill("sign", ref, "--key", key)
        self.assertEqual(len(self.sig_manifest("team/app", digest)["layers"]), 3)


if __name__ == "__main__":
    T.main()
