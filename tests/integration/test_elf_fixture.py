"""The ELF dependency check `distill build` runs on the files a spec adds
(docs/elf-check.md), against the hermetic fixture repository.

The fixture's libc6, libgcc-s1 and libstdc++6 packages carry this host's real
libraries (so symbol versions are real), and the programs are compiled here
with g++/gcc: a C++ program on `base` (no libstdc++) must fail naming
libstdc++.so.6 and the package libstdc++6, the same program on `cc` must
pass, and a binary needing a symbol version the image's library lacks must
fail naming that version.
"""

import dataclasses
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

HOST_LIB = "/lib/x86_64-linux-gnu"
CXX_PROGRAM = """\
#include <iostream>
#include <string>
int main(int argc, char** argv) { std::cout << std::string("hello ") << argc << std::endl; }
"""


def host_bytes(name: str) -> bytes:
    with open(os.path.realpath(os.path.join(HOST_LIB, name)), "rb") as f:
        return f.read()


def real_library_packages():
    """image_packages() with libc6, libgcc-s1 and libstdc++6 holding the
    host's real libraries instead of placeholders."""
    real = {
        "libc6": [T.deb_file("lib/{triplet}/libc.so.6", host_bytes("libc.so.6"), 0o755),
                  T.deb_file("lib/{triplet}/libm.so.6", host_bytes("libm.so.6")),
                  T.deb_file("lib/{triplet}/ld-linux-x86-64.so.2",
                             host_bytes("ld-linux-x86-64.so.2"), 0o755),
                  T.deb_link("lib64/ld-linux-x86-64.so.2",
                             "/lib/{triplet}/ld-linux-x86-64.so.2")],
        "libgcc-s1": [T.deb_file("lib/{triplet}/libgcc_s.so.1", host_bytes("libgcc_s.so.1"))],
        "libstdc++6": [T.deb_file("usr/lib/{triplet}/libstdc++.so.6.0.30",
                                  host_bytes("libstdc++.so.6")),
                       T.deb_link("usr/lib/{triplet}/libstdc++.so.6", "libstdc++.so.6.0.30")],
    }
    out = []
    for p in T.image_packages():
        if p.name in real:
            p = dataclasses.replace(p, files=tuple(real[p.name]))
        out.append(p)
    return out


def compile_program(args, cwd):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("compiling failed: %s\n%s" % (" ".join(args), r.stderr))


class ElfFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        T.tool("g++")
        T.tool("gcc")
        self.repo = self.make_repo("repo", packages=real_library_packages())
        self.server = self.serve(self.repo)
        self.spec_dir = self.mkdir("spec")

    def build(self, spec_text, expect_rc=0):
        spec = self.write_spec(spec_text, folder=self.spec_dir)
        out = os.path.join(self.tmp, "image")
        args = self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f", spec,
                                                "-o", out, "-t", "elf:test"]
        return self.run_distill(args, expect_rc=expect_rc), out

    def cxx_program(self, name="app"):
        src = os.path.join(self.spec_dir, "main.cpp")
        with open(src, "w") as f:
            f.write(CXX_PROGRAM)
        compile_program(["g++", "-O1", "-o", name, "main.cpp"], self.spec_dir)
        return name

    def spec(self, base, files, extra=""):
        lines = "".join("  - {src: %s, dst: %s}\n" % (s, d) for s, d in files)
        return "distro: debian12\narchs: [amd64]\nbase: %s\n%sfiles:\n%s" % (base, extra, lines)

    def test_cxx_program_on_base_fails_naming_libstdcxx_and_its_package(self):
        self.cxx_program()
        res, out = self.build(self.spec("base", [("app", "/usr/local/bin/app")]), expect_rc=1)
        self.assertIn("distill: error: /usr/local/bin/app: needs libstdc++.so.6, which is not in "
                      "the image (add `packages: [libstdc++6]`)", res.stderr, res.describe())
        self.assertIn("ELF dependency problem", res.stderr.splitlines()[-1], res.describe())
        self.assertFalse(os.path.exists(out), "a failed build writes no image")
        # Naming the package fixes it.
        res, out = self.build(self.spec("base", [("app", "/usr/local/bin/app")],
                                        "packages: [libstdc++6]\n"))
        self.assertTrue(os.path.isdir(out), res.describe())

    def test_cxx_program_on_cc_passes(self):
        self.cxx_program()
        res, out = self.build(self.spec("cc", [("app", "/usr/local/bin/app")]))
        self.assertNotIn("error", res.stderr, res.describe())
        root = T.OciLayout(out).image("test").rootfs()
        self.assertTrue(root["usr/local/bin/app"].data.startswith(b"\x7fELF"))

    def test_newer_symbol_version_fails_naming_the_version(self):
        # A stand-in libc.so.6 defining GLIBC_2.99: the program links against
        # it, so it needs a version the image's (real) libc does not define.
        with open(os.path.join(self.spec_dir, "future.c"), "w") as f:
            f.write("int future_call(void) { return 99; }\nint __libc_start_main(void) { return 0; }\n")
        with open(os.path.join(self.spec_dir, "future.map"), "w") as f:
            # The stand-in also provides what the C start files need, so
            # the real libc (same soname) is not needed to link.
            f.write("GLIBC_2.34 { global: __libc_start_main; local: *; };\n"
                    "GLIBC_2.99 { global: future_call; } GLIBC_2.34;\n")
        with open(os.path.join(self.spec_dir, "main.c"), "w") as f:
            f.write("int future_call(void);\nint main(void) { return future_call(); }\n")
        os.makedirs(os.path.join(self.spec_dir, "stub"))
        compile_program(["gcc", "-shared", "-fPIC", "-o", "stub/libc.so.6", "future.c",
                         "-Wl,-soname,libc.so.6", "-Wl,--version-script=future.map"],
                        self.spec_dir)
        compile_program(["gcc", "-o", "future", "main.c", "stub/libc.so.6"], self.spec_dir)
        res, out = self.build(self.spec("base", [("future", "/usr/local/bin/future")]),
                              expect_rc=1)
        self.assertRegex(res.stderr, r"distill: error: /usr/local/bin/future: needs version "
                         r"GLIBC_2\.99 of libc\.so\.6, which /usr/lib/x86_64-linux-gnu/libc\.so\.6 "
                         r"does not define \(package libc6 ", res.describe())
        self.assertFalse(os.path.exists(out))

    def test_every_problem_is_listed_before_failing(self):
        self.cxx_program("app1")
        self.cxx_program("app2")
        with open(os.path.join(self.spec_dir, "run.sh"), "w") as f:
            f.write("#!/bin/false\n")  # not ELF: not checked
        res, _ = self.build(self.spec("base", [("app1", "/app/app1"), ("app2", "/app/app2"),
                                               ("run.sh", "/app/run.sh")]), expect_rc=1)
        errors = [l for l in res.stderr.splitlines() if l.startswith("distill: error:")]
        self.assertEqual(errors, [
            "distill: error: /app/app1: needs libstdc++.so.6, which is not in the image "
            "(add `packages: [libstdc++6]`)",
            "distill: error: /app/app1: needs libgcc_s.so.1, which is not in the image "
            "(add `packages: [libgcc-s1]`)",
            "distill: error: /app/app2: needs libstdc++.so.6, which is not in the image "
            "(add `packages: [libstdc++6]`)",
            "distill: error: /app/app2: needs libgcc_s.so.1, which is not in the image "
            "(add `packages: [libgcc-s1]`)",
            "distill: error: build amd64: 4 ELF dependency problems (see the lines above; "
            "docs/elf-check.md explains the check and elf_check.ignore)"], res.describe())

    def test_origin_runpath_and_private_libraries(self):
        d = self.spec_dir
        with open(os.path.join(d, "priv.c"), "w") as f:
            f.write("int priv(void) { return 0; }\n")
        with open(os.path.join(d, "main.c"), "w") as f:
            f.write("int priv(void);\nint main(void) { return priv(); }\n")
        os.makedirs(os.path.join(d, "opt", "bin"))
        os.makedirs(os.path.join(d, "opt", "lib"))
        compile_program(["gcc", "-shared", "-fPIC", "-o", "opt/lib/libpriv.so.1", "priv.c",
                         "-Wl,-soname,libpriv.so.1"], d)
        compile_program(["gcc", "-o", "opt/bin/tool", "main.c", "opt/lib/libpriv.so.1",
                         "-Wl,-rpath,$ORIGIN/../lib"], d)
        res, out = self.build(self.spec("base", [("opt/", "/opt/tool")]))
        self.assertTrue(os.path.isdir(out), res.describe())
        # Without the library the binary fails, with no package to suggest.
        os.remove(os.path.join(d, "opt", "lib", "libpriv.so.1"))
        res, _ = self.build(self.spec("base", [("opt/", "/opt/tool")]), expect_rc=1)
        self.assertIn("distill: error: /opt/tool/bin/tool: needs libpriv.so.1, which is not in "
                      "the image\n", res.stderr, res.describe())

    def test_optional_plugin_warns_and_elf_check_ignore_acknowledges(self):
        d = self.spec_dir
        with open(os.path.join(d, "x.c"), "w") as f:
            f.write("int x(void) { return 0; }\n")
        os.makedirs(os.path.join(d, "stub"))
        os.makedirs(os.path.join(d, "plug"))
        for soname in ("libX11.so.6", "libpriv.so.1"):
            compile_program(["gcc", "-shared", "-fPIC", "-o", "stub/" + soname, "x.c",
                             "-Wl,-soname," + soname], d)
        # Plugins (dlopen'ed: no program links them): one needs X11, one a private library.
        for name, lib in (("libxplug.so", "libX11.so.6"), ("libother.so", "libpriv.so.1")):
            compile_program(["gcc", "-shared", "-fPIC", "-o", "plug/" + name, "x.c",
                             "-Wl,--no-as-needed", "stub/" + lib, "-Wl,-soname," + name], d)
        files = [("plug/", "/opt/plug")]
        res, out = self.build(self.spec("base", files), expect_rc=1)
        lines = [l for l in res.stderr.splitlines() if l.startswith("distill: ")]
        self.assertEqual(lines, [
            "distill: error: /opt/plug/libother.so: needs libpriv.so.1, which is not in the image",
            "distill: warning: /opt/plug/libxplug.so: needs libX11.so.6, which is not in the "
            "image (optional: no program in the image loads this plugin through DT_NEEDED, it "
            "fails only when one loads it at run time)",
            "distill: error: build amd64: 1 ELF dependency problem (see the lines above; "
            "docs/elf-check.md explains the check and elf_check.ignore)"], res.describe())
        self.assertFalse(os.path.exists(out))
        # Acknowledged: listed as such, and the build goes on.
        res, out = self.build(self.spec(
            "base", files, "elf_check:\n  ignore: [\"DISTILL-0006:/opt/plug/libother.so\"]\n"))
        self.assertIn("distill: note: acknowledged by elf_check.ignore (DISTILL-0006): "
                      "/opt/plug/libother.so: needs libpriv.so.1, which is not in the image\n",
                      res.stderr, res.describe())
        self.assertIn("distill: warning: /opt/plug/libxplug.so: needs libX11.so.6", res.stderr)
        self.assertTrue(os.path.isdir(out), res.describe())
        # An entry naming no check is refused at its line.
        res, _ = self.build(self.spec("base", files, "elf_check:\n  ignore: [NOPE-1]\n"),
                            expect_rc=T.NONZERO)
        self.assert_one_error(res, "distill.yaml:5", "no such check: NOPE-1")

    def test_malformed_elf_file_is_an_error(self):
        with open(os.path.join(self.spec_dir, "bad"), "wb") as f:
            f.write(b"\x7fELF\x02\x01\x01" + b"\0" * 20)
        res, _ = self.build(self.spec("base", [("bad", "/usr/local/bin/bad")]), expect_rc=1)
        self.assertIn("distill: error: /usr/local/bin/bad: is not a readable ELF file: header is "
                      "truncated", res.stderr, res.describe())


if __name__ == "__main__":
    T.main()
