/* distill-probe: what an attacker who gains code execution in a container
 * could do from there. Run inside the container (as the image's user) by
 * `distill probe`; prints one JSON document on stdout (docs/probe.md).
 * Built static so it needs nothing from the image. It only looks: the one
 * thing it writes is an empty file it removes at once, to tell a writable
 * folder from one that merely passes access(W_OK). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char* const kBinDirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
                                       "/sbin",           "/bin",           "/busybox",  NULL};

static void json_string(const char* s) {
  putchar('"');
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

/* The first bin folder holding `name` (symlinks followed); 0 when none. */
static int find_command(const char* name, char* out, size_t n) {
  for (const char* const* d = kBinDirs; *d; ++d) {
    struct stat st;
    snprintf(out, n, "%s/%s", *d, name);
    if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) return 1;
  }
  return 0;
}

/* Runs argv with stdin, stdout and stderr on /dev/null; 1 when it exits 0
 * within 5 seconds. */
static int runs_ok(char* const argv[]) {
  pid_t pid = fork();
  if (pid < 0) return 0;
  if (pid == 0) {
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
      dup2(fd, 0);
      dup2(fd, 1);
      dup2(fd, 2);
    }
    alarm(5);
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return 0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int first = 1;
static void sep(void) {
  if (!first) printf(",");
  first = 0;
  printf("\n    ");
}

/* {"name": ..., "path": ..., "executable": ..., "runs": ...} for each name
 * present. `run_arg` (e.g. "--version") also runs it when not NULL. */
static void commands(const char* key, const char* const names[], const char* run_arg) {
  printf(",\n  ");
  json_string(key);
  printf(": [");
  first = 1;
  for (const char* const* n = names; *n; ++n) {
    char path[512];
    if (!find_command(*n, path, sizeof path)) continue;
    int exec_ok = access(path, X_OK) == 0;
    sep();
    printf("{\"name\": ");
    json_string(*n);
    printf(", \"path\": ");
    json_string(path);
    printf(", \"executable\": %s", exec_ok ? "true" : "false");
    if (run_arg) {
      char* argv[] = {path, (char*)run_arg, NULL};
      printf(", \"runs\": %s", exec_ok && runs_ok(argv) ? "true" : "false");
    }
    printf("}");
  }
  printf("]");
}

/* True when an earlier bin folder is the same folder (merged /usr: /bin ->
 * usr/bin), so a glob there would list the same files again. */
static int seen_dir(const char* const* d) {
  char here[4096], other[4096];
  if (!realpath(*d, here)) return 1;
  for (const char* const* e = kBinDirs; e != d; ++e)
    if (realpath(*e, other) && strcmp(here, other) == 0) return 1;
  return 0;
}

/* Versioned interpreters (python3.11, perl5.36.0, lua5.4) found by glob. */
static void versioned(const char* key, const char* const patterns[]) {
  printf(",\n  ");
  json_string(key);
  printf(": [");
  first = 1;
  for (const char* const* p = patterns; *p; ++p) {
    for (const char* const* d = kBinDirs; *d; ++d) {
      if (seen_dir(d)) continue;
      char pattern[512];
      glob_t g;
      snprintf(pattern, sizeof pattern, "%s/%s", *d, *p);
      if (glob(pattern, 0, NULL, &g) != 0) continue;
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        struct stat st;
        if (stat(g.gl_pathv[i], &st) != 0 || !S_ISREG(st.st_mode)) continue;
        const char* base = strrchr(g.gl_pathv[i], '/') + 1;
        if (strstr(base, "-config")) continue; /* python3-config: a build helper script */
        sep();
        printf("{\"name\": ");
        json_string(base);
        printf(", \"path\": ");
        json_string(g.gl_pathv[i]);
        printf(", \"executable\": %s}", access(g.gl_pathv[i], X_OK) == 0 ? "true" : "false");
      }
      globfree(&g);
    }
  }
  printf("]");
}

/* Files matching any pattern: the socket modules of python and perl. */
static void socket_modules(void) {
  static const char* const kPatterns[] = {"/usr/lib/python3*/socket.py",
                                          "/usr/local/lib/python3*/socket.py",
                                          "/usr/lib/python3*/lib-dynload/_socket*.so",
                                          "/usr/lib/*/perl*/*/Socket.pm",
                                          "/usr/lib/*/perl-base/Socket.pm",
                                          "/usr/share/perl*/*/IO/Socket.pm",
                                          "/usr/lib/*/perl5/*/IO/Socket.pm",
                                          NULL};
  printf(",\n  \"socket_modules\": [");
  first = 1;
  for (const char* const* p = kPatterns; *p; ++p) {
    glob_t g;
    if (glob(*p, 0, NULL, &g) != 0) continue;
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      sep();
      json_string(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  printf("]");
}

/* access(W_OK), then a real create and unlink: a read-only mount passes
 * the first on some kernels' views but not the second. */
static void writable(void) {
  static const char* const kDirs[] = {
      "/",    "/tmp", "/var/tmp",      "/dev/shm", "/run",  "/etc", "/usr", "/usr/bin",
      "/bin", "/var", "/var/lib/dpkg", "/root",    "/home", "/app", "/srv", NULL};
  printf(",\n  \"writable\": [");
  first = 1;
  for (const char* const* d = kDirs; *d; ++d) {
    struct stat st;
    if (stat(*d, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    char file[512];
    snprintf(file, sizeof file, "%s/.distill-probe-%ld", strcmp(*d, "/") ? *d : "", (long)getpid());
    int created = 0;
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      created = 1;
      close(fd);
      unlink(file);
    }
    sep();
    printf("{\"path\": ");
    json_string(*d);
    printf(", \"access\": %s, \"created\": %s}", access(*d, W_OK) == 0 ? "true" : "false",
           created ? "true" : "false");
  }
  printf("]");
}

static int setuid_visit(const char* path, const struct stat* st, int type, struct FTW* ftw) {
  (void)ftw;
  if (type == FTW_D && (!strcmp(path, "/proc") || !strcmp(path, "/sys") || !strcmp(path, "/dev")))
    return FTW_SKIP_SUBTREE;
  if (type == FTW_F && S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID))) {
    sep();
    printf("{\"path\": ");
    json_string(path);
    printf(", \"mode\": \"%04o\", \"owner\": %ld, \"setuid\": %s, \"setgid\": %s}",
           (unsigned)(st->st_mode & 07777), (long)st->st_uid,
           (st->st_mode & S_ISUID) ? "true" : "false", (st->st_mode & S_ISGID) ? "true" : "false");
  }
  return FTW_CONTINUE;
}

static void setuid_files(void) {
  printf(",\n  \"setuid\": [");
  first = 1;
  nftw("/", setuid_visit, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
  printf("]");
}

/* CapEff, CapPrm, CapBnd and NoNewPrivs from /proc/self/status. */
static void process_status(void) {
  static const char* const kKeys[] = {"CapEff", "CapPrm", "CapBnd", "NoNewPrivs", NULL};
  char line[256];
  FILE* f = fopen("/proc/self/status", "r");
  printf(",\n  \"status\": {");
  int n = 0;
  while (f && fgets(line, sizeof line, f)) {
    for (const char* const* k = kKeys; *k; ++k) {
      size_t len = strlen(*k);
      if (strncmp(line, *k, len) || line[len] != ':') continue;
      char* v = line + len + 1;
      while (*v == ' ' || *v == '\t') ++v;
      v[strcspn(v, "\n")] = 0;
      printf("%s\"%s\": ", n++ ? ", " : "", *k);
      json_string(v);
    }
  }
  if (f) fclose(f);
  printf("}");
}

int main(void) {
  static const char* const kShells[] = {"sh",  "bash", "dash",    "ash", "zsh",
                                        "ksh", "mksh", "busybox", NULL};
  static const char* const kInterpreters[] = {"python", "python3", "perl", "ruby", "node",
                                              "nodejs", "php",     "lua",  NULL};
  static const char* const kVersioned[] = {"python[0-9]*", "perl5*",    "ruby[0-9]*",
                                           "php[0-9]*",    "lua[0-9]*", NULL};
  static const char* const kNetwork[] = {"curl",   "wget", "nc",  "ncat", "netcat", "socat",
                                         "telnet", "ssh",  "scp", "ftp",  "tftp",   NULL};
  static const char* const kManagers[] = {"apt",      "apt-get", "dpkg", "apk",  "yum", "dnf",
                                          "microdnf", "rpm",     "pip",  "pip3", NULL};
  static const char* const kApplets[] = {"wget", "nc", "sh", "ftpget", "tftp", "telnet", NULL};
  printf("{\n  \"probe\": \"distill-probe 1\",\n  \"uid\": %ld, \"euid\": %ld, \"gid\": %ld",
         (long)getuid(), (long)geteuid(), (long)getgid());
  commands("shells", kShells, NULL);
  commands("interpreters", kInterpreters, NULL);
  versioned("versioned_interpreters", kVersioned);
  commands("network_tools", kNetwork, NULL);
  socket_modules();
  /* busybox applets: what `busybox <applet>` would give, if busybox runs. */
  printf(",\n  \"busybox_applets\": [");
  first = 1;
  char bb[512];
  if (find_command("busybox", bb, sizeof bb) && access(bb, X_OK) == 0) {
    for (const char* const* a = kApplets; *a; ++a) {
      char* argv[] = {bb, (char*)*a, "--help", NULL};
      /* busybox exits 0 on `<applet> --help` for applets it has. */
      if (!runs_ok(argv)) continue;
      sep();
      json_string(*a);
    }
  }
  printf("]");
  commands("package_managers", kManagers, "--version");
  writable();
  setuid_files();
  process_status();
  printf("\n}\n");
  return 0;
}
