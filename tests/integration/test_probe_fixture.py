"""`distill probe` (docs/probe.md) on a distroless image built from the
fixture repository and on a "regular" one: the same root filesystem plus a
shell, bash, perl, wget, apt-get (a static program that runs) and a setuid
file, imported with `distill import`. Needs root and runc, like `distill run`.
"""

import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_compare_fixture import add, build_distroless, rootfs_tar_with  # noqa: E402

SCRIPT = b"#!/bin/sh\necho not really a shell\n"


class ProbeFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.assertEqual(os.geteuid(), 0, "distill probe needs root (runc)")
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)
        self.distroless = build_distroless(self, self.server)
        self.tmpdir = self.mkdir("tmpdir")

    def static_true(self):
        """A static program that exits 0: what a runnable apt-get looks like to the probe."""
        src = os.path.join(self.tmp, "true.c")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        exe = os.path.join(self.tmp, "true")
        subprocess.run(["gcc", "-static", "-O2", "-o", exe, src], check=True)
        with open(exe, "rb") as f:
            return f.read()

    def regular(self):
        runs = self.static_true()

        def extra(out):
            add(out, "usr/bin/dash", SCRIPT, mode=0o755)
            add(out, "usr/bin/sh", kind="l", target="dash", mode=0o777)
            add(out, "usr/bin/bash", SCRIPT, mode=0o755)
            add(out, "usr/bin/perl", SCRIPT, mode=0o755)
            add(out, "usr/bin/wget", SCRIPT, mode=0o755)
            add(out, "usr/bin/apt-get", runs, mode=0o755)
            add(out, "usr/bin/dpkg", SCRIPT, mode=0o644)
            add(out, "usr/bin/su", SCRIPT, mode=0o4755)
        tar = rootfs_tar_with(self.distroless, os.path.join(self.tmp, "regular.tar"), extra)
        out = os.path.join(self.tmp, "regular")
        self.run_distill(["import", tar, "-o", out])
        return out

    def probe(self, image, expect_rc=0):
        res = self.run_distill(["probe", "--format", "json", image], expect_rc=expect_rc,
                               env={"TMPDIR": self.tmpdir})
        if expect_rc == 0:
            self.assertEqual(os.listdir(self.tmpdir), [], "bundle or runc state left behind")
        return res

    def exposed(self, doc, category):
        return sorted(f["item"] for f in doc["findings"]
                      if f["category"] == category and f["verdict"] == "exposed")

    def test_distroless_has_nothing_to_use(self):
        doc = self.probe(self.distroless).json()
        for category in ("shell", "interpreter", "network-tool", "package-manager", "setuid",
                         "capability"):
            self.assertEqual(doc["exposed"][category], 0, (category, doc))
            none = [f for f in doc["findings"] if f["category"] == category]
            self.assertEqual([f["verdict"] for f in none], ["none"], category)
        # The runtime's tmpfs /tmp and /dev/shm are the writable places; the root is read-only.
        self.assertEqual(self.exposed(doc, "writable-path"), ["/dev/shm", "/tmp"])
        # The probe was a throwaway mount: the image is unchanged.
        self.assertNotIn(".distill-probe", os.listdir(os.path.join(self.tmp)))

    def test_regular_lists_shells_tools_and_package_managers(self):
        doc = self.probe(self.regular()).json()
        self.assertEqual(self.exposed(doc, "shell"), ["bash", "dash", "sh"])
        self.assertEqual(self.exposed(doc, "interpreter"), ["perl"])
        self.assertIn("wget", self.exposed(doc, "network-tool"))
        self.assertEqual(self.exposed(doc, "package-manager"), ["apt-get"])
        items = {(f["category"], f["item"]): f for f in doc["findings"]}
        # dpkg is there but not executable: listed, not usable.
        self.assertEqual(items[("package-manager", "dpkg")]["verdict"], "limited")
        # su is setuid, but distill run sets no_new_privs.
        self.assertEqual(items[("setuid", "su")]["verdict"], "limited")
        self.assertEqual(items[("setuid", "su")]["path"], "/usr/bin/su")
        self.assertEqual(self.exposed(doc, "writable-path"), ["/dev/shm", "/tmp"])

        text = self.run_distill(["probe", self.regular_path_cache()],
                                env={"TMPDIR": self.tmpdir}).stdout
        self.assertIn("shell (3 exposed)", text)
        self.assertIn("EXPOSED  apt-get", text)

    def regular_path_cache(self):
        return os.path.join(self.tmp, "regular")

    def test_errors(self):
        res = self.probe(os.path.join(self.tmp, "missing"), expect_rc=1)
        self.assert_one_error(res, "missing")


if __name__ == "__main__":
    import unittest
    unittest.main()
