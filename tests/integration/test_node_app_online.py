"""A real Node.js app end to end (docs/app-dependencies.md, "Node.js"): an
Express app whose dependencies `npm ci` installs from the npm registry, built
on the nodejs preset from the host's Debian mirror, run under `distill run`,
asked over HTTP on 127.0.0.1, and its SBOM compared with the lockfile.

Not hermetic: it needs the npm registry and the Debian mirror; an unreachable
one is a failure. The lockfile is made by npm in the test, never kept in the
repository: it would name the registry's host.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

PACKAGE_JSON = {
    "name": "distill-express-test",
    "version": "1.0.0",
    "private": True,
    "description": "an Express app for distill's online test",
    "license": "MIT",
    # express 4 pulls in mime 1.x, whose package links a CLI into node_modules/.bin.
    "dependencies": {"express": "4.21.2"},
}

SERVER_JS = """\
const express = require('express');
const app = express();
app.get('/', (req, res) => {
  res.send('hello from express ' + require('express/package.json').version + '\\n');
});
const port = Number(process.env.PORT);
app.listen(port, '127.0.0.1', () => console.log('listening on ' + port));
process.on('SIGTERM', () => process.exit(0));
"""

SPEC = """\
base: nodejs
files:
  - src: app/
    dst: /app/
workdir: /app
entrypoint: [/usr/bin/node, /app/server.js]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NodeAppOnlineTest(T.OnlineBuildMixin, T.DistillTestCase):

    def npm(self, app: str, *args):
        env = dict(self.base_env(), npm_config_cache=os.path.join(self.tmp, "npm-cache"),
                   npm_config_update_notifier="false", HOME=self.tmp)
        p = subprocess.run(["npm"] + list(args), cwd=app, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
        self.assertEqual(p.returncode, 0, "npm %s:\n%s\n%s" % (" ".join(args), p.stdout.decode(),
                                                             p.stderr.decode()))

    def make_app(self) -> str:
        folder = self.mkdir("spec")
        app = os.path.join(folder, "app")
        os.makedirs(app)
        with open(os.path.join(app, "package.json"), "w") as f:
            json.dump(PACKAGE_JSON, f, indent=2)
        with open(os.path.join(app, "server.js"), "w") as f:
            f.write(SERVER_JS)
        self.npm(app, "install", "--package-lock-only", "--ignore-scripts", "--no-audit",
                 "--no-fund")
        self.npm(app, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund")
        link = os.path.join(app, "node_modules", ".bin", "mime")
        self.assertTrue(os.path.islink(link), "npm ci made no .bin link: the test needs one")
        return folder

    def lock_packages(self, folder: str) -> dict:
        """name -> version of every installed package the lockfile lists."""
        with open(os.path.join(folder, "app", "package-lock.json")) as f:
            lock = json.load(f)
        out = {}
        for key, entry in lock["packages"].items():
            if not key.startswith("node_modules/") or entry.get("dev"):
                continue
            name = entry.get("name") or key.rsplit("node_modules/", 1)[1]
            out.setdefault(name, set()).add(entry["version"])
        return out

    def serve(self, layout: T.OciLayout, port: int) -> subprocess.Popen:
        args = [T.DISTILL, "--cache-dir", T.ONLINE_CACHE, "run", "--network", "host",
                "-e", "PORT=%d" % port, "%s:test" % layout.path]
        p = subprocess.Popen(args, cwd=self.tmp, env=self.base_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self.stop, p)
        return p

    def stop(self, p: subprocess.Popen):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for pipe in (p.stdout, p.stderr):
            if pipe:
                pipe.close()

    def get(self, port: int, p: subprocess.Popen) -> str:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=5) as r:
                    return r.read().decode()
            except OSError:
                if p.poll() is not None or time.monotonic() > deadline:
                    out, err = p.communicate(timeout=30) if p.poll() is not None else (b"", b"")
                    self.fail("the app did not answer on 127.0.0.1:%d (rc %s)\n%s\n%s" %
                              (port, p.poll(), out.decode(), err.decode()))
                time.sleep(0.3)

    def test_express_app_runs_and_its_sbom_lists_the_lockfile(self):
        for tool in ("npm", "runc"):
            self.assertIsNotNone(shutil.which(tool), "%s is needed" % tool)
        folder = self.make_app()
        _, layout, _ = self.online_build(SPEC, spec_folder=folder)
        img = layout.image("test")
        root = img.rootfs()
        # The .bin link is a link, as npm made it.
        link = root["app/node_modules/.bin/mime"]
        self.assertEqual(link.kind, "l")
        self.assertEqual(link.target, os.readlink(
            os.path.join(folder, "app", "node_modules", ".bin", "mime")))

        port = free_port()
        p = self.serve(layout, port)
        want = json.load(open(os.path.join(folder, "app", "node_modules", "express",
                                           "package.json")))["version"]
        self.assertEqual(self.get(port, p), "hello from express %s\n" % want)
        self.stop(p)

        locked = self.lock_packages(folder)
        self.assertIn("express", locked)
        for fmt in ("cyclonedx-json", "spdx-json"):
            with self.subTest(format=fmt):
                doc = self.run_distill(["sbom", "--format", fmt, "%s:test" % layout.path]).json()
                npm = {}
                if fmt == "cyclonedx-json":
                    items = [(c.get("purl", ""), c["name"], c["version"])
                             for c in doc.get("components", [])]
                else:
                    items = []
                    for pkg in doc["packages"]:
                        purls = [r["referenceLocator"] for r in pkg.get("externalRefs", [])
                                 if r.get("referenceType") == "purl"]
                        items.append((purls[0] if purls else "", pkg["name"],
                                      pkg.get("versionInfo", "")))
                for purl, name, version in items:
                    if purl.startswith("pkg:npm/"):
                        npm.setdefault(name, set()).add(version)
                # Every locked package, with the lockfile's version; nothing else.
                self.assertEqual(npm, locked)


if __name__ == "__main__":
    T.main()
