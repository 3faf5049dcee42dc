#define _GNU_SOURCE
#include "cpty.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
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
        execve(path, argv, envp);
        _exit(127);
    }
    return pid;
}

pid_t cpty_spawn_with(const char *path, char *const argv[], char *const envp[], const char *dir, int in, int out,
                      int err) {
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0) return -1;
    int failed = posix_spawn_file_actions_adddup2(&actions, in, 0)
        || posix_spawn_file_actions_adddup2(&actions, out, 1)
        || posix_spawn_file_actions_adddup2(&actions, err, 2)
        || posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        || (dir != NULL && posix_spawn_file_actions_addchdir_np(&actions, dir));
    pid_t pid = -1;
    if (!failed) {
        int code = posix_spawn(&pid, path, &actions, NULL, argv, envp);
        if (code != 0) {
            errno = code;
            pid = -1;
        }
    }
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

int cpty_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
