#ifndef CPTY_H
#define CPTY_H
#include <sys/types.h>
/// Starts `path` with `argv`/`envp` in a new pseudo-terminal of `rows`x`cols`.
/// Returns the child's pid (or -1) and stores the master side's fd in `*master`.
pid_t cpty_spawn(const char *path, char *const argv[], char *const envp[], int *master, int rows, int cols);

/// Starts `path` with `argv`/`envp` (posix_spawn) with `in`/`out`/`err` as its fds 0–2, every
/// other descriptor closed, in `dir` when not NULL. Returns the pid, or -1 with errno set.
pid_t cpty_spawn_with(const char *path, char *const argv[], char *const envp[], const char *dir, int in, int out,
                      int err);

/// A pipe whose two ends are closed on exec (`pipe2(fds, O_CLOEXEC)`); 0 or -1 with errno.
int cpty_pipe(int fds[2]);
#endif
