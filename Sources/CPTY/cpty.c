#define _GNU_SOURCE
#include "cpty.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

pid_t cpty_spawn(const char *path, char *const argv[], char *const envp[], int *master, int rows, int cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = (unsigned short)rows;
    ws.ws_col = (unsigned short)cols;
    pid_t pid = forkpty(master, NULL, NULL, &ws);
    if (pid == 0) {
        // Only the terminal: a descriptor of another test's pipe kept open here would hold back
        // that test's end-of-file until this child exits.
        closefrom(3);
        // The forking thread may be one that blocks signals (a dispatch worker): start clean.
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        _exit(127);
    }
    return pid;
}

pid_t cpty_spawn_with(const char *path, char *const argv[], char *const envp[], const char *dir, int in, int out,
                      int err) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int code = posix_spawn_file_actions_init(&actions);
    if (code != 0) {
        errno = code;
        return -1;
    }
    code = posix_spawnattr_init(&attributes);
    if (code != 0) {
        posix_spawn_file_actions_destroy(&actions);
        errno = code;
        return -1;
    }
    // Default dispositions and no blocked signal, whatever the spawning thread had (dispatch
    // workers block SIGTERM and others; an ignored SIGPIPE would stay ignored across exec).
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    if (!code) code = posix_spawnattr_setsigdefault(&attributes, &all);
    if (!code) code = posix_spawnattr_setsigmask(&attributes, &none);
    if (!code) code = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (!code) code = posix_spawn_file_actions_adddup2(&actions, in, 0);
    if (!code) code = posix_spawn_file_actions_adddup2(&actions, out, 1);
    if (!code) code = posix_spawn_file_actions_adddup2(&actions, err, 2);
    if (!code) code = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!code && dir != NULL) code = posix_spawn_file_actions_addchdir_np(&actions, dir);
    pid_t pid = -1;
    if (!code) code = posix_spawn(&pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (code != 0) {
        errno = code;
        return -1;
    }
    return pid;
}

int cpty_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
