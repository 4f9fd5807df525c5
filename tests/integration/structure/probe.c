/* A static test program for `distill run` and `distill test` (compiled by
 * the integration tests with gcc -static and added to a fixture image).
 *   probe [hello]        prints a greeting
 *   probe id             prints uid and gid
 *   probe write PATH     creates PATH; exit 1 with the error when it fails
 *   probe exit N         exits with N (after a line on stderr)
 *   probe env            prints the environment
 *   probe cat PATH       prints a file
 *   probe caps           prints the effective capabilities (CapEff)
 *   probe netdevs        prints the network interfaces of its namespace
 *   probe wait           prints "ready", then waits for SIGINT or SIGTERM
 *                        and exits 130 or 143 (pid 1 needs handlers)
 *   probe euid           prints the effective uid
 *   probe serve PORT     listens on TCP PORT (all addresses), prints "ready",
 *                        answers each connection with "hello from PORT\n"
 *                        until SIGINT or SIGTERM
 *   probe plant DONE DST...  copies itself to each DST as a setuid file
 *                        (04755, owned by whoever runs it), prints "planted
 *                        DST" for each, then waits up to 60 s for DONE to
 *                        exist (a hostile test: can the host's other users
 *                        run those copies as root?); exit 1 on timeout */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

static void on_signal(int sig) {
  const char* msg = sig == SIGINT ? "got SIGINT\n" : "got SIGTERM\n";
  (void)write(1, msg, strlen(msg));
  _exit(128 + sig);
}

static int cat(const char* path, const char* prefix) {
  FILE* f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cat %s: %s\n", path, strerror(errno));
    return 1;
  }
  char line[4096];
  while (fgets(line, sizeof line, f))
    if (!prefix || strncmp(line, prefix, strlen(prefix)) == 0) fputs(line, stdout);
  fclose(f);
  return 0;
}

/* Written under a temporary name and renamed: whoever watches DST never
 * sees a half-written file. */
static int copy_setuid(const char* dst) {
  char part[4096];
  snprintf(part, sizeof part, "%s.part", dst);
  int in = open("/proc/self/exe", O_RDONLY);
  int out = open(part, O_CREAT | O_WRONLY | O_TRUNC, 0700);
  if (in < 0 || out < 0) {
    printf("plant %s: %s\n", dst, strerror(errno));
    return 1;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) n = -1;
  int rc = n < 0 || fchmod(out, 04755) != 0 || close(out) != 0 || rename(part, dst) != 0;
  if (rc) printf("plant %s: %s\n", dst, strerror(errno));
  close(in);
  return rc;
}

static int serve(int port) {
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (s < 0 || bind(s, (struct sockaddr*)&a, sizeof a) != 0 || listen(s, 16) != 0) {
    printf("serve %d: %s\n", port, strerror(errno));
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  char msg[64];
  int len = snprintf(msg, sizeof msg, "hello from %d\n", port);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    (void)write(c, msg, (size_t)len);
    close(c);
  }
}

static int plant(int count, char** dsts, const char* done) {
  for (int i = 0; i < count; ++i) {
    if (copy_setuid(dsts[i])) return 1;
    printf("planted %s\n", dsts[i]);
  }
  fflush(stdout);
  for (int i = 0; i < 600; ++i) {
    if (access(done, F_OK) == 0) return 0;
    usleep(100000);
  }
  printf("timed out waiting for %s\n", done);
  return 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "hello";
  if (!strcmp(mode, "hello")) {
    printf("hello from the container\n");
    return 0;
  }
  if (!strcmp(mode, "id")) {
    printf("uid=%d gid=%d\n", (int)getuid(), (int)getgid());
    return 0;
  }
  if (!strcmp(mode, "write") && argc > 2) {
    int fd = open(argv[2], O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) {
      printf("write %s: %s\n", argv[2], strerror(errno));
      return 1;
    }
    close(fd);
    printf("wrote %s\n", argv[2]);
    return 0;
  }
  if (!strcmp(mode, "exit") && argc > 2) {
    fprintf(stderr, "exiting with %s\n", argv[2]);
    return atoi(argv[2]);
  }
  if (!strcmp(mode, "env")) {
    for (char** e = environ; *e; ++e) puts(*e);
    return 0;
  }
  if (!strcmp(mode, "cat") && argc > 2) return cat(argv[2], NULL);
  if (!strcmp(mode, "caps")) return cat("/proc/self/status", "CapEff");
  if (!strcmp(mode, "netdevs")) return cat("/proc/net/dev", NULL);
  if (!strcmp(mode, "wait")) {
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("ready\n");
    fflush(stdout);
    for (;;) pause();
  }
  if (!strcmp(mode, "tty")) {
    /* -t: which of stdin and stdout are terminals, whether we are the
     * terminal's foreground group, then one line read back. */
    char line[256] = "";
    int fg = isatty(0) && tcgetpgrp(0) == getpgrp();
    printf("stdin=%d stdout=%d foreground=%d\n", isatty(0), isatty(1), fg);
    fflush(stdout);
    if (fgets(line, sizeof line, stdin)) printf("read: %s", line);
    return 0;
  }
  if (!strcmp(mode, "euid")) {
    printf("euid=%d\n", (int)geteuid());
    return 0;
  }
  if (!strcmp(mode, "serve") && argc > 2) return serve(atoi(argv[2]));
  if (!strcmp(mode, "plant") && argc > 3) return plant(argc - 3, argv + 3, argv[2]);
  fprintf(stderr, "probe: unknown mode %s\n", mode);
  return 2;
}
