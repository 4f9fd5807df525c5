#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string_view>

// read(2), write(2) and send(2) with the EINTR retry every caller needs. They
// report failure the way the system calls do (errno set) so that each caller
// keeps its own message: "cannot read blob", "write failed: ...".
namespace distill::core {

// read(2), retried on EINTR: the bytes read, 0 at the end, -1 with errno set.
ssize_t read_some(int fd, void* buf, size_t size);

// Writes all of `data`, retrying EINTR and short writes; false with errno set.
bool write_all(int fd, std::string_view data);

// write_all for a socket, with MSG_NOSIGNAL: a peer that went away fails the
// call with EPIPE instead of raising SIGPIPE in the process.
bool send_all(int fd, std::string_view data);

}  // namespace distill::core
