"""The attestation formats distill writes, judged by JSON Schemas written from
their specifications (testdata/schemas/README.md): the golden SLSA Provenance
v1 statement and its DSSE envelope that tests/unit/sbom/intoto_test.cpp
checks the library produces byte for byte validate against the in-toto
Statement v1, SLSA Provenance v1 and DSSE envelope schemas, and documents
that break the specifications do not (so the schemas are not vacuous).
"""

import base64
import copy
import json
import os
import sys
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distill_testlib as T  # noqa: E402

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")


def load(*parts):
    with open(os.path.join(TESTDATA, *parts)) as f:
        return json.load(f)


def errors(schema_name, doc):
    import jsonschema  # python3-jsonschema; missing is an error, never a skip
    import referencing
    schemas = {n: load("schemas", n) for n in os.listdir(os.path.join(TESTDATA, "schemas"))
               if n.endswith(".schema.json")}
    resources = []
    for name, s in schemas.items():
        res = referencing.Resource.from_contents(s)
        resources += [(name, res), (s["$id"], res)]
    registry = referencing.Registry().with_resources(resources)
    schema = schemas[schema_name]
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema, registry=registry)
    return [e.message for e in v.iter_errors(doc)]


class AttestationSchemaTest(unittest.TestCase):

    def setUp(self):
        self.statement = load("attestations", "slsa-provenance-v1.statement.json")
        self.envelope = load("attestations", "slsa-provenance-v1.dsse.json")

    def test_golden_statement_validates(self):
        self.assertEqual(errors("intoto-statement-v1.schema.json", self.statement), [])
        self.assertEqual(errors("slsa-provenance-v1.schema.json", self.statement), [])

    def test_golden_envelope_validates_and_carries_the_statement(self):
        self.assertEqual(errors("dsse-envelope.schema.json", self.envelope), [])
        self.assertEqual(self.envelope["payloadType"], "application/vnd.in-toto+json")
        payload = base64.b64decode(self.envelope["payload"], validate=True)
        self.assertEqual(json.loads(payload), self.statement)
        # Compact with sorted keys: the bytes are a function of the content.
        self.assertEqual(payload.decode(),
                         json.dumps(self.statement, sort_keys=True, separators=(",", ":")))

    def test_schemas_reject_what_the_specs_forbid(self):
        def broken(change):
            doc = copy.deepcopy(self.statement)
            change(doc)
            return doc
        bad = {
            "old _type": broken(lambda d: d.update(_type="https://in-toto.io/Statement/v0.1")),
            "no subject": broken(lambda d: d.update(subject=[])),
            "subject without digest": broken(lambda d: d["subject"][0].pop("digest")),
            "upper-case digest": broken(lambda d: d["subject"][0]["digest"].update(
                sha256="A" * 64)),
            "no buildType": broken(lambda d: d["predicate"]["buildDefinition"].pop("buildType")),
            "no builder id": broken(lambda d: d["predicate"]["runDetails"]["builder"].pop("id")),
            "local time": broken(lambda d: d["predicate"]["runDetails"]["metadata"].update(
                startedOn="2023-11-14 22:13:20")),
        }
        for what, doc in bad.items():
            self.assertNotEqual(errors("slsa-provenance-v1.schema.json", doc), [], what)
        unsigned = dict(self.envelope, signatures=[])
        self.assertNotEqual(errors("dsse-envelope.schema.json", unsigned), [])


if __name__ == "__main__":
    T.main()
