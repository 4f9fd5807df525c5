"""SBOMs attached to pushed images as OCI artifacts, and sbom and scan of
registry references: `distill build --sbom
--push` (a two-platform image from the hermetic fixture repository) and
`distill push IMAGE REF --sbom FILE`, against a real Docker Distribution 2.8
registry on 127.0.0.1, which has no referrers API: the artifacts must be
found through the referrers tag fallback (`sha256-<hex>` holding an image
index), and each artifact manifest's subject must name the image."""

import json
import os
import sys
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402
from test_registry_build import SPEC  # noqa: E402  (amd64 + arm64, hello-tool)

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
SPDX = "application/spdx+json"
CDX = "application/vnd.cyclonedx+json"
EMPTY = "application/vnd.oci.empty.v1+json"


def get(host: str, path: str, accept: str = INDEX + "," + MANIFEST) -> bytes:
    req = urllib.request.Request("http://%s/v2/%s" % (host, path), headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


class ReferrersChecks:
    """Reads artifacts back through the referrers tag, as a client of a
    registry without the referrers API does."""

    def referrers(self, host: str, repo: str, subject: str) -> list:
        body = get(host, "%s/manifests/%s" % (repo, subject.replace(":", "-")))
        index = json.loads(body)
        self.assertEqual(index["mediaType"], INDEX)
        self.assertEqual(index["schemaVersion"], 2)
        return index["manifests"]

    def assert_artifact(self, host: str, repo: str, entry: dict, subject: dict,
                        artifact_type: str) -> bytes:
        """Checks the artifact manifest `entry` names; returns its blob."""
        self.assertEqual(entry["mediaType"], MANIFEST)
        self.assertEqual(entry["artifactType"], artifact_type)
        body = get(host, "%s/manifests/%s" % (repo, entry["digest"]))
        self.assertEqual(T.sha256_bytes(body), entry["digest"].split(":")[1])
        self.assertEqual(len(body), entry["size"])
        m = json.loads(body)
        self.assertEqual(m["mediaType"], MANIFEST)
        self.assertEqual(m["artifactType"], artifact_type)
        self.assertEqual(m["subject"], {"mediaType": subject["mediaType"],
                                        "digest": subject["digest"], "size": subject["size"]})
        self.assertEqual(m["config"]["mediaType"], EMPTY)
        self.assertEqual(get(host, "%s/blobs/%s" % (repo, m["config"]["digest"])), b"{}")
        self.assertEqual(len(m["layers"]), 1)
        layer = m["layers"][0]
        self.assertEqual(layer["mediaType"], artifact_type)
        blob = get(host, "%s/blobs/%s" % (repo, layer["digest"]))
        self.assertEqual(T.sha256_bytes(blob), layer["digest"].split(":")[1])
        return blob


class BuildSbomPushTest(ReferrersChecks, T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.serve(self.make_image_repo())
        self.registry = R.Registry(os.path.join(self.tmp, "registry"), "plain")
        self.addCleanup(self.registry.close)

    def test_build_sbom_push_attaches_one_sbom_per_platform(self):
        spec = self.write_spec(SPEC)
        out = os.path.join(self.tmp, "image")
        ref = "%s/built/app:v1" % self.registry.host
        res = self.run_distill(self.mirror_args(self.server) +
                               ["--cache-dir", self.cache_dir, "build", "-f", spec, "-o", out,
                                "--sbom", "--push", ref])
        digest = res.stdout.split()[0]
        self.assertEqual(res.stdout.split()[1], "%s@%s" % (ref.rsplit(":", 1)[0] + ":v1", digest))
        self.assertIn("attached the SBOM", res.stderr)
        index = json.loads(get(self.registry.host, "built/app/manifests/" + digest))
        self.assertEqual(len(index["manifests"]), 2)
        for m in index["manifests"]:
            suffix = "linux-" + m["platform"]["architecture"]
            if m["platform"].get("variant"):
                suffix += "-" + m["platform"]["variant"]
            entries = self.referrers(self.registry.host, "built/app", m["digest"])
            self.assertEqual(len(entries), 1, entries)
            blob = self.assert_artifact(self.registry.host, "built/app", entries[0], m, SPDX)
            with open("%s.%s.spdx.json" % (out, suffix), "rb") as f:
                self.assertEqual(blob, f.read())
            doc = json.loads(blob)
            self.assertEqual(doc["spdxVersion"], "SPDX-2.3")
            names = {p["name"] for p in doc["packages"]}
            self.assertIn("hello-tool", names)
        # The image index itself has no referrers.
        with self.assertRaises(urllib.error.HTTPError):
            self.referrers(self.registry.host, "built/app", digest)

        # sbom and scan read the pushed image by its reference, layers from the
        # registry: the same SBOM as the one written beside the build but for its name, and the
        # tracker record on hello-tool's source found in it.
        remote = "%s@%s" % (ref.rsplit(":", 1)[0], digest)
        cache = ["--cache-dir", os.path.join(self.tmp, "other-cache")]
        res = self.run_distill(cache + ["sbom", remote, "--platform", "linux/arm64"])
        with open(out + ".linux-arm64-v8.spdx.json") as f:
            local, remote_doc = json.load(f), json.loads(res.stdout)
        # Only the names differ: each is the image reference as given.
        for doc in (local, remote_doc):
            for p in doc["packages"]:
                if p["name"] == doc["name"]:
                    p["name"] = "IMAGE"
        for key in ("packages", "relationships", "creationInfo", "documentNamespace"):
            self.assertEqual(remote_doc[key], local[key], key)
        tracker = os.path.join(self.tmp, "tracker.json")
        with open(tracker, "w") as f:
            json.dump({"hello-tool": {"CVE-2099-0100": {"releases": {"bookworm": {
                "status": "resolved", "fixed_version": "1.0-2", "urgency": "medium",
                "repositories": {"bookworm": "1.0-1"}}}}}}, f)
        db = os.path.join(self.tmp, "vulndb.sqlite")
        self.run_distill(["db", "import", "--db", db, tracker])
        report = self.run_distill(cache + ["scan", "--db", db, remote, "--platform",
                                           "linux/amd64", "--format", "json"]).json()
        self.assertEqual([(f["id"], f["installed_version"], f["fixed_version"])
                          for f in report["findings"]], [("CVE-2099-0100", "1.0-1", "1.0-2")])


class PushSbomFileTest(ReferrersChecks, R.RegistryTestCase):

    def write(self, name: str, doc: dict) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def test_push_sbom_file_twice_keeps_both_referrers(self):
        layout, digest = self.layout()
        ref = "%s/team/app:v1" % self.host
        spdx = self.write("a.spdx.json", {"spdxVersion": "SPDX-2.3", "name": "a"})
        cdx = self.write("a.cdx.json", {"bomFormat": "CycloneDX", "specVersion": "1.5"})
        res = self.push(layout, ref, "--sbom", spdx)
        self.assert_pushed_line(res, "%s/team/app:v1" % self.host, digest)
        self.push(layout, ref, "--sbom", cdx)
        self.push(layout, ref, "--sbom", spdx)  # again: replaced, not listed twice
        top = R.read_json(os.path.join(layout, "index.json"))["manifests"][0]
        entries = self.referrers(self.host, "team/app", digest)
        self.assertEqual([e["artifactType"] for e in entries], [CDX, SPDX], entries)
        with open(cdx, "rb") as f:
            self.assertEqual(self.assert_artifact(self.host, "team/app", entries[0], top, CDX),
                             f.read())
        with open(spdx, "rb") as f:
            self.assertEqual(self.assert_artifact(self.host, "team/app", entries[1], top, SPDX),
                             f.read())
        # skopeo reads the fallback tag's index like any other.
        p = R.skopeo(self, "inspect", "--raw", "--tls-verify=false",
                     "docker://%s/team/app:%s" % (self.host, digest.replace(":", "-")))
        self.assertEqual(json.loads(p.stdout)["manifests"], entries)

    def test_push_refuses_a_file_that_is_not_an_sbom_before_pushing(self):
        layout, _ = self.layout()
        other = self.write("x.json", {"hello": "world"})
        res = self.push(layout, "%s/team/app:v1" % self.host, "--sbom", other, expect_rc=1)
        self.assert_one_error(res, other, "neither an SPDX nor a CycloneDX")
        self.assertEqual(self.registry.blob_uploads(), [])


if __name__ == "__main__":
    T.main()
