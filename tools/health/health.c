/* distill-health: the healthcheck of images built with `healthcheck: {http: ...}`
 * or `{tcp: ...}` (docs/spec.md), run by docker, podman or `distill run`
 * inside the container, where no shell or curl exists.
 *
 *   healthcheck http http://127.0.0.1:8080/health   healthy on a 2xx or 3xx answer
 *   healthcheck tcp 127.0.0.1:5432                  healthy when a connection opens
 *
 * Exit 0 healthy, 1 unhealthy (one line on stderr says why), 2 usage. Only
 * numeric addresses and "localhost" (127.0.0.1, then ::1): no resolver, so the
 * program stays static and small. Plain HTTP/1.0, no TLS. Every step is bounded
 * by one deadline (kTimeoutMs); the runtime's own timeout is usually shorter.
 *
 * The build copies it into the image at /usr/libexec/distill/healthcheck,
 * built static with fixed flags (no build id, no build paths) so that its bytes
 * depend only on the toolchain.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kTimeoutMs = 30000, kMaxAnswer = 4096 };

static long long deadline_ms;

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int unhealthy(const char* what, const char* detail) {
  fprintf(stderr, "distill-health: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 1;
}

/* Waits for `events` on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events) {
  for (;;) {
    long long left = deadline_ms - now_ms();
    if (left <= 0) return 0;
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, (int)left);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    return r;
  }
}

struct target {
  char host[64];
  int port;
  const char* path;
};

/* HOST:PORT or [V6]:PORT; `default_port` when there is no ":PORT" (-1: required). */
static int parse_host_port(const char* text, size_t len, int default_port, struct target* t) {
  const char* port = NULL;
  size_t host_len;
  const char* host = text;
  if (len > 0 && text[0] == '[') {
    const char* close = memchr(text, ']', len);
    if (!close) return -1;
    host = text + 1;
    host_len = (size_t)(close - host);
    if (close + 1 < text + len) {
      if (close[1] != ':') return -1;
      port = close + 2;
    }
  } else {
    const char* colon = NULL;
    for (size_t i = 0; i < len; ++i)
      if (text[i] == ':') colon = text + i;
    host_len = colon ? (size_t)(colon - text) : len;
    if (colon) port = colon + 1;
  }
  if (host_len == 0 || host_len >= sizeof t->host) return -1;
  memcpy(t->host, host, host_len);
  t->host[host_len] = '\0';
  if (!port) {
    if (default_port < 0) return -1;
    t->port = default_port;
    return 0;
  }
  size_t port_len = (size_t)(text + len - port);
  if (port_len == 0 || port_len > 5) return -1;
  int v = 0;
  for (size_t i = 0; i < port_len; ++i) {
    if (port[i] < '0' || port[i] > '9') return -1;
    v = v * 10 + (port[i] - '0');
  }
  if (v < 1 || v > 65535) return -1;
  t->port = v;
  return 0;
}

/* A connected socket, or -1 with the reason in `why`. */
static int connect_one(const char* host, int port, const char** why) {
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in* v4 = (struct sockaddr_in*)&ss;
  struct sockaddr_in6* v6 = (struct sockaddr_in6*)&ss;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((unsigned short)port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((unsigned short)port);
    len = sizeof *v6;
  } else {
    *why = "not a numeric address";
    return -1;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *why = strerror(errno);
    return -1;
  }
  if (connect(fd, (struct sockaddr*)&ss, len) != 0) {
    if (errno != EINPROGRESS) {
      *why = strerror(errno);
      close(fd);
      return -1;
    }
    int r = wait_fd(fd, POLLOUT);
    int err = 0;
    socklen_t err_len = sizeof err;
    if (r == 0) {
      *why = "timed out";
      close(fd);
      return -1;
    }
    if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) {
      *why = strerror(err ? err : errno);
      close(fd);
      return -1;
    }
  }
  return fd;
}

static int connect_target(const struct target* t, char* reason, size_t reason_size) {
  const char* why = "";
  int fd;
  if (strcmp(t->host, "localhost") == 0) {
    fd = connect_one("127.0.0.1", t->port, &why);
    if (fd < 0) fd = connect_one("::1", t->port, &why);
  } else {
    fd = connect_one(t->host, t->port, &why);
  }
  if (fd < 0)
    snprintf(reason, reason_size, "cannot connect to %s port %d: %s", t->host, t->port, why);
  return fd;
}

static int send_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    if (wait_fd(fd, POLLOUT) <= 0) return -1;
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int check_tcp(const char* address) {
  struct target t;
  if (parse_host_port(address, strlen(address), -1, &t) != 0)
    return unhealthy("not HOST:PORT", address);
  char reason[256];
  int fd = connect_target(&t, reason, sizeof reason);
  if (fd < 0) return unhealthy(reason, NULL);
  close(fd);
  return 0;
}

static int check_http(const char* url) {
  static const char kScheme[] = "http://";
  if (strncmp(url, kScheme, sizeof kScheme - 1) != 0) return unhealthy("not an http:// URL", url);
  const char* authority = url + sizeof kScheme - 1;
  const char* slash = strchr(authority, '/');
  size_t authority_len = slash ? (size_t)(slash - authority) : strlen(authority);
  struct target t;
  if (parse_host_port(authority, authority_len, 80, &t) != 0)
    return unhealthy("no host or port in the URL", url);
  t.path = slash ? slash : "/";
  char reason[256];
  int fd = connect_target(&t, reason, sizeof reason);
  if (fd < 0) return unhealthy(reason, NULL);
  char request[2048];
  int n = snprintf(request, sizeof request,
                   "GET %s HTTP/1.0\r\nHost: %.*s\r\nUser-Agent: distill-healthcheck\r\n"
                   "Connection: close\r\n\r\n",
                   t.path, (int)authority_len, authority);
  if (n < 0 || (size_t)n >= sizeof request) {
    close(fd);
    return unhealthy("the URL is too long", NULL);
  }
  if (send_all(fd, request, (size_t)n) != 0) {
    close(fd);
    return unhealthy("cannot send the request", NULL);
  }
  /* The status line is all we need: "HTTP/1.x NNN ...". */
  char answer[kMaxAnswer + 1];
  size_t got = 0;
  while (got < kMaxAnswer && !memchr(answer, '\n', got)) {
    int r = wait_fd(fd, POLLIN);
    if (r == 0) {
      close(fd);
      return unhealthy("no answer in time", NULL);
    }
    if (r < 0) break;
    ssize_t m = recv(fd, answer + got, kMaxAnswer - got, 0);
    if (m < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (m <= 0) break;
    got += (size_t)m;
  }
  close(fd);
  answer[got] = '\0';
  int code = 0;
  if (strncmp(answer, "HTTP/1.", 7) != 0 || sscanf(answer + 8, " %3d", &code) != 1 || code < 100)
    return unhealthy("the answer is not HTTP", NULL);
  if (code >= 200 && code < 400) return 0;
  char status[32];
  snprintf(status, sizeof status, "HTTP %d", code);
  return unhealthy(status, NULL);
}

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[1], "http") != 0 && strcmp(argv[1], "tcp") != 0)) {
    fprintf(stderr, "distill-health: usage: healthcheck http URL | healthcheck tcp HOST:PORT\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  deadline_ms = now_ms() + kTimeoutMs;
  return strcmp(argv[1], "http") == 0 ? check_http(argv[2]) : check_tcp(argv[2]);
}
