#ifndef CPTY_H
#define CPTY_H
#include <sys/types.h>
/// Starts `path` with `argv`/`envp` in a new pseudo-terminal of `rows`x`cols`.
/// Returns the child's pid (or -1) and stores the master side's fd in `*master`.
pid_t cpty_spawn(const char *path, char *const argv[], char *const envp[], int *master, int rows, int cols);
#endif
