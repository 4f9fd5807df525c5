"""The ELF dependency check of `distill build` on real Debian 12 images
(amd64; docs/elf-check.md). Not hermetic: reads the host's apt sources.

A C++ program compiled on this host and added to a `base` image (no
libstdc++) must fail naming libstdc++.so.6 and the package libstdc++6; on
`cc` it must pass and run under runc; a binary needing a GLIBC version newer
than the image's libc (linked against a stand-in libc.so.6 whose version
script defines GLIBC_2.99) must fail naming that version.
"""

import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_elf_fixture import CXX_PROGRAM, compile_program  # noqa: E402


class ElfOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def setUp(self):
        super().setUp()
        T.tool("g++")
        self.folder = self.mkdir("spec")

    def spec(self, base, src, dst):
        return ("distro: debian12\narchs: [amd64]\nbase: %s\nfiles:\n  - {src: %s, dst: %s}\n"
                "entrypoint: [%s]\n" % (base, src, dst, dst))

    def failing_build(self, spec_text):
        spec = self.write_spec(spec_text, folder=self.folder)
        out = os.path.join(self.tmp, "image")
        res = self.run_distill(["--cache-dir", T.ONLINE_CACHE, "build", "-f", spec, "-o", out],
                               expect_rc=1, timeout=1800)
        self.assertFalse(os.path.exists(out), "a failed build writes no image")
        return res

    def cxx_program(self):
        with open(os.path.join(self.folder, "main.cpp"), "w") as f:
            f.write(CXX_PROGRAM)
        compile_program(["g++", "-O1", "-o", "app", "main.cpp"], self.folder)

    def test_cxx_program_on_base_fails_naming_libstdcxx6(self):
        self.cxx_program()
        res = self.failing_build(self.spec("base", "app", "/usr/local/bin/app"))
        self.assertIn("distill: error: /usr/local/bin/app: needs libstdc++.so.6, which is not in "
                      "the image (add `packages: [libstdc++6]`)", res.stderr, res.describe())

    def test_cxx_program_on_cc_passes_and_runs(self):
        self.cxx_program()
        _, layout, _ = self.online_build(self.spec("cc", "app", "/usr/local/bin/app"),
                                         spec_folder=self.folder)
        bundle = self.run_bundle(layout, "test")
        r = T.runc_run(bundle)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(r.stdout.strip(), "hello 1", r.describe())

    def test_newer_glibc_version_fails_naming_it(self):
        d = self.folder
        with open(os.path.join(d, "future.c"), "w") as f:
            f.write("int future_call(void) { return 99; }\nint __libc_start_main(void) { return 0; }\n")
        with open(os.path.join(d, "future.map"), "w") as f:
            # The stand-in also provides what the C start files need, so
            # the real libc (same soname) is not needed to link.
            f.write("GLIBC_2.34 { global: __libc_start_main; local: *; };\n"
                    "GLIBC_2.99 { global: future_call; } GLIBC_2.34;\n")
        with open(os.path.join(d, "main.c"), "w") as f:
            f.write("int future_call(void);\nint main(void) { return future_call(); }\n")
        os.makedirs(os.path.join(d, "stub"))
        compile_program(["gcc", "-shared", "-fPIC", "-o", "stub/libc.so.6", "future.c",
                         "-Wl,-soname,libc.so.6", "-Wl,--version-script=future.map"], d)
        compile_program(["gcc", "-o", "future", "main.c", "stub/libc.so.6"], d)
        res = self.failing_build(self.spec("base", "future", "/usr/local/bin/future"))
        self.assertIn("distill: error: /usr/local/bin/future: needs version GLIBC_2.99 of "
                      "libc.so.6, which /usr/lib/x86_64-linux-gnu/libc.so.6 does not define",
                      res.stderr, res.describe())


if __name__ == "__main__":
    T.main()
