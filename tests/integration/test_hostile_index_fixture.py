"""A signed repository that is hostile (or broken) in what its index says:
names and versions that could escape a folder, versions dpkg refuses, and an
index entry whose .deb says it is another package. The signature and hashes
all match, so only distill's own checks stand between these and the host or
the image."""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402


def set_version(package, version):
    """An index mutator giving `package`'s stanzas another Version."""
    def mutate(suite, arch, text):
        out = []
        for stanza in text.split("\n\n"):
            if stanza.startswith("Package: %s\n" % package):
                stanza = re.sub(r"(?m)^Version: .*$", "Version: " + version, stanza)
            out.append(stanza)
        return "\n\n".join(out)
    return mutate


def add_impostor(real, impostor):
    """Adds a stanza named `impostor` that points at `real`'s .deb."""
    def mutate(suite, arch, text):
        for stanza in text.split("\n\n"):
            if stanza.startswith("Package: %s\n" % real):
                fake = stanza.replace("Package: %s\n" % real, "Package: %s\n" % impostor, 1)
                return text.rstrip("\n") + "\n\n" + fake.rstrip("\n") + "\n"
        return text
    return mutate


class HostileIndexFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def fetch_out(self, repo, *packages, expect_rc=T.NONZERO):
        server = self.serve(repo)
        out = os.path.join(self.mkdir("deep", "er"), "out")
        r = self.run_distill(self.mirror_args(server) + [
            "--cache-dir", os.path.join(self.tmp, "cache"), "fetch", *packages,
            "--distro", "debian12", "--arch", "amd64", "-o", out], expect_rc=expect_rc)
        return r, out

    def test_version_with_a_path_never_becomes_a_file_name(self):
        repo = self.make_repo(index_mutator=set_version("libfoo1", "1/../../../x"))
        r, out = self.fetch_out(repo, "libfoo1")
        self.assert_one_error(r, "libfoo1", "invalid version '1/../../../x'")
        self.assertEqual(os.listdir(os.path.join(self.tmp, "deep")), ["er"], "nothing escaped")
        self.assertFalse(os.path.exists(out))

    def test_versions_dpkg_refuses_are_refused(self):
        for bad in ("-garbage-~~~::", "12345678901234567890123456:1.0-1"):
            with self.subTest(version=bad):
                repo = self.make_repo("repo-%d" % len(bad), index_mutator=set_version("libfoo1", bad))
                r, _ = self.fetch_out(repo, "libfoo1")
                self.assert_one_error(r, "invalid version '%s'" % bad)

    def test_index_entry_must_match_the_package_it_names(self):
        repo = self.make_image_repo(index_mutator=add_impostor("netbase", "evil"))
        server = self.serve(repo)
        spec = self.write_spec("distro: debian12\narchs: [amd64]\nbase: static\n"
                               "packages: [evil]\n")
        out = os.path.join(self.tmp, "image")
        r = self.run_distill(self.mirror_args(server) + [
            "--cache-dir", os.path.join(self.tmp, "cache"), "build", "-f", spec, "-o", out],
            expect_rc=T.NONZERO)
        self.assert_one_error(r, "evil", "./control says Package 'netbase'",
                              "index entry says 'evil'")
        self.assertFalse(os.path.exists(out), "nothing written")


if __name__ == "__main__":
    T.main()
