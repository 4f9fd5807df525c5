"""examples/ping-app/run.sh end to end (docs/experiment.md): both images
built from real Debian packages (distill build, mmdebstrap + distill import),
run under runc, attacked over HTTP; then `distill compare` and `distill probe`
on both. Not hermetic (the host's Debian mirror); needs root, runc,
mmdebstrap and curl: a missing one is a failure.
"""

import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

RUN_SH = os.path.join(T.SOURCE_DIR, "examples", "ping-app", "run.sh")


class PingAppOnlineTest(T.DistillTestCase):

    def answer(self, name):
        with open(os.path.join(self.out, "answers", name + ".json")) as f:
            return json.load(f)

    def test_experiment(self):
        self.out = self.mkdir("out")
        env = self.base_env()
        env.update({"DISTILL": T.DISTILL, "DISTILL_FLAGS": "--cache-dir %s" % T.ONLINE_CACHE,
                    "TMPDIR": self.tmp})
        p = subprocess.run([RUN_SH, self.out], env=env, cwd=self.tmp, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=3600)
        out, err = p.stdout.decode(), p.stderr.decode()
        print("\n" + out, file=sys.stderr)
        self.assertEqual(p.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (out, err))

        # Regular image: the injected commands ran and their output came back.
        self.assertIn("uid=65532(nonroot)", self.answer("regular-1")["stdout"])
        self.assertIn("root:x:0:0:", self.answer("regular-2")["stdout"])
        # minbase has no wget: the shell ran the injection and found no tool.
        self.assertIn("wget: not found", self.answer("regular-3")["stderr"])
        self.assertIn("downloaded-and-ran-as-65532", self.answer("regular-4")["stdout"])
        # Distroless: no shell, so nothing injected ran; the app says why.
        for n in range(1, 5):
            a = self.answer("distroless-%d" % n)
            self.assertIn("FileNotFoundError", a.get("error", ""), a)
            self.assertIn("/bin/sh", a["error"], a)
        for name in ("regular", "distroless"):
            safe = self.answer(name + "-safe")
            self.assertEqual(safe.get("exit_code"), 0, (name, safe))
            self.assertIn("1 received", safe["stdout"], (name, safe))

        regular, distroless = (os.path.join(self.out, n) for n in ("regular", "distroless"))
        doc = self.run_distill(["compare", "--format", "json", regular, distroless]).json()
        self.assertLess(doc["b"]["compressed_size"], doc["a"]["compressed_size"])
        self.assertLess(doc["b"]["content_bytes"], doc["a"]["content_bytes"])
        self.assertEqual(doc["b"]["shells"], [])
        self.assertEqual(doc["b"]["package_managers"], [])
        self.assertIn("/usr/bin/bash", doc["a"]["shells"])
        self.assertIn("/usr/bin/apt-get", doc["a"]["package_managers"])
        for side, layout in (("a", regular), ("b", distroless)):
            want = self.run_distill(["inspect", "--json", layout]).json()["images"][0]
            for key in ("compressed_size", "uncompressed_size", "files", "package_count"):
                self.assertEqual(doc[side][key], want[key], (side, key))
        page = open(os.path.join(self.out, "report.html"), encoding="utf-8").read()
        self.assertIn('data-package="python3.11-minimal"', page)

        probe = {}
        for name, layout in (("regular", regular), ("distroless", distroless)):
            probe[name] = self.run_distill(["probe", "--format", "json", layout]).json()
        exposed = {(f["category"], f["item"]) for f in probe["regular"]["findings"]
                   if f["verdict"] == "exposed"}
        for item in (("shell", "sh"), ("shell", "bash"), ("interpreter", "perl"),
                     ("package-manager", "apt-get"), ("package-manager", "dpkg"),
                     ("writable-path", "/tmp")):
            self.assertIn(item, exposed)
        for category in ("shell", "package-manager"):
            self.assertEqual(probe["distroless"]["exposed"][category], 0, category)
        # No download tool; python's socket module is the app's own runtime.
        tools = [f["item"] for f in probe["distroless"]["findings"]
                 if f["category"] == "network-tool" and f["verdict"] == "exposed"]
        self.assertEqual(tools, ["socket module"])


if __name__ == "__main__":
    import unittest
    unittest.main()
