"""The `distill compare --html` page opened in headless Chromium (Debian's
chromium package): it loads without console errors, the DOM Chromium
renders holds the chart's bars and the tables, and a screenshot is taken.
Chromium missing is a failure.
"""

import os
import shutil
import struct
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402
from test_compare_fixture import build_distroless  # noqa: E402


class CompareHtmlFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def chromium(self, *args):
        exe = shutil.which("chromium")
        self.assertIsNotNone(exe, "chromium is needed (apt-get install chromium)")
        home = self.mkdir("chromium-home")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
               "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home}
        r = T.run_tool([exe, "--headless", "--no-sandbox", "--disable-gpu",
                        "--user-data-dir=" + os.path.join(home, "profile"),
                        "--enable-logging=stderr", "--v=0"] + list(args), env=env)
        self.assertEqual(r.rc, 0, r.describe())
        return r

    def test_report_renders_in_chromium(self):
        server = self.serve(self.make_image_repo())
        image = build_distroless(self, server)
        html = os.path.join(self.tmp, "report.html")
        doc = self.run_distill(["compare", image, image, "--format", "json", "--html",
                                html]).json()
        url = "file://" + html

        r = self.chromium("--dump-dom", url)
        dom = r.stdout
        self.assertIn('<svg id="size-chart"', dom)
        for p in doc["a"]["package_sizes"]:
            self.assertIn('data-package="%s" data-a="%d" data-b="%d"' % (
                p["name"], p["bytes"], p["bytes"]), dom)
        self.assertIn('<table id="summary">', dom)
        self.assertIn('<table id="findings-a">', dom)
        self.assertNotIn("Uncaught", r.stderr)
        self.assertNotIn(":CONSOLE(", r.stderr, "console messages:\n" + r.stderr)

        png = os.path.join(self.tmp, "report.png")
        self.chromium("--screenshot=" + png, "--window-size=1000,1400", url)
        with open(png, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", head[16:24])
        self.assertEqual((width, height), (1000, 1400))
        self.assertGreater(os.path.getsize(png), 10000, "a blank page compresses to almost nothing")


if __name__ == "__main__":
    import unittest
    unittest.main()
