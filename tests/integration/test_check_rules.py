"""scripts/check_rules.py, which scripts/test.sh runs first, fails on each kind
of planted violation and passes on the same tree without it: an include
against ARCHITECTURE.md's module order, a file that is not clang-format
clean, and one name in anonymous namespaces of one C++ namespace in two
files of a unity target."""

import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SOURCE = os.environ.get("DISTILL_SOURCE_DIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(SOURCE, "scripts", "check_rules.py")

ARCH = """# Architecture

## Module order

    core → oci → image → cli
"""

CLEAN = {
    "src/core/text.hpp": "#pragma once\n\nnamespace distill::core {\n\nint size();\n\n}  // namespace distill::core\n",
    "src/oci/digest.cpp": ('#include "core/text.hpp"\n\nnamespace distill::oci {\nnamespace {\n\n'
                           "int helper() {\n  return 1;\n}\n\n}  // namespace\n\n"
                           "int digest() {\n  return helper();\n}\n\n}  // namespace distill::oci\n"),
    "src/image/layer.cpp": ('#include "oci/digest.hpp"\n\nnamespace distill::image {\nnamespace {\n\n'
                            "int helper() {\n  return 2;\n}\n\n}  // namespace\n\n"
                            "int layer() {\n  return helper();\n}\n\n}  // namespace distill::image\n"),
}


class CheckRulesTest(T.DistillTestCase):

    def make_tree(self, extra=None):
        root = os.path.join(self.tmp, "tree")
        shutil.rmtree(root, ignore_errors=True)
        files = dict(CLEAN)
        files.update(extra or {})
        for rel, text in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        with open(os.path.join(root, "ARCHITECTURE.md"), "w") as f:
            f.write(ARCH)
        shutil.copy(os.path.join(SOURCE, ".clang-format"), root)
        subprocess.run(["git", "init", "-q", root], check=True)
        return root

    def check(self, root):
        return subprocess.run([sys.executable, SCRIPT, "--root", root], capture_output=True,
                              text=True)

    def test_clean_tree_passes(self):
        r = self.check(self.make_tree())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("include-order: ok", r.stdout)

    def test_include_against_the_order_fails(self):
        bad = '#include "image/layer.hpp"\n\nnamespace distill::oci {}  // namespace distill::oci\n'
        r = self.check(self.make_tree({"src/oci/back.cpp": bad}))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("src/oci/back.cpp:1: oci/ includes image/, which comes after it", r.stdout)

    def test_unformatted_file_fails(self):
        r = self.check(self.make_tree({"src/core/ugly.cpp": "int   f( ){return 1;}\n"}))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("src/core/ugly.cpp: not clang-format clean", r.stdout)

    def test_same_anonymous_helper_in_one_namespace_fails(self):
        twin = ('#include "oci/digest.hpp"\n\nnamespace distill::oci {\nnamespace {\n\n'
                "int helper() {\n  return 3;\n}\n\n}  // namespace\n\n"
                "int twin() {\n  return helper();\n}\n\n}  // namespace distill::oci\n")
        r = self.check(self.make_tree({"src/oci/twin.cpp": twin}))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("'helper' is defined in anonymous namespaces of namespace 'distill::oci' in "
                      "src/oci/digest.cpp, src/oci/twin.cpp", r.stdout)
        # distill::image's helper of the same name is another namespace: not reported.
        self.assertNotIn("src/image/layer.cpp", r.stdout)


if __name__ == "__main__":
    T.main()
