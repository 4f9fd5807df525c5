"""Runs inside a distill python3 image (see test_build_online.py).

Imports every standard-library module the image ships, makes a TLS context
with the image's CA bundle, prints a time in a non-UTC zone and asks
ctypes.util.find_library for libc and libssl (it runs ldconfig -p, which
reads /etc/ld.so.cache). The last line
of stdout is `RESULT <json>`; the exit code is 1 when a check failed.

Usage: python3 python_check.py [FILE_LIST]
  FILE_LIST (for calibrating on a host): a file naming the stdlib files to
  consider, one path a line, instead of walking the stdlib folder.
"""

import datetime
import json
import os
import ssl
import sys
import sysconfig
import traceback
import warnings

# Packages and modules that are tests or need a GUI/terminal toolkit the image
# does not have (python3-tk, idle), or that act on import.
SKIP_TOP = {"test", "idlelib", "tkinter", "turtle", "turtledemo", "antigravity", "this",
            "__phello__", "__hello__"}
SKIP_PARTS = {"test", "tests", "idle_test", "__main__"}
# Other operating systems' modules: they exist as files but cannot work here.
OTHER_OS = {"msilib", "asyncio.windows_events", "asyncio.windows_utils",
            "multiprocessing.popen_spawn_win32", "encodings.mbcs", "encodings.oem",
            "distutils.msvccompiler", "distutils._msvccompiler", "distutils.msvc9compiler",
            "_android_support", "_ios_support", "_apple_support"}
# Extension modules that Debian ships in other packages (python3-tk,
# python3-gdbm) or that only exist on Windows/macOS: a ModuleNotFoundError
# naming one of them is an absent optional dependency, not a broken image.
OPTIONAL_ABSENT = {"_tkinter", "tkinter", "_gdbm", "_msi", "msvcrt", "_winapi", "winreg",
                   "_winreg", "_overlapped", "nt", "winsound", "_scproxy"}
# 3.12 dropped distutils (setuptools has it); on 3.11 the python3 preset
# installs python3-distutils, so every distutils module must import there.
OPTIONAL_ABSENT_PREFIXES = ("distutils.",) if sys.version_info >= (3, 12) else ()
if sys.version_info >= (3, 12):
    OPTIONAL_ABSENT.add("distutils")
NEEDS_PROGRAMS = {}
# Modules that fail to import on every Debian system, with the error they give
# there: the check requires exactly that error, so a module that breaks in
# another way, or starts to import, is reported.
BROKEN_UPSTREAM = {
    # Python 2's implicit relative import (`from pgen2 import grammar`).
    "lib2to3.pgen2.conv": "ModuleNotFoundError: No module named 'pgen2'",
}


def absent_optional(e):
    """The optional module an ImportError says is missing, or None. Debian
    patches some messages (dbm.gnu: "No module named '_gdbm', please install
    the python3-gdbm package"), so the text is checked as well as e.name."""
    missing = getattr(e, "name", None)
    if missing is None:
        text = str(e)
        if text.startswith("No module named '"):
            missing = text[len("No module named '"):].split("'", 1)[0]
    if missing and (missing in OPTIONAL_ABSENT or missing.startswith(OPTIONAL_ABSENT_PREFIXES)):
        return missing
    return None


def stdlib_files(stdlib, listing):
    if listing:
        with open(listing) as f:
            return sorted(l.strip() for l in f if l.strip().startswith(stdlib + "/"))
    out = []
    for dirpath, dirs, names in os.walk(stdlib):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__")
                   and not d.startswith("config-")]
        out.extend(os.path.join(dirpath, n) for n in names)
    return sorted(out)


def module_names(stdlib, files):
    """Dotted names of the modules under stdlib (packages only when they have
    __init__.py on every level) and lib-dynload's extension modules."""
    fileset = set(files)
    dynload = os.path.join(stdlib, "lib-dynload") + "/"
    names = set()
    for path in files:
        if path.startswith(dynload):
            base = os.path.basename(path)
            if base.endswith(".so"):
                names.add(base.split(".", 1)[0])
            continue
        if not path.endswith(".py"):
            continue
        rel = os.path.relpath(path, stdlib)[:-3].split("/")
        if rel[-1] == "__init__":
            rel = rel[:-1]
        ok = all(os.path.join(stdlib, *rel[:i], "__init__.py") in fileset
                 for i in range(1, len(rel)))
        if not ok or not rel or "-" in "".join(rel):
            continue
        names.add(".".join(rel))
    return sorted(names)


def skip_reason(name):
    parts = name.split(".")
    if parts[0] in SKIP_TOP:
        return "test/gui/side-effect package"
    if any(p in SKIP_PARTS for p in parts):
        return "test or __main__ module"
    if name in OTHER_OS or parts[0] in OTHER_OS:
        return "other operating system"
    if name in NEEDS_PROGRAMS:
        return NEEDS_PROGRAMS[name]
    return None


def check_imports(names):
    ok, skipped, failed = [], {}, {}
    for name in names:
        reason = skip_reason(name)
        if reason:
            skipped[name] = reason
            continue
        if name in BROKEN_UPSTREAM:
            try:
                __import__(name)
                failed[name] = "imports, but fails on Debian: update BROKEN_UPSTREAM"
            except BaseException as e:  # noqa: B902
                got = "%s: %s" % (type(e).__name__, e)
                if got == BROKEN_UPSTREAM[name]:
                    skipped[name] = "fails as on Debian: " + got
                else:
                    failed[name] = got
            continue
        try:
            __import__(name)
            ok.append(name)
        except ImportError as e:
            missing = absent_optional(e)
            if missing:
                skipped[name] = "needs absent optional module %s" % missing
            else:
                failed[name] = "%s: %s" % (type(e).__name__, e)
        except BaseException as e:  # noqa: B902 - SystemExit too
            failed[name] = "%s: %s" % (type(e).__name__, e)
    return ok, skipped, failed


def check_ssl():
    ctx = ssl.create_default_context()
    default_count = len(ctx.get_ca_certs())
    cafile = os.environ.get("SSL_CERT_FILE", "")
    ctx2 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx2.load_verify_locations(cafile=cafile)
    return {"openssl": ssl.OPENSSL_VERSION, "default_context_ca_certs": default_count,
            "cafile": cafile, "cafile_ca_certs": len(ctx2.get_ca_certs())}


def check_zoneinfo():
    import zoneinfo
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    summer = datetime.datetime(2024, 7, 1, 12, 0, tzinfo=paris)
    winter = datetime.datetime(2024, 1, 15, 12, 0, tzinfo=paris)
    now = datetime.datetime.now(paris)
    return {"now": now.isoformat(), "tzname": now.tzname(),
            "summer_offset_s": int(summer.utcoffset().total_seconds()),
            "winter_offset_s": int(winter.utcoffset().total_seconds())}


def check_find_library():
    import ctypes.util
    return {name: ctypes.util.find_library(name) for name in ("c", "ssl", "crypto")}


def main():
    listing = sys.argv[1] if len(sys.argv) > 1 else None
    warnings.simplefilter("ignore")  # deprecated modules warn on import
    stdlib = sysconfig.get_paths()["stdlib"]
    result = {"python": sys.version.split()[0], "stdlib": stdlib, "uid": os.getuid(),
              "gid": os.getgid(), "executable": sys.executable, "errors": []}
    names = module_names(stdlib, stdlib_files(stdlib, listing))
    ok, skipped, failed = check_imports(names)
    result.update({"modules": len(names), "imported": len(ok), "skipped": skipped,
                   "failed": failed})
    for what, fn in (("ssl", check_ssl), ("zoneinfo", check_zoneinfo),
                     ("find_library", check_find_library)):
        try:
            result[what] = fn()
        except BaseException:  # noqa: B902
            result["errors"].append("%s: %s" % (what, traceback.format_exc()))
    print("python %s, uid %d, %d modules: %d imported, %d skipped, %d failed" %
          (result["python"], result["uid"], len(names), len(ok), len(skipped), len(failed)))
    for name, why in sorted(failed.items()):
        print("IMPORT FAILED %s: %s" % (name, why))
    if "zoneinfo" in result:
        print("Europe/Paris now: %s" % result["zoneinfo"]["now"])
    print("RESULT " + json.dumps(result, sort_keys=True))
    sys.stdout.flush()
    bad = failed or result["errors"]
    os._exit(1 if bad else 0)  # skip interpreter teardown of ~1000 modules


if __name__ == "__main__":
    main()
