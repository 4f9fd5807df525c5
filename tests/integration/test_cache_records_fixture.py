"""Records in the cache's named/ folder are checked on read, as blobs are: a
layer record whose diff_id was changed must not produce an image that
distill (or anything else) rejects; the layer is rebuilt instead."""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

SPEC = "distro: debian12\narchs: [amd64]\nbase: static\n"


class CacheRecordsFixtureTest(T.BuildTestMixin, T.FixtureTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.serve(self.make_image_repo())
        self.cache = os.path.join(self.tmp, "cache")
        self.spec = self.write_spec(SPEC)

    def build(self, out):
        r = self.run_distill(self.mirror_args(self.server) + [
            "--cache-dir", self.cache, "build", "-f", self.spec, "-o", out, "-t", "rec:1"])
        return r.stdout.strip()

    def layer_records(self):
        named = os.path.join(self.cache, "named")
        out = []
        for name in sorted(os.listdir(named)):
            with open(os.path.join(named, name), "rb") as f:
                data = f.read()
            if b'"diff_id"' in data:
                out.append(os.path.join(named, name))
        return out

    def test_edited_layer_record_is_not_trusted(self):
        first = self.build(os.path.join(self.tmp, "one"))
        records = self.layer_records()
        self.assertTrue(records, "the build wrote a layer record")
        for path in records:
            with open(path, "rb") as f:
                data = f.read()
            start = data.index(b"{")
            record = json.loads(data[start:])
            record["diff_id"] = "sha256:" + "0" * 64
            with open(path, "wb") as f:
                f.write(data[:start] + json.dumps(record).encode())
        second = self.build(os.path.join(self.tmp, "two"))
        self.assertEqual(second, first, "the layer was rebuilt, not taken from the record")
        self.run_distill(["inspect", os.path.join(self.tmp, "two")])

    def test_truncated_record_reads_as_absent(self):
        first = self.build(os.path.join(self.tmp, "one"))
        for path in self.layer_records():
            with open(path, "rb") as f:
                data = f.read()
            with open(path, "wb") as f:
                f.write(data[: len(data) // 2])
        self.assertEqual(self.build(os.path.join(self.tmp, "two")), first)


if __name__ == "__main__":
    T.main()
