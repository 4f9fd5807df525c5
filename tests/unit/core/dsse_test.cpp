#include "core/dsse.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace distill::core;

namespace {

// Signs with "KEYID|" + message: no cryptography, but a signature that only
// the same key over the same bytes reproduces.
class FakeDsseSigner : public dsse::Signer {
 public:
  explicit FakeDsseSigner(std::string keyid) : keyid_(std::move(keyid)) {}
  std::string keyid() const override { return keyid_; }
  Result<std::string> sign(std::string_view message) const override {
    return keyid_ + "|" + std::string(message);
  }

 private:
  std::string keyid_;
};

class FakeDsseVerifier : public dsse::Verifier {
 public:
  Result<bool> verify(std::string_view keyid, std::string_view message,
                      std::string_view sig) const override {
    if (keyid == "broken") return make_error("key broken", "cannot be read");
    return sig == std::string(keyid) + "|" + std::string(message) && keyid != "untrusted";
  }
};

TEST(Dsse, PaeIsTheSpecifiedEncoding) {
  // Written out by hand: "DSSEv1", the type's length (29) and the type, the
  // body's length (11) and the body, separated by single spaces.
  EXPECT_EQ(dsse::pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(dsse::pae("", ""), "DSSEv1 0  0 ");
  EXPECT_EQ(dsse::pae("application/vnd.in-toto+json", std::string("a\0b", 3)),
            std::string("DSSEv1 28 application/vnd.in-toto+json 3 a\0b", 44));
}

TEST(Dsse, SignVerifyAndSerialize) {
  FakeDsseSigner a("key-a"), b("key-b");
  auto e = dsse::sign("text/plain", "hello world", {&a, &b, &a});
  ASSERT_TRUE(e.ok()) << e.error().message();
  ASSERT_EQ(e->signatures.size(), 3u);
  EXPECT_EQ(e->signatures[0].sig, "key-a|DSSEv1 10 text/plain 11 hello world");
  FakeDsseVerifier v;
  auto keys = dsse::verify(*e, v, 2);
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  EXPECT_EQ(*keys, (std::vector<std::string>{"key-a", "key-b"})) << "a key counts once";
  EXPECT_FALSE(dsse::verify(*e, v, 3).ok());

  auto text = dsse::envelope_json(*e);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->rfind(R"({"payload":"aGVsbG8gd29ybGQ=","payloadType":"text/plain",)"
                        R"("signatures":[{"keyid":"key-a","sig":)",
                        0),
            0u)
      << *text;
  auto back = dsse::parse_envelope(*text, "env.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, *e);

  dsse::Envelope tampered = *e;
  tampered.payload_type = "text/html";
  auto none = dsse::verify(tampered, v);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(none.error().message(), "DSSE envelope: no signature verifies");

  FakeDsseSigner broken("broken");
  auto err = dsse::verify(*dsse::sign("t", "p", {&broken}), v);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().message(), "key broken: cannot be read");
  EXPECT_FALSE(dsse::sign("t", "p", {}).ok());
}

TEST(Dsse, ParseAcceptsUrlSafeUnpaddedBase64AndNamesErrors) {
  // "hi?>" is aGk/Pg== in standard base64, aGk_Pg in URL-safe unpadded.
  auto e = dsse::parse_envelope(
      R"({"payloadType":"t","payload":"aGk_Pg","signatures":[{"sig":"aGk/Pg=="}]})", "e.json");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->payload, "hi?>");
  EXPECT_EQ(e->signatures[0].sig, "hi?>");
  EXPECT_EQ(e->signatures[0].keyid, "");

  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[]", "e.json: is not a DSSE envelope (not an object)"},
      {R"({"payload":"aGk=","signatures":[{"sig":"aGk="}]})", "e.json: has no \"payloadType\""},
      {R"({"payloadType":"t","payload":"a","signatures":[{"sig":"aGk="}]})",
       "e.json: field 'payload': is not base64"},
      {R"({"payloadType":"t","payload":"aGk=","signatures":[]})",
       "e.json: has no \"signatures\" (an unsigned envelope proves nothing)"},
      {R"({"payloadType":"t","payload":"aGk=","signatures":[{"sig":"aGk="},{"sig":"*"}]})",
       "e.json: signature 1: field 'sig': is not base64"},
      {R"({"payloadType":"t","payload":"aGk=","signatures":[{"sig":"aGk=","keyid":1}]})",
       "e.json: signature 0: field 'keyid': is not a string"},
  };
  for (const auto& c : cases) {
    auto r = dsse::parse_envelope(c.text, "e.json");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().message(), c.message);
  }
}

}  // namespace
