// Static-inline wrappers for libedit's native (histedit.h) API.
// el_set, el_get and history are C variadic functions, which Swift cannot call directly.
// No mutable statics here: each Swift module would get its own copy.
#ifndef CLIBEDIT_SHIM_H
#define CLIBEDIT_SHIM_H
#include <histedit.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

typedef unsigned char (*swel_fn_t)(EditLine *, int);
typedef char *(*swel_prompt_t)(EditLine *);
typedef int (*swel_getc_t)(EditLine *, wchar_t *);

static inline EditLine *swel_init(const char *prog) { return el_init(prog, stdin, stdout, stderr); }
static inline FILE *swel_stdout(void) { return stdout; }
static inline FILE *swel_stderr(void) { return stderr; }

static inline int swel_set_prompt(EditLine *el, swel_prompt_t f) { return el_set(el, EL_PROMPT, f); }
static inline int swel_set_prompt_esc(EditLine *el, swel_prompt_t f, char esc) { return el_set(el, EL_PROMPT_ESC, f, (int)esc); }
static inline int swel_set_rprompt_esc(EditLine *el, swel_prompt_t f, char esc) { return el_set(el, EL_RPROMPT_ESC, f, (int)esc); }
static inline int swel_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int swel_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int swel_set_hist(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int swel_addfn(EditLine *el, const char *name, const char *help, swel_fn_t f) { return el_set(el, EL_ADDFN, name, help, f); }
static inline int swel_bind(EditLine *el, const char *key, const char *fn) { return el_set(el, EL_BIND, key, fn, (const char *)NULL); }
static inline int swel_settc(EditLine *el, const char *cap, const char *value) { return el_set(el, EL_SETTC, cap, value, (const char *)NULL); }
static inline int swel_setty(EditLine *el, const char *a, const char *b) { return el_set(el, EL_SETTY, a, b, (const char *)NULL); }
static inline int swel_set_clientdata(EditLine *el, void *p) { return el_set(el, EL_CLIENTDATA, p); }
static inline void *swel_get_clientdata(EditLine *el) { void *p = NULL; el_get(el, EL_CLIENTDATA, &p); return p; }
static inline int swel_set_getcfn(EditLine *el, swel_getc_t f) { return el_set(el, EL_GETCFN, f); }
static inline int swel_refresh(EditLine *el) { return el_set(el, EL_REFRESH); }
static inline int swel_source(EditLine *el) { return el_source(el, NULL); }

static inline int swhist_setsize(History *h, int n) { HistEvent ev; return history(h, &ev, H_SETSIZE, n); }
static inline int swhist_setunique(History *h, int on) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, on); }
static inline int swhist_enter(History *h, const char *s) { HistEvent ev; return history(h, &ev, H_ENTER, s); }
static inline int swhist_load(History *h, const char *p) { HistEvent ev; return history(h, &ev, H_LOAD, p); }
static inline int swhist_save(History *h, const char *p) { HistEvent ev; return history(h, &ev, H_SAVE, p); }
static inline int swhist_clear(History *h) { HistEvent ev; return history(h, &ev, H_CLEAR); }
/* Oldest entry, then newer ones (NULL at the end). */
static inline const char *swhist_last(History *h) { HistEvent ev; return history(h, &ev, H_LAST) == -1 ? NULL : ev.str; }
static inline const char *swhist_prev(History *h) { HistEvent ev; return history(h, &ev, H_PREV) == -1 ? NULL : ev.str; }

/// SIGINT handler for cancelling work in flight: no SA_RESTART.
static inline int swel_catch_signal(int signo, void (*handler)(int)) {
    struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = handler; sigemptyset(&sa.sa_mask); sa.sa_flags = 0;
    return sigaction(signo, &sa, NULL);
}
/// Fatal signals: restore the tty, then die as usual (SA_RESETHAND re-arms the default action).
static inline int swel_catch_fatal(int signo, void (*handler)(int)) {
    struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = handler; sigemptyset(&sa.sa_mask); sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    return sigaction(signo, &sa, NULL);
}
/// Columns a character takes (glibc declares wcwidth only for _XOPEN_SOURCE).
extern int wcwidth(wchar_t c);
static inline int swel_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }
static inline const char *swel_codeset(void) { return nl_langinfo(CODESET); }
/// Writes all of `s` to `fd` (async-signal-safe: for restoring terminal modes from a handler).
static inline void swel_write_all(int fd, const char *s) {
    size_t n = strlen(s);
    while (n > 0) { ssize_t w = write(fd, s, n); if (w <= 0) return; s += w; n -= (size_t)w; }
}
static inline int swel_term_columns(void) {
    struct winsize ws; if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col; return 80;
}
#endif
