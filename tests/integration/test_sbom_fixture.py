"""`distill sbom` and `distill build --sbom` on images built from the hermetic
fixture repository (distill_testlib.image_packages).

The documents are validated against the official SPDX 2.3 and CycloneDX 1.5
JSON schemas kept in ../shared/testdata/schemas with python3-jsonschema, and
their packages compared with the image's status.d stanzas read independently.
"""

import json
import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
"""

PURL_LIBC6 = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"


def shared_testdata() -> str:
    """../shared/testdata above the source tree (or its worktree parents)."""
    d = os.path.abspath(T.SOURCE_DIR)
    while d != os.path.dirname(d):
        cand = os.path.join(d, "shared", "testdata")
        if os.path.isdir(os.path.join(cand, "schemas")):
            return cand
        d = os.path.dirname(d)
    raise AssertionError("shared/testdata not found above %s" % T.SOURCE_DIR)


def ids(schema) -> list:
    """The URIs a schema names itself by ("$id", or draft 4's "id"), with and
    without the empty fragment some carry."""
    uri = schema.get("$id") or schema.get("id")
    return [uri, uri.rstrip("#")] if isinstance(uri, str) else []


def validate(schema_file: str, doc) -> None:
    """Validates doc against a schema of shared/testdata/schemas, the other
    schemas there resolving its relative $refs. Raises on any violation;
    a missing jsonschema module is an error, never a skip."""
    import jsonschema  # python3-jsonschema
    folder = os.path.join(shared_testdata(), "schemas")
    schemas = {}
    for name in os.listdir(folder):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                schemas[name] = json.load(f)
    schema = schemas[schema_file]
    cls = jsonschema.validators.validator_for(schema)
    try:
        import referencing  # jsonschema >= 4.18
        import referencing.jsonschema
        resources = []
        for name, s in schemas.items():
            # Every schema there names its draft in "$schema".
            res = referencing.jsonschema.specification_with(s["$schema"]).create_resource(s)
            resources.append((name, res))
            resources.extend((uri, res) for uri in ids(s))
        registry = referencing.Registry().with_resources(resources)
        validator = cls(schema, registry=registry)
    except ImportError:  # Debian bookworm's 4.10
        store = {}
        for name, s in schemas.items():
            store[name] = s
            for uri in ids(s):
                store[uri] = s
        validator = cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        raise AssertionError("%s: %d schema violations, first: %s at %s" %
                             (schema_file, len(errors), errors[0].message, list(errors[0].path)))


class SbomFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)

    def build(self, *extra, out, env=None):
        spec = self.write_spec(SPEC)
        args = self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f",
                                                spec, "-o", out] + list(extra)
        return self.assert_digest_line(self.run_distill(args, env=env))

    def stanzas(self, layout: str):
        """name -> control fields of the image's status.d, read independently."""
        img = T.OciLayout(layout).image()
        out = {}
        for path, entry in img.rootfs().items():
            if path.startswith("var/lib/dpkg/status.d/") and not path.endswith(".md5sums"):
                fields = T.parse_stanza(entry.text())
                out[fields["Package"]] = fields
        return out

    def test_spdx_and_cyclonedx_validate_and_list_every_package(self):
        layout = os.path.join(self.tmp, "image")
        self.build(out=layout)
        digest = T.OciLayout(layout).images()[0].desc["digest"]
        expected = self.stanzas(layout)
        self.assertEqual(sorted(expected), T.IMAGE_PRESET_PACKAGES["python3"])

        spdx = self.run_distill(["sbom", layout, "--format", "spdx-json"]).json()
        validate("spdx-2.3.schema.json", spdx)
        self.assertEqual(spdx["spdxVersion"], "SPDX-2.3")
        self.assertEqual(spdx["creationInfo"]["creators"][0].split("-")[0], "Tool: distill")
        image_pkg = spdx["packages"][0]
        self.assertEqual(image_pkg["primaryPackagePurpose"], "CONTAINER")
        self.assertEqual(image_pkg["checksums"][0]["checksumValue"], digest.split(":")[1])
        debs = {p["name"]: p for p in spdx["packages"][1:]}
        self.assertEqual(sorted(debs), sorted(expected))
        for name, p in debs.items():
            self.assertEqual(p["versionInfo"], expected[name]["Version"])
        purls = {p["name"]: p["externalRefs"][0]["referenceLocator"] for p in debs.values()}
        self.assertEqual(purls["libc6"], PURL_LIBC6)
        self.assertEqual(debs["libc6"]["sourceInfo"], "built package from: glibc 2.36-9+deb12u4")
        # The fixture's copyright files are machine-readable with "License: fixture".
        self.assertEqual(debs["libc6"]["licenseDeclared"], "LicenseRef-fixture")
        self.assertEqual([x["licenseId"] for x in spdx["hasExtractedLicensingInfos"]],
                         ["LicenseRef-fixture"])
        contains = [r for r in spdx["relationships"] if r["relationshipType"] == "CONTAINS"]
        self.assertEqual(len(contains), len(expected))

        out = os.path.join(self.tmp, "bom.cdx.json")
        res = self.run_distill(["sbom", layout, "--format", "cyclonedx-json", "-o", out])
        self.assertEqual(res.stdout, "")
        with open(out) as f:
            cdx = json.load(f)
        validate("cyclonedx-1.5.schema.json", cdx)
        self.assertEqual(cdx["specVersion"], "1.5")
        self.assertRegex(cdx["serialNumber"], r"^urn:uuid:[0-9a-f-]{36}$")
        self.assertEqual(cdx["metadata"]["component"]["version"], digest)
        comps = {c["name"]: c for c in cdx["components"]}
        self.assertEqual(sorted(comps), sorted(expected))
        self.assertEqual(comps["libc6"]["purl"], PURL_LIBC6)
        self.assertEqual(comps["libssl3"]["licenses"], [{"expression": "LicenseRef-fixture"}])
        self.assertEqual(cdx["dependencies"][0]["dependsOn"], [c["purl"] for c in cdx["components"]])
        self.assert_no_temp_files(self.tmp)

    def test_output_is_deterministic_and_honours_source_date_epoch(self):
        layout = os.path.join(self.tmp, "image")
        self.build(out=layout)
        env = {"SOURCE_DATE_EPOCH": "1700000000"}
        for fmt in ("spdx-json", "cyclonedx-json"):
            a = self.run_distill(["sbom", layout, "--format", fmt], env=env).stdout
            b = self.run_distill(["sbom", layout, "--format", fmt], env=env).stdout
            self.assertEqual(a, b)
            self.assertIn("2023-11-14T22:13:20Z", a)
            # Read from elsewhere, by a relative path: the same document.
            moved = os.path.join(self.tmp, "elsewhere", "image")
            if not os.path.exists(moved):
                shutil.copytree(layout, moved)
            c = self.run_distill(["sbom", "image/", "--format", fmt], env=env,
                                 cwd=os.path.dirname(moved)).stdout
            self.assertEqual(a, c)
        self.assertEqual(json.loads(a)["metadata"]["component"]["name"], "image")
        bad = self.run_distill(["sbom", layout], env={"SOURCE_DATE_EPOCH": "soon"}, expect_rc=1)
        self.assert_one_error(bad, "SOURCE_DATE_EPOCH")

    def test_build_writes_the_sbom_beside_the_image(self):
        layout = os.path.join(self.tmp, "image")
        self.build("--sbom", out=layout)
        path = layout + ".spdx.json"
        with open(path) as f:
            doc = json.load(f)
        validate("spdx-2.3.schema.json", doc)
        direct = self.run_distill(["sbom", layout]).json()
        self.assertEqual(doc, direct)
        tar = os.path.join(self.tmp, "image.tar")
        self.build("--sbom", "--sbom-format", "cyclonedx-json", "--format", "docker", out=tar)
        with open(tar + ".cdx.json") as f:
            validate("cyclonedx-1.5.schema.json", json.load(f))

    def test_errors(self):
        layout = os.path.join(self.tmp, "image")
        self.build(out=layout)
        res = self.run_distill(["sbom", layout, "--format", "spdx-tag"], expect_rc=1)
        self.assert_one_error(res, "--format", "spdx-tag")
        res = self.run_distill(["sbom", os.path.join(self.tmp, "nope")], expect_rc=1)
        self.assertEqual(len(res.error_lines()), 1, res.describe())


if __name__ == "__main__":
    T.main()
