"""The image the hermetic `distill run` and `distill test` tests use.

Built once per test module with `distill build` from the fixture repository
(the `static` preset) plus `probe`, a static program compiled here with
`gcc -static` from probe.c, as the entrypoint. Volumes and a label are added
to the config afterwards by editing the layout (distill.yaml has no field
for volumes), so metadata tests have something to find.
"""

import atexit
import hashlib
import json
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))

SPEC = """\
distro: debian12
archs: [amd64]
base: static
files:
  - {src: probe, dst: /usr/local/bin/probe, mode: "0755"}
  - {src: app.conf, dst: /app/app.conf, mode: "0640", uid: 65532, gid: 65532}
entrypoint: [/usr/local/bin/probe]
cmd: [hello]
workdir: /app
env: {GREETING: bonjour}
ports: [8080, 53/udp]
labels: {org.example.version: "1.2.3"}
"""

_CACHE = {}


def compile_probe(dest: str):
    p = subprocess.run(["gcc", "-static", "-O1", "-o", dest, os.path.join(HERE, "probe.c")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise AssertionError("gcc -static failed (is libc6-dev installed?):\n" +
                             p.stderr.decode())


def _add_volume(layout: str):
    """Adds config.Volumes {"/data": {}} and rewrites the manifest and index
    digests, as another tool's image would carry it."""
    def blob(d):
        return os.path.join(layout, "blobs", "sha256", d.split(":", 1)[1])

    def put(data: bytes) -> str:
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(layout, "blobs", "sha256", h), "wb") as f:
            f.write(data)
        return "sha256:" + h

    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    entry = index["manifests"][0]
    with open(blob(entry["digest"]), "rb") as f:
        manifest = json.load(f)
    with open(blob(manifest["config"]["digest"]), "rb") as f:
        config = json.load(f)
    config["config"]["Volumes"] = {"/data": {}}
    data = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    manifest["config"]["digest"] = put(data)
    manifest["config"]["size"] = len(data)
    mdata = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    entry["digest"] = put(mdata)
    entry["size"] = len(mdata)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f)


def probe_image(test) -> str:
    """The OCI layout (built on first use; `test` is a FixtureTestCase with
    BuildTestMixin). Returns "<layout>:test"."""
    if "ref" in _CACHE:
        return _CACHE["ref"]
    import distill_testlib as T
    shared = os.path.join(T.TEST_TMP, "probe-image-%d" % os.getpid())
    shutil.rmtree(shared, ignore_errors=True)
    os.makedirs(shared)
    atexit.register(shutil.rmtree, shared, True)
    spec_dir = os.path.join(shared, "spec")
    os.makedirs(spec_dir)
    compile_probe(os.path.join(spec_dir, "probe"))
    with open(os.path.join(spec_dir, "app.conf"), "w") as f:
        f.write("listen = 8080\nmode = production\n")
    spec = test.write_spec(SPEC, folder=spec_dir)
    repo = T.FixtureRepo(os.path.join(shared, "repo"), key=T.signing_key(),
                         packages=T.image_packages())
    server = T.FixtureServer(repo.root)
    try:
        out = os.path.join(shared, "image")
        res = test.run_distill(test.mirror_args(server, T.signing_key().copy_keyring(
            os.path.join(shared, "keyring.gpg"))) + ["--cache-dir", os.path.join(shared, "cache"),
                                                    "build", "-f", spec, "-o", out,
                                                    "-t", "probe:test"])
        test.assert_digest_line(res)
    finally:
        server.close()
    _add_volume(out)
    _CACHE["ref"] = out + ":test"
    return _CACHE["ref"]


def signal_when_ready(test, cmd, env, sig, ready: bytes = b"ready\n", timeout: int = 120):
    """Starts `cmd`, waits for its first stdout line to be `ready` (while it
    runs, `while_running(test)` may check things), sends `sig` and returns
    (exit code, rest of stdout, stderr)."""
    import subprocess
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    try:
        line = p.stdout.readline()
        if line != ready:
            p.kill()
            _, err = p.communicate()
            test.fail("expected %r first, got %r\n%s" % (ready, line, err.decode()))
        hook = getattr(test, "while_running", None)
        if hook:
            hook()
        p.send_signal(sig)
        out, err = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, out.decode(), err.decode()


def set_up(test):
    """A test's start: runc is required, the probe image built (once), and
    test.tmpdir a fresh folder to point distill's TMPDIR at."""
    import distill_testlib as T
    T.tool("runc")
    test.image = probe_image(test)
    test.tmpdir = test.mkdir("tmpdir")
