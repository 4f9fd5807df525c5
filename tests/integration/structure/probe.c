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
 *                        and exits 130 or 143 (pid 1 needs handlers) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  fprintf(stderr, "probe: unknown mode %s\n", mode);
  return 2;
}
