"""Layers shared across the base, cc and python3 images of real Debian 12
packages (amd64): the lower layers have the same digests
(docs/image-format.md, Layers of an image).

Not hermetic: reads the host's apt sources and checks the real signatures;
packages go to the cache shared by the online tests ($DISTILL_TEST_TMP/online-cache).
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

STATUS = "var/lib/dpkg/status.d/"


class LayeringOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def build_preset(self, preset):
        report = os.path.join(self.tmp, preset + ".json")
        _, layout, _ = self.online_build(
            "distro: debian12\narchs: [amd64]\nbase: %s\n" % preset, "--report", report,
            tag=preset, out=os.path.join(self.tmp, preset + "-image"), spec_folder=self.mkdir(preset))
        with open(report) as f:
            layers = json.load(f)["archs"][0]["layers"]
        img = layout.image(preset)
        self.assertEqual([l["digest"] for l in layers], [l["digest"] for l in img.layers])
        return img, {l["name"]: l["digest"] for l in layers}

    def test_base_cc_python3_share_their_lower_layers(self):
        base, lb = self.build_preset("base")
        cc, lc = self.build_preset("cc")
        py, lp = self.build_preset("python3")
        self.assertEqual(list(lb)[:2], ["static", "base-nossl"], lb)
        self.assertEqual(list(lc)[:3], ["static", "base-nossl", "base"], lc)
        self.assertEqual(list(lp)[:4], ["static", "base-nossl", "base", "cc"], lp)
        for level in ("static", "base-nossl"):
            self.assertEqual(lb[level], lc[level], level)
            self.assertEqual(lb[level], lp[level], level)
        self.assertEqual(lc["base"], lp["base"])
        # The level layers carry the packages one expects, with their status.d.
        static = {e.path for e in cc.layer_entries(0)}
        self.assertIn(STATUS + "tzdata", static)
        nossl = {e.path for e in cc.layer_entries(1)}
        self.assertIn(STATUS + "libc6", nossl)
        self.assertIn(STATUS + "libssl3", {e.path for e in cc.layer_entries(2)})
        # The python3 image works as one: the interpreter is in some layer, the
        # generated files in the image's own layer.
        own = {e.path for e in py.layer_entries(len(py.layers) - 1)}
        for p in ("etc/passwd", "etc/ld.so.cache", "etc/ssl/certs/ca-certificates.crt"):
            self.assertIn(p, own)
        root = py.rootfs()
        self.assertIn("usr/bin/python3.11", root)
        bundle = self.run_bundle(py.layout, "python3")
        r = T.runc_run(bundle, ["/usr/bin/python3", "-c", "import ssl, json; print('ok')"])
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("ok", r.stdout)


if __name__ == "__main__":
    T.main()
