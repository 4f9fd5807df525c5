/* distill-init: the process 1 of `distill run --init` (docs/run.md).
 *
 * Linux gives process 1 of a pid namespace no default signal actions: a
 * SIGTERM that the app does not handle itself is ignored, so Python or Node as
 * process 1 only stop when SIGKILL comes. This program runs the app as its
 * child, forwards the signals a container receives to it, reaps every
 * orphan that is re-parented to it, and exits as the app did: with its exit
 * status, or 128 + N when signal N killed it (the shell's convention, which
 * docker and podman report too).
 *
 * Built static so it needs nothing from the image; bind-mounted read-only and
 * never part of it. Usage: distill-init PROGRAM [ARGS...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals passed on to the app. SIGCHLD is ours; SIGKILL and SIGSTOP cannot
 * be caught. */
static const int kForwarded[] = {SIGHUP,  SIGINT,   SIGQUIT,   SIGTERM, SIGUSR1,
                                 SIGUSR2, SIGWINCH, SIGCONT,   SIGTSTP, SIGTTIN,
                                 SIGTTOU, SIGALRM,  SIGVTALRM, SIGPROF, SIGPWR};

static int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "distill-init: usage: distill-init PROGRAM [ARGS...]\n");
    return 2;
  }
  sigset_t all, old;
  sigfillset(&all);
  /* Blocked before the fork: a signal that comes while the child starts
   * waits in the queue instead of being lost. */
  sigprocmask(SIG_SETMASK, &all, &old);
  pid_t child = fork();
  if (child < 0) {
    fprintf(stderr, "distill-init: fork: %s\n", strerror(errno));
    return 1;
  }
  if (child == 0) {
    /* The app's own process group, so a terminal's Ctrl-C reaches it once;
     * on a terminal (-t) that group is made its foreground group, or the app
     * would be stopped by SIGTTIN when it reads. SIGTTOU is still blocked
     * here, which is what lets a background group take the terminal. */
    setpgid(0, 0);
    if (isatty(STDIN_FILENO)) tcsetpgrp(STDIN_FILENO, getpid());
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(argv[1], argv + 1);
    int err = errno;
    fprintf(stderr, "distill-init: cannot run %s: %s\n", argv[1], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "distill-init: sigwaitinfo: %s\n", strerror(errno));
      return 1;
    }
    if (sig != SIGCHLD) {
      for (size_t i = 0; i < sizeof(kForwarded) / sizeof(kForwarded[0]); ++i)
        if (kForwarded[i] == sig) kill(child, sig);
      continue;
    }
    /* Reap everything that ended: the app and any orphan of it. */
    for (;;) {
      int status;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      if (pid == child) return exit_code(status);
    }
  }
}
