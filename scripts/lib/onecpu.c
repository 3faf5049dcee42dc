#define _GNU_SOURCE
#include <dlfcn.h>
#include <unistd.h>
#include <sys/sysinfo.h>
/* Makes the process see one CPU: libdispatch sizes Swift's cooperative pool from this. */
long sysconf(int name) {
    static long (*real)(int) = 0;
    if (name == _SC_NPROCESSORS_ONLN || name == _SC_NPROCESSORS_CONF) return 1;
    if (!real) real = (long (*)(int))dlsym(RTLD_NEXT, "sysconf");
    return real(name);
}
int get_nprocs(void) { return 1; }
int get_nprocs_conf(void) { return 1; }
