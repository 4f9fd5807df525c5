"""`distill attest` and the attestation checks of `distill verify`, against a
docker-registry on 127.0.0.1 and an image built from the fixture mirror with
a lockfile.

Docker Distribution 2.8 has no referrers API: the envelopes are found through
cosign's `sha256-<hex>.att` tag, which is what verify reads. Each tamper test
changes one thing and expects verify to fail with exit 3 and a line naming
the check. openssl checks our DSSE signatures over the PAE and makes the
re-signed statements; JSON Schemas from the specifications
(testdata/schemas) judge the statements.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402
from test_attestation_schemas import errors as schema_errors  # noqa: E402

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DSSE = "application/vnd.dsse.envelope.v1+json"
INTOTO = "application/vnd.in-toto+json"
SLSA = "https://slsa.dev/provenance/v1"
SPDX = "https://spdx.dev/Document"
CDX = "https://cyclonedx.org/bom"
EXIT_CHECK_FAILED = 3

SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
files:
  - {src: app/, dst: /app}
"""
APP_FILES = {"hello.txt": b"hello from the app\n", "data/config.json": b'{"answer": 42}\n'}


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


class AttestRegistryTest(T.BuildTestMixin, R.RegistryTestCase, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.mirror = self.serve(self.make_image_repo())
        self.spec = self.write_spec(SPEC)
        for rel, data in APP_FILES.items():
            path = os.path.join(os.path.dirname(self.spec), "app", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        self.lock_path = os.path.join(self.tmp, "distill.lock")
        self.key, self.pub = self.openssl_key("k1")
        self.ref, self.digest = self.build_and_push("app")

    def env(self):
        e = super().env()
        e["DISTILL_KEY_PASSWORD"] = "attest passphrase"
        return e

    # -- helpers ------------------------------------------------------------

    def openssl_key(self, name):
        key = os.path.join(self.tmp, name + ".pem")
        pub = os.path.join(self.tmp, name + ".pub")
        R.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
               "-out", key])
        R.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub])
        return key, pub

    def fixture_distill(self, *args, expect_rc=0):
        return self.run_distill(self.mirror_args(self.mirror) + ["--cache-dir", self.cache_dir] +
                                list(args), expect_rc=expect_rc)

    def build_and_push(self, repo):
        self.fixture_distill("lock", "-f", self.spec, "-o", self.lock_path)
        out = os.path.join(self.tmp, "out-" + repo)
        self.fixture_distill("build", "-f", self.spec, "--lock", self.lock_path, "-o", out)
        ref = "%s/%s:v1" % (self.host, repo)
        res = self.push(out, ref)
        digest = res.stdout.strip().split("@")[-1]
        self.assertRegex(digest, T.DIGEST_RE, res.describe())
        return ref, digest

    def attest(self, key=None, ref=None):
        return self.distill("attest", ref or self.ref, "--key", key or self.key, "--lock",
                            self.lock_path, "--spec", self.spec)

    def sign(self, key=None):
        self.distill("sign", self.ref, "--key", key or self.key)

    def verify(self, *extra, pub=None, expect_rc=0):
        return self.distill("verify", self.ref, "--key", pub or self.pub, *extra,
                            expect_rc=expect_rc)

    def http(self, method, path, body=None, content_type=None, accept=MANIFEST):
        import urllib.request
        req = urllib.request.Request("http://%s/v2/%s" % (self.host, path), data=body,
                                     method=method)
        req.add_header("Accept", accept)
        if content_type:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def att_tag(self, digest=None):
        return (digest or self.digest).replace(":", "-") + ".att"

    def att_manifest(self, repo="app"):
        return json.loads(self.http("GET", "%s/manifests/%s" % (repo, self.att_tag())))

    def blob(self, digest, repo="app"):
        return self.http("GET", "%s/blobs/%s" % (repo, digest), accept="*/*")

    def put_blob(self, data: bytes, repo="app") -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        loc = None
        import urllib.request
        req = urllib.request.Request("http://%s/v2/%s/blobs/uploads/" % (self.host, repo),
                                     data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            loc = r.headers["Location"]
        sep = "&" if "?" in loc else "?"
        url = loc if loc.startswith("http") else "http://%s%s" % (self.host, loc)
        req = urllib.request.Request(url + sep + "digest=" + digest, data=data, method="PUT")
        req.add_header("Content-Type", "application/octet-stream")
        urllib.request.urlopen(req, timeout=30).read()
        return digest

    def envelopes(self):
        out = []
        for layer in self.att_manifest()["layers"]:
            env = json.loads(self.blob(layer["digest"]))
            out.append((layer, env, json.loads(base64.b64decode(env["payload"]))))
        return out

    def openssl_sign(self, key, data: bytes) -> bytes:
        path = os.path.join(self.tmp, "to-sign")
        with open(path, "wb") as f:
            f.write(data)
        return R.run(["openssl", "dgst", "-sha256", "-sign", key, path])

    def replace_statement(self, predicate_type, change, key):
        """Rewrites the .att layer of `predicate_type`: its statement changed by
        `change` and signed by `key` over the PAE."""
        m = self.att_manifest()
        for layer in m["layers"]:
            if layer["annotations"]["predicateType"] != predicate_type:
                continue
            env = json.loads(self.blob(layer["digest"]))
            statement = json.loads(base64.b64decode(env["payload"]))
            change(statement)
            payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
            sig = self.openssl_sign(key, pae(INTOTO, payload))
            env = {"payload": base64.b64encode(payload).decode(), "payloadType": INTOTO,
                   "signatures": [{"sig": base64.b64encode(sig).decode()}]}
            data = json.dumps(env).encode()
            layer["digest"] = self.put_blob(data)
            layer["size"] = len(data)
        self.http("PUT", "app/manifests/%s" % self.att_tag(), json.dumps(m).encode(), MANIFEST)

    def assert_check_failed(self, res, *needles):
        lines = [ln for ln in res.stderr.splitlines() if ln.startswith("distill: error: ")]
        self.assertTrue(lines, res.describe())
        for n in needles:
            self.assertTrue(any(n in ln for ln in lines), "no line with %r\n%s" %
                            (n, res.describe()))

    # -- attest -------------------------------------------------------------

    def test_attest_writes_signed_statements_on_the_att_tag_and_as_referrers(self):
        res = self.attest()
        lines = res.stdout.splitlines()
        self.assertEqual([ln.split(" ")[0] for ln in lines], [SLSA, SPDX, CDX], res.describe())
        for ln in lines:
            self.assertTrue(ln.endswith(":" + self.att_tag()), ln)
        envs = self.envelopes()
        self.assertEqual([lay["annotations"]["predicateType"] for lay, _, _ in envs],
                         [SLSA, SPDX, CDX])
        for layer, env, statement in envs:
            self.assertEqual(layer["mediaType"], DSSE)
            self.assertEqual(schema_errors("dsse-envelope.schema.json", env), [])
            self.assertEqual(schema_errors("intoto-statement-v1.schema.json", statement), [])
            self.assertEqual(statement["subject"][0]["digest"]["sha256"],
                             self.digest.split(":")[1])
            # openssl judges the signature: ECDSA P-256 over the DSSE PAE.
            sig = os.path.join(self.tmp, "sig.der")
            data = os.path.join(self.tmp, "pae")
            with open(sig, "wb") as f:
                f.write(base64.b64decode(env["signatures"][0]["sig"]))
            with open(data, "wb") as f:
                f.write(pae(env["payloadType"], base64.b64decode(env["payload"])))
            R.run(["openssl", "dgst", "-sha256", "-verify", self.pub, "-signature", sig, data])
        prov = envs[0][2]
        self.assertEqual(schema_errors("slsa-provenance-v1.schema.json", prov), [])
        definition = prov["predicate"]["buildDefinition"]
        self.assertEqual(definition["buildType"], "urn:distill:build-type:image:v1")
        with open(self.spec, "rb") as f:
            spec_sha = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(definition["externalParameters"]["spec"],
                         {"name": "distill.yaml", "digest": {"sha256": spec_sha}})
        with open(self.lock_path) as f:
            lock = json.load(f)["archs"]["amd64"]
        deps = {d["name"]: d for d in definition["resolvedDependencies"]}
        for p in lock["packages"] + lock["extract"]:
            self.assertEqual(deps[p["name"]]["digest"], {"sha256": p["sha256"]})
            self.assertTrue(deps[p["name"]]["uri"].startswith("pkg:deb/debian/" + p["name"] + "@"))
        for i in lock["indices"]:
            self.assertEqual(deps["dists/%s/%s" % (i["suite"], i["path"])]["digest"],
                             {"sha256": i["sha256"]})
        # Every file the spec copies, by its path in the image and content digest.
        files = {d["name"]: d for d in definition["resolvedDependencies"]
                 if d.get("annotations", {}).get("distill.use") == "file"}
        self.assertEqual({n: d["digest"]["sha256"] for n, d in files.items()},
                         {"/app/" + rel: hashlib.sha256(data).hexdigest()
                          for rel, data in APP_FILES.items()})
        ext = definition["externalParameters"]
        self.assertEqual((ext["sourceDateEpoch"], ext["compression"], ext["debug"]),
                         (0, "gzip", False))
        self.assertEqual(prov["predicate"]["runDetails"]["builder"]["id"], "urn:distill:builder")
        # The referrers tag schema (no referrers API on this registry) lists
        # the three envelopes too.
        index = json.loads(self.http("GET", "app/manifests/" + self.digest.replace(":", "-"),
                                     accept="application/vnd.oci.image.index.v1+json"))
        self.assertEqual([m["artifactType"] for m in index["manifests"]], [DSSE] * 3)
        # Attesting again replaces each statement: still three.
        self.attest()
        self.assertEqual(len(self.att_manifest()["layers"]), 3)

    def test_verify_checks_signature_attestations_and_lockfile(self):
        self.sign()
        self.attest()
        res = self.verify("--lock", self.lock_path)
        self.assertEqual(res.stdout.strip(), "%s@%s" % (self.ref.rsplit(":", 1)[0], self.digest))
        self.assertIn("verified 3 attestations", res.stderr)

    def test_cosign_key_file_from_key_generate(self):
        # The key loaded as `distill sign` loads it: cosign's encrypted file.
        prefix = os.path.join(self.tmp, "cosign")
        self.distill("key", "generate", "--output-key-prefix", prefix)
        self.distill("sign", self.ref, "--key", prefix + ".key")
        self.attest(key=prefix + ".key")
        res = self.verify("--lock", self.lock_path, pub=prefix + ".pub")
        self.assertIn("verified 3 attestations", res.stderr, res.describe())
        res = self.verify(pub=self.pub, expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "(%s): signature: does not verify" % SLSA)

    def test_not_a_registry_reference(self):
        res = self.distill("attest", os.path.join(self.tmp, "layout"), "--key", self.key,
                           expect_rc=T.NONZERO)
        self.assertIn("is not a registry reference", res.stderr, res.describe())

    def test_verify_attestations_flag_requires_them(self):
        self.sign()
        self.verify()  # none attached, not asked for: the signature alone
        res = self.verify("--attestations", expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "attestations: ", ".att does not exist")

    def test_verify_finds_statements_through_the_referrers_tag(self):
        # The .att tag emptied: the statements are still the image's
        # referrers (the referrers tag schema, as this registry has no
        # referrers API), and verify finds and checks them there.
        self.sign()
        self.attest()
        m = self.att_manifest()
        m["layers"] = []
        self.http("PUT", "app/manifests/%s" % self.att_tag(), json.dumps(m).encode(), MANIFEST)
        res = self.verify("--attestations", "--lock", self.lock_path)
        self.assertIn("verified 3 attestations (referrers tag sha256-", res.stderr, res.describe())

    def test_build_push_sign_key_signs_and_attests(self):
        ref = "%s/built:v1" % self.host
        out = os.path.join(self.tmp, "out-built")
        res = self.fixture_distill("build", "-f", self.spec, "--lock", self.lock_path, "-o", out,
                                   "--push", ref, "--sign-key", self.key)
        self.assertIn("distill: signed %s: " % ref, res.stderr, res.describe())
        self.assertEqual(res.stderr.count("distill: attested "), 3, res.describe())
        res = self.distill("verify", ref, "--key", self.pub, "--attestations", "--lock",
                           self.lock_path)
        self.assertIn("verified signature 1 of 1", res.stderr, res.describe())
        self.assertIn("verified 3 attestations", res.stderr, res.describe())
        res = self.fixture_distill("build", "-f", self.spec, "-o", out, "--sign-key", self.key,
                                   expect_rc=T.NONZERO)
        self.assertIn("--sign-key: signs pushed images, and nothing is pushed", res.stderr,
                      res.describe())

    # -- rebuild ------------------------------------------------------------

    def rebuild(self, *extra, expect_rc=0):
        return self.fixture_distill("--offline", "verify", self.ref, "--key", self.pub,
                                    "--rebuild", "--spec", self.spec, "--lock", self.lock_path,
                                    *extra, expect_rc=expect_rc)

    def test_verify_rebuild_rebuilds_the_same_image_offline(self):
        self.sign()
        self.attest()
        res = self.rebuild()
        self.assertEqual(res.stdout.strip(), "%s@%s" % (self.ref.rsplit(":", 1)[0], self.digest))
        self.assertIn("rebuilt %s from its provenance: same digest" % self.digest, res.stderr,
                      res.describe())

    def test_verify_rebuild_names_the_input_that_differs(self):
        self.sign()
        self.attest()
        # An app file changed: named before anything is built.
        app = os.path.join(os.path.dirname(self.spec), "app", "hello.txt")
        with open(app, "wb") as f:
            f.write(b"changed\n")
        res = self.rebuild(expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "rebuild: file /app/hello.txt has sha256 ")
        with open(app, "wb") as f:
            f.write(APP_FILES["hello.txt"])
        # Another spec than the provenance's.
        other = self.write_spec(SPEC + "env: {A: b}\n", folder=os.path.dirname(self.spec),
                                name="other.yaml")
        res = self.fixture_distill("--offline", "verify", self.ref, "--key", self.pub,
                                   "--rebuild", "--spec", other, "--lock", self.lock_path,
                                   expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "rebuild: spec %s has sha256 " % other)
        # No lockfile: the provenance names the one to pass.
        res = self.fixture_distill("--offline", "verify", self.ref, "--key", self.pub,
                                   "--rebuild", "--spec", self.spec, expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "rebuild: needs the lockfile the image was built from",
                                 "the provenance names distill.lock")

    def test_verify_rebuild_names_a_swapped_deb(self):
        self.sign()
        self.attest()
        # The cached hello-tool .deb replaced by another version of it.
        with open(self.lock_path) as f:
            pkg = next(p for p in json.load(f)["archs"]["amd64"]["packages"]
                       if p["name"] == "hello-tool")
        cached = T.find_blob(self.cache_dir, pkg["sha256"])
        self.assertIsNotNone(cached)
        unpacked = os.path.join(self.tmp, "unpacked")
        R.run(["dpkg-deb", "-R", cached, unpacked])
        control = os.path.join(unpacked, "DEBIAN", "control")
        with open(control) as f:
            text = f.read().replace("Version: " + pkg["version"],
                                    "Version: " + pkg["version"] + "+swapped")
        with open(control, "w") as f:
            f.write(text)
        other = os.path.join(self.tmp, "other.deb")
        R.run(["dpkg-deb", "--root-owner-group", "-b", unpacked, other])
        os.unlink(cached)
        shutil.copyfile(other, cached)
        res = self.rebuild(expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "rebuild: an input does not match the provenance: "
                                 "hello-tool %s: %s in the cache is not the pinned .deb" %
                                 (pkg["version"], pkg["filename"]))
        errors = [ln for ln in res.stderr.splitlines() if ln.startswith("distill: error:")]
        self.assertEqual(len(errors), 1, res.describe())

    # -- tampering ----------------------------------------------------------

    def test_tampered_layer_fails_the_subject_check(self):
        self.sign()
        self.attest()
        # One byte of a layer changed, the image pushed again under the same
        # tag, and the old signatures and attestations copied beside it.
        m = json.loads(self.http("GET", "app/manifests/" + self.digest))
        layer = bytearray(self.blob(m["layers"][0]["digest"]))
        layer[-1] ^= 1
        m["layers"][0]["digest"] = self.put_blob(bytes(layer))
        body = json.dumps(m).encode()
        self.http("PUT", "app/manifests/v1", body, MANIFEST)
        new = "sha256:" + hashlib.sha256(body).hexdigest()
        for suffix in (".sig", ".att"):
            old = self.http("GET", "app/manifests/" + self.digest.replace(":", "-") + suffix)
            self.http("PUT", "app/manifests/" + new.replace(":", "-") + suffix, old, MANIFEST)
        res = self.verify(expect_rc=EXIT_CHECK_FAILED)
        self.assertIn("digest mismatch", res.stderr, res.describe())

    def test_tampered_att_only_fails_subject_check(self):
        # (c) the statement's subject changed, re-signed with the right key:
        # the signature holds, the subject check fails.
        self.sign()
        self.attest()

        def change(s):
            s["subject"][0]["digest"]["sha256"] = "0" * 64
        self.replace_statement(SLSA, change, self.key)
        res = self.verify(expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "(%s): subject: " % SLSA)

    def test_dependency_changed_and_signed_by_another_key(self):
        self.sign()
        self.attest()
        other, _ = self.openssl_key("k2")

        def change(s):
            s["predicate"]["buildDefinition"]["resolvedDependencies"][0]["digest"]["sha256"] = \
                "1" * 64
        self.replace_statement(SLSA, change, other)
        res = self.verify(expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "(%s): signature: does not verify" % SLSA)

    def test_dependency_changed_with_the_same_key_fails_sbom_and_lock_checks(self):
        self.sign()
        self.attest()

        def change(s):
            deps = s["predicate"]["buildDefinition"]["resolvedDependencies"]
            dep = next(d for d in deps if d["name"] == "hello-tool")
            dep["uri"] = dep["uri"].replace("@1.0-1", "@1.0-2")
        self.replace_statement(SLSA, change, self.key)
        res = self.verify("--lock", self.lock_path, expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "provenance vs attestation 2 (%s): dependencies: " % SPDX,
                                 "provenance vs attestation 3 (%s): dependencies: " % CDX,
                                 "provenance vs lockfile: dependencies: ")

    def test_dependency_digest_changed_with_the_same_key_fails_lock_check(self):
        self.sign()
        self.attest()

        def change(s):
            deps = s["predicate"]["buildDefinition"]["resolvedDependencies"]
            next(d for d in deps if d["name"] == "hello-tool")["digest"]["sha256"] = "2" * 64
        self.replace_statement(SLSA, change, self.key)
        self.verify()  # the SBOMs carry no .deb digests: only the lockfile tells
        res = self.verify("--lock", self.lock_path, expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "provenance vs lockfile: dependencies: 1 .debs have "
                                 "another sha256")

    def test_signature_bytes_changed(self):
        self.sign()
        self.attest()
        m = self.att_manifest()
        layer = m["layers"][1]
        env = json.loads(self.blob(layer["digest"]))
        sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
        sig[-1] ^= 1
        env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
        data = json.dumps(env).encode()
        layer["digest"] = self.put_blob(data)
        layer["size"] = len(data)
        self.http("PUT", "app/manifests/%s" % self.att_tag(), json.dumps(m).encode(), MANIFEST)
        res = self.verify(expect_rc=EXIT_CHECK_FAILED)
        self.assert_check_failed(res, "attestation 2 (%s): signature: does not verify" % SPDX)

    def test_run_verify_key_runs_only_a_signed_image(self):
        T.tool("runc")
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure"))
        import probe_image
        ref = "%s/probe:v1" % self.host
        self.push(probe_image.probe_image(self), ref)
        tmpdir = self.mkdir("run-tmp")
        env = dict(self.env(), TMPDIR=tmpdir)

        def run(*args, expect_rc=0):
            p = subprocess.run([T.DISTILL, "run", *args], cwd=self.tmp, env=env, timeout=600,
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, expect_rc, p.stdout + p.stderr)
            return p

        unsigned = run("--verify-key", self.pub, ref, expect_rc=EXIT_CHECK_FAILED)
        lines = [l for l in unsigned.stderr.splitlines() if l.startswith("distill: error:")]
        self.assertEqual(len(lines), 1, unsigned.stderr)
        self.assertIn("no valid signature", lines[0])
        self.assertEqual(unsigned.stdout, "", "nothing ran")
        self.distill("sign", ref, "--key", self.key)
        self.assertEqual(run("--verify-key", self.pub, ref).stdout, "hello from the container\n")
        _, other = self.openssl_key("k2")
        refused = run("--verify-key", other, ref, expect_rc=EXIT_CHECK_FAILED)
        self.assertEqual(refused.stdout, "")
        local = run("--verify-key", self.pub, probe_image.probe_image(self), expect_rc=1)
        self.assertIn("only a registry image carries a signature to verify", local.stderr)
        self.assertEqual(os.listdir(tmpdir), [], "no bundle left")

    def test_another_public_key(self):
        other_key, other_pub = self.openssl_key("k2")
        self.sign(other_key)  # the signature by the other key passes ...
        self.attest()  # ... the attestations, by the first, do not
        res = self.verify(pub=other_pub, expect_rc=EXIT_CHECK_FAILED)
        for t in (SLSA, SPDX, CDX):
            self.assert_check_failed(res, "(%s): signature: does not verify" % t)


if __name__ == "__main__":
    T.main()
