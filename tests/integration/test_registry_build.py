"""`distill build --push`: a real image built from the hermetic fixture
repository, pushed to a docker-registry on 127.0.0.1 (amd64 + arm64 index,
two references), then read back by distill and skopeo."""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64, arm64]
base: base
packages: [hello-tool]
"""


class BuildPushTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.serve(self.make_image_repo())
        self.registry = R.Registry(os.path.join(self.tmp, "registry"), "plain")
        self.addCleanup(self.registry.close)

    def test_build_push_prints_each_reference_with_the_digest(self):
        spec = self.write_spec(SPEC)
        out = os.path.join(self.tmp, "image")
        refs = ["%s/built/app:v1" % self.registry.host, "%s/built/app:stable" % self.registry.host]
        res = self.run_distill(self.mirror_args(self.server) +
                               ["--cache-dir", self.cache_dir, "build", "-f", spec, "-o", out,
                                "-t", "app:v1", "--push", refs[0], "--push", refs[1]])
        lines = res.stdout.split()
        digest = lines[0]
        self.assertEqual(lines[1:], ["%s@%s" % (r, digest) for r in refs], res.describe())
        index = R.read_json(os.path.join(out, "index.json"))
        self.assertEqual(index["manifests"][0]["digest"], digest)
        pulled = os.path.join(self.tmp, "pulled")
        self.run_distill(["pull", refs[1], "-o", pulled, "--platform", "linux/arm64"])
        top = R.read_json(os.path.join(pulled, "index.json"))["manifests"][0]
        self.assertEqual(top["platform"]["architecture"], "arm64")
        p = R.skopeo(self, "inspect", "--tls-verify=false", "--override-arch", "arm64",
                     "docker://" + refs[0])
        self.assertEqual(json.loads(p.stdout)["Architecture"], "arm64")


if __name__ == "__main__":
    T.main()
