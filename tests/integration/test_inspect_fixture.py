"""`distill inspect` on images that `distill build` made from the hermetic
fixture repository (distill_testlib.image_packages), as an OCI layout, as a
docker-archive and as a two-platform index.

What inspect reports is checked against the image read independently (blobs,
tar members, status.d stanzas, os-release) by distill_testlib and against
skopeo, which runs sandboxed: HOME and XDG_* in the test folder and
_CONTAINERS_ROOTLESS_UID=65534, so it writes nothing outside it.
"""

import hashlib
import json
import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = """\
distro: debian12
archs: [amd64]
base: base
packages: [hello-tool]
entrypoint: [/usr/bin/hello, --greet]
workdir: /srv
ports: ["8080"]
labels: {org.example.team: images}
"""

# What the base preset installs, plus the requested package.
INSTALLED = sorted(T.IMAGE_PRESET_PACKAGES["base"] + ["hello-tool"])
SOURCES = {"libc6": "glibc", "libssl3": "openssl"}


def rewrite_config(layout, edit):
    """Applies `edit` to the config of the layout's one image, rewriting the
    config, manifest and index so that every digest matches again."""
    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        return "sha256:" + digest, len(data)

    def get(desc):
        with open(os.path.join(layout, "blobs", "sha256", desc["digest"][7:]), "rb") as f:
            return json.load(f)

    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    mdesc = index["manifests"][0]
    manifest = get(mdesc)
    config = get(manifest["config"])
    edit(config)
    manifest["config"]["digest"], manifest["config"]["size"] = put(json.dumps(config).encode())
    mdesc["digest"], mdesc["size"] = put(json.dumps(manifest).encode())
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f)


class InspectFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.repo = self.make_image_repo()
        self.server = self.serve(self.repo)

    # -- helpers ------------------------------------------------------------------

    def build(self, *extra, out, spec_text=SPEC):
        """Runs `distill build`; returns the digest it printed."""
        spec = self.write_spec(spec_text)
        args = self.mirror_args(self.server) + ["--cache-dir", self.cache_dir, "build", "-f",
                                                spec, "-o", out] + list(extra)
        return self.assert_digest_line(self.run_distill(args))

    def inspect(self, *args, expect_rc=0):
        return self.run_distill(["inspect"] + [str(a) for a in args], expect_rc=expect_rc)

    def inspect_json(self, *args):
        res = self.inspect("--json", *args)
        self.assertEqual(res.stderr, "", res.describe())
        return res.json()

    def skopeo(self, *args):
        """skopeo in a sandbox: nothing written outside the test folder."""
        home = os.path.join(self.tmp, "skopeo-home")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
               "XDG_DATA_HOME": os.path.join(home, "data"),
               "XDG_CONFIG_HOME": os.path.join(home, "config"),
               "XDG_CACHE_HOME": os.path.join(home, "cache"),
               "XDG_RUNTIME_DIR": os.path.join(home, "run"),
               "TMPDIR": os.path.join(home, "tmp"), "_CONTAINERS_ROOTLESS_UID": "65534"}
        for k in ("data", "config", "cache", "run", "tmp"):
            os.makedirs(os.path.join(home, k), exist_ok=True)
        r = T.run_tool(["skopeo", "--insecure-policy", "--tmpdir", env["TMPDIR"]] + list(args),
                       env=env)
        self.assertEqual(r.rc, 0, r.describe())
        return json.loads(r.stdout)

    def assert_image_matches(self, got, img: T.OciImage, arch):
        """One `images[]` entry of --json against the image read independently."""
        self.assertEqual(got["platform"], img.platform + ("/v8" if arch == "arm64" else ""))
        self.assertEqual(got["architecture"], arch)
        self.assertEqual(got["config"]["digest"], img.manifest["config"]["digest"])
        self.assertEqual(got["created"], img.config["created"])
        cfg = img.config["config"]
        self.assertEqual(got["user"], cfg["User"])
        self.assertEqual(got["env"], cfg["Env"])
        # Layers: digests and sizes from the manifest, uncompressed size and
        # diff_id from decompressing the blob here.
        self.assertEqual(len(got["layers"]), len(img.layers))
        for i, (g, want) in enumerate(zip(got["layers"], img.layers)):
            self.assertEqual((g["digest"], g["size"], g["media_type"]),
                             (want["digest"], want["size"], want["mediaType"]), i)
            self.assertEqual(g["uncompressed_size"], len(img.layer_tar(i)), i)
            self.assertEqual(g["diff_id"], img.config["rootfs"]["diff_ids"][i], i)
        self.assertEqual(got["compressed_size"], sum(l["size"] for l in img.layers))
        self.assertEqual(got["uncompressed_size"], img.uncompressed_size())
        # Packages: exactly the image's status.d stanzas.
        root = img.rootfs()
        self.assertEqual(sorted(p["name"] for p in got["packages"]), self.status_packages(root))
        self.assertEqual(got["package_count"], len(got["packages"]))
        for p in got["packages"]:
            st = T.parse_stanza(root["var/lib/dpkg/status.d/" + p["name"]].text())
            self.assertEqual((p["version"], p["architecture"]),
                             (st["Version"], st["Architecture"]), p["name"])
            self.assertEqual(p["database_file"], "var/lib/dpkg/status.d/" + p["name"])
        # Distro: what /etc/os-release (a symlink) leads to.
        self.assertEqual(root["etc/os-release"].kind, "l")
        pretty = [l.split("=", 1)[1].strip('"') for l in
                  root["usr/lib/os-release"].text().splitlines() if l.startswith("PRETTY_NAME=")]
        self.assertEqual(len(pretty), 1)
        self.assertEqual(got["distro"]["pretty_name"], pretty[0])
        self.assertEqual(got["distro"]["file"], "usr/lib/os-release")
        self.assertEqual(got["distro"]["debian_version"], root["etc/debian_version"].text().strip())

    # -- OCI layout -------------------------------------------------------------------

    def test_oci_layout(self):
        out = os.path.join(self.tmp, "image")
        digest = self.build("-t", "distill-test:test", out=out)
        img = T.OciLayout(out).image("test")

        doc = self.inspect_json(out)
        self.assertEqual(doc["digest"], digest, "the digest build printed")
        self.assertEqual((doc["format"], doc["path"], doc["tag"]), ("oci-layout", out, None))
        self.assertEqual(doc["indexes"], [])
        self.assertEqual(len(doc["images"]), 1)
        got = doc["images"][0]
        self.assertEqual(got["manifest"]["digest"], digest)
        self.assertEqual(got["ref_names"], ["test"])
        self.assert_image_matches(got, img, "amd64")
        self.assertEqual(sorted(p["name"] for p in got["packages"]), INSTALLED)
        versions = {p["name"]: p for p in got["packages"]}
        for name, version in T.IMAGE_VERSIONS.items():
            if name in versions:
                self.assertEqual(versions[name]["version"], version, name)
        for name, source in SOURCES.items():
            self.assertEqual(versions[name]["source"], source, name)
            self.assertEqual(versions[name]["source_version"], versions[name]["version"], name)
        self.assertEqual(versions["hello-tool"]["source"], "hello-tool")
        self.assertEqual(got["entrypoint"], ["/usr/bin/hello", "--greet"])
        self.assertEqual(got["working_dir"], "/srv")
        self.assertEqual(got["exposed_ports"], ["8080/tcp"])
        self.assertEqual(got["labels"], {"org.example.team": "images"})
        self.assertEqual(got["created"], "1970-01-01T00:00:00Z")
        self.assertIn("distill build", got["layers"][0]["created_by"])
        self.assertTrue(got["distro"]["pretty_name"].startswith("Distroless (Debian GNU/Linux 12"))

        # The other spellings of the same reference.
        for ref in (out + ":test", "oci:%s:test" % out, "oci:%s" % out):
            self.assertEqual(self.inspect_json(ref)["digest"], digest, ref)
        self.assertEqual(self.inspect_json(out + ":test")["tag"], "test")

        # skopeo, an independent reader, agrees.
        info = self.skopeo("inspect", "oci:%s:test" % out)
        self.assertEqual(info["Digest"], digest)
        self.assertEqual(info["Layers"], [l["digest"] for l in got["layers"]])
        self.assertEqual(info["Env"], got["env"])
        self.assertEqual(info["Architecture"], got["architecture"])

        # Text: the same facts for people.
        text = self.inspect(out).stdout
        for needle in (digest, "Platform linux/amd64", got["config"]["digest"],
                       got["layers"][0]["digest"], got["distro"]["pretty_name"],
                       '["/usr/bin/hello", "--greet"]', "8080/tcp", "org.example.team=images",
                       "Packages:    %d" % len(INSTALLED), "65532:65532",
                       "%d bytes" % got["uncompressed_size"]):
            self.assertIn(needle, text)
        for p in got["packages"]:
            line = [l for l in text.splitlines() if l.split()[:3] ==
                    [p["name"], p["version"], p["architecture"]]]
            self.assertEqual(len(line), 1, "%s\n%s" % (p["name"], text))
            self.assertIn(p["source"], line[0])

    def test_app_files_layer(self):
        self.write_files(self.mkdir("spec"), {"app/main.py": ("print('hello')\n", 0o644),
                                              "app/data/x.txt": ("x\n", 0o600)})
        out = os.path.join(self.tmp, "image")
        digest = self.build("-t", "distill-test:app", out=out,
                            spec_text=SPEC + "files:\n  - {src: app/, dst: /app}\n")
        img = T.OciLayout(out).image("app")
        doc = self.inspect_json(out + ":app")
        self.assertEqual(doc["digest"], digest)
        got = doc["images"][0]
        self.assertEqual(len(got["layers"]), len(img.layers))
        self.assertGreater(len(img.layers), 2, "package layers, the image's own, the files")
        self.assert_image_matches(got, img, "amd64")
        self.assertEqual([l["created_by"] for l in got["layers"]],
                         [h["created_by"] for h in img.config["history"]])
        last = len(img.layers) - 1
        self.assertEqual(got["layers"][last]["members"], len(img.layer_entries(last)))
        self.assertEqual(got["layers"][last]["created_by"], "distill build: files")
        self.assertEqual(got["files"], len(img.rootfs()))
        self.assertEqual(sorted(p["name"] for p in got["packages"]), INSTALLED)

    # -- docker-archive ------------------------------------------------------------------

    def test_docker_archive(self):
        oci_out = os.path.join(self.tmp, "image")
        oci_digest = self.build("-t", "distill-test:1.0", out=oci_out)
        tar = os.path.join(self.tmp, "image.tar")
        docker_digest = self.build("--format", "docker", "-t", "distill-test:1.0", out=tar)
        # build prints the manifest digest of the image, whatever the format.
        self.assertEqual(docker_digest, oci_digest)
        oci_doc = self.inspect_json(oci_out)

        for ref in (tar, "docker-archive:" + tar, "docker-archive:%s:distill-test:1.0" % tar):
            doc = self.inspect_json(ref)
            self.assertEqual((doc["format"], doc["path"]), ("docker-archive", tar), ref)
            self.assertEqual(len(doc["images"]), 1)
            got = doc["images"][0]
            self.assertEqual(got["ref_names"], ["distill-test:1.0"])
            # A docker-archive keeps no manifest: inspect shows the one it
            # synthesises. The image itself (config, layers) is the same.
            self.assertEqual(doc["digest"], got["manifest"]["digest"])
            self.assertEqual(got["config"]["digest"], oci_doc["images"][0]["config"]["digest"])
            self.assertEqual(T.sha256_bytes(T.docker_archive_members(tar)[
                got["config"]["digest"].split(":")[1] + ".json"]),
                got["config"]["digest"].split(":")[1])
            img = T.OciLayout(oci_out).image("1.0")
            self.assert_image_matches(got, img, "amd64")
            for key in ("packages", "distro", "env", "user", "uncompressed_size"):
                self.assertEqual(got[key], oci_doc["images"][0][key], key)
            self.assertEqual(sorted(p["name"] for p in got["packages"]), INSTALLED)

        info = self.skopeo("inspect", "docker-archive:%s" % tar)
        self.assertEqual(info["Env"], got["env"])
        res = self.inspect("docker-archive:%s:distill-test:2.0" % tar, expect_rc=1)
        self.assert_one_error(res, tar, "distill-test:2.0", "distill-test:1.0")

    # -- two platforms -------------------------------------------------------------------

    def test_multi_platform_index(self):
        out = os.path.join(self.tmp, "image")
        digest = self.build("--arch", "amd64,arm64", "-t", "distill-test:multi", out=out)
        layout = T.OciLayout(out)
        index = layout.json_blob(layout.ref("multi"))
        by_arch = {m["platform"]["architecture"]: m["digest"] for m in index["manifests"]}

        doc = self.inspect_json(out)
        self.assertEqual(doc["digest"], digest, "the index digest build printed")
        self.assertEqual(len(doc["indexes"]), 1)
        idx = doc["indexes"][0]
        self.assertEqual((idx["digest"], idx["ref_names"]), (digest, ["multi"]))
        self.assertEqual(sorted((m["platform"], m["digest"]) for m in idx["manifests"]),
                         [("linux/amd64", by_arch["amd64"]), ("linux/arm64/v8", by_arch["arm64"])])
        self.assertEqual(sorted(i["platform"] for i in doc["images"]),
                         ["linux/amd64", "linux/arm64/v8"])

        for arch in ("arm64", "amd64"):
            with self.subTest(arch=arch):
                one = self.inspect_json("--platform", "linux/" + arch, out + ":multi")
                self.assertEqual(one["digest"], digest)
                self.assertEqual(len(one["indexes"][0]["manifests"]), 2, "the index stays whole")
                self.assertEqual(len(one["images"]), 1)
                got = one["images"][0]
                self.assertEqual(got["manifest"]["digest"], by_arch[arch])
                img = [i for i in layout.images("multi") if i.digest == by_arch[arch]][0]
                self.assert_image_matches(got, img, arch)
                archs = {p["architecture"] for p in got["packages"]}
                self.assertEqual(archs, {arch, "all"} if "all" in archs else {arch})
                self.assertEqual({p["name"]: p["architecture"] for p in got["packages"]}["libc6"],
                                 arch)

        text = self.inspect("--platform", "linux/arm64", out).stdout
        self.assertIn("Platform linux/arm64/v8", text)
        self.assertNotIn("Platform linux/amd64", text)
        self.assertIn(by_arch["amd64"], text, "the index section lists every platform")
        res = self.inspect("--platform", "linux/s390x", out, expect_rc=1)
        self.assert_one_error(res, "linux/s390x", "linux/amd64", "linux/arm64/v8")
        self.assertEqual(res.stdout, "")

    # -- errors -----------------------------------------------------------------------------

    def test_control_bytes_in_config_are_shown_escaped(self):
        """A NUL in Workdir and a newline in an Env value are part of the value:
        the text output shows them escaped, on the field's own line, whole."""
        out = os.path.join(self.tmp, "image")
        self.build("-t", "distill-test:test", out=out)
        rewrite_config(out, lambda c: c["config"].update(
            {"WorkingDir": "/srv\u0000hidden", "Env": ["A=1\nFAKE=2", "B=\u001b[2J"]}))
        text = self.inspect(out).stdout
        self.assertIn("Workdir:     /srv\\x00hidden\n", text)
        self.assertIn("Env:         A=1\\x0aFAKE=2\n", text)
        self.assertIn("B=\\x1b[2J\n", text)
        self.assertNotIn("\x1b", text)
        self.assertNotIn("\nFAKE=2", text)
        got = self.inspect_json(out)["images"][0]
        self.assertEqual(got["working_dir"], "/srv\u0000hidden")
        self.assertEqual(got["env"], ["A=1\nFAKE=2", "B=\u001b[2J"])

    def test_errors(self):
        out = os.path.join(self.tmp, "image")
        self.build("-t", "distill-test:test", out=out)

        missing = os.path.join(self.tmp, "no-such-image")
        res = self.inspect(missing, expect_rc=1)
        self.assert_one_error(res, missing, "no such file or folder")
        self.assertEqual(res.stdout, "")

        plain = self.mkdir("plain-folder")
        res = self.inspect(plain, expect_rc=1)
        self.assert_one_error(res, plain, "not an OCI image layout")

        junk = os.path.join(self.tmp, "junk.tar")
        with open(junk, "wb") as f:
            f.write(b"this is not a tar archive\n" * 100)
        self.assert_one_error(self.inspect(junk, expect_rc=1), junk)

        self.assert_one_error(self.inspect(out + ":nope", expect_rc=1), "nope", "test")

        # One byte of the layer changed, same size: only the digest tells.
        bad = os.path.join(self.tmp, "tampered")
        shutil.copytree(out, bad)
        layer = T.OciLayout(bad).image("test").layers[0]["digest"]
        path = T.OciLayout(bad).blob_path(layer)
        os.chmod(path, 0o644)
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            b = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([b[0] ^ 0x01]))
        for args in ([bad], ["--json", bad]):
            res = self.inspect(*args, expect_rc=1)
            self.assert_one_error(res, bad, layer, "does not match its digest")
            self.assertEqual(res.stdout, "", "nothing printed for a tampered image")

        # A tampered config is caught before anything else.
        bad2 = os.path.join(self.tmp, "tampered-config")
        shutil.copytree(out, bad2)
        config = T.OciLayout(bad2).image("test").manifest["config"]["digest"]
        path = T.OciLayout(bad2).blob_path(config)
        os.chmod(path, 0o644)
        with open(path, "r+b") as f:
            data = f.read()
            f.seek(0)
            f.write(data.replace(b"65532", b"00000", 1))
        self.assert_one_error(self.inspect(bad2, expect_rc=1), config, "does not match its digest")


if __name__ == "__main__":
    T.main()
