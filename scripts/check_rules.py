#!/usr/bin/env python3
"""Checks the rules ARCHITECTURE.md states and a compiler cannot:

  include-order   a file in src/<module>/ includes only its own module and the
                  modules before it in ARCHITECTURE.md's "Module order" line;
  format          every C and C++ source is clang-format clean;
  unity-names     no two files of one target (library or unit tests) define the
                  same name in anonymous namespaces of the same C++ namespace:
                  the unity build puts up to 16 files in one translation unit,
                  where such names collide or silently overload.

  scripts/check_rules.py [--root DIR] [--only include-order,format,unity-names]

Prints one line per violation and exits 1 when there is any.
"""
import argparse
import os
import re
import subprocess
import sys

ORDER_LINE = re.compile(r"^\s+(core(?:\s*→\s*\w+)+)\s*$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def module_order(root):
    with open(os.path.join(root, "ARCHITECTURE.md"), encoding="utf-8") as f:
        for line in f:
            m = ORDER_LINE.match(line)
            if m:
                return [x.strip() for x in m.group(1).split("→")]
    sys.exit("check_rules: ARCHITECTURE.md has no module order line (core → ... → cli)")


def tracked(root, patterns):
    out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                          "--exclude-standard", "--"] + patterns,
                         check=True, capture_output=True, text=True).stdout
    return sorted(p for p in out.splitlines() if os.path.exists(os.path.join(root, p)))


def check_include_order(root):
    order = module_order(root)
    rank = {m: i for i, m in enumerate(order)}
    problems = []
    for path in tracked(root, ["src/*.cpp", "src/*.hpp"]):
        parts = path.split("/")
        if len(parts) < 3:
            continue  # src/main.cpp sits above every module
        module = parts[1]
        if module not in rank:
            problems.append(f"{path}: module '{module}' is not in ARCHITECTURE.md's module order")
            continue
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        for m in INCLUDE.finditer(text):
            dep = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if dep not in rank:
                problems.append(f"{path}:{line}: includes unknown module '{dep}'")
            elif rank[dep] > rank[module]:
                problems.append(f"{path}:{line}: {module}/ includes {dep}/, which comes after it "
                                f"in the module order")
    return problems


def check_format(root):
    problems = []
    files = tracked(root, ["src/*.cpp", "src/*.hpp", "tests/*.cpp", "tests/*.hpp",
                           "tools/*.c", "bench/*.cpp"])
    for path in files:
        r = subprocess.run(["clang-format", "--dry-run", "-Werror", path], cwd=root,
                           capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"{path}: not clang-format clean (run clang-format -i {path})")
    return problems


def strip_code(text):
    """Comments, string and character literals and preprocessor lines blanked,
    newlines kept, so braces and names can be counted."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i) or (c == "#" and (i == 0 or text[i - 1] == "\n")):
            j = text.find("\n", i)
            j = n if j < 0 else j
            # a preprocessor line may continue with a backslash
            while c == "#" and j < n and text[j - 1] == "\\":
                k = text.find("\n", j + 1)
                j = n if k < 0 else k
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == 'R' and text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


DECL_TYPE = re.compile(r"^(?:template\s*<[^{;]*>\s*)?(?:struct|class|union|enum(?:\s+class|\s+struct)?)"
                       r"\s+(\w+)")
DECL_USING = re.compile(r"^using\s+(\w+)\s*=")
NAME_BEFORE_PAREN = re.compile(r"(~?\w+)\s*\($")
NAME_BEFORE_ASSIGN = re.compile(r"(\w+)\s*(?:\[[^\]]*\])?\s*(?:=|\{)")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "decltype", "static_assert",
            "alignof", "noexcept", "operator"}


def declared_name(stmt):
    stmt = " ".join(stmt.split())
    if not stmt or stmt.startswith("namespace") or stmt.startswith("using namespace"):
        return None
    m = DECL_USING.match(stmt)
    if m:  # the same alias twice is legal; two meanings of one alias are not
        return m.group(1) + " = " + stmt[m.end():].strip()
    m = DECL_TYPE.match(stmt)
    if m:
        return m.group(1)
    paren = stmt.find("(")
    assign = stmt.find("=")
    if paren >= 0 and (assign < 0 or paren < assign):
        m = NAME_BEFORE_PAREN.search(stmt[:paren + 1])
        name = m.group(1) if m else None
    else:
        m = NAME_BEFORE_ASSIGN.search(stmt)
        name = m.group(1) if m else None
    if not name or name in KEYWORDS or re.fullmatch(r"[A-Z0-9_]+", name):
        return None  # macros (TEST_F, INSTANTIATE_TEST_SUITE_P) and non-declarations
    return name


def anonymous_names(text):
    """(namespace, name) for every declaration directly inside an anonymous namespace."""
    code = strip_code(text)
    stack = []  # "ns:<name>", "ns:" (anonymous) or "{"
    stmt_start = 0
    found = set()
    i = 0
    for m in re.finditer(r"namespace\s+([\w:]*)\s*\{|[{};]", code):
        tok = m.group(0)
        in_anon_scope = bool(stack) and stack[-1] == "ns:"
        if tok.startswith("namespace"):
            stack.append("ns:" + m.group(1))
            stmt_start = m.end()
            continue
        if tok == "{":
            if in_anon_scope:
                name = declared_name(code[stmt_start:m.start()])
                if name:
                    named = ".".join(s[3:] for s in stack if s.startswith("ns:") and s != "ns:")
                    found.add((named, name))
            stack.append("{")
            stmt_start = m.end()
        elif tok == "}":
            if stack:
                stack.pop()
            stmt_start = m.end()
        else:  # ';'
            if in_anon_scope:
                name = declared_name(code[stmt_start:m.start()])
                if name:
                    named = ".".join(s[3:] for s in stack if s.startswith("ns:") and s != "ns:")
                    found.add((named, name))
            stmt_start = m.end()
    return found


def check_unity_names(root):
    problems = []
    for target, patterns in (("library", ["src/*.cpp"]), ("unit tests", ["tests/unit/*.cpp"])):
        where = {}
        for path in tracked(root, patterns):
            with open(os.path.join(root, path), encoding="utf-8") as f:
                for key in anonymous_names(f.read()):
                    where.setdefault(key, []).append(path)
        by_name = {}
        for (ns, decl), paths in where.items():
            by_name.setdefault((ns, decl.split(" = ")[0]), {})[decl] = paths
        for (ns, name), decls in sorted(by_name.items()):
            paths = sorted({p for ps in decls.values() for p in ps})
            aliases = all(" = " in d for d in decls)
            if len(paths) > 1 and not (aliases and len(decls) == 1):
                problems.append(f"{target}: '{name}' is defined in anonymous namespaces of "
                                f"namespace '{ns or '(global)'}' in {', '.join(paths)} "
                                f"(rename one, or share it from a header)")
    return problems


CHECKS = {"include-order": check_include_order, "format": check_format,
          "unity-names": check_unity_names}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    ap.add_argument("--only", default=",".join(CHECKS))
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    failed = 0
    for name in args.only.split(","):
        problems = CHECKS[name](root)
        for p in problems:
            print(f"check_rules: {name}: {p}")
        failed += len(problems)
        print(f"check_rules: {name}: {'ok' if not problems else f'{len(problems)} violation(s)'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
