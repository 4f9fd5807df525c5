"""`distill build --debug` (docs/spec.md, `debug`): the debug variant of a
spec that never asks for one, from the host's mirror. It lands on the debug
tag, never the production one, holds busybox under /busybox at the end of
PATH, runs a shell command under `distill run`, and lints without the
non-debug busybox finding; the same spec without --debug has no shell. Not
hermetic; needs root and runc.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
entrypoint: [python3, -c, "print('production')"]
"""


class BuildDebugOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def build(self, *extra, out):
        spec = self.write_spec(SPEC, folder=self.mkdir("spec-" + os.path.basename(out)))
        return self.run_distill(["--cache-dir", T.ONLINE_CACHE, "build", "-f", spec, "-o", out,
                                 "-t", "app:1"] + list(extra), timeout=1800)

    def test_debug_variant_of_a_plain_spec(self):
        T.tool("runc")
        out = os.path.join(self.tmp, "debug")
        res = self.build("--debug", out=out)
        layout = T.OciLayout(out)
        self.assertEqual([m["annotations"][T.REF_NAME] for m in layout.manifests], ["1-debug"],
                         "never the production tag")
        img = layout.image("1-debug")
        root = img.rootfs()
        self.assertEqual(root["busybox/sh"].kind, "l", res.describe())
        env = img.config["config"]["Env"]
        self.assertIn("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox",
                      env)
        r = self.run_distill(["run", "--entrypoint", "/busybox/sh", out + ":1-debug", "--",
                              "-c", "echo $((40 + 2)) from $(basename $0)"],
                             env={"TMPDIR": self.mkdir("tmpdir")})
        self.assertEqual(r.stdout, "42 from sh\n", r.describe())
        lint = self.run_distill(["lint", out, "--format", "json"], expect_rc=None)
        ids = {f["id"] for f in json.loads(lint.stdout)["images"][0]["findings"]}
        self.assertNotIn("DISTILL-0005", ids, lint.stdout)

        plain = os.path.join(self.tmp, "plain")
        self.build(out=plain)
        layout = T.OciLayout(plain)
        self.assertEqual([m["annotations"][T.REF_NAME] for m in layout.manifests], ["1"])
        self.assertNotIn("busybox/sh", layout.image("1").rootfs())
        r = self.run_distill(["run", plain + ":1"], env={"TMPDIR": self.mkdir("tmpdir-plain")})
        self.assertEqual(r.stdout, "production\n", r.describe())


if __name__ == "__main__":
    T.main()
