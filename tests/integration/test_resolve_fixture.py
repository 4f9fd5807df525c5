"""`distill resolve` against the hermetic fixture repository."""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402


def rows(stdout):
    """name -> list of table rows (lines whose first word is the name).
    Dropped-edge lines (with '->' or 'dropped') are not rows."""
    out = {}
    for line in stdout.splitlines():
        if "->" in line or "dropped" in line.lower():
            continue
        words = line.split()
        if words:
            out.setdefault(words[0], []).append(line)
    return out


def dropped_lines(stdout):
    return [l for l in stdout.splitlines() if "->" in l and "dropped" in l.lower()]


class ResolveFixtureTest(T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_repo()
        self.server = self.serve(self.repo)

    def resolve(self, *args, expect_rc=0, mirror_first=True):
        m = self.mirror_args(self.server)
        args = ["resolve", *args, "--distro", "debian12"]
        return self.run_distill(m + args if mirror_first else args + m, expect_rc=expect_rc)

    # -- the closure ----------------------------------------------------------

    def check_text(self, stdout, arch):
        r = rows(stdout)
        want = self.repo.closure(arch)
        for name, e in want.items():
            self.assertIn(name, r, "no row for %s\n%s" % (name, stdout))
            mine = [l for l in r[name] if e.architecture in l.split()]
            self.assertTrue(mine, "no %s row for %s\n%s" % (e.architecture, name, stdout))
            self.assertTrue(any(e.version in l.split() for l in mine),
                            "%s row lacks version %s\n%s" % (name, e.version, stdout))
        # The bookworm version of libfoo1 must not be chosen.
        self.assertFalse(any("1.0-1" in l.split() for l in r.get("libfoo1", [])), stdout)
        for name in T.POLICY_DROPPED + ["tool", "broken", "libmissing"]:
            self.assertNotIn(name, r, "%s must not be in the set\n%s" % (name, stdout))
        # libc6 is required by the libraries: its row names them.
        libc_row = [l for l in r["libc6"] if arch in l.split()][0]
        for dep in ("libssl3", "libfoo1", "libbar1"):
            self.assertIn(dep, libc_row, stdout)
        d = dropped_lines(stdout)
        self.assertTrue(any(re.search(r"\bapp -> dpkg\b", l) and "package manager" in l
                            for l in d), "no dropped line for app -> dpkg\n%s" % stdout)

    def test_resolve_app_text_amd64(self):
        res = self.resolve("app", "--arch", "amd64")
        self.check_text(res.stdout, "amd64")
        self.assertNotIn("arm64", res.stdout.split())
        # The security suite is fetched from MIRROR-security.
        paths = self.server.paths()
        self.assertIn("/debian-security/dists/bookworm-security/InRelease", paths)
        self.assertIn("/debian/dists/bookworm-updates/InRelease", paths)
        self.assertFalse(any(p.endswith(".deb") for p in paths), "resolve must not fetch .debs")

    def test_resolve_app_text_arm64_options_after_subcommand(self):
        res = self.resolve("app", "--arch", "arm64", mirror_first=False)
        self.check_text(res.stdout, "arm64")
        self.assertNotIn("amd64", res.stdout.split())

    def test_security_mirror_flag(self):
        # The security archive served by another host.
        sec = self.serve(self.repo)
        res = self.run_distill(self.mirror_args(self.server) +
                               ["--security-mirror", sec.url + "/debian-security/", "resolve",
                                "app", "--distro", "debian12", "--arch", "amd64", "--json"])
        got = {p["name"]: p for p in res.json()["archs"]["amd64"]["packages"]}
        self.assertEqual(got["libfoo1"]["version"], "1.0-1+deb12u1")
        self.assertEqual(got["libfoo1"]["suite"], "bookworm-security")
        self.assertFalse([p for p in self.server.paths() if p.startswith("/debian-security/")])
        self.assertIn("/debian-security/dists/bookworm-security/InRelease", sec.paths())
        self.assertFalse([p for p in sec.paths() if not p.startswith("/debian-security/")])

    def test_resolve_app_quiet_has_clean_stderr(self):
        res = self.run_distill(["-q"] + self.mirror_args(self.server) +
                               ["resolve", "app", "--distro", "debian12", "--arch", "amd64"])
        self.assertEqual(res.stderr.strip(), "", res.describe())
        self.check_text(res.stdout, "amd64")

    def test_resolve_app_json_both_archs(self):
        text = self.resolve("app", "--arch", "amd64,arm64").stdout
        data = self.resolve("app", "--arch", "amd64,arm64", "--json").json()
        self.assertEqual(data.get("distro"), "debian12")
        self.assertEqual(sorted(data["archs"]), ["amd64", "arm64"])
        text_rows = rows(text)
        for arch in T.ARCHS:
            got = {p["name"]: p for p in data["archs"][arch]["packages"]}
            want = self.repo.closure(arch)
            self.assertEqual(sorted(got), sorted(want), "package set for %s" % arch)
            for name, e in want.items():
                p = got[name]
                with self.subTest(arch=arch, package=name):
                    self.assertEqual(p["version"], e.version)
                    self.assertEqual(p["architecture"], e.architecture)
                    self.assertEqual(p["size"], e.size)
                    self.assertEqual(p["sha256"], e.sha256)
                    self.assertEqual(p["filename"], e.filename)
                    self.assertEqual(p["suite"], e.suite)
                    self.assertEqual(p["requested"], name == "app")
                    self.assertIn(name, text_rows, "json and text disagree")
            self.assertEqual(got["app"]["required_by"], [])
            self.assertEqual(got["libfoo1"]["required_by"], ["app"])
            self.assertEqual(got["libbar1"]["required_by"], ["app"])
            self.assertEqual(got["tzdata-ish"]["required_by"], ["app"])
            self.assertEqual(sorted(got["libc6"]["required_by"]),
                             ["libbar1", "libfoo1", "libssl3"])
            dropped = data["archs"][arch]["dropped"]
            self.assertIn(
                ("app", "package manager"),
                [(d["from"], d["reason"]) for d in dropped if re.match(r"dpkg\b", d["to"])],
                dropped)
            for d in dropped:
                self.assertEqual(sorted(d), ["from", "reason", "to"])

    def test_tool_drops_shell_and_essential(self):
        data = self.resolve("tool", "--arch", "amd64", "--json").json()
        a = data["archs"]["amd64"]
        self.assertEqual([p["name"] for p in a["packages"]], ["tool"])
        reasons = {(d["from"], d["reason"]) for d in a["dropped"]}
        shell = [d for d in a["dropped"] if "dash" in d["to"] or "bash" in d["to"]]
        self.assertTrue(shell, a["dropped"])
        self.assertTrue(all(d["reason"] == "shell" for d in shell), a["dropped"])
        core = [d for d in a["dropped"] if re.match(r"coreutils\b", d["to"])]
        self.assertEqual([(d["from"], d["reason"]) for d in core], [("tool", "essential")],
                         reasons)

    # -- explicit requests ----------------------------------------------------

    def test_naming_dpkg_includes_it(self):
        data = self.resolve("app", "dpkg", "--arch", "amd64", "--json").json()
        got = {p["name"]: p for p in data["archs"]["amd64"]["packages"]}
        self.assertIn("dpkg", got)
        self.assertTrue(got["dpkg"]["requested"])
        self.assertEqual(got["dpkg"]["version"], "1.21.22")
        self.assertIn("dpkg", got["libc6"]["required_by"])
        self.assertTrue(got["app"]["requested"])
        for name in ("bash", "dash", "coreutils"):
            self.assertNotIn(name, got)
        text = self.resolve("app", "dpkg", "--arch", "amd64").stdout
        self.assertIn("dpkg", rows(text))

    def test_naming_essential_package_includes_it(self):
        data = self.resolve("coreutils", "--arch", "arm64", "--json").json()
        names = sorted(p["name"] for p in data["archs"]["arm64"]["packages"])
        self.assertEqual(names, ["coreutils", "libc6"])

    def test_naming_a_shell_needs_allow_shell(self):
        res = self.resolve("bash", "--arch", "amd64", expect_rc=None)
        self.assert_one_error(res, "bash")
        self.assertEqual(res.stdout.strip(), "", "no partial output on error")
        data = self.resolve("bash", "--allow-shell", "--arch", "amd64", "--json").json()
        got = {p["name"]: p for p in data["archs"]["amd64"]["packages"]}
        self.assertEqual(sorted(got), ["bash", "libc6"])
        self.assertTrue(got["bash"]["requested"])
        self.assertEqual(got["bash"]["version"], "5.2.15-2+b2")

    def test_exclude_removes_packages(self):
        res = self.resolve("app", "--arch", "amd64", "--exclude", "libssl3")
        r = rows(res.stdout)
        self.assertNotIn("libssl3", r, res.stdout)
        self.assertIn("libfoo1", r)
        data = self.resolve("app", "--arch", "amd64", "--exclude", "libc6", "--exclude",
                            "libssl3", "--json").json()
        a = data["archs"]["amd64"]
        names = sorted(p["name"] for p in a["packages"])
        self.assertEqual(names, ["app", "libbar1", "libfoo1", "tzdata-ish"])
        excluded = {(d["from"], d["to"].split()[0]) for d in a["dropped"]
                    if d["reason"] == "excluded"}
        self.assertIn(("libfoo1", "libc6"), excluded, a["dropped"])
        self.assertIn(("app", "libssl3"), excluded, a["dropped"])

    # -- errors ---------------------------------------------------------------

    def test_unsatisfiable_chain(self):
        res = self.resolve("broken", "--arch", "amd64", expect_rc=None)
        self.assert_one_error(res, "broken -> libmissing (>= 2)")
        self.assertEqual(res.stdout.strip(), "")

    def test_unknown_package(self):
        res = self.resolve("nosuch", "--arch", "amd64", expect_rc=None)
        self.assert_one_error(res, "nosuch")
        self.assertEqual(res.stdout.strip(), "")
        res = self.resolve("app", "nosuch", "--arch", "amd64,arm64", "--json", expect_rc=None)
        self.assert_one_error(res, "nosuch")
        self.assertEqual(res.stdout.strip(), "")

    def test_unknown_distro_and_arch(self):
        res = self.run_distill(self.mirror_args(self.server) +
                               ["resolve", "app", "--distro", "debian99"], expect_rc=None)
        self.assert_one_error(res, "debian99")
        res = self.resolve("app", "--arch", "sparc64", expect_rc=None)
        self.assert_one_error(res, "sparc64")


if __name__ == "__main__":
    T.main()
