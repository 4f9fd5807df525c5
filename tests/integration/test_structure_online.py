"""`distill test` on the python3 image built from the host's Debian mirror,
with structure files in the style of distroless's own tests
(structure/python3_v2.yaml, structure/python3_v1.yaml): passwd and group,
os-release, the CA bundle, status.d entries, no shell, python3 commands
(one tries subprocess with shell=True and must fail). Not hermetic: an
unreachable mirror is a failure. Command tests need root and runc.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

STRUCTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure")

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
"""


class StructureOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def test_python3_image_in_both_schema_versions(self):
        T.tool("runc")
        _, layout, _ = self.online_build(SPEC)
        tmpdir = self.mkdir("tmpdir")
        r = self.run_distill(["test", layout.path + ":test",
                              "-c", os.path.join(STRUCTURE, "python3_v2.yaml"),
                              "-c", os.path.join(STRUCTURE, "python3_v1.yaml"),
                              "--output", "json"], env={"TMPDIR": tmpdir}, expect_rc=None)
        j = r.json()
        failed = [x for x in j["Results"] if not x["Pass"]]
        self.assertEqual(failed, [], r.describe())
        self.assertEqual(r.rc, 0, r.describe())
        # 29 in the 2.0.0 file (its metadataTest and licenseTests one result
        # each, as upstream counts them) and 5 in the 1.0.0 file.
        self.assertEqual(j["Total"], 34)
        shell = [x for x in j["Results"]
                 if x["Name"] == "Command Test: subprocess with shell=True fails"][0]
        self.assertIn("FileNotFoundError", shell["Stderr"])
        self.assertEqual(os.listdir(tmpdir), [], "bundle or runc state left")


if __name__ == "__main__":
    T.main()
