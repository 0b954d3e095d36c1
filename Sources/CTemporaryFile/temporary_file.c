#include "temporary_file.h"

#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static char armed_path[PATH_MAX];
static volatile sig_atomic_t armed;
static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
#define CAUGHT_COUNT (sizeof caught / sizeof caught[0])
static struct sigaction previous[CAUGHT_COUNT];
static int installed[CAUGHT_COUNT];

static void on_signal(int sig) {
    if (__atomic_exchange_n(&armed, 0, __ATOMIC_SEQ_CST)) unlink(armed_path);
    // Die of the signal, as the sender expects (the shell reports it; exit status 128+N).
    signal(sig, SIG_DFL);
    raise(sig);
}

int aurules_temporary_file_arm(const char *path) {
    size_t length = strlen(path);
    if (length >= sizeof armed_path) return -1;
    memcpy(armed_path, path, length + 1);
    __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
    for (size_t i = 0; i < CAUGHT_COUNT; i++) {
        struct sigaction current;
        installed[i] = 0;
        // A signal the process was started ignoring (nohup, a background job's SIGINT) stays ignored.
        if (sigaction(caught[i], NULL, &current) != 0 || current.sa_handler == SIG_IGN) continue;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        for (size_t j = 0; j < CAUGHT_COUNT; j++) sigaddset(&action.sa_mask, caught[j]);
        if (sigaction(caught[i], &action, &previous[i]) == 0) installed[i] = 1;
    }
    return 0;
}

void aurules_temporary_file_disarm(void) {
    __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
    for (size_t i = 0; i < CAUGHT_COUNT; i++) {
        if (installed[i]) sigaction(caught[i], &previous[i], NULL);
        installed[i] = 0;
    }
}
