"""Layers shared across images (docs/image-format.md, Layers of an image).

Images of different presets built from the hermetic fixture repository share
their lower layers byte for byte; each layer's status.d names exactly the
packages whose files it holds; the flattened image is the one the `single`
strategy writes; umoci and skopeo read the result.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

STATUS = "var/lib/dpkg/status.d/"


def spec_for(base, extra=""):
    return "distro: debian12\narchs: [amd64]\nbase: %s\n%s" % (base, extra)


class LayeringFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)

    def build(self, name, spec_text, cache=None):
        folder = self.mkdir(name)
        spec = self.write_spec(spec_text, folder=folder)
        out = os.path.join(self.tmp, name + "-image")
        report = os.path.join(self.tmp, name + "-report.json")
        res = self.run_distill(self.mirror_args(self.server) +
                               ["--cache-dir", cache or self.cache_dir, "build", "-f", spec,
                                "-o", out, "-t", "t:1", "--report", report])
        self.assert_digest_line(res)
        with open(report) as f:
            rep = json.load(f)
        return res, T.OciLayout(out).image("1"), rep["archs"][0]

    @staticmethod
    def named_layers(img, arch_report):
        """layer name -> digest, from the report, checked against the manifest."""
        names = [l["name"] for l in arch_report["layers"]]
        digests = [l["digest"] for l in img.layers]
        assert [l["digest"] for l in arch_report["layers"]] == digests, (names, digests)
        return dict(zip(names, digests))

    def assert_status_matches_files(self, img):
        """Every layer's status.d lists exactly the packages whose files it holds."""
        layers = [img.layer_entries(i) for i in range(len(img.layers))]
        owner = {}  # path -> package, from every md5sums list
        for entries in layers:
            for e in entries:
                if e.path.startswith(STATUS) and e.path.endswith(".md5sums"):
                    pkg = e.path[len(STATUS):-len(".md5sums")]
                    for line in e.data.decode().splitlines():
                        owner[line[34:]] = pkg
        for i, entries in enumerate(layers):
            files = {e.path for e in entries if e.kind != "d"}
            listed = {e.path[len(STATUS):] for e in entries
                      if e.path.startswith(STATUS) and e.kind == "f"}
            listed = {p[:-len(".md5sums")] if p.endswith(".md5sums") else p for p in listed}
            holds = {owner[p] for p in files if p in owner}
            self.assertEqual(holds - listed, set(),
                             "layer %d holds files of packages it does not list" % i)
            for pkg in listed:
                mine = [p for p, o in owner.items() if o == pkg]
                self.assertTrue(all(p in files for p in mine),
                                "layer %d lists %s without all its files" % (i, pkg))

    @staticmethod
    def flat(img):
        return {p: (e.kind, e.mode, e.uid, e.gid, e.mtime, e.target, e.data)
                for p, e in img.rootfs().items()}

    def test_presets_share_lower_layers_and_match_the_single_layout(self):
        res_base, base, rep_base = self.build("base", spec_for("base"))
        res_cc, cc, rep_cc = self.build("cc", spec_for("cc", "packages: [hello-tool]\n"))
        lb, lc = self.named_layers(base, rep_base), self.named_layers(cc, rep_cc)
        self.assertEqual(list(lb)[:2], ["static", "base-nossl"], rep_base["layers"])
        self.assertEqual(list(lc)[:3], ["static", "base-nossl", "base"], rep_cc["layers"])
        self.assertEqual(list(lc)[-1], "image")
        for level in ("static", "base-nossl"):
            self.assertEqual(lb[level], lc[level], "the %s layer is shared" % level)
        # The cc build found the lower layers the base build wrote.
        cached = {l["name"]: l["cached"] for l in rep_cc["layers"]}
        self.assertTrue(cached["static"] and cached["base-nossl"], rep_cc["layers"])
        self.assertFalse(cached["image"], rep_cc["layers"])
        self.assertRegex(res_cc.stderr, r"layers: static [^,]* cached, base-nossl [^,]* cached")
        # One history entry per layer, naming it.
        hist = [h["created_by"] for h in cc.config["history"]]
        self.assertEqual(len(hist), len(cc.layers))
        self.assertIn("layer static", hist[0])
        for img in (base, cc):
            self.assert_status_matches_files(img)
        # base-files' os-release is replaced by the build: it is the image's own.
        image_layer = {e.path for e in cc.layer_entries(len(cc.layers) - 1)}
        self.assertIn(STATUS + "base-files", image_layer)
        self.assertIn("etc/passwd", image_layer)
        self.assertIn("usr/lib/os-release", image_layer)

        # The single strategy: one OS layer, the same files.
        _, single, rep_single = self.build(
            "single", spec_for("cc", "packages: [hello-tool]\nlayering: {strategy: single}\n"))
        self.assertEqual(len(single.layers), 1, rep_single["layers"])
        self.assertEqual([l["name"] for l in rep_single["layers"]], ["image"])
        self.assertEqual(self.flat(single), self.flat(cc))
        self.assertGreater(len(cc.layers), 3)

        # External judges: umoci unpacks it, skopeo copies it (verifying every blob).
        bundle = self.unpack(cc.layout.path, "1")
        self.assertTrue(os.path.isfile(os.path.join(bundle, "rootfs", "etc", "passwd")))
        r = T.skopeo("copy", "oci:%s:1" % cc.layout.path, "dir:%s" % os.path.join(self.tmp, "d"))
        self.assertEqual(r.rc, 0, r.describe())

    def test_lower_layers_do_not_depend_on_the_cache_or_the_order(self):
        _, cc1, rep1 = self.build("cc1", spec_for("cc"))
        # A fresh cache, another preset first: the same cc image.
        fresh = os.path.join(self.tmp, "fresh-cache")
        self.build("base2", spec_for("base"), cache=fresh)
        _, cc2, rep2 = self.build("cc2", spec_for("cc"), cache=fresh)
        self.assertEqual(cc2.digest, cc1.digest)
        # A rebuild reads the layer list from the cache.
        res3, cc3, rep3 = self.build("cc3", spec_for("cc"), cache=fresh)
        self.assertEqual(cc3.digest, cc1.digest)
        self.assertTrue(all(l["cached"] for l in rep3["layers"]), rep3["layers"])
        self.assertIn("(package layers from cache)", res3.stderr)
        self.assertEqual(rep3["maintainer_scripts"], rep1["maintainer_scripts"])

    def test_max_layers_bounds_the_package_layers(self):
        _, img, rep = self.build("bounded", spec_for(
            "cc", "packages: [hello-tool]\nlayering: {max_layers: 2}\n"))
        names = [l["name"] for l in rep["layers"]]
        self.assertEqual(names, ["static", "other", "image"])
        self.assert_status_matches_files(img)

    def test_bad_layering_is_one_error_at_its_line(self):
        spec = self.write_spec(spec_for("cc", "layering: {strategy: flat}\n"))
        res = self.run_distill(self.mirror_args(self.server) + ["build", "-f", spec, "-o",
                                                                 os.path.join(self.tmp, "o")],
                               expect_rc=None)
        self.assert_one_error(res, "distill.yaml:4", "layering.strategy", "flat")
        spec = self.write_spec(spec_for("cc", "layering: {max_layers: 0}\n"))
        res = self.run_distill(self.mirror_args(self.server) + ["build", "-f", spec, "-o",
                                                                 os.path.join(self.tmp, "o")],
                               expect_rc=None)
        self.assert_one_error(res, "distill.yaml:4", "max_layers")


if __name__ == "__main__":
    T.main()
