#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "net/http.hpp"
#include "unit/net/local_http_server.hpp"

using namespace distill;

namespace {

net::HttpRequest get(const std::string& url) {
  net::HttpRequest req;
  req.url = url;
  return req;
}

TEST(CurlTransportConnections, SequentialRequestsShareOneConnection) {
  net::test_util::LocalHttpServer server(/*keep_alive=*/true);
  ASSERT_TRUE(server.ok());
  net::CurlTransport transport;
  for (int i = 0; i < 10; ++i) {
    auto resp = transport.send(get(server.url("/f" + std::to_string(i))));
    ASSERT_TRUE(resp.ok()) << resp.error().message();
    EXPECT_EQ(resp->status, 201);
  }
  EXPECT_EQ(server.seen().size(), 10u);
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(transport.connections_opened(), 1u);
}

TEST(CurlTransportConnections, ConcurrentCallersOpenAtMostOneConnectionEach) {
  net::test_util::LocalHttpServer server(/*keep_alive=*/true);
  ASSERT_TRUE(server.ok());
  net::CurlTransport transport;
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        auto resp = transport.send(get(server.url("/t" + std::to_string(t))));
        if (resp.ok() && resp->status == 201) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * 8);
  EXPECT_GE(server.connections(), 1u);
  EXPECT_LE(server.connections(), static_cast<size_t>(kThreads));
  EXPECT_EQ(transport.connections_opened(), server.connections());
}

TEST(CurlTransportConnections, AServerThatClosesGetsANewConnectionPerRequest) {
  net::test_util::LocalHttpServer server;  // answers with Connection: close
  ASSERT_TRUE(server.ok());
  net::CurlTransport transport;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(transport.send(get(server.url("/x"))).ok());
  EXPECT_EQ(server.connections(), 3u);
  EXPECT_EQ(transport.connections_opened(), 3u);
}

TEST(CurlTransportConnections, AFailedFirstContactLetsTheNextRequestTry) {
  int port;
  {
    net::test_util::LocalHttpServer probe;  // a port nobody listens on once it is gone
    ASSERT_TRUE(probe.ok());
    port = std::stoi(probe.url("").substr(std::string("http://127.0.0.1:").size()));
  }
  net::CurlTransport transport;
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  for (int i = 0; i < 2; ++i) {
    auto resp = transport.send(get(url));
    ASSERT_FALSE(resp.ok());
    EXPECT_EQ(resp.error().code, core::ErrorCode::kUnavailable);
  }
}

}  // namespace
