"""`distill build` against the hermetic fixture repository.

The fixture's packages (distill_testlib.image_packages) look like Debian's
enough for the assembly rules: base-files ships /bin, /lib and /tmp, libc6
ships /lib/<triplet> and /lib64, hello-tool ships docs, man pages, info,
translations, lintian overrides, setuid/setgid files and maintainer scripts,
ca-certificates ships two real self-signed certificates. The images are read
back by this module (layout, blobs, digests, tar headers) and judged by skopeo
and umoci.
"""

import hashlib
import json
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC_BASE = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
"""

TRIMMED = [
    "usr/share/doc/hello-tool/changelog.Debian.gz",
    "usr/share/doc/hello-tool/README.md",
    "usr/share/doc/libc6/changelog.Debian.gz",
    "usr/share/man/man1/hello.1.gz",
    "usr/share/man/fr/man1/hello.1.gz",
    "usr/share/info/hello.info.gz",
    "usr/share/lintian/overrides/hello-tool",
    "usr/share/lintian/overrides/libc6",
    "usr/share/locale/fr/LC_MESSAGES/hello.mo",
    "usr/share/locale/fr/LC_MESSAGES/libc.mo",
]
ALWAYS_KEPT = [
    "usr/share/locale/locale.alias",
    "usr/share/hello-tool/greeting.txt",
]


class BuildFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)

    # -- helpers ----------------------------------------------------------------

    def build(self, spec, *extra, out=None, cache=None, env=None, cwd=None, umask=None,
              expect_rc=0, spec_arg=True):
        """Runs `distill build`; returns (RunResult, output path)."""
        out = out if out is not None else os.path.join(self.tmp, "image")
        args = self.mirror_args(self.server) + ["--cache-dir", cache or self.cache_dir, "build"]
        if spec_arg:
            args += ["-f", spec]
        if out:
            args += ["-o", out]
        args += list(extra)
        res = self.run_distill(args, env=env, cwd=cwd, umask=umask, expect_rc=expect_rc)
        return res, out

    def build_image(self, spec_text=SPEC_BASE, *extra, tag="test", **kw):
        """Builds, checks stdout is the digest of what index.json names, and
        returns (digest, OciLayout, OciImage)."""
        spec = self.write_spec(spec_text)
        res, out = self.build(spec, "-t", "distill-test:%s" % tag, *extra, **kw)
        digest = self.assert_digest_line(res)
        layout = T.OciLayout(out)
        self.assertEqual(layout.ref(tag)["digest"], digest, res.describe())
        return digest, layout, layout.image(tag)

    def deb_path(self, name, arch="amd64"):
        """The fixture .deb of the version that must be installed."""
        want = T.IMAGE_VERSIONS.get(name)
        found = []
        for suite in T.SUITES:
            try:
                e = self.repo.entry(name, arch, suite)
            except KeyError:
                continue
            if want is None or e.version == want:
                found.append(e)
        self.assertEqual(len(found), 1, "fixture lookup for %s" % name)
        return os.path.join(self.repo.root, found[0].archive, found[0].filename)

    def deb_md5sums(self, name):
        p = T.subprocess.run(["dpkg-deb", "--info", self.deb_path(name), "md5sums"],
                             stdout=T.subprocess.PIPE, check=True)
        return p.stdout.decode()

    # -- layout, config, external tools ------------------------------------------

    def test_layout_config_and_external_tools(self):
        digest, layout, img = self.build_image()
        self.assertEqual(len(layout.manifests), 1, layout.index)
        self.assertEqual(layout.manifests[0]["mediaType"], T.MT_OCI_MANIFEST)
        m = img.manifest
        self.assertEqual(m["schemaVersion"], 2)
        self.assertEqual(m.get("mediaType"), T.MT_OCI_MANIFEST)
        self.assertEqual(m["config"]["mediaType"], T.MT_OCI_CONFIG)
        # No files: the package layers and the image's own layer, one history entry each.
        self.assertGreater(len(img.layers), 1, m)
        for layer in img.layers:
            self.assertEqual(layer["mediaType"], T.MT_LAYER_GZIP)
        self.assertEqual(len(img.config["history"]), len(img.layers))
        self.assertIn("layer image", img.config["history"][-1]["created_by"])
        c = img.config
        self.assertEqual((c["os"], c["architecture"]), ("linux", "amd64"))
        self.assertEqual(c["config"]["User"], "65532:65532")
        env = c["config"]["Env"]
        self.assertIn("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", env)
        path = [e for e in env if e.startswith("PATH=")]
        self.assertEqual(len(path), 1, env)
        self.assertIn("/usr/bin", path[0].split("=", 1)[1].split(":"))
        self.assertEqual(c["created"], "1970-01-01T00:00:00Z")
        self.assertEqual(c["rootfs"]["type"], "layers")
        self.assertEqual(len(c["rootfs"]["diff_ids"]), len(img.layers))
        for i in range(len(img.layers)):
            img.layer_tar(i)  # checks the diff_id
        # No stray blobs: manifest, config and layers only.
        self.assertEqual(layout.blobs(), sorted([digest, m["config"]["digest"]] +
                                                [l["digest"] for l in img.layers]))
        # skopeo reads it, by tag and (only image) without.
        info = self.assert_skopeo_inspect("oci:%s:test" % layout.path)
        self.assertEqual(info["Digest"], digest)
        self.assertEqual(info["Architecture"], "amd64")
        self.assertEqual(info["Layers"], [l["digest"] for l in img.layers])
        r = T.skopeo("copy", "oci:%s:test" % layout.path, "dir:%s" % os.path.join(self.tmp, "dir"))
        self.assertEqual(r.rc, 0, "skopeo copy (verifies every blob)\n" + r.describe())
        # umoci unpacks it (rootless), and the merged-/usr links resolve.
        bundle = self.unpack(layout.path, "test")
        rootfs = os.path.join(bundle, "rootfs")
        for p in ("etc/passwd", "bin/hello", "usr/bin/hello", "sbin/hello-admin",
                  "lib/x86_64-linux-gnu/libc.so.6", "etc/ssl/certs/ca-certificates.crt"):
            self.assertTrue(os.path.isfile(os.path.join(rootfs, p)), "%s missing in %s" % (p,
                                                                                         rootfs))
        self.assertEqual(os.readlink(os.path.join(rootfs, "bin")), "usr/bin")
        self.assert_no_shell(img.rootfs(), bundle)
        with open(os.path.join(bundle, "config.json")) as f:
            rt = json.load(f)
        self.assertIn("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", rt["process"]["env"])

    def test_untagged_output_is_tagged_latest(self):
        # podman and skopeo read oci:DIR as oci:DIR:latest.
        spec = self.write_spec(SPEC_BASE)
        res, out = self.build(spec)
        digest = self.assert_digest_line(res)
        layout = T.OciLayout(out)
        self.assertEqual(layout.ref(None)["annotations"][T.REF_NAME], "latest", layout.index)
        for ref in ("oci:%s" % out, "oci:%s:latest" % out):
            self.assertEqual(self.assert_skopeo_inspect(ref)["Digest"], digest)

    def test_name_without_tag_means_latest(self):
        spec = self.write_spec(SPEC_BASE)
        res, out = self.build(spec, "-t", "app")
        digest = self.assert_digest_line(res)
        self.assertEqual(T.OciLayout(out).ref("latest")["digest"], digest)
        self.mkdir("out")
        res, tar = self.build(spec, "--format", "docker", "-t", "team/app",
                              out=os.path.join(self.tmp, "out", "image.tar"))
        self.assert_digest_line(res)
        manifest = json.loads(T.docker_archive_members(tar)["manifest.json"])
        self.assertEqual(manifest[0]["RepoTags"], ["team/app:latest"])

    def test_invalid_names_refused_before_building(self):
        spec = self.write_spec(SPEC_BASE)
        for name, what in (("App:1", "'App' is not a valid image name"),
                           ("app:-1", "'-1' is not a valid tag"),
                           ("app@sha256:" + "0" * 64, "a digest cannot be recorded as a name")):
            with self.subTest(name=name):
                out = os.path.join(self.tmp, "bad")
                res, _ = self.build(spec, "-t", name, out=out, expect_rc=1)
                self.assertIn("distill: error: -t %s: %s" % (name, what), res.stderr)
                self.assertFalse(os.path.exists(out))

    def test_arch_flag_suggests_debian_name(self):
        spec = self.write_spec(SPEC_BASE)
        res, _ = self.build(spec, "--arch", "x86_64", expect_rc=1)
        self.assertIn("distill: error: command line: --arch: 'x86_64' is not a Debian "
                      "architecture", res.stderr)
        self.assertIn("did you mean 'amd64'?", res.stderr)

    def test_misspelled_command_suggests(self):
        res = self.run_distill(["biuld", "-f", "x.yaml"], expect_rc=2)
        self.assertEqual(res.stderr, "distill: error: command line: 'biuld' is not a distill "
                         "command (did you mean 'build'? see 'distill --help')\n")
        res = self.run_distill(["--cache-dir", "/nonexistent", "frobnicate"], expect_rc=2)
        self.assertEqual(res.stderr, "distill: error: command line: 'frobnicate' is not a "
                         "distill command (see 'distill --help')\n")

    def test_several_tags(self):
        spec = self.write_spec(SPEC_BASE)
        res, out = self.build(spec, "-t", "distill-test:1.0", "-t", "distill-test:latest")
        digest = self.assert_digest_line(res)
        layout = T.OciLayout(out)
        self.assertEqual(len(layout.manifests), 2, layout.index)
        for tag in ("1.0", "latest"):
            self.assertEqual(layout.ref(tag)["digest"], digest)
            self.assertEqual(self.assert_skopeo_inspect("oci:%s:%s" % (out, tag))["Digest"],
                             digest)

    def test_default_output_folder_is_image(self):
        work = self.mkdir("work")
        self.write_spec(SPEC_BASE, folder=work)
        res, _ = self.build(None, out="", cwd=work, spec_arg=False)
        digest = self.assert_digest_line(res)
        self.assertEqual(T.OciLayout(os.path.join(work, "image")).ref(None)["digest"], digest)
        self.assertEqual(sorted(os.listdir(work)), ["distill.yaml", "image"])

    # -- system files -------------------------------------------------------------

    def test_status_d_and_md5sums_for_every_installed_package(self):
        _, _, img = self.build_image()
        root = img.rootfs()
        want = sorted(T.IMAGE_PRESET_PACKAGES["base"] + ["hello-tool"])
        self.assertEqual(self.status_packages(root), want)
        for name in want:
            with self.subTest(package=name):
                entry = root.get("var/lib/dpkg/status.d/" + name)
                self.assertIsNotNone(entry)
                self.assertEqual(entry.mode & 0o7777, 0o644)
                text = entry.text()
                self.assertTrue(text.endswith("\n"), repr(text))
                self.assertNotIn("\n\n", text.rstrip("\n"), "one stanza: %r" % text)
                stanza = T.parse_stanza(text)
                control = T.deb_control(self.deb_path(name))
                for k, v in control.items():
                    self.assertEqual(stanza.get(k), v, "field %s of %s\n%s" % (k, name, text))
                if name in T.IMAGE_VERSIONS:
                    self.assertEqual(stanza["Version"], T.IMAGE_VERSIONS[name])
                md5 = root.get("var/lib/dpkg/status.d/%s.md5sums" % name)
                self.assertIsNotNone(md5, "no md5sums for %s" % name)
                # Exactly the package's files the image holds unchanged, under
                # the path they have there (merged /usr): trimmed docs and
                # files the build replaced are left out (docs/effects.md).
                want_lines = []
                for w in self.deb_md5sums(name).splitlines():
                    wh, wp = w.split("  ", 1)
                    for path in (wp, "usr/" + wp):
                        e = root.get(path)
                        if e is not None and e.kind == "f" and \
                                hashlib.md5(e.data).hexdigest() == wh:
                            want_lines.append("%s  %s" % (wh, path))
                            break
                self.assertEqual(sorted(md5.text().splitlines()), sorted(want_lines))
                self.assertNotIn("usr/share/doc/%s/changelog" % name, md5.text())
        for name in T.NEVER_INSTALLED:
            self.assertNotIn("var/lib/dpkg/status.d/" + name, root)

    def test_passwd_group_homes_and_tmp(self):
        _, _, img = self.build_image()
        root = img.rootfs()
        passwd = [l.split(":") for l in root["etc/passwd"].text().splitlines()]
        users = {f[0]: f for f in passwd}
        for f in passwd:
            self.assertEqual(len(f), 7, f)
            self.assertEqual(f[6], "/sbin/nologin", "every shell is nologin: %s" % f)
        self.assertEqual(sorted(users), ["nobody", "nonroot", "root"])
        self.assertEqual(users["root"][2:4], ["0", "0"])
        self.assertEqual(users["root"][5], "/root")
        self.assertEqual(users["nobody"][2:4], ["65534", "65534"])
        self.assertEqual(users["nonroot"][2:4], ["65532", "65532"])
        self.assertEqual(users["nonroot"][5], "/home/nonroot")
        groups = {f[0]: f for f in (l.split(":") for l in root["etc/group"].text().splitlines())}
        for name, gid in (("root", "0"), ("tty", "5"), ("staff", "50"), ("nobody", "65534"),
                          ("nonroot", "65532")):
            self.assertIn(name, groups)
            self.assertEqual(groups[name][2], gid, groups[name])
        for p in ("etc/passwd", "etc/group"):
            self.assertEqual((root[p].kind, root[p].mode & 0o7777, root[p].uid), ("f", 0o644, 0))

        def dir_is(path, mode, uid, gid):
            e = root.get(path)
            self.assertIsNotNone(e, path)
            self.assertEqual((e.kind, oct(e.mode & 0o7777), e.uid, e.gid),
                             ("d", oct(mode), uid, gid), path)

        dir_is("root", 0o700, 0, 0)
        dir_is("home/nonroot", 0o700, 65532, 65532)
        dir_is("tmp", 0o1777, 0, 0)
        # Nothing else belongs to anyone but root.
        others = [(p, e.uid, e.gid) for p, e in root.items()
                  if (e.uid, e.gid) != (0, 0) and p != "home/nonroot"]
        self.assertEqual(others, [])

    def test_merged_usr(self):
        _, _, img = self.build_image()
        entries = img.layer_entries(0)
        root = img.rootfs()
        for d in ("bin", "sbin", "lib", "lib64"):
            self.assertEqual((root[d].kind, root[d].target), ("l", "usr/" + d), d)
            self.assertEqual(root["usr/" + d].kind, "d", d)
        # Nothing is stored below the top-level links.
        below = [e.path for e in entries if e.path.split("/")[0] in ("bin", "sbin", "lib",
                                                                      "lib64")
                 and "/" in e.path]
        self.assertEqual(below, [])
        # Each path once in the layer.
        paths = [e.path for e in entries]
        self.assertEqual(len(paths), len(set(paths)), "duplicate tar members")
        moved = {"usr/bin/hello": 0o755, "usr/sbin/hello-admin": 0o755,
                 "usr/lib/x86_64-linux-gnu/libhello.so.1": 0o644,
                 "usr/lib/x86_64-linux-gnu/libc.so.6": 0o755,
                 "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": 0o755}
        for p, mode in moved.items():
            self.assertIn(p, root)
            self.assertEqual((root[p].kind, root[p].mode & 0o7777), ("f", mode), p)
        self.assertEqual(root["usr/bin/hello"].data, b"\x7fELF hello")
        ld = root["usr/lib64/ld-linux-x86-64.so.2"]
        self.assertEqual((ld.kind, ld.target),
                         ("l", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"))
        # Every parent folder of every entry exists (tar order: parents first).
        seen = set()
        for e in entries:
            parent = os.path.dirname(e.path)
            if parent:
                self.assertIn(parent, seen, "%s comes before its folder" % e.path)
            seen.add(e.path)

    def test_docs_trimmed_by_default_copyrights_kept(self):
        _, _, img = self.build_image()
        root = img.rootfs()
        for p in TRIMMED:
            self.assertNotIn(p, root, "%s must be trimmed" % p)
        for top in ("usr/share/man", "usr/share/info", "usr/share/lintian"):
            self.assertEqual([p for p in root if p.startswith(top + "/")], [], top)
        self.assertEqual([p for p in root if p.endswith(".mo")], [])
        for name in T.IMAGE_PRESET_PACKAGES["base"] + ["hello-tool"]:
            p = "usr/share/doc/%s/copyright" % name
            self.assertIn(p, root, "copyright files are always kept")
            self.assertIn("License: fixture", root[p].text())
        docs = [p for p in root if p.startswith("usr/share/doc/") and root[p].kind == "f"]
        self.assertTrue(all(p.endswith("/copyright") for p in docs), docs)
        for p in ALWAYS_KEPT:
            self.assertIn(p, root)

    def test_keep_docs(self):
        _, _, img = self.build_image(SPEC_BASE + "keep_docs: true\n")
        root = img.rootfs()
        for p in TRIMMED + ALWAYS_KEPT + ["usr/share/doc/hello-tool/copyright"]:
            self.assertIn(p, root, "%s must be kept with keep_docs: true" % p)
            self.assertEqual(root[p].kind, "f")

    def test_no_setuid_or_setgid_files(self):
        _, _, img = self.build_image()
        root = img.rootfs()
        special = [(p, oct(e.mode)) for p, e in root.items() if e.kind == "f" and e.mode & 0o6000]
        self.assertEqual(special, [])
        for p in ("usr/bin/hello-suid", "usr/bin/hello-sgid"):
            self.assertEqual(root[p].mode & 0o7777, 0o755, p)

    def test_ca_bundle_from_ca_certificates_which_is_not_installed(self):
        extra = os.path.join(self.mkdir("spec"), "extra.pem")
        a, b = T.fixture_ca_pems()
        with open(extra, "wb") as f:
            f.write(a)  # any PEM will do
        _, _, img = self.build_image(SPEC_BASE + "ca_certificates: [extra.pem]\n")
        root = img.rootfs()
        bundle = root["etc/ssl/certs/ca-certificates.crt"]
        self.assertEqual((bundle.kind, bundle.mode & 0o7777), ("f", 0o644))
        pems = re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?",
                          bundle.data, re.S)
        self.assertEqual(pems, [a, b, a], "package certificates in path order, then extras")
        for p in root:
            self.assertFalse(p.startswith("usr/share/ca-certificates"), p)
        self.assertNotIn("usr/sbin/update-ca-certificates", root)
        self.assertNotIn("usr/bin/openssl", root)

    def test_static_preset(self):
        spec = "distro: debian12\narchs: [amd64]\nbase: static\n"
        _, _, img = self.build_image(spec)
        root = img.rootfs()
        self.assertEqual(self.status_packages(root), T.IMAGE_PRESET_PACKAGES["static"])
        self.assertEqual(root["usr/share/tzdata-version"].text(), "2025b-0+deb12u1\n",
                         "the -updates version of tzdata")
        self.assertIn("usr/share/zoneinfo/Europe/Paris", root)
        self.assertIn("etc/services", root)
        self.assertIn("etc/mime.types", root)
        self.assertIn("etc/ssl/certs/ca-certificates.crt", root)
        self.assertTrue(root["usr/lib/os-release"].text())
        for p in root:
            self.assertFalse(p.startswith("usr/lib/x86_64-linux-gnu/"), "no libc: %s" % p)
        self.assertNotIn("usr/bin/mawk", root)
        self.assert_no_shell(root)

    def test_python3_preset(self):
        spec = "distro: debian12\narchs: [amd64]\nbase: python3\n"
        _, _, img = self.build_image(spec)
        root = img.rootfs()
        self.assertEqual(self.status_packages(root), T.IMAGE_PRESET_PACKAGES["python3"])
        self.assertEqual((root["usr/bin/python"].kind, root["usr/bin/python"].target),
                         ("l", "python3"))
        self.assertEqual(root["usr/bin/python3"].target, "python3.11")
        self.assertIn("LANG=C.UTF-8", img.config["config"]["Env"])

    def test_config_fields(self):
        spec = SPEC_BASE + """\
user: root
workdir: /srv
entrypoint: [/usr/bin/hello, --flag]
cmd: [arg]
env: {FOO: bar, PYTHONUNBUFFERED: "1"}
ports: [8080, 53/udp]
labels: {team: core}
annotations: {org.example.note: hi}
"""
        _, _, img = self.build_image(spec)
        c = img.config["config"]
        self.assertEqual(c["User"], "0:0")
        self.assertEqual(c["WorkingDir"], "/srv")
        self.assertEqual(c["Entrypoint"], ["/usr/bin/hello", "--flag"])
        self.assertEqual(c["Cmd"], ["arg"])
        for e in ("FOO=bar", "PYTHONUNBUFFERED=1",
                  "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"):
            self.assertIn(e, c["Env"])
        self.assertEqual(sorted(c["ExposedPorts"]), ["53/udp", "8080/tcp"])
        self.assertEqual(c["Labels"], {"team": "core"})
        self.assertEqual(img.manifest["annotations"].get("org.example.note"), "hi")
        for user, want in (("nobody", "65534:65534"), ('"1000:1001"', "1000:1001")):
            shutil.rmtree(os.path.join(self.tmp, "image"))
            _, _, img = self.build_image(SPEC_BASE + "user: %s\n" % user)
            self.assertEqual(img.config["config"]["User"], want, user)

    # -- the entrypoint check --------------------------------------------------------

    def test_entrypoint_found_through_path_and_cmd_alone(self):
        # A bare name goes through the image's PATH; cmd[0] is checked when
        # there is no entrypoint.
        self.build_image(SPEC_BASE + "entrypoint: [hello, --flag]\n")
        shutil.rmtree(os.path.join(self.tmp, "image"))
        self.build_image(SPEC_BASE + "cmd: [hello]\n")

    def test_entrypoint_missing_is_a_build_error_naming_the_spec_line(self):
        spec = self.write_spec(SPEC_BASE + "user: nonroot\nentrypoint: [helo, --flag]\n")
        res, out = self.build(spec, expect_rc=T.NONZERO)
        self.assertIn(
            "distill: error: %s:6: entrypoint: 'helo' not found in the image (PATH=/usr/local/sbin:"
            "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin) (install the package that provides it, "
            "add it with files:, or fix the path)\n" % spec, res.stderr)
        self.assertFalse(os.path.exists(out), "no image is written")
        spec = self.write_spec(SPEC_BASE + "cmd: [/app/missing]\n")
        res, _ = self.build(spec, expect_rc=T.NONZERO)
        self.assertIn("%s:5: cmd: '/app/missing' not found in the image" % spec, res.stderr)

    def test_an_exec_healthcheck_program_is_checked_like_the_entrypoint(self):
        health = "healthcheck: {exec: [/app/check, --quick]}\n"
        spec = self.write_spec(SPEC_BASE + "entrypoint: [hello]\n" + health)
        res, out = self.build(spec, expect_rc=T.NONZERO)
        self.assertIn("distill: error: %s:6: healthcheck: exec: '/app/check' not found in the "
                      "image" % spec, res.stderr)
        self.assertFalse(os.path.exists(out), "no image is written")
        # It runs as the image's user, who must be able to execute it.
        folder = self.mkdir("spec")
        self.write_files(folder, {"check.sh": ("#!/usr/bin/hello\n", 0o744)})
        files = "files:\n  - {src: check.sh, dst: /app/check}\n"
        spec = self.write_spec(SPEC_BASE + files + health, folder=folder)
        res, _ = self.build(spec, expect_rc=T.NONZERO)
        self.assertIn("%s:7: healthcheck: exec: '/app/check' is not executable by user "
                      "'nonroot'" % spec, res.stderr)
        self.build_image(SPEC_BASE + files.replace("check}", "check, mode: '0755'}") + health)

    def test_entrypoint_not_executable_by_the_user(self):
        folder = self.mkdir("spec")
        self.write_files(folder, {"run.sh": ("#!/usr/bin/hello\n", 0o744)})
        files = "files:\n  - {src: run.sh, dst: /app/run}\nentrypoint: [/app/run]\n"
        spec = self.write_spec(SPEC_BASE + files, folder=folder)
        res, _ = self.build(spec, expect_rc=T.NONZERO)
        self.assertIn("%s:7: entrypoint: '/app/run' is not executable by user 'nonroot' "
                      "(mode 0744, owner 0:0)" % spec, res.stderr)
        # Root may run it; so may its owner.
        self.build_image(SPEC_BASE + "user: root\n" + files)
        shutil.rmtree(os.path.join(self.tmp, "image"))
        self.build_image(SPEC_BASE + files.replace("dst: /app/run}", "dst: /app/run, uid: 65532}"))

    def test_entrypoint_success_is_remembered_on_the_same_metadata_only(self):
        folder = self.mkdir("spec")
        run = os.path.join(folder, "run.sh")
        self.write_files(folder, {"run.sh": ("#!/usr/bin/hello\n", 0o755)})
        spec = self.write_spec(SPEC_BASE + "files:\n  - {src: run.sh, dst: /app/run}\n"
                               "entrypoint: [/app/run]\n", folder=folder)
        report = os.path.join(self.tmp, "report.json")

        def check(expect_rc=0):
            res, out = self.build(spec, "--report", report, expect_rc=expect_rc)
            shutil.rmtree(out, ignore_errors=True)
            if expect_rc != 0:
                return res
            with open(report) as f:
                return json.load(f)["archs"][0]["entrypoint_check"]

        self.assertEqual(check(), "checked")
        # New content, same metadata: the answer cannot differ, the image is
        # not read back.
        with open(run, "w") as f:
            f.write("#!/usr/bin/hello --changed\n")
        self.assertEqual(check(), "remembered")
        # New metadata: read back, and this time it fails.
        os.chmod(run, 0o644)
        res = check(expect_rc=T.NONZERO)
        self.assertIn("entrypoint: '/app/run' cannot start: '/app/run' has no execute bit",
                      res.stderr)
        os.chmod(run, 0o755)
        self.assertEqual(check(), "remembered")
        # --no-cache rebuilds the layers: the same diff_ids, remembered (as
        # compiled bytecode is); a new package layer is read back.
        self.build(spec, "--report", report, "--no-cache")
        with open(report) as f:
            self.assertEqual(json.load(f)["archs"][0]["entrypoint_check"], "remembered")
        spec = self.write_spec(SPEC_BASE.replace("packages: [hello-tool]\n", "") +
                               "files:\n  - {src: run.sh, dst: /app/run}\n"
                               "entrypoint: [/app/run]\n", folder=folder)
        self.assertEqual(check(), "checked")

    def test_entrypoint_folder_and_dangling_link_refused(self):
        spec = self.write_spec(SPEC_BASE + "entrypoint: [/usr/share/hello-tool]\n")
        res, _ = self.build(spec, expect_rc=T.NONZERO)
        self.assertIn("entrypoint: '/usr/share/hello-tool' cannot start: "
                      "'/usr/share/hello-tool' is a directory", res.stderr)
        # A link kept as a link, whose target the image lacks.
        folder = self.mkdir("spec2")
        os.makedirs(os.path.join(folder, "app"))
        os.symlink("gone", os.path.join(folder, "app", "run"))
        spec = self.write_spec(SPEC_BASE + "files:\n  - {src: app/, dst: /app}\n"
                               "entrypoint: [/app/run]\n", folder=folder)
        res, _ = self.build(spec, expect_rc=T.NONZERO)
        self.assertIn("entrypoint: '/app/run' cannot start: '/app/run' is a symlink to "
                      "'gone', which is not in the image", res.stderr)

    # -- determinism -------------------------------------------------------------------

    def make_app_spec(self, folder):
        self.write_files(folder, {
            "app/main.py": ("print('hello')\n", 0o644),
            "app/run": ("#!/usr/bin/python3\n", 0o755),
            "app/sub/data.txt": ("data\n", 0o600),
            "tool.sh": ("#!/bin/false\n", 0o644),
        })
        return self.write_spec(SPEC_BASE + """\
files:
  - {src: app/, dst: /app}
  - {src: tool.sh, dst: /usr/local/bin/tool, mode: "0750", uid: 65532, gid: 65532}
entrypoint: [/usr/local/bin/tool]
""", folder=folder)

    def test_reproducible_across_environment_cache_and_output_path(self):
        spec = self.make_app_spec(self.mkdir("spec"))
        w1, w2 = self.mkdir("w1"), self.mkdir("w2", "deeper")
        self.mkdir("out1")
        self.mkdir("w2", "deeper", "relative")
        res1, out1 = self.build(spec, out=os.path.join(self.tmp, "out1", "image"), cwd=w1,
                                cache=os.path.join(self.tmp, "cache1"), umask=0o022,
                                env={"TZ": "UTC", "LC_ALL": "C"})
        d1 = self.assert_digest_line(res1)
        # Touch the app files: host timestamps must not matter.
        for dirpath, _dirs, names in os.walk(os.path.join(self.tmp, "spec")):
            for n in names:
                os.utime(os.path.join(dirpath, n), (1900000000, 1900000000))
        res2, _ = self.build(os.path.relpath(spec, w2), out="relative/out2", cwd=w2,
                             cache=os.path.join(self.tmp, "cache2"), umask=0o077,
                             env={"TZ": "Pacific/Chatham", "LC_ALL": "C.UTF-8",
                                  "LANG": "fr_FR.UTF-8"})
        out2 = os.path.join(w2, "relative", "out2")
        self.assertEqual(self.assert_digest_line(res2), d1,
                         "different digests:\n%s\n%s" % (res1.describe(), res2.describe()))
        # The third build reuses cache1 (its layers are cached).
        res3, out3 = self.build(spec, out=os.path.join(self.tmp, "out3"),
                                cache=os.path.join(self.tmp, "cache1"))
        self.assertEqual(self.assert_digest_line(res3), d1)
        l1, l2, l3 = T.OciLayout(out1), T.OciLayout(out2), T.OciLayout(out3)
        self.assertEqual(l1.blobs(), l2.blobs())
        self.assertEqual(l1.blobs(), l3.blobs())
        for d in l1.blobs():
            self.assertEqual(T.sha256_file(l2.blob_path(d)), d.split(":")[1])
        with open(os.path.join(out1, "index.json"), "rb") as f1, \
                open(os.path.join(out2, "index.json"), "rb") as f2:
            self.assertEqual(f1.read(), f2.read())
        # Default SOURCE_DATE_EPOCH is 0: every timestamp is the epoch.
        img = l1.image()
        for i in range(len(img.layers)):
            late = [(e.path, e.mtime) for e in img.layer_entries(i) if e.mtime != 0]
            self.assertEqual(late, [], "layer %d" % i)
        self.assert_no_temp_files(os.path.join(self.tmp, "out1"), w2, self.tmp)

    def test_source_date_epoch(self):
        sde = 1600000000  # before the fixture files' 1700000000: all clamped
        spec = self.make_app_spec(self.mkdir("spec"))
        res0, _ = self.build(spec, out=os.path.join(self.tmp, "img0"))
        res, out = self.build(spec, env={"SOURCE_DATE_EPOCH": str(sde)})
        self.assertNotEqual(self.assert_digest_line(res), self.assert_digest_line(res0))
        img = T.OciLayout(out).image()
        self.assertEqual(img.config["created"], "2020-09-13T12:26:40Z")
        for h in img.config.get("history", []):
            self.assertEqual(h.get("created", "2020-09-13T12:26:40Z"), "2020-09-13T12:26:40Z")
        for i in range(len(img.layers)):
            late = [(e.path, e.mtime) for e in img.layer_entries(i) if e.mtime > sde]
            self.assertEqual(late, [], "layer %d has entries after SOURCE_DATE_EPOCH" % i)
        root = img.rootfs()
        self.assertEqual(root["usr/bin/hello"].mtime, sde)
        bad = self.run_distill(self.mirror_args(self.server) + ["build", "-f", spec, "-o",
                                                                 os.path.join(self.tmp, "bad")],
                               env={"SOURCE_DATE_EPOCH": "yesterday"}, expect_rc=None)
        self.assert_one_error(bad, "SOURCE_DATE_EPOCH")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "bad")))

    # -- formats --------------------------------------------------------------------

    def test_zstd_compression(self):
        _, _, gz = self.build_image(out=os.path.join(self.tmp, "gz"))
        digest, layout, img = self.build_image(SPEC_BASE, "--compression", "zstd",
                                               out=os.path.join(self.tmp, "zstd"))
        self.assertEqual({l["mediaType"] for l in img.layers}, {T.MT_LAYER_ZSTD})
        with open(layout.blob_path(img.layers[0]["digest"]), "rb") as f:
            self.assertEqual(f.read(4), b"\x28\xb5\x2f\xfd", "zstd frame magic")
        # Same files, same uncompressed tar.
        self.assertEqual(img.config["rootfs"]["diff_ids"], gz.config["rootfs"]["diff_ids"])
        self.assertIn("etc/passwd", img.rootfs())
        info = self.assert_skopeo_inspect("oci:%s:test" % layout.path)
        self.assertEqual(info["Digest"], digest)
        r = T.skopeo("copy", "oci:%s:test" % layout.path, "oci:%s:copy" % os.path.join(
            self.tmp, "copy"))
        self.assertEqual(r.rc, 0, r.describe())

    def test_docker_archive(self):
        spec = self.write_spec(SPEC_BASE)
        self.mkdir("out")
        res, out = self.build(spec, "--format", "docker", "-t", "distill-test:1.0",
                              out=os.path.join(self.tmp, "out", "image.tar"))
        self.assert_digest_line(res)
        self.assertTrue(os.path.isfile(out), res.describe())
        members = T.docker_archive_members(out)
        manifest = json.loads(members["manifest.json"])
        self.assertEqual(len(manifest), 1, manifest)
        self.assertEqual(manifest[0]["RepoTags"], ["distill-test:1.0"])
        info = self.assert_skopeo_inspect("docker-archive:%s" % out)
        self.assertEqual(info["Architecture"], "amd64")
        # The package layers and the image's own, as manifest.json lists them.
        self.assertEqual(len(info["Layers"]), len(manifest[0]["Layers"]))
        self.assertGreater(len(info["Layers"]), 1)
        self.assertIn("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", info["Env"])
        copy = os.path.join(self.tmp, "copy")
        r = T.skopeo("copy", "docker-archive:%s" % out, "oci:%s:1.0" % copy)
        self.assertEqual(r.rc, 0, r.describe())
        img = T.OciLayout(copy).image("1.0")
        root = img.rootfs()
        self.assertIn("etc/passwd", root)
        self.assertEqual(root["home/nonroot"].uid, 65532)
        # The same filesystem as the OCI build.
        _, _, oci = self.build_image(out=os.path.join(self.tmp, "oci"))
        self.assertEqual(img.config["rootfs"]["diff_ids"], oci.config["rootfs"]["diff_ids"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.tmp, "out"))), ["image.tar"])
        # Without -o: ./image.tar.
        work = self.mkdir("work")
        res, _ = self.build(spec, "--format", "docker", out="", cwd=work)
        self.assertTrue(os.path.isfile(os.path.join(work, "image.tar")), res.describe())
        self.assertEqual(os.listdir(work), ["image.tar"])

    def test_multi_arch_index(self):
        spec = self.write_spec(SPEC_BASE)
        res, out = self.build(spec, "--arch", "amd64,arm64", "-t", "distill-test:multi")
        digest = self.assert_digest_line(res)
        layout = T.OciLayout(out)
        top = layout.ref("multi")
        self.assertEqual(top["digest"], digest, "stdout names the index")
        self.assertEqual(top["mediaType"], T.MT_OCI_INDEX)
        imgs = layout.images("multi")
        self.assertEqual(sorted(i.platform for i in imgs), ["linux/amd64", "linux/arm64"])
        index = layout.json_blob(top)
        self.assertEqual(sorted((d["platform"]["os"], d["platform"]["architecture"])
                                for d in index["manifests"]),
                         [("linux", "amd64"), ("linux", "arm64")])
        for img in imgs:
            arch = img.config["architecture"]
            root = img.rootfs()
            triplet = T.TRIPLETS[arch]
            with self.subTest(arch=arch):
                self.assertEqual(root["usr/lib/%s/libc.so.6" % triplet].kind, "f")
                self.assertEqual(root["usr/lib/%s/libhello.so.1" % triplet].kind, "f")
                st = T.parse_stanza(root["var/lib/dpkg/status.d/libc6"].text())
                self.assertEqual(st["Architecture"], arch)
        arm = [i for i in imgs if i.platform == "linux/arm64"][0].rootfs()
        self.assertEqual(arm["usr/lib/ld-linux-aarch64.so.1"].target,
                         "aarch64-linux-gnu/ld-linux-aarch64.so.1")
        self.assertNotIn("usr/lib/x86_64-linux-gnu/libc.so.6", arm)
        r = T.skopeo("inspect", "--raw", "oci:%s:multi" % out)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual("sha256:" + T.sha256_bytes(r.stdout.encode()), digest)
        info = self.assert_skopeo_inspect("oci:%s:multi" % out, override_arch="arm64")
        self.assertEqual(info["Architecture"], "arm64")

    # -- app layer ------------------------------------------------------------------

    def test_app_files_layer_and_change_of_one_file(self):
        folder = self.mkdir("spec")
        spec = self.make_app_spec(folder)
        res1, out1 = self.build(spec, "-t", "app:1", out=os.path.join(self.tmp, "img1"))
        img1 = T.OciLayout(out1).image("1")
        app = {e.path: e for e in img1.layer_entries(len(img1.layers) - 1)}
        self.assertIn("files", img1.config["history"][-1]["created_by"])
        for p in ("usr/bin/hello", "etc/passwd"):
            self.assertNotIn(p, app, "packages stay in the layers below")
        want = {"app": ("d", 0o755, 0), "app/main.py": ("f", 0o644, 0),
                "app/run": ("f", 0o755, 0), "app/sub": ("d", 0o755, 0),
                "app/sub/data.txt": ("f", 0o600, 0),  # the host's mode
                "usr/local/bin/tool": ("f", 0o750, 65532)}
        for p, (kind, mode, uid) in want.items():
            self.assertIn(p, app, sorted(app))
            self.assertEqual((app[p].kind, oct(app[p].mode & 0o7777), app[p].uid, app[p].gid),
                             (kind, oct(mode), uid, uid), p)
        self.assertEqual(app["app/main.py"].data, b"print('hello')\n")
        self.assertEqual(img1.config["config"]["Entrypoint"], ["/usr/local/bin/tool"])
        # Change one file: only the app layer changes.
        with open(os.path.join(folder, "app", "main.py"), "w") as f:
            f.write("print('bonjour')\n")
        res2, out2 = self.build(spec, "-t", "app:2", out=os.path.join(self.tmp, "img2"))
        img2 = T.OciLayout(out2).image("2")
        self.assertNotEqual(self.assert_digest_line(res1), self.assert_digest_line(res2))
        self.assertEqual(img2.layers[:-1], img1.layers[:-1])
        self.assertEqual(img2.config["rootfs"]["diff_ids"][:-1],
                         img1.config["rootfs"]["diff_ids"][:-1])
        self.assertNotEqual(img2.layers[-1]["digest"], img1.layers[-1]["digest"])
        self.assertEqual(img2.rootfs()["app/main.py"].data, b"print('bonjour')\n")
        # Also when the package layer is assembled again from an empty cache.
        res3, out3 = self.build(spec, out=os.path.join(self.tmp, "img3"),
                                cache=os.path.join(self.tmp, "fresh-cache"))
        self.assertEqual(T.OciLayout(out3).image().layers[:-1], img1.layers[:-1])
        self.assertEqual(self.assert_digest_line(res3), self.assert_digest_line(res2))

    def test_layout_layers_are_hard_links_to_the_cache(self):
        digest, layout, img = self.build_image()
        for layer in img.layers:
            hexd = layer["digest"].split(":", 1)[1]
            out = os.stat(os.path.join(layout.path, "blobs", "sha256", hexd))
            cached = os.stat(os.path.join(self.cache_dir, "blobs", "sha256", hexd))
            self.assertEqual((out.st_dev, out.st_ino), (cached.st_dev, cached.st_ino), hexd)
            self.assertEqual(out.st_mode & 0o7777, 0o644)
        # A layer blob changed through the output is found out by the cache,
        # which builds it again rather than reuse it.
        hexd = img.layers[0]["digest"].split(":", 1)[1]
        with open(os.path.join(layout.path, "blobs", "sha256", hexd), "r+b") as f:
            f.write(b"\0")
        digest2, layout2, img2 = self.build_image(tag="again", out=os.path.join(self.tmp, "again"))
        self.assertEqual(digest2, digest)
        self.assertEqual(img2.layers[0]["digest"], img.layers[0]["digest"])
        with open(os.path.join(layout2.path, "blobs", "sha256", hexd), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hexd)

    def test_several_specs_in_one_process(self):
        specs = self.mkdir("specs")
        with open(os.path.join(specs, "tool.yaml"), "w") as f:
            f.write(SPEC_BASE)
        os.mkdir(os.path.join(specs, "plain"))
        with open(os.path.join(specs, "plain", "distill.yaml"), "w") as f:
            f.write("distro: debian12\narchs: [amd64]\nbase: static\n")
        # Each alone, for the digests.
        alone = {}
        for name, spec in (("tool", os.path.join(specs, "tool.yaml")),
                           ("plain", os.path.join(specs, "plain", "distill.yaml"))):
            res, _ = self.build(spec, out=os.path.join(self.tmp, "alone-" + name),
                                cache=os.path.join(self.tmp, "cache-" + name))
            alone[name] = self.assert_digest_line(res)
        self.server.clear_log()
        out = os.path.join(self.tmp, "images")
        res, _ = self.build(specs, out=out, cache=os.path.join(self.tmp, "cache-both"))
        lines = res.stdout.strip().splitlines()
        self.assertEqual(lines, ["%s  %s/plain" % (alone["plain"], out),
                                 "%s  %s/tool" % (alone["tool"], out)], res.describe())
        for name in ("plain", "tool"):
            self.assertEqual(T.OciLayout(os.path.join(out, name)).index["manifests"][0]["digest"],
                             alone[name])
        # One process, one repository: each InRelease fetched once for both.
        inreleases = [p for p in self.server.paths("GET") if p.endswith("/InRelease")]
        self.assertEqual(len(inreleases), len(set(inreleases)), inreleases)
        self.assertTrue(inreleases)
        # Files given one by one, into docker archives.
        res, _ = self.build(os.path.join(specs, "tool.yaml"), "-f",
                            os.path.join(specs, "plain", "distill.yaml"), "--format", "docker",
                            out=os.path.join(self.tmp, "tars"))
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "tars", "tool.tar")))
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "tars", "plain.tar")))
        # Flags naming one image are refused before anything is built.
        res, _ = self.build(specs, "--push", "127.0.0.1:1/x", out=os.path.join(self.tmp, "no"),
                            expect_rc=T.NONZERO)
        self.assert_one_error(res, "--push: names one image, and several specs are built")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "no")))

    # -- failures ----------------------------------------------------------------------

    def test_spec_unknown_key(self):
        work = self.mkdir("work")
        self.write_spec("distro: debian12\nbase: static\npakages: [hello-tool]\n", folder=work)
        res = self.run_distill(self.mirror_args(self.server) + ["build"], cwd=work,
                               expect_rc=None)
        self.assert_one_error(res, "distill.yaml:3", "pakages", "did you mean 'packages'")
        self.assertEqual(res.stdout, "")
        self.assertEqual(os.listdir(work), ["distill.yaml"], "nothing written")

    def test_spec_duplicate_key(self):
        work = self.mkdir("work")
        self.write_spec("distro: debian12\nbase: static\npackages: [hello-tool]\n"
                        "base: python3\n", folder=work)
        res = self.run_distill(self.mirror_args(self.server) + ["build"], cwd=work,
                               expect_rc=None)
        self.assert_one_error(res, "distill.yaml:4", "key 'base' given twice (lines 2 and 4)")
        self.assertEqual(os.listdir(work), ["distill.yaml"], "nothing written")

    def test_spec_bad_value_and_missing_file(self):
        work = self.mkdir("work")
        self.write_spec("distro: debian12\n\nbase: pyhton3\n", folder=work)
        res = self.run_distill(self.mirror_args(self.server) + ["build"], cwd=work,
                               expect_rc=None)
        self.assert_one_error(res, "distill.yaml:3", "pyhton3", "python3")
        self.write_spec("base: static\nfiles:\n  - {src: nope/, dst: /app}\n", folder=work)
        res = self.run_distill(self.mirror_args(self.server) + ["build"], cwd=work,
                               expect_rc=None)
        self.assert_one_error(res, "distill.yaml:3", "nope")
        self.assertEqual(os.listdir(work), ["distill.yaml"], "nothing written")

    def test_healthcheck_checker_in_the_image_for_the_host_only(self):
        spec = self.write_spec(SPEC_BASE + "healthcheck: {tcp: '8080', interval: 5s}\n")
        res, out = self.build(spec)
        self.assert_digest_line(res)
        img = T.OciLayout(out).image(None)
        self.assertEqual(img.config["config"]["Healthcheck"], {
            "Test": ["CMD", "/usr/libexec/distill/healthcheck", "tcp", "127.0.0.1:8080"],
            "Interval": 5000000000, "Timeout": 30000000000, "Retries": 3})
        # The checker has the application layer to itself (the spec adds no files).
        self.assertIn("files", img.config["history"][-1]["created_by"])
        entries = {e.path: e for e in img.layer_entries(len(img.layers) - 1)}
        checker = entries["usr/libexec/distill/healthcheck"]
        self.assertEqual((checker.kind, checker.mode, checker.uid, checker.gid),
                         ("f", 0o755, 0, 0))
        self.assertEqual(checker.mtime, 0, "SOURCE_DATE_EPOCH (0 by default)")
        # It runs on the host only: another architecture is one error before any fetch.
        res, out = self.build(spec, "--arch", "arm64", out=os.path.join(self.tmp, "arm"),
                              expect_rc=None)
        self.assert_one_error(res, "distill.yaml:5", "cannot go into an image for arm64",
                              "use 'exec:'")
        self.assertFalse(os.path.exists(out), "nothing written")
        spec = self.write_spec(SPEC_BASE + "healthcheck:\n  http: http://example.org/\n")
        res, _ = self.build(spec, out=os.path.join(self.tmp, "bad"), expect_rc=None)
        self.assert_one_error(res, "distill.yaml:6", "does not name the container's loopback")

    def test_unknown_package_leaves_nothing(self):
        spec = self.write_spec(SPEC_BASE.replace("[hello-tool]", "[hello-tool, no-such-package]"))
        parent = self.mkdir("out")
        res, out = self.build(spec, out=os.path.join(parent, "image"), expect_rc=None)
        self.assert_one_error(res, "no-such-package")
        self.assertEqual(res.stdout, "")
        self.assertEqual(os.listdir(parent), [], "no output and no temp folders")
        self.assert_no_temp_files(self.cache_dir)
        # Same with the docker format.
        res, _ = self.build(spec, "--format", "docker", out=os.path.join(parent, "image.tar"),
                            expect_rc=None)
        self.assert_one_error(res, "no-such-package")
        self.assertEqual(os.listdir(parent), [])

    def test_docker_format_refuses_several_archs(self):
        spec = self.write_spec(SPEC_BASE)
        parent = self.mkdir("out")
        res, _ = self.build(spec, "--format", "docker", "--arch", "amd64,arm64",
                            out=os.path.join(parent, "image.tar"), expect_rc=None)
        self.assert_one_error(res)
        self.assertEqual(os.listdir(parent), [])


class MergedUsrBaseFilesTest(T.BuildTestMixin, T.FixtureTestCase):
    """Debian 13's base-files ships /bin, /lib, /lib64 and /sbin as symlinks
    into /usr itself (dpkg-deb puts symlinks after everything else)."""

    def test_base_files_shipping_the_merged_usr_links(self):
        pkgs = []
        for p in T.image_packages():
            if p.name == "base-files":
                files = [f for f in p.files
                         if f.path not in ("bin", "sbin", "lib", "usr/bin", "usr/lib")]
                files += [T.deb_dir("usr/bin"), T.deb_dir("usr/sbin"), T.deb_dir("usr/lib"),
                          T.deb_dir("usr/lib64")]
                files += [T.deb_link(d, "usr/" + d) for d in ("bin", "sbin", "lib", "lib64")]
                p = T.dataclasses.replace(p, version="13.8", files=tuple(files))
            pkgs.append(p)
        repo = self.make_repo(packages=pkgs)
        server = self.serve(repo)
        spec = self.write_spec(SPEC_BASE)
        out = os.path.join(self.tmp, "image")
        res = self.run_distill(self.mirror_args(server) + ["--cache-dir", self.cache_dir,
                                                           "build", "-f", spec, "-o", out])
        self.assert_digest_line(res)
        img = T.OciLayout(out).image()
        entries = img.layer_entries(0)
        paths = [e.path for e in entries]
        self.assertEqual(len(paths), len(set(paths)), "duplicate tar members")
        root = img.rootfs()
        for d in ("bin", "sbin", "lib", "lib64"):
            self.assertEqual((root[d].kind, root[d].target), ("l", "usr/" + d), d)
            self.assertEqual(root["usr/" + d].kind, "d", d)
        for p in ("usr/bin/hello", "usr/sbin/hello-admin", "usr/lib/x86_64-linux-gnu/libc.so.6"):
            self.assertEqual(root[p].kind, "f", p)


class EmptySuiteTest(T.BuildTestMixin, T.FixtureTestCase):
    """A suite with an empty Packages index (bookworm-updates right after a
    point release) is valid: the build must not trip over it."""

    def test_empty_updates_index(self):
        pkgs = [p for p in T.image_packages() if p.suite != "bookworm-updates"]
        repo = self.make_repo(packages=pkgs)
        server = self.serve(repo)
        spec = self.write_spec("distro: debian12\narchs: [amd64]\nbase: static\n")
        out = os.path.join(self.tmp, "image")
        res = self.run_distill(self.mirror_args(server) + ["--cache-dir", self.cache_dir,
                                                           "build", "-f", spec, "-o", out])
        self.assert_digest_line(res)
        root = T.OciLayout(out).image().rootfs()
        self.assertEqual(root["usr/share/tzdata-version"].text(), "2024a-0+deb12u1\n")


if __name__ == "__main__":
    T.main()
