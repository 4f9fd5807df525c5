"""login / push / pull / logout against a docker-registry with htpasswd
(bcrypt) Basic auth. Credentials live in $DOCKER_CONFIG/config.json (mode
0600) and never appear in distill's output."""

import json
import os
import stat
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
import registry_fixture as R  # noqa: E402


class BasicAuthRegistryTest(R.RegistryTestCase):
    SETUP = "basic"

    def config_path(self):
        return os.path.join(self.env()["DOCKER_CONFIG"], "config.json")

    def assert_no_secret(self, res: T.RunResult):
        self.assertNotIn(R.PASSWORD, res.stdout + res.stderr)

    def test_push_without_credentials_asks_for_login(self):
        src, _ = self.layout()
        res = self.push(src, "%s/app:v1" % self.host, expect_rc=1)
        self.assertIn("distill login %s" % self.host, res.stderr)

    def test_wrong_password_is_refused_and_not_stored(self):
        res = self.distill("login", self.host, "-u", R.USER, "--password-stdin",
                           input_text="wrong-password\n", expect_rc=1)
        self.assertNotIn("wrong-password", res.stdout + res.stderr)
        self.assertIn(self.host, res.stderr)
        self.assertFalse(os.path.exists(self.config_path()))

    def test_login_push_pull_logout(self):
        res = self.distill("login", self.host, "-u", R.USER, "--password-stdin",
                           input_text=R.PASSWORD + "\n")
        self.assert_no_secret(res)
        st = os.stat(self.config_path())
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        config = R.read_json(self.config_path())
        self.assertIn(self.host, config["auths"])

        src, digest = self.layout(archs=("amd64", "arm64"))
        ref = "%s/team/app:v1" % self.host
        res = self.push(src, ref)
        self.assert_no_secret(res)
        self.assert_pushed_line(res, ref, digest)
        out = os.path.join(self.tmp, "pulled")
        self.assert_no_secret(self.distill("pull", ref, "-o", out))
        self.assert_same_layout_content(src, out)
        # skopeo reads the same config.json format.
        R.skopeo(self, "inspect", "--tls-verify=false", "--authfile", self.config_path(),
                 "docker://" + ref)

        self.distill("logout", self.host)
        config = R.read_json(self.config_path())
        self.assertNotIn(self.host, config.get("auths", {}))
        res = self.distill("pull", ref, "-o", os.path.join(self.tmp, "again"), expect_rc=1)
        self.assertIn("distill login", res.stderr)

    def test_credential_helper_supplies_the_password(self):
        bindir = self.mkdir("bin")
        helper = os.path.join(bindir, "docker-credential-testhelper")
        with open(helper, "w") as f:
            f.write("#!/bin/sh\nread server\n"
                    "printf '{\"ServerURL\":\"%%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}' "
                    "\"$server\"\n" % (R.USER, R.PASSWORD))
        os.chmod(helper, 0o755)
        os.makedirs(os.path.dirname(self.config_path()), exist_ok=True)
        with open(self.config_path(), "w") as f:
            json.dump({"credHelpers": {self.host: "testhelper"}}, f)
        env = self.env()
        env["PATH"] = bindir + ":" + env["PATH"]
        src, digest = self.layout()
        ref = "%s/helped:v1" % self.host
        import subprocess
        p = subprocess.run([T.DISTILL, "push", src, ref], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout.decode().strip(), "%s@%s" % (ref, digest))
        self.assertNotIn(R.PASSWORD, p.stderr.decode())

    def test_login_stores_through_the_configured_creds_store(self):
        bindir = self.mkdir("bin")
        keychain = os.path.join(self.tmp, "keychain.json")
        helper = os.path.join(bindir, "docker-credential-filestore")
        with open(helper, "w") as f:
            f.write("#!/bin/sh\n"
                    "case \"$1\" in\n"
                    "  store) cat > '%s' ;;\n"
                    "  get) read s; [ -f '%s' ] || { echo 'credentials not found'; exit 1; }; "
                    "cat '%s' ;;\n"
                    "  erase) read s; rm '%s' ;;\n"
                    "  *) exit 3 ;;\n"
                    "esac\n" % ((keychain,) * 4))
        os.chmod(helper, 0o755)
        os.makedirs(os.path.dirname(self.config_path()), exist_ok=True)
        with open(self.config_path(), "w") as f:
            json.dump({"credsStore": "filestore"}, f)
        env = self.env()
        env["PATH"] = bindir + ":" + env["PATH"]
        import subprocess

        def run(*args, stdin=""):
            p = subprocess.run([T.DISTILL] + list(args), env=env, input=stdin.encode(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out = p.stdout.decode() + p.stderr.decode()
            self.assertNotIn(R.PASSWORD, out)
            return p.returncode, out

        rc, out = run("login", self.host, "-u", R.USER, "--password-stdin",
                      stdin=R.PASSWORD + "\n")
        self.assertEqual(rc, 0, out)
        stored = R.read_json(keychain)
        self.assertEqual((stored["ServerURL"], stored["Username"], stored["Secret"]),
                         (self.host, R.USER, R.PASSWORD))
        with open(self.config_path()) as f:
            self.assertNotIn(R.PASSWORD, f.read())
        self.assertNotIn(self.host, R.read_json(self.config_path()).get("auths", {}))

        src, digest = self.layout()
        rc, out = run("push", src, "%s/stored:v1" % self.host)
        self.assertEqual(rc, 0, out)
        rc, out = run("logout", self.host)
        self.assertEqual(rc, 0, out)
        self.assertFalse(os.path.exists(keychain))
        rc, out = run("push", src, "%s/stored:v2" % self.host)
        self.assertEqual(rc, 1, out)
        self.assertIn("distill login", out)


if __name__ == "__main__":
    T.main()
