#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.hpp"
#include "core/unique_fd.hpp"

namespace distill::net::test_util {

// A tiny HTTP/1.1 server on 127.0.0.1 that reads each request body (by
// Content-Length) and answers 201 with the body's size and SHA-256 in
// headers: enough to see what a real libcurl transfer put on the wire.
// With keep_alive it serves each connection on its own thread and keeps it
// open for more requests, counting the connections it accepted.
class LocalHttpServer {
 public:
  struct Seen {
    std::string method;
    std::string head;  // request line and headers
    size_t body_size = 0;
    bool complete = false;  // the whole declared body arrived
  };

  explicit LocalHttpServer(bool keep_alive = false) : keep_alive_(keep_alive) {
    listener_ = core::UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ok_ = listener_ &&
          ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::listen(listener_.get(), 8) == 0;
    socklen_t len = sizeof addr;
    ok_ = ok_ && ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    port_ = ntohs(addr.sin_port);
    if (ok_) thread_ = std::thread([this] { serve(); });
  }
  ~LocalHttpServer() {
    stop_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    // The workers never close their sockets, so these numbers are still theirs.
    for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    for (auto& t : workers_) t.join();
    for (int fd : open_) ::close(fd);
  }
  size_t connections() const { return connections_; }

  bool ok() const { return ok_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void serve() {
    while (!stop_) {
      core::UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn) return;
      ++connections_;
      if (!keep_alive_) {
        handle(conn.get());
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      open_.push_back(conn.get());
      workers_.emplace_back([this, fd = conn.release()] {
        while (!stop_ && handle(fd)) {
        }
      });
    }
  }

  static bool read_more(int fd, std::string& buf) {
    char tmp[65536];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf.append(tmp, static_cast<size_t>(n));
    return true;
  }

  // false: the connection is done.
  bool handle(int fd) {
    std::string buf;
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!read_more(fd, buf)) return false;
    Seen s;
    s.head = buf.substr(0, end);
    s.method = s.head.substr(0, s.head.find(' '));
    size_t want = 0;
    for (const char* name : {"Content-Length: ", "content-length: "})
      if (auto p = s.head.find(name); p != std::string::npos)
        want = std::strtoull(s.head.c_str() + p + 16, nullptr, 10);
    std::string body = buf.substr(end + 4);
    core::Sha256 hash;
    size_t got = 0;
    for (;;) {
      size_t take = std::min(body.size(), want - got);
      hash.update(body.data(), take);
      got += take;
      body.clear();
      if (got == want || !read_more(fd, body)) break;
    }
    s.body_size = got;
    s.complete = got == want;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(s);
    }
    if (!s.complete) return false;
    std::string reply = std::string("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n") +
                        (keep_alive_ ? "" : "Connection: close\r\n") +
                        "X-Body-Size: " + std::to_string(got) +
                        "\r\nX-Body-Sha256: " + hash.hex_digest() + "\r\n\r\n";
    return ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(reply.size());
  }

  bool keep_alive_ = false;
  std::atomic<size_t> connections_{0};
  std::vector<int> open_;
  std::vector<std::thread> workers_;
  core::UniqueFd listener_;
  int port_ = 0;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

}  // namespace distill::net::test_util
