#include "net/body_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/sha256.hpp"
#include "net/http.hpp"
#include "unit/net/local_http_server.hpp"

using namespace distill;
using ::testing::HasSubstr;

namespace {

// A body of `size` pseudo-random bytes produced in small reads, counting
// rewinds; optionally failing after `fail_at` bytes.
class CountingBody : public net::BodySource {
 public:
  explicit CountingBody(size_t size, int64_t fail_at = -1) : size_(size), fail_at_(fail_at) {}
  int64_t size() const override { return static_cast<int64_t>(size_); }
  core::Status rewind() override {
    ++rewinds;
    pos_ = 0;
    return core::Status::Ok();
  }
  core::Result<size_t> read(char* buf, size_t max) override {
    if (fail_at_ >= 0 && pos_ >= static_cast<size_t>(fail_at_)) {
      failed_ = true;
      return core::make_error("blob", "does not match its digest");
    }
    size_t n = std::min({max, size_ - pos_, size_t{7000}});
    for (size_t i = 0; i < n; ++i) buf[i] = byte_at(pos_ + i);
    pos_ += n;
    max_read = std::max(max_read, n);
    return n;
  }
  bool broken() const override { return failed_; }
  static char byte_at(size_t i) { return static_cast<char>((i * 2654435761u) >> 13); }
  std::string expected() const {
    std::string s(size_, '\0');
    for (size_t i = 0; i < size_; ++i) s[i] = byte_at(i);
    return s;
  }
  int rewinds = 0;
  size_t max_read = 0;

 private:
  size_t size_;
  int64_t fail_at_;
  size_t pos_ = 0;
  bool failed_ = false;
};

net::HttpRequest streamed(const std::string& method, const std::string& url,
                          net::BodySource& body) {
  net::HttpRequest req;
  req.method = method;
  req.url = url;
  req.headers = {{"Expect", ""}};
  req.body_source = &body;
  return req;
}

TEST(StringBody, ReadsInPiecesAndRewinds) {
  net::StringBody body("hello world");
  EXPECT_EQ(body.size(), 11);
  auto first = net::read_some(body, 5);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "hello");
  auto rest = net::read_some(body, 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, " world");
  auto all = net::read_all(body);  // rewinds first
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "hello world");
}

TEST(ReadAll, PassesTheSourceErrorOn) {
  CountingBody body(20000, 10000);
  auto all = net::read_all(body);
  ASSERT_FALSE(all.ok());
  EXPECT_THAT(all.error().what, HasSubstr("digest"));
}

TEST(CurlTransportStreaming, PutsAStreamedBodyToARealServer) {
  net::test_util::LocalHttpServer server;
  ASSERT_TRUE(server.ok());
  CountingBody body(3 << 20);  // several MiB, read a few KiB at a time
  net::CurlTransport transport;
  auto resp = transport.send(streamed("PUT", server.url("/upload"), body));
  ASSERT_TRUE(resp.ok()) << resp.error().message();
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->header("x-body-size"), std::to_string(3 << 20));
  EXPECT_EQ(resp->header("x-body-sha256"), core::sha256_hex(body.expected()));
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_THAT(seen[0].head, HasSubstr("Content-Length: " + std::to_string(3 << 20)));
  EXPECT_LE(body.max_read, 7000u);
}

TEST(CurlTransportStreaming, PatchKeepsItsMethodAndRewindsOnEverySend) {
  net::test_util::LocalHttpServer server;
  ASSERT_TRUE(server.ok());
  CountingBody body(100000);
  auto req = streamed("PATCH", server.url("/chunk"), body);
  net::CurlTransport transport;
  for (int i = 0; i < 2; ++i) {
    auto resp = transport.send(req);
    ASSERT_TRUE(resp.ok()) << resp.error().message();
    EXPECT_EQ(resp->header("x-body-sha256"), core::sha256_hex(body.expected()));
  }
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].method, "PATCH");
  EXPECT_GE(body.rewinds, 2);
}

TEST(CurlTransportStreaming, ASourceErrorAbortsTheRequestWithThatError) {
  net::test_util::LocalHttpServer server;
  ASSERT_TRUE(server.ok());
  CountingBody body(1 << 20, 500000);
  net::CurlTransport transport;
  auto resp = transport.send(streamed("PUT", server.url("/upload"), body));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().where, "blob");
  EXPECT_THAT(resp.error().what, HasSubstr("does not match its digest"));
  EXPECT_TRUE(body.broken());
  // The server never received the whole body, so never answered.
  for (const auto& s : server.seen()) EXPECT_FALSE(s.complete);
}

}  // namespace
