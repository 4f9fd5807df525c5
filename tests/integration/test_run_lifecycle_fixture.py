"""`distill run -d`, `ps`, `logs`, `exec` and `stop` on the fixture's probe image.

The image is test_run_fixture's (structure/probe_image.py: a static `probe`
as the entrypoint, no network needed). DISTILL_STATE_DIR points distill's
state folder (records, bundles, logs and runc's own state) into the test's
folder and TMPDIR at another, so each test can check that nothing is left
there, nor in runc's state, once a container is stopped or a killed distill's
leftovers are cleaned by the next `distill ps`. Needs root and runc.
"""

import json
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "structure"))
import distill_testlib as T  # noqa: E402
import probe_image  # noqa: E402
from test_run_fixture import deep_layer_image, fetch, free_port, process_alive  # noqa: E402


class RunLifecycleFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        probe_image.set_up(self)
        self.state = os.path.join(self.tmp, "state")
        self.addCleanup(self.delete_all_containers)

    def env(self):
        return {"TMPDIR": self.tmpdir, "DISTILL_STATE_DIR": self.state}

    def d(self, *args, expect_rc=0, input=None):
        if input is None:
            return self.run_distill(list(args), expect_rc=expect_rc, env=self.env(), timeout=120)
        full = self.base_env()
        full.update(self.env())
        p = subprocess.run([T.DISTILL] + list(args), input=input, env=full, timeout=120,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, expect_rc, p.stderr.decode())
        return p

    def popen(self, *args):
        full = self.base_env()
        full.update(self.env())
        return subprocess.Popen([T.DISTILL] + list(args), env=full, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)

    def runc_list(self):
        root = os.path.join(self.state, "runc")
        if not os.path.isdir(root):
            return []
        p = subprocess.run([T.tool("runc"), "--root", root, "list", "--format", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return json.loads(p.stdout or b"null") or []

    def delete_all_containers(self):
        """Whatever a failed test left running is ended here."""
        for c in self.runc_list():
            subprocess.run([T.tool("runc"), "--root", os.path.join(self.state, "runc"), "delete",
                            "--force", c["id"]], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    def ps(self, *flags):
        return self.d("ps", "--format", "json", *flags).json()

    def assert_clean(self):
        self.assertEqual(self.runc_list(), [], "runc still knows a container")
        for sub in ("containers", "new"):
            path = os.path.join(self.state, sub)
            self.assertEqual(os.listdir(path) if os.path.isdir(path) else [], [],
                             "left in the state folder's " + sub)
        self.assertEqual(os.listdir(self.tmpdir), [], "left in TMPDIR")

    def wait_for_log(self, name, text, timeout=20):
        deadline = time.time() + timeout
        while True:
            out = self.d("logs", name).stdout
            if text in out or time.time() > deadline:
                return out
            time.sleep(0.1)

    # -- the whole loop ----------------------------------------------------------------

    def test_run_ps_logs_exec_stop(self):
        r = self.d("run", "-d", "--name", "web", self.image, "wait")
        self.assertEqual(r.stdout, "web\n", r.describe())
        self.assertEqual(r.error_lines(), [])
        for mode in (0o700,):
            for sub in ("", "containers", "containers/web", "runc"):
                st = os.stat(os.path.join(self.state, sub))
                self.assertEqual(st.st_mode & 0o7777, mode, "state folder %r is private" % sub)
        rows = self.ps()
        self.assertEqual([(c["name"], c["status"]) for c in rows], [("web", "running")])
        self.assertEqual(rows[0]["image"], self.image)
        self.assertEqual(rows[0]["command"], ["/usr/local/bin/probe", "wait"])
        self.assertTrue(rows[0]["digest"].startswith("sha256:"))
        table = self.d("ps").stdout.splitlines()
        self.assertEqual(table[0].split(), ["NAME", "IMAGE", "COMMAND", "CREATED", "STATUS"])
        self.assertTrue(table[1].startswith("web "), table)
        # docker's STATUS: how long it has been up (no healthcheck in this image).
        self.assertRegex(table[1], r" (Up \d+ seconds?|Up Less than a second)$")
        self.assertIsNone(rows[0]["health"])
        self.assertIsNone(rows[0]["exit_code"])
        self.assertIn("ready\n", self.wait_for_log("web", "ready\n"))
        # exec: the container's user and env, the command's exit code passed through.
        r = self.d("exec", "web", "/usr/local/bin/probe", "id")
        self.assertEqual(r.stdout, "uid=65532 gid=65532\n")
        r = self.d("exec", "web", "probe", "env")
        self.assertIn("GREETING=bonjour", r.stdout.splitlines())
        r = self.d("exec", "web", "probe", "exit", "3", expect_rc=3)
        self.assertIn("exiting with 3", r.stderr)
        self.assertEqual(r.error_lines(), [])
        # logs -f follows until the container exits (stop's SIGTERM).
        follow = self.popen("logs", "-f", "web")
        self.assertEqual(follow.stdout.readline(), b"ready\n", "it follows before the stop")
        start = time.time()
        r = self.d("stop", "--time", "20", "web")
        self.assertLess(time.time() - start, 15, "probe wait exits on SIGTERM: no SIGKILL wait")
        self.assertEqual(r.stdout, "web\n")
        out, err = follow.communicate(timeout=60)
        self.assertEqual(out, b"got SIGTERM\n", err)
        self.assertEqual(follow.returncode, 0, err)
        self.assertEqual(self.ps("-a"), [])
        self.assert_clean()

    def test_stop_kills_after_the_grace_time(self):
        # `probe plant` waits without a SIGTERM handler: as process 1 of its
        # pid namespace it ignores SIGTERM, so only the SIGKILL ends it.
        self.d("run", "-d", "--name", "k", self.image, "plant", "/tmp/done", "/tmp/x")
        self.assertIn("planted", self.wait_for_log("k", "planted"))
        start = time.time()
        self.d("stop", "-t", "2", "k")
        took = time.time() - start
        self.assertGreaterEqual(took, 2, "SIGKILL only after the grace time")
        self.assertLess(took, 15)
        self.assert_clean()

    def test_exited_containers_show_with_a_and_keep_their_logs(self):
        self.d("run", "-d", "--name", "once", self.image)
        deadline = time.time() + 20
        while time.time() < deadline and self.ps("-a")[0]["status"] != "exited":
            time.sleep(0.1)
        self.assertEqual(self.ps(), [], "not running")
        self.assertEqual([c["status"] for c in self.ps("-a")], ["exited"])
        self.assertEqual(self.d("logs", "once").stdout, "hello from the container\n")
        self.assertEqual(self.d("logs", "-f", "once").stdout, "hello from the container\n")
        r = self.d("exec", "once", "probe", "id", expect_rc=1)
        self.assert_one_error(r, "exec once: is not running")
        self.d("stop", "once")
        self.assert_clean()

    def test_exit_code_is_recorded_until_removed(self):
        # The container's monitor reaps its process 1 and records the code.
        self.d("run", "-d", "--name", "three", self.image, "exit", "3")
        deadline = time.time() + 20
        while time.time() < deadline and self.ps("-a")[0]["exit_code"] is None:
            time.sleep(0.1)
        row = self.ps("-a")[0]
        self.assertEqual((row["status"], row["exit_code"]), ("exited", 3), row)
        self.assertRegex(self.d("ps", "-a").stdout.splitlines()[1], r" Exited \(3\)$")
        time.sleep(0.5)
        self.assertEqual(self.ps("-a")[0]["exit_code"], 3, "kept")
        self.assertEqual(self.monitors(), [], "the monitor ended with the container")
        # A stopped container's code is SIGTERM's, recorded by the same monitor.
        self.d("run", "-d", "--name", "waits", self.image, "wait")
        self.assertIn("ready\n", self.wait_for_log("waits", "ready\n"))
        self.assertEqual(len(self.monitors()), 1, "one monitor per running container")
        self.d("stop", "three")
        self.d("stop", "waits")
        self.assertEqual(self.monitors(), [], "stop waits for the monitor")
        self.assert_clean()

    def monitors(self):
        """Pids of the container monitors of this test's state folder."""
        pids = []
        for d in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            if b"container-monitor" in cmdline and self.state.encode() in cmdline:
                pids.append(int(d))
        return pids

    def test_generated_name(self):
        r = self.d("run", "-d", self.image, "wait")
        name = r.stdout.strip()
        self.assertRegex(name, r"^distill-[0-9a-f]{12}$")
        self.assertEqual([c["name"] for c in self.ps()], [name])
        self.d("stop", name)
        self.assert_clean()

    # -- published ports ------------------------------------------------------------------

    def pastas(self):
        return T.processes_with(self.state.encode(), b"--netns")

    def wait_for(self, what, check, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            got = check()
            if got:
                return got
            time.sleep(0.2)
        self.fail("timed out waiting for " + what)

    def fetch_or_none(self, port):
        try:
            return fetch("127.0.0.1", port)
        except OSError:
            return None

    def test_detached_with_a_published_port(self):
        """-d -p: pasta outlives `distill run -d`, serves the port while the
        container runs, and goes with it, on stop or when its process dies."""
        port = free_port()
        self.d("run", "-d", "--name", "web", "-p", "127.0.0.1:%d:8080" % port, self.image,
               "serve", "8080")
        self.assertEqual(self.wait_for("the published port", lambda: self.fetch_or_none(port)),
                         "hello from 8080\n")
        self.assertEqual(len(self.pastas()), 1, "one pasta for the container")
        self.d("stop", "web")
        self.wait_for("pasta to go after stop", lambda: self.pastas() == [], 10)
        self.assertIsNone(self.fetch_or_none(port), "nothing listens once it is stopped")
        self.assert_clean()
        # Its process killed behind distill's back: pasta goes too.
        self.d("run", "-d", "--name", "web2", "-p", "127.0.0.1:%d:8080" % port, self.image,
               "serve", "8080")
        self.wait_for("the published port", lambda: self.fetch_or_none(port))
        os.kill(self.ps()[0]["pid"], signal.SIGKILL)
        self.wait_for("pasta to go with the container", lambda: self.pastas() == [], 10)
        self.assertEqual([c["status"] for c in self.ps("-a")], ["exited"])
        self.d("stop", "web2")
        self.assert_clean()

    # -- distill debug ---------------------------------------------------------------------

    def test_debug_with_a_toolbox_image(self):
        """A toolbox (here the probe image itself) in the target's pid
        namespace: process 1 is the target's, and its files, a 0640 file of
        another user included, are under /proc/1/root."""
        self.d("run", "-d", "--name", "tgt", "-u", "nobody", self.image, "wait")
        r = self.d("debug", "--image", self.image, "tgt", "--", "probe", "cat", "/proc/1/status")
        self.assertRegex(r.stdout, r"Uid:\t65534\t", "process 1 is the target (as nobody)")
        r = self.d("debug", "--image", self.image, "tgt", "--", "probe", "cat",
                   "/proc/1/root/app/app.conf")
        self.assertEqual(r.stdout, "listen = 8080\nmode = production\n")
        r = self.d("debug", "--image", self.image, "tgt", "--", "probe", "id")
        self.assertEqual(r.stdout, "uid=0 gid=0\n", "the toolbox runs as root")
        self.d("debug", "--image", self.image, "tgt", "--", "probe", "exit", "5", expect_rc=5)
        self.assertEqual([(c["name"], c["status"]) for c in self.ps()], [("tgt", "running")])
        self.d("stop", "tgt")
        r = self.d("debug", "--image", self.image, "tgt", "--", "probe", "id", expect_rc=1)
        self.assert_one_error(r, "tgt")
        self.assert_clean()

    # -- stdin ---------------------------------------------------------------------------

    def test_interactive_stdin(self):
        p = self.d("run", "-i", self.image, "cat", "/dev/stdin", input=b"typed in\n")
        self.assertEqual(p.stdout, b"typed in\n")
        p = self.d("run", self.image, "cat", "/dev/stdin", input=b"not seen\n")
        self.assertEqual(p.stdout, b"", "without -i stdin is /dev/null")
        self.d("run", "-d", "--name", "in", self.image, "wait")
        p = self.d("exec", "-i", "in", "probe", "cat", "/dev/stdin", input=b"to exec\n")
        self.assertEqual(p.stdout, b"to exec\n")
        self.d("stop", "in")
        self.assert_clean()

    def on_terminal(self, args, typed):
        env = self.base_env()
        env.update(self.env())
        return T.on_terminal([T.DISTILL] + list(args), env, typed)

    def test_interactive_stdin_from_a_terminal(self):
        """-i on a terminal: runc reads it in the terminal's foreground group
        (in a group of its own, reading would stop it with SIGTTIN)."""
        # probe's output is a pipe to runc, so it shows once cat has read
        # the end of file (^D at the start of a line).
        out, code = self.on_terminal(["run", "-i", self.image, "cat", "/dev/stdin"],
                                     b"from a terminal\n\x04")
        self.assertEqual(out.count(b"from a terminal"), 2, "the echo, then cat's copy: %r" % out)
        self.assertEqual(code, 0, out)
        self.assert_clean()

    def test_terminal(self):
        """-t: the process's stdin and stdout are a terminal of its own, in
        whose foreground group it runs (with --init too), and what is typed
        on ours reaches it."""
        for extra in ([], ["--init"]):
            out, code = self.on_terminal(["run", "-it"] + extra + [self.image, "tty"],
                                         b"typed line\r")
            self.assertIn(b"stdin=1 stdout=1 foreground=1", out, (extra, out))
            self.assertIn(b"read: typed line", out, (extra, out))
            self.assertEqual(code, 0, (extra, out))
        self.d("run", "-d", "--name", "term", self.image, "wait")
        out, code = self.on_terminal(["exec", "-it", "term", "probe", "tty"], b"to exec\r")
        self.assertIn(b"stdin=1 stdout=1 foreground=1", out)
        self.assertIn(b"read: to exec", out)
        self.assertEqual(code, 0, out)
        # Without -t: no terminal inside, even on ours.
        out, code = self.on_terminal(["exec", "-i", "term", "probe", "tty"], b"\x04")
        self.assertIn(b"stdout=0 foreground=0", out)
        self.d("stop", "term")
        self.assert_clean()

    def test_terminal_needs_one(self):
        r = self.d("run", "-t", self.image, "tty", expect_rc=1)
        self.assert_one_error(r, "-t: the input is not a terminal", "drop -t")
        r = self.d("run", "-dt", self.image, expect_rc=1)
        self.assert_one_error(r, "-t: cannot be combined with -d", "distill exec -it")
        self.d("run", "-d", "--name", "noterm", self.image, "wait")
        r = self.d("exec", "-t", "noterm", "probe", "tty", expect_rc=1)
        self.assert_one_error(r, "-t: the input is not a terminal")
        self.d("stop", "noterm")
        self.assert_clean()

    # -- foreground runs with a name -------------------------------------------------------

    def test_a_named_foreground_run_is_listed_and_its_name_taken(self):
        p = self.popen("run", "--name", "fg", self.image, "wait")
        try:
            self.assertEqual(p.stdout.readline(), b"ready\n")
            self.assertEqual([(c["name"], c["status"]) for c in self.ps()], [("fg", "running")])
            r = self.d("run", "-d", "--name", "fg", self.image, expect_rc=1)
            self.assert_one_error(r, "--name fg: is already in use by a container")
            r = self.d("stop", "fg", expect_rc=1)
            self.assert_one_error(r, "stop fg: runs in the foreground of another distill")
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 143, err)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(self.ps("-a"), [])
        self.assert_clean()

    # -- a killed distill --------------------------------------------------------------------

    def test_a_run_killed_mid_creation_is_cleaned_by_ps(self):
        image = deep_layer_image(self, self.image)
        p = self.popen("run", "-d", "--name", "slow", image, "wait")
        folder = os.path.join(self.state, "containers", "slow")
        deadline = time.time() + 60
        while time.time() < deadline and not os.path.isdir(folder):
            time.sleep(0.01)
        self.assertTrue(os.path.isdir(folder), "the name was claimed")
        p.kill()
        p.communicate()
        self.assertEqual(self.ps("-a"), [], "a dead distill's half-made container is not listed")
        self.assert_clean()
        self.d("run", "-d", "--name", "slow", self.image, "wait")  # the name is free again
        self.d("stop", "slow")
        self.assert_clean()

    def test_a_container_whose_distill_died_before_recording_it_is_removed(self):
        self.d("run", "-d", "--name", "left", self.image, "wait")
        pid = self.runc_list()[0]["pid"]
        record_path = os.path.join(self.state, "containers", "left", "record.json")
        with open(record_path) as f:
            record = json.load(f)
        record["phase"] = "creating"  # what a distill killed before its last write leaves
        with open(record_path, "w") as f:
            json.dump(record, f)
        self.assertEqual(self.ps("-a"), [])
        deadline = time.time() + 10
        while time.time() < deadline and process_alive(pid):
            time.sleep(0.1)
        self.assertFalse(process_alive(pid), "its process is ended")
        self.assert_clean()

    def test_a_killed_named_foreground_run_is_cleaned_by_ps(self):
        p = self.popen("run", "--name", "fgk", self.image, "wait")
        try:
            self.assertEqual(p.stdout.readline(), b"ready\n")
            p.kill()
            p.communicate()
        finally:
            if p.poll() is None:
                p.kill()
        deadline = time.time() + 10
        while time.time() < deadline and self.ps("-a"):
            time.sleep(0.1)
        self.assertEqual(self.ps("-a"), [])
        self.run_distill(["run", self.image], env=self.env())  # the next run cleans TMPDIR
        self.assert_clean()

    # -- errors ----------------------------------------------------------------------------

    def test_errors_are_one_line(self):
        self.d("run", "-d", "--name", "dup", self.image, "wait")
        r = self.d("run", "-d", "--name", "dup", self.image, "wait", expect_rc=1)
        self.assert_one_error(r, "--name dup: is already in use by a container", "choose another")
        for cmd in (["stop", "nope"], ["logs", "nope"], ["exec", "nope", "id"],
                    ["logs", "-f", "nope"]):
            r = self.d(*cmd, expect_rc=1)
            self.assert_one_error(r, "%s nope: no such container" % cmd[0], "distill ps -a")
        r = self.d("run", "-d", "--name", "a/b", self.image, expect_rc=1)
        self.assert_one_error(r, "--name a/b: holds a character that is not allowed")
        r = self.d("run", "-d", "--name", ".x", self.image, expect_rc=1)
        self.assert_one_error(r, "must start with a letter or digit")
        r = self.d("run", "-d", "-i", self.image, expect_rc=1)
        self.assert_one_error(r, "-i: cannot be combined with -d")
        r = self.d("run", "-d", "--entrypoint", "/nonexistent", self.image, expect_rc=1)
        self.assert_one_error(r, "'/nonexistent' not found in the image")
        self.assertEqual([c["name"] for c in self.ps("-a")], ["dup"], "failed runs left nothing")
        self.d("stop", "dup")
        self.assert_clean()


if __name__ == "__main__":
    T.main()
