"""Leftovers of killed commands: a command that writes an output first
removes the temporaries (`<out>.distill-tmp.<pid>.XXXXXX`) that writers of the
same output left when they died, and never those of a live writer: one whose
pid runs, or whose temporary is still flock'd (here by a helper process).
A killed writer is simulated by a temporary named with the pid of a process
that has exited. (`distill run`'s bundles and runc state are in
test_run_fixture.py.)
"""

import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_sbom_fixture import shared_testdata  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
"""

# Creates "<argv[1]>.distill-tmp.<its pid>.live01", flocks it and every other
# path given, prints its name and sleeps: a live writer.
HOLDER = """\
import fcntl, os, sys, time
own = sys.argv[1] + ".distill-tmp.%d.live01" % os.getpid()
os.mkdir(own)
fds = [os.open(p, os.O_RDONLY) for p in [own] + sys.argv[2:]]
for fd in fds:
    fcntl.flock(fd, fcntl.LOCK_EX)
print(own, flush=True)
time.sleep(600)
"""


class LeftoversFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def live_writer(self, target: str, *locked) -> str:
        """Starts a holder; returns the temporary named with its pid."""
        p = subprocess.Popen([sys.executable, "-c", HOLDER, target] + list(locked),
                             stdout=subprocess.PIPE)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        own = p.stdout.readline().decode().strip()
        self.assertTrue(own and os.path.isdir(own), "the holder did not start")
        return own

    def leftovers(self, target: str, folder: bool):
        """A dead writer's temporary, one named with a dead pid but still
        locked, and one of a live writer: (stale, kept...)."""
        dead = T.gone_pid()
        stale = "%s.distill-tmp.%d.AAAAAA" % (target, dead)
        locked = "%s.distill-tmp.%d.BBBBBB" % (target, dead)
        if folder:
            T.make_deep_tree(stale, 50)
        else:
            with open(stale, "wb") as f:
                f.write(b"\0" * 4096)
        os.mkdir(locked)
        live = self.live_writer(target, locked)
        return stale, [locked, live]

    def assert_swept(self, stale, kept):
        self.assertFalse(os.path.lexists(stale), "a dead writer's temporary is removed")
        for k in kept:
            self.assertTrue(os.path.isdir(k), "a live writer's temporary is kept: " + k)

    def build(self, out, *extra):
        repo = self.make_image_repo()
        server = self.serve(repo)
        spec = self.write_spec(SPEC)
        return self.run_distill(self.mirror_args(server) +
                                ["--cache-dir", self.cache_dir, "build", "-f", spec, "-o", out] +
                                list(extra))

    def test_build_removes_a_dead_builds_staging_folder(self):
        out = os.path.join(self.tmp, "image")
        stale, kept = self.leftovers(out, folder=True)
        self.build(out)
        self.assert_swept(stale, kept)
        T.OciLayout(out)  # the build itself is whole

    def test_docker_archive_build_removes_a_dead_builds_temporary(self):
        out = os.path.join(self.tmp, "image.tar")
        stale, kept = self.leftovers(out, folder=False)
        self.build(out, "--format", "docker")
        self.assert_swept(stale, kept)
        self.assertTrue(os.path.isfile(out))

    def test_db_import_removes_a_dead_imports_temporary(self):
        samples = os.path.join(shared_testdata(), "debian-security-tracker")
        db = os.path.join(self.tmp, "vulndb.sqlite")
        stale, kept = self.leftovers(db, folder=False)
        self.run_distill(["db", "import", "--db", db,
                          os.path.join(samples, "osv-dev-mock.json")])
        self.assert_swept(stale, kept)
        self.assertTrue(os.path.isfile(db))


if __name__ == "__main__":
    T.main()
