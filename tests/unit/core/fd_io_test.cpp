#include "core/fd_io.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/unique_fd.hpp"

namespace distill::core {
namespace {

struct Pipe {
  UniqueFd read_end, write_end;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_end = UniqueFd(fds[0]);
    write_end = UniqueFd(fds[1]);
  }
};

std::string read_to_end(int fd) {
  std::string out;
  char buf[7];  // small, so several reads are needed
  for (ssize_t n; (n = read_some(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(FdIoTest, WriteAllThenReadSomeRoundTrips) {
  Pipe p;
  std::string data(1000, 'x');
  data += "end";
  ASSERT_TRUE(write_all(p.write_end.get(), data));
  p.write_end.reset();
  EXPECT_EQ(read_to_end(p.read_end.get()), data);
}

TEST(FdIoTest, ReadSomeReturnsZeroAtTheEnd) {
  Pipe p;
  p.write_end.reset();
  char c;
  EXPECT_EQ(read_some(p.read_end.get(), &c, 1), 0);
}

TEST(FdIoTest, FailuresKeepErrno) {
  char c;
  errno = 0;
  EXPECT_EQ(read_some(-1, &c, 1), -1);
  EXPECT_EQ(errno, EBADF);
  errno = 0;
  EXPECT_FALSE(write_all(-1, "x"));
  EXPECT_EQ(errno, EBADF);
  EXPECT_TRUE(write_all(-1, ""));  // nothing to write is not a failure
}

TEST(FdIoTest, SendAllToAClosedPeerFailsWithEpipeInsteadOfSignalling) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  ASSERT_TRUE(send_all(a.get(), "hello"));
  char buf[5];
  ASSERT_EQ(read_some(b.get(), buf, sizeof buf), 5);
  b.reset();
  errno = 0;
  EXPECT_FALSE(send_all(a.get(), "again"));
  EXPECT_EQ(errno, EPIPE);
}

}  // namespace
}  // namespace distill::core
