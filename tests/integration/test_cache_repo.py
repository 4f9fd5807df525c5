"""`distill build --cache-repo`: layers and resolutions kept in a
docker-registry on 127.0.0.1, built from the hermetic fixture repository.
A machine with an empty cache and a warm cache repo builds the same image
without fetching a .deb; a tampered entry is refused with a warning and
the layer built here."""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
"""


class CacheRepoTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.serve(self.make_image_repo())
        self.registry = R.Registry(os.path.join(self.tmp, "registry"), "plain")
        self.addCleanup(self.registry.close)
        self.spec = self.write_spec(SPEC)
        self.cache_repo = "%s/ci/cache" % self.registry.host

    def build(self, name: str):
        """A build on a machine of its own: a new empty cache folder."""
        out = os.path.join(self.tmp, name)
        report = os.path.join(self.tmp, name + ".json")
        res = self.run_distill(self.mirror_args(self.server) +
                               ["--cache-dir", self.mkdir(name + "-cache"), "build",
                                "-f", self.spec, "-o", out, "--cache-repo", self.cache_repo,
                                "--report", report])
        with open(report) as f:
            return res, json.load(f), out

    def warnings(self, res):
        return [l for l in res.stderr.splitlines() if l.startswith("distill: warning:")]

    def test_a_warm_cache_repo_builds_the_same_image_without_a_deb(self):
        first, report, _ = self.build("one")
        digest = first.stdout.split()[0]
        self.assertTrue(self.server.deb_requests(), first.describe())
        self.assertEqual(report["cache_repo"]["layers_pulled"], 0)
        layers = len(report["archs"][0]["layers"])
        self.assertGreater(layers, 1, report)  # layered by origin
        # The resolution, each layer, and the image's layer list.
        self.assertEqual(report["cache_repo"]["records_pushed"], layers + 2, report)
        self.assertEqual(self.warnings(first), [])
        # The package layers were written while other .debs were read, and
        # stored in the cache repo like any layer the build writes.
        early = [l["name"] for l in report["archs"][0]["layers"] if l["early"]]
        self.assertEqual(len(early), layers - 1, report)

        self.server.clear_log()
        self.registry.mark()
        second, report, out = self.build("two")
        self.assertEqual(second.stdout.split()[0], digest, second.describe())
        self.assertEqual(self.server.deb_requests(), [])
        self.assertEqual(report["cache_repo"],
                         {"repository": self.cache_repo, "layers_pulled": layers,
                          "resolutions_pulled": 1, "records_pushed": 0})
        self.assertIn("cache repo %s: %d layers and 1 resolutions from it" % (self.cache_repo,
                                                                                layers),
                      second.stderr)
        self.assertEqual(self.warnings(second), [])
        self.assertEqual(self.registry.blob_uploads(), [])
        # The blob went into the new cache as the registry holds it: not recompressed.
        layer = R.read_json(os.path.join(out, "index.json"))["manifests"][0]["digest"]
        manifest = R.read_json(os.path.join(out, "blobs", "sha256", layer.split(":")[1]))
        blob = manifest["layers"][0]["digest"]
        with open(self.registry.blob_data_path(blob), "rb") as f:
            self.assertEqual(T.sha256_bytes(f.read()), blob.split(":")[1])
        self.assertTrue(T.find_blob(os.path.join(self.tmp, "two-cache"), blob.split(":")[1]))

    def test_a_tampered_layer_blob_is_refused_and_the_layer_built_here(self):
        first, first_report, out = self.build("one")
        digest = first.stdout.split()[0]
        layers = len(first_report["archs"][0]["layers"])
        top = R.read_json(os.path.join(out, "index.json"))["manifests"][0]["digest"]
        manifest = R.read_json(os.path.join(out, "blobs", "sha256", top.split(":")[1]))
        blob = manifest["layers"][0]["digest"]
        data_path = self.registry.blob_data_path(blob)
        with open(data_path, "r+b") as f:  # same size, one byte changed
            f.seek(-20, os.SEEK_END)
            b = f.read(1)
            f.seek(-20, os.SEEK_END)
            f.write(bytes([b[0] ^ 0xFF]))

        self.server.clear_log()
        second, report, _ = self.build("two")
        self.assertEqual(second.stdout.split()[0], digest, second.describe())
        warnings = self.warnings(second)
        self.assertEqual(len(warnings), 1, second.stderr)
        self.assertIn("cache repo %s: layer-" % self.cache_repo, warnings[0])
        self.assertIn("refused", warnings[0])
        self.assertIn("SHA256 mismatch", warnings[0])
        self.assertTrue(self.server.deb_requests())
        # Every other layer still comes from the cache repo; the refused one
        # is asked for once, however many times the build looks for it.
        self.assertEqual(report["cache_repo"]["layers_pulled"], layers - 1)
        self.assertEqual(report["cache_repo"]["resolutions_pulled"], 1)

    def test_a_cache_repo_that_does_not_answer_fails_before_anything_is_fetched(self):
        port = R.free_port()
        res = self.run_distill(self.mirror_args(self.server) +
                               ["--cache-dir", self.mkdir("cache"), "build", "-f", self.spec,
                                "-o", os.path.join(self.tmp, "out"),
                                "--cache-repo", "127.0.0.1:%d/cache" % port], expect_rc=1)
        self.assert_one_error(res, "127.0.0.1:%d" % port)
        self.assertEqual(self.server.paths(), [])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "out")))

    def test_a_tag_is_not_a_cache_repo(self):
        res = self.run_distill(["build", "-f", self.spec, "--cache-repo",
                                self.cache_repo + ":v1"], expect_rc=1)
        self.assert_one_error(res, "names a tag or digest", "HOST[:PORT]/REPO")


if __name__ == "__main__":
    T.main()
