"""push / pull against a docker-registry with `auth: token`: a token server in
the test issues RS256 JWTs that the registry trusts through rootcertbundle."""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402


class TokenRegistryTest(R.RegistryTestCase):
    SETUP = "token"

    def login(self):
        res = self.distill("login", self.host, "-u", R.USER, "--password-stdin",
                           input_text=R.PASSWORD + "\n")
        self.assertNotIn(R.PASSWORD, res.stdout + res.stderr)

    def test_anonymous_push_is_refused(self):
        src, _ = self.layout()
        res = self.push(src, "%s/app:v1" % self.host, expect_rc=1)
        self.assertIn("token service refused", res.stderr)

    def test_token_flow_push_pull_repush_and_mount(self):
        self.login()
        src, digest = self.layout(archs=("amd64", "arm64"))
        blobs = len(R.layout_blobs(src)) - 3
        ref = "%s/team/app:v1" % self.host
        res = self.push(src, ref)
        self.assertNotIn(R.PASSWORD, res.stdout + res.stderr)
        self.assert_pushed_line(res, ref, digest)
        scopes = [s for q in self.registry.token_server.requests for s in q.get("scope", [])]
        self.assertIn("repository:team/app:pull,push", scopes)
        self.assertTrue(all(q.get("service") == ["distill-test"]
                            for q in self.registry.token_server.requests))

        out = os.path.join(self.tmp, "pulled")
        self.distill("pull", ref, "-o", out)
        self.assert_same_layout_content(src, out)

        self.registry.mark()
        self.push(src, ref)
        self.assertEqual(self.registry.blob_uploads(), [])

        self.registry.mark()
        res = self.push(src, "%s/team/second:v1" % self.host)
        self.assertEqual(self.registry.blob_uploads(), [], res.describe())
        self.assertEqual(len(self.registry.mounts()), blobs, self.registry.requests())


if __name__ == "__main__":
    T.main()
