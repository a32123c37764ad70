// Process-level calls Swift cannot make directly: renameat2 and async-signal-safe stop flags.
#define _GNU_SOURCE
#include "CWaymarkSystem.h"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int wm_exchange_paths(const char *a, const char *b) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

static volatile sig_atomic_t stop_requested = 0;

static void on_stop(int sig) { (void)sig; stop_requested = 1; }

void wm_install_stop_handlers(void) {
    struct sigaction sa;
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

int wm_stop_requested(void) { return stop_requested ? 1 : 0; }
