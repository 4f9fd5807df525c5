"""The dependency recipes of docs/app-dependencies.md, run as a user would,
against real images from the host's mirror. No package index is reachable
here, so the package pip installs is a wheel made in the test; pip itself,
venv, javac and jar are the host's Debian ones. Not hermetic; needs root,
runc, Debian's python3-pip and python3-venv, and openjdk-17-jdk-headless.

1. pip --target: `pip install --target deps` of a wheel, copied with
   `files:` and found through PYTHONPATH on the python3 preset; the SBOM lists
   it as pkg:pypi with its location, and pip's __pycache__ stays out.
2. A venv made with /usr/bin/python3 -m venv --without-pip, filled with
   `pip --python`, copied to the path it was made at: its bin/python3 stays a
   link to the image's interpreter, and the app runs with the venv's prefix.
3. A fat jar on the java preset: classes of the app and of a shaded library
   with its pom.properties in one jar with a Main-Class; `java -jar` runs it,
   the SBOM lists the shaded library as pkg:maven, and lint has no fatal
   finding.
"""

import json
import os
import subprocess
import sys
import zipfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

HOST_PYTHON = "/usr/bin/python3"  # Debian's, the image's python3.11 (not a test runner's)

MAIN_PY = """\
import sys
import greeting
print("greeting %s from %s" % (greeting.VERSION, greeting.__file__))
print("prefix " + sys.prefix)
"""

LIB_JAVA = """\
package com.example.greeter;

public final class Greeter {
    public static String greet(String who) { return "hello, " + who; }
}
"""

APP_JAVA = """\
package com.example.app;

public final class App {
    public static void main(String[] args) {
        System.out.println(com.example.greeter.Greeter.greet("fat jar") + " on "
                           + Runtime.version().feature());
    }
}
"""


class AppRecipesOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def make_wheel(self):
        """greeting 2.1.0 as a pure-Python wheel (a zip with its dist-info)."""
        path = os.path.join(self.tmp, "greeting-2.1.0-py3-none-any.whl")
        info = "greeting-2.1.0.dist-info/"
        files = {
            "greeting/__init__.py": 'VERSION = "2.1.0"\n',
            info + "METADATA": "Metadata-Version: 2.1\nName: greeting\nVersion: 2.1.0\n"
                               "License: MIT\n",
            info + "WHEEL": "Wheel-Version: 1.0\nGenerator: distill-test\n"
                            "Root-Is-Purelib: true\nTag: py3-none-any\n",
        }
        record = "".join("%s,,\n" % n for n in files) + info + "RECORD,,\n"
        with zipfile.ZipFile(path, "w") as z:
            for name, text in files.items():
                z.writestr(name, text)
            z.writestr(info + "RECORD", record)
        return path

    def pip(self, *args):
        env = dict(os.environ, HOME=self.mkdir("pip-home"), PIP_DISABLE_PIP_VERSION_CHECK="1",
                   PIP_NO_CACHE_DIR="1", PIP_ROOT_USER_ACTION="ignore")
        r = subprocess.run([HOST_PYTHON, "-m", "pip", *args, "--no-index", "--no-deps",
                            self.make_wheel()], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, "pip failed:\n" + r.stdout + r.stderr)

    def write(self, path, text):
        with open(path, "w") as f:
            f.write(text)

    def sbom_components(self, layout):
        res = self.run_distill(["sbom", layout, "--format", "cyclonedx-json"])
        return {c["purl"]: c for c in json.loads(res.stdout)["components"]}

    def test_pip_target_folder_on_python3_preset(self):
        T.tool("runc")
        folder = self.mkdir("spec")
        self.pip("install", "--target", os.path.join(folder, "deps"))
        self.assertTrue(os.path.isdir(os.path.join(folder, "deps", "greeting", "__pycache__")),
                        "pip compiled the module (what the default excludes leave out)")
        self.write(os.path.join(folder, "main.py"), MAIN_PY)
        spec = ("distro: debian12\narchs: [amd64]\nbase: python3\n"
                "files:\n  - {src: deps/, dst: /app/deps}\n  - {src: main.py, dst: /app/main.py}\n"
                "env: {PYTHONPATH: /app/deps}\nentrypoint: [python3, /app/main.py]\n")
        _, layout, _ = self.online_build(spec, spec_folder=folder)
        r = self.run_distill(["run", layout.path + ":test"], env={"TMPDIR": self.mkdir("tmpdir")})
        self.assertEqual(r.stdout.splitlines()[0],
                         "greeting 2.1.0 from /app/deps/greeting/__init__.py", r.describe())
        root = layout.image("test").rootfs()
        self.assertIn("app/deps/greeting/__init__.py", root)
        self.assertEqual([p for p in root if "__pycache__" in p and p.startswith("app/")], [])
        comps = self.sbom_components(layout.path)
        self.assertIn("pkg:pypi/greeting@2.1.0", comps, sorted(comps))

    def test_venv_at_its_own_path_on_python3_preset(self):
        T.tool("runc")
        folder = self.mkdir("spec")
        # Inside the spec folder (files: reads nothing outside it), at the
        # absolute path it will have in the image.
        venv = os.path.join(folder, "venv")
        r = subprocess.run([HOST_PYTHON, "-m", "venv", "--without-pip", venv],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.pip("--python", os.path.join(venv, "bin", "python3"), "install")
        self.assertEqual(os.readlink(os.path.join(venv, "bin", "python3")), "/usr/bin/python3")
        self.write(os.path.join(folder, "main.py"), MAIN_PY)
        spec = ("distro: debian12\narchs: [amd64]\nbase: python3\n"
                "files:\n  - {src: %s/, dst: %s}\n  - {src: main.py, dst: /srv/main.py}\n"
                "entrypoint: [%s/bin/python3, /srv/main.py]\n" % (venv, venv, venv))
        _, layout, _ = self.online_build(spec, spec_folder=folder)
        r = self.run_distill(["run", layout.path + ":test"], env={"TMPDIR": self.mkdir("tmpdir")})
        site = venv + "/lib/python3.11/site-packages"
        self.assertEqual(r.stdout.splitlines(),
                         ["greeting 2.1.0 from %s/greeting/__init__.py" % site, "prefix " + venv],
                         r.describe())
        link = layout.image("test").rootfs()[venv.lstrip("/") + "/bin/python3"]
        self.assertEqual((link.kind, link.target), ("l", "/usr/bin/python3"), "copied as a link")
        comps = self.sbom_components(layout.path)
        self.assertIn("pkg:pypi/greeting@2.1.0", comps, sorted(comps))

    def make_fat_jar(self, folder):
        src = self.mkdir("java-src")
        classes = self.mkdir("classes")
        for rel, text in (("com/example/greeter/Greeter.java", LIB_JAVA),
                          ("com/example/app/App.java", APP_JAVA)):
            os.makedirs(os.path.join(src, os.path.dirname(rel)), exist_ok=True)
            self.write(os.path.join(src, rel), text)
        r = subprocess.run(["javac", "--release", "17", "-d", classes,
                            os.path.join(src, "com/example/greeter/Greeter.java"),
                            os.path.join(src, "com/example/app/App.java")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        # What Maven's shade plugin keeps of a dependency: its pom.properties.
        maven = os.path.join(classes, "META-INF", "maven", "com.example", "greeter")
        os.makedirs(maven)
        self.write(os.path.join(maven, "pom.properties"),
                   "groupId=com.example\nartifactId=greeter\nversion=1.4.2\n")
        jar = os.path.join(folder, "app-all.jar")
        r = subprocess.run(["jar", "--create", "--file", jar, "--main-class",
                            "com.example.app.App", "-C", classes, "."],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_fat_jar_on_java_preset(self):
        T.tool("runc")
        T.tool("javac")
        folder = self.mkdir("spec")
        self.make_fat_jar(folder)
        spec = ("distro: debian12\narchs: [amd64]\nbase: java\n"
                "files:\n  - {src: app-all.jar, dst: /app/app.jar}\n"
                "entrypoint: [java, -jar, /app/app.jar]\n")
        _, layout, _ = self.online_build(spec, spec_folder=folder)
        r = self.run_distill(["run", layout.path + ":test"], env={"TMPDIR": self.mkdir("tmpdir")},
                             timeout=600)
        self.assertEqual(r.stdout.strip(), "hello, fat jar on 17", r.describe())
        comps = self.sbom_components(layout.path)
        self.assertIn("pkg:maven/com.example/greeter@1.4.2", comps, sorted(comps))
        res = self.run_distill(["lint", layout.path, "--format", "json"], expect_rc=None)
        report = json.loads(res.stdout)["images"][0]
        self.assertEqual(report["summary"]["fatal"], 0, res.stdout)


if __name__ == "__main__":
    T.main()
