"""The effects engine on fixture .debs whose maintainer scripts carry the
commands: update-alternatives, adduser, an ldconfig trigger, dpkg-divert,
dpkg-statoverride, an unknown command; plus the spec's accounts, the Java
truststore (judged by keytool), the ld.so.cache (judged by the host's
ldconfig), the build report and md5sums that match the image.
"""

import hashlib
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

P = T.FixturePackage
SH = "#!/bin/sh\nset -e\n"
HOST_LIBZ = "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"


def _host_libz() -> bytes:
    with open(HOST_LIBZ, "rb") as f:
        return f.read()


def effect_packages():
    return [
        P("alt-editor", "1.0-1", "any", "bookworm", md5sums=True,
          scripts=(("postinst", SH + 'if [ "$1" = configure ]; then\n'
                    "  update-alternatives --install /usr/bin/editor editor /usr/bin/alt-editor 50"
                    " \\\n    --slave /usr/share/man/man1/editor.1.gz editor.1.gz"
                    " /usr/share/man/man1/alt-editor.1.gz \\\n"
                    "    --slave /usr/bin/view view /usr/bin/alt-view\nfi\n"),),
          files=(T.deb_file("usr/bin/alt-editor", b"\x7fELF alt", 0o755),
                 T.deb_file("usr/bin/alt-view", b"\x7fELF view", 0o755),
                 T.deb_file("usr/share/man/man1/alt-editor.1.gz", b"man"))),
        P("low-editor", "1.0-1", "any", "bookworm",
          scripts=(("postinst", SH + "update-alternatives --install /usr/bin/editor editor"
                    " /usr/bin/low-editor 10\n"),),
          files=(T.deb_file("usr/bin/low-editor", b"\x7fELF low", 0o755),)),
        P("svc-daemon", "2.0-1", "any", "bookworm",
          scripts=(("postinst", SH + 'case "$1" in\n  configure)\n'
                    "    if ! getent passwd svc >/dev/null; then\n"
                    "      adduser --system --group --home /var/lib/svc svc\n    fi\n"
                    "    dpkg-statoverride --update --add svc svc 0750 /var/lib/svc-data\n"
                    "  ;;\nesac\n"),),
          files=(T.deb_dir("var/lib/svc-data"),)),
        P("libzfix1", "1.0-1", "any", "bookworm", md5sums=True,
          scripts=(("triggers", "# Triggers added by dh_makeshlibs\nactivate-noawait ldconfig\n"),),
          files=(T.deb_file("usr/lib/{triplet}/libz.so.1.2.13", _host_libz(), arch="amd64"),
                 T.deb_link("usr/lib/{triplet}/libz.so.1", "libz.so.1.2.13", arch="amd64"))),
        P("diverter", "1.0-1", "any", "bookworm",
          scripts=(("preinst", SH + 'if [ "$1" = install ]; then\n'
                    "  dpkg-divert --package diverter --add --rename"
                    " --divert /usr/bin/hello.distrib /usr/bin/hello\nfi\n"),),
          files=(T.deb_file("usr/share/diverter/README", "d\n"),)),
        P("weird-pkg", "1.0-1", "any", "bookworm",
          scripts=(("postinst", SH + "echo hi\n/usr/lib/weird/rebuild-cache --all\n"),),
          files=(T.deb_file("usr/lib/weird/rebuild-cache", b"\x7fELF w", 0o755),)),
        # A script whose words would drive a terminal: shown escaped.
        P("esc-pkg", "1.0-1", "any", "bookworm",
          scripts=(("postinst", SH + "mkdir -p '/var/lib/esc\x1b[31mred'\n"),),
          files=(T.deb_file("usr/share/esc-pkg/README", "e\n"),)),
        P("fake-jre", "1.0-1", "any", "bookworm",
          files=(T.deb_link("usr/lib/jvm/fake/lib/security/cacerts",
                            "/etc/ssl/certs/java/cacerts"),)),
    ]


SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool, alt-editor, low-editor, svc-daemon, libzfix1, diverter, weird-pkg, fake-jre,
           esc-pkg]
"""


class EffectsFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_repo(packages=T.image_packages() + effect_packages())
        self.server = self.serve(self.repo)

    def build(self, spec_text, *extra, expect_rc=0):
        spec = self.write_spec(spec_text)
        out = os.path.join(self.tmp, "image")
        args = self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f",
                                                spec, "-o", out, "-t", "fx:test"] + list(extra)
        res = self.run_distill(args, expect_rc=expect_rc)
        return res, out

    def image_root(self, out):
        return T.OciLayout(out).image("test").rootfs()

    def test_scripts_effects_land_in_the_image(self):
        res, out = self.build(SPEC)
        root = self.image_root(out)
        # alternatives: the higher priority wins; a slave whose path was trimmed is not linked.
        self.assertEqual(root["usr/bin/editor"].target, "/etc/alternatives/editor")
        self.assertEqual(root["etc/alternatives/editor"].target, "/usr/bin/alt-editor")
        self.assertEqual(root["usr/bin/view"].target, "/etc/alternatives/view")
        self.assertEqual(root["etc/alternatives/view"].target, "/usr/bin/alt-view")
        self.assertNotIn("usr/share/man/man1/editor.1.gz", root)
        self.assertIn("var/lib/dpkg/alternatives/editor", root)
        # adduser --system --group: first free system ids, nologin, home made.
        passwd = root["etc/passwd"].text()
        group = root["etc/group"].text()
        self.assertIn("svc:x:100:100::/var/lib/svc:/usr/sbin/nologin\n", passwd)
        self.assertIn("svc:x:100:\n", group)
        self.assertEqual((root["var/lib/svc"].uid, root["var/lib/svc"].gid), (100, 100))
        # dpkg-statoverride
        data = root["var/lib/svc-data"]
        self.assertEqual((data.uid, data.gid, data.mode & 0o7777), (100, 100, 0o750))
        # dpkg-divert --rename
        self.assertNotIn("usr/bin/hello", root)
        self.assertEqual(root["usr/bin/hello.distrib"].data, b"\x7fELF hello")
        self.assertEqual(root["var/lib/dpkg/diversions"].text(),
                         "/usr/bin/hello\n/usr/bin/hello.distrib\ndiverter\n")
        # the summary names the one package with an unhandled step, in one line
        summary = [l for l in res.stderr.splitlines() if "maintainer scripts:" in l]
        self.assertEqual(len(summary), 1, res.describe())
        self.assertIn("with unhandled steps: weird-pkg (", summary[0])
        self.assertNotIn("alt-editor", summary[0])

    def test_ld_so_cache_is_what_the_hosts_ldconfig_reads(self):
        _, out = self.build(SPEC)
        root = self.image_root(out)
        self.assertIn("etc/ld.so.cache", root)
        cache = os.path.join(self.tmp, "ld.so.cache")
        with open(cache, "wb") as f:
            f.write(root["etc/ld.so.cache"].data)
        r = subprocess.run(["/usr/sbin/ldconfig", "-p", "-C", cache], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"libz\.so\.1 \(libc6,x86-64\) => "
                                   r"/(usr/)?lib/x86_64-linux-gnu/libz\.so\.1\n")

    def test_java_truststore_lists_the_bundle_and_the_specs_ca(self):
        spec_dir = self.mkdir("spec")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", "extra.key", "-out",
                        "extra.pem", "-days", "2", "-subj", "/CN=Distill Extra CA"],
                       cwd=spec_dir, check=True, capture_output=True)
        _, out = self.build(SPEC + "ca_certificates: [extra.pem]\n")
        root = self.image_root(out)
        store = os.path.join(self.tmp, "cacerts")
        with open(store, "wb") as f:
            f.write(root["etc/ssl/certs/java/cacerts"].data)
        r = subprocess.run(["keytool", "-list", "-keystore", store, "-storepass", "changeit"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("debian:distill_test_root_a.pem", r.stdout)
        self.assertIn("debian:distill_test_root_b.pem", r.stdout)
        self.assertIn("distill:extra.pem", r.stdout)

    def test_md5sums_list_exactly_the_files_the_image_holds(self):
        _, out = self.build(SPEC)
        root = self.image_root(out)
        lists = [p for p in root if p.startswith("var/lib/dpkg/status.d/")
                 and p.endswith(".md5sums")]
        self.assertIn("var/lib/dpkg/status.d/hello-tool.md5sums", lists)
        for path in lists:
            for line in root[path].text().splitlines():
                digest, name = line.split("  ", 1)
                self.assertIn(name, root, "%s lists %s" % (path, name))
                self.assertEqual(hashlib.md5(root[name].data).hexdigest(), digest, name)
        hello = root["var/lib/dpkg/status.d/hello-tool.md5sums"].text()
        self.assertNotIn("usr/share/man/", hello)  # trimmed
        self.assertIn("  usr/bin/hello-admin\n".replace("bin", "sbin"), hello)  # sbin -> usr/sbin
        # The CA bundle's licence travels with it.
        self.assertIn("usr/share/doc/ca-certificates/copyright", root)

    def test_report_verbose_and_acknowledgement(self):
        report = os.path.join(self.tmp, "report.json")
        res, _ = self.build(SPEC + "acknowledge_scripts: [weird-pkg]\n", "--report", report,
                            "--verbose")
        summary = [l for l in res.stderr.splitlines() if "maintainer scripts:" in l]
        self.assertEqual(len(summary), 1, res.describe())
        self.assertNotIn("unhandled steps", summary[0])
        self.assertIn("1 acknowledged", summary[0])
        self.assertIn("unhandled: /usr/lib/weird/rebuild-cache --all", res.stderr)
        # Script text never reaches the terminal raw.
        self.assertNotIn("\x1b", res.stderr)
        self.assertIn("made /var/lib/esc\\x1b[31mred", res.stderr)
        with open(report) as f:
            doc = json.load(f)
        pkgs = {p["package"]: p for p in doc["archs"][0]["maintainer_scripts"]["packages"]}
        self.assertTrue(pkgs["weird-pkg"]["acknowledged"])
        self.assertEqual(pkgs["weird-pkg"]["unhandled"], 1)
        steps = pkgs["alt-editor"]["steps"]
        self.assertEqual([s["outcome"] for s in steps], ["reproduced"])
        self.assertTrue(any("ld.so.cache" in a for a in doc["archs"][0]["maintainer_scripts"]
                            ["applied"]))
        # A cached layer keeps its report; the acknowledgement is the spec's.
        res2, _ = self.build(SPEC, "--report", report)
        self.assertIn("(package layers from cache)", res2.stderr)
        self.assertIn("with unhandled steps: weird-pkg", res2.stderr)

    def test_spec_accounts_and_run_as(self):
        spec = SPEC + ("accounts:\n  groups:\n    - {groupname: app, gid: 10001}\n"
                       "  users:\n    - {username: app, uid: 10001, gid: 10001}\n"
                       "  run_as: app\n")
        _, out = self.build(spec)
        image = T.OciLayout(out).image("test")
        root = image.rootfs()
        self.assertIn("app:x:10001:10001::/home/app:/usr/sbin/nologin\n", root["etc/passwd"].text())
        self.assertIn("app:x:10001:\n", root["etc/group"].text())
        self.assertEqual((root["home/app"].uid, root["home/app"].gid), (10001, 10001))
        self.assertEqual(image.config["config"]["User"], "10001:10001")

    def test_spec_account_mistakes_are_one_line_errors(self):
        cases = [
            ("accounts:\n  users:\n    - {username: app, uid: 10001, shell: /bin/sh}\n",
             "needs a debug image"),
            ("accounts:\n  users:\n    - {username: app, uid: 10001, gid: 4242}\n",
             "gid 4242 is no group"),
            ("accounts:\n  users:\n    - {username: 'a:b', uid: 1}\n", "must be a user or group"),
            ("accounts:\n  run_as: ghost\n", "names no user"),
            ("user: root\naccounts:\n  run_as: nobody\n", "both set the image's user"),
        ]
        for extra, needle in cases:
            with self.subTest(needle=needle):
                res, _ = self.build(SPEC + extra, expect_rc=1)
                self.assert_one_error(res, needle)


if __name__ == "__main__":
    T.main()
