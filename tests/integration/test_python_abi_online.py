"""The Python extension check against a real python3 image from the host's
mirror: a target folder as `pip install --target deps` lays it out, holding a
C extension module compiled here with gcc and Debian's python3-dev (no
package index is reachable, so no wheel is downloaded). Built for the
image's ABI, it imports and runs under `distill run`; renamed for another
CPython, or with a WHEEL tag needing a newer glibc, the build refuses it
and names the file. Not hermetic; needs root, gcc, python3-dev and runc.
"""

import os
import subprocess
import sys
import sysconfig

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

EXTENSION_C = r"""
#include <Python.h>

static PyObject* greet(PyObject* self, PyObject* args) {
  (void)self;
  (void)args;
  return PyUnicode_FromFormat("hello from C, built for %s", PY_VERSION);
}

static PyMethodDef methods[] = {{"greet", greet, METH_NOARGS, "says hello"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fastgreet", NULL, -1, methods};

PyMODINIT_FUNC PyInit_fastgreet(void) { return PyModule_Create(&module); }
"""

MAIN_PY = "import fastgreet\nprint(fastgreet.greet())\n"

SPEC = """\
distro: debian12
archs: [amd64]
base: python3
files:
  - {src: deps/, dst: /app/deps}
  - {src: main.py, dst: /app/main.py}
env: {PYTHONPATH: /app/deps}
entrypoint: [python3, /app/main.py]
"""

WHEEL = "Wheel-Version: 1.0\nGenerator: distill-test\nRoot-Is-Purelib: false\nTag: %s\n"


class PythonAbiOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def make_target_folder(self, folder, suffix, wheel_tag):
        """deps/ as pip's --target leaves it: the module and its .dist-info."""
        deps = os.path.join(folder, "deps")
        info = os.path.join(deps, "fastgreet-1.0.dist-info")
        os.makedirs(info)
        src = os.path.join(self.tmp, "fastgreet.c")
        with open(src, "w") as f:
            f.write(EXTENSION_C)
        module = os.path.join(deps, "fastgreet" + suffix)
        r = subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-Werror",
                            "-I" + sysconfig.get_paths()["include"], "-o", module, src],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, "gcc cannot build the extension:\n" + r.stderr)
        files = {"METADATA": "Metadata-Version: 2.1\nName: fastgreet\nVersion: 1.0\n",
                 "WHEEL": WHEEL % wheel_tag, "INSTALLER": "pip\n"}
        for name, text in files.items():
            with open(os.path.join(info, name), "w") as f:
                f.write(text)
        with open(os.path.join(info, "RECORD"), "w") as f:
            for name in ["fastgreet" + suffix] + ["fastgreet-1.0.dist-info/" + n
                                                  for n in sorted(files)]:
                f.write("%s,,\n" % name)
            f.write("fastgreet-1.0.dist-info/RECORD,,\n")
        with open(os.path.join(folder, "main.py"), "w") as f:
            f.write(MAIN_PY)
        return module

    def build_fails(self, folder):
        spec = self.write_spec(SPEC, folder=folder)
        return self.run_distill(["--cache-dir", T.ONLINE_CACHE, "build", "-f", spec, "-o",
                                 os.path.join(self.tmp, "refused")], expect_rc=T.NONZERO,
                                timeout=1800)

    def test_extension_for_the_image_abi_runs_and_others_are_refused(self):
        T.tool("runc")
        T.tool("gcc")
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        # The host is Debian 12 as the image is: its python3 is the image's.
        self.assertEqual(suffix, ".cpython-311-x86_64-linux-gnu.so", "host python3 is not 3.11")
        good = self.mkdir("good")
        self.make_target_folder(good, suffix, "cp311-cp311-manylinux_2_17_x86_64")
        _, layout, res = self.online_build(SPEC, spec_folder=good)
        r = self.run_distill(["run", layout.path + ":test"],
                             env={"TMPDIR": self.mkdir("tmpdir")})
        # PY_VERSION of the host's headers: a 3.11 patch release like the image's.
        self.assertRegex(r.stdout, r"^hello from C, built for 3\.11\.\d+\n$", r.describe())

        wrong = self.mkdir("wrong-abi")
        module = self.make_target_folder(wrong, suffix, "cp311-cp311-manylinux_2_17_x86_64")
        renamed = module.replace("cpython-311", "cpython-312")
        os.rename(module, renamed)
        res = self.build_fails(wrong)
        self.assertIn(
            "distill: error: /app/deps/fastgreet.cpython-312-x86_64-linux-gnu.so (from %s): "
            "Python extension module is built for CPython 3.12 (cpython-312-x86_64-linux-gnu), "
            "the image has python3.11 (rebuild it for python3.11 on Debian 12" % renamed,
            res.stderr)
        self.assertIn("1 Python extension problem", res.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "refused")))

        newer = self.mkdir("newer-glibc")
        self.make_target_folder(newer, suffix, "cp311-cp311-manylinux_2_99_x86_64")
        res = self.build_fails(newer)
        wheel = os.path.join(newer, "deps", "fastgreet-1.0.dist-info", "WHEEL")
        self.assertIn(
            "distill: error: /app/deps/fastgreet-1.0.dist-info/WHEEL (from %s): wheel tag "
            "cp311-cp311-manylinux_2_99_x86_64 needs glibc 2.99, the image has glibc 2.36 "
            "(rebuild it for python3.11 on Debian 12" % wheel, res.stderr)
        self.assertIn("use the Debian package python3-fastgreet if there is one", res.stderr)


if __name__ == "__main__":
    T.main()
