"""Bundled Java runtimes and the ELF check (docs/elf-check.md, "Bundled
runtimes: a JVM home"; docs/app-dependencies.md, "Java"). Not hermetic:
reads the host's apt sources and uses the host's JDK (Debian's
openjdk-17-jdk-headless: jlink, javac).

1. Debian's own JRE on the `java` preset lints clean: its libraries' libjvm.so
   (lib/server, found by no search path) resolves as the JVM loads it, and
   libjsound/libj2pcsc, whose ALSA and PC/SC libraries the preset leaves out,
   are optional warnings, not fatal; `java -version` runs under `distill run`.
2. A jlink runtime (java.base, java.logging) from the host's JDK, copied with
   `files:` onto `cc`: the build's ELF check fails naming libz.so.1 (Debian's
   launcher, libjli.so and libzip.so link the system zlib) and zlib1g, and
   nothing about libjvm.so; it passes once the spec adds zlib1g, the image
   lints clean and `distill run` prints the Hello class's output. jlink's
   output holds symlinks (legal/java.logging/* -> ../java.base/*), which
   `files:` must copy as symlinks (docs/spec.md, `files`).
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

HELLO = """\
public class Hello {
    public static void main(String[] args) {
        java.util.logging.Logger.getLogger("hello").fine("unused");
        System.out.println("hello from " + System.getProperty("java.home")
                           + " " + Runtime.version().feature());
    }
}
"""

JVM_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"


class JavaRuntimeOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def lint_json(self, image, expect_rc=0):
        res = self.run_distill(["lint", image, "--format", "json"], expect_rc=expect_rc)
        return json.loads(res.stdout)["images"][0], res

    def assert_no_fatal_elf_finding(self, report, res):
        elf = [f for f in report["findings"] if f["id"] in ("DISTILL-0006", "DISTILL-0008")]
        self.assertEqual(elf, [], res.stdout)
        self.assertEqual(report["summary"]["fatal"], 0, res.stdout)

    def test_debian_jre_on_java_preset_lints_clean_and_runs(self):
        T.tool("runc")
        spec = "distro: debian12\narchs: [amd64]\nbase: java\nentrypoint: [java, -version]\n"
        _, layout, _ = self.online_build(spec)
        report, res = self.lint_json(layout.path)
        self.assert_no_fatal_elf_finding(report, res)
        optional = {(f["path"], f["message"].split(",")[0]) for f in report["findings"]
                    if f["id"] == "DISTILL-0011"}
        self.assertEqual(optional, {
            (JVM_HOME + "/lib/libjsound.so", "needs libasound.so.2"),
            (JVM_HOME + "/lib/libj2pcsc.so", "needs libpcsclite.so.1")}, res.stdout)
        for f in report["findings"]:
            if f["id"] == "DISTILL-0011":
                self.assertEqual(f["level"], "warn")
        r = self.run_distill(["run", layout.path + ":test"])
        self.assertIn('openjdk version "17', r.stderr, r.describe())

    def jlink_app(self, folder):
        T.tool("jlink")
        T.tool("javac")
        r = T.run_tool(["jlink", "--add-modules", "java.base,java.logging", "--output",
                        os.path.join(folder, "jre"), "--strip-debug", "--no-header-files",
                        "--no-man-pages"], timeout=600)
        self.assertEqual(r.rc, 0, r.describe())
        app = os.path.join(folder, "app")
        os.makedirs(app)
        with open(os.path.join(app, "Hello.java"), "w") as f:
            f.write(HELLO)
        r = T.run_tool(["javac", "--release", "17", "-d", app, os.path.join(app, "Hello.java")],
                       timeout=600)
        self.assertEqual(r.rc, 0, r.describe())
        os.remove(os.path.join(app, "Hello.java"))

    def jlink_spec(self, packages):
        return ("distro: debian12\narchs: [amd64]\nbase: cc\n" + packages +
                "files:\n  - {src: jre, dst: /opt/jre}\n  - {src: app, dst: /app}\n"
                "entrypoint: [/opt/jre/bin/java, -cp, /app, Hello]\n")

    def test_jlink_runtime_on_cc_builds_lints_and_runs(self):
        T.tool("runc")
        folder = self.mkdir("spec")
        self.jlink_app(folder)
        # Without zlib the launcher's libjli.so cannot load: the build says so.
        spec = self.write_spec(self.jlink_spec(""), folder=folder)
        out = os.path.join(self.tmp, "failed")
        res = self.run_distill(["--cache-dir", T.ONLINE_CACHE, "build", "-f", spec, "-o", out],
                               expect_rc=1, timeout=1800)
        errors = [l for l in res.stderr.splitlines() if l.startswith("distill: error: /")]
        self.assertEqual(errors, [
            "distill: error: /opt/jre/%s: needs libz.so.1, which is not in the image "
            "(add `packages: [zlib1g]`)" % f
            for f in ("bin/java", "bin/keytool", "lib/libjli.so", "lib/libzip.so")],
            res.describe())
        self.assertNotIn("libjvm.so", res.stderr, "the JVM's libraries find its libjvm.so")
        self.assertFalse(os.path.exists(out))

        _, layout, res = self.online_build(self.jlink_spec("packages: [zlib1g]\n"),
                                           spec_folder=folder)
        self.assertNotIn("ELF", res.stderr, res.describe())
        report, res = self.lint_json(layout.path)
        self.assert_no_fatal_elf_finding(report, res)
        self.assertNotIn("DISTILL-0011", {f["id"] for f in report["findings"]}, res.stdout)
        r = self.run_distill(["run", layout.path + ":test"])
        self.assertEqual(r.stdout.strip(), "hello from /opt/jre 17", r.describe())
        r = self.run_distill(["run", "--entrypoint", "/opt/jre/bin/java", layout.path + ":test",
                              "--", "-version"])
        self.assertIn('openjdk version "17', r.stderr, r.describe())


if __name__ == "__main__":
    T.main()
