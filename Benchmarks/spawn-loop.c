/* Whole-process cost of short commands, interleaved: each round runs every command once
 * (posix_spawn, standard output to /dev/null, wait4), after three warm-up rounds. Prints per
 * command the median elapsed time, the median and mean CPU time (the child's user + system
 * rusage) and the mean minor page faults.
 *
 *   cc -O2 -o /tmp/spawn-loop Benchmarks/spawn-loop.c
 *   /tmp/spawn-loop 300 "/usr/bin/aurules syscall x86_64 clone --exact" "ausyscall x86_64 clone --exact"
 *
 * Words are split at spaces (no quoting). Up to 16 commands. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double micros(struct timeval t) { return t.tv_sec * 1e6 + t.tv_usec; }

int main(int argc, char **argv) {
    if (argc < 3 || argc > 18) { fprintf(stderr, "usage: %s RUNS COMMAND...\n", argv[0]); return 2; }
    int runs = atoi(argv[1]), commands = argc - 2;
    if (runs < 1) return 2;
    char **words[16];
    double *elapsed[16], *cpu[16], faults[16] = {0};
    for (int c = 0; c < commands; c++) {
        char *text = strdup(argv[c + 2]);
        words[c] = calloc(64, sizeof(char *));
        int n = 0;
        for (char *w = strtok(text, " "); w && n < 63; w = strtok(NULL, " ")) words[c][n++] = w;
        elapsed[c] = calloc(runs, sizeof(double));
        cpu[c] = calloc(runs, sizeof(double));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    for (int round = -3; round < runs; round++) {
        for (int c = 0; c < commands; c++) {
            struct timespec start, end;
            clock_gettime(CLOCK_MONOTONIC, &start);
            pid_t pid;
            if (posix_spawnp(&pid, words[c][0], &actions, NULL, words[c], environ) != 0) { perror(words[c][0]); return 1; }
            int status;
            struct rusage usage;
            wait4(pid, &status, 0, &usage);
            clock_gettime(CLOCK_MONOTONIC, &end);
            if (round < 0) continue;
            elapsed[c][round] = (end.tv_sec - start.tv_sec) * 1e6 + (end.tv_nsec - start.tv_nsec) / 1e3;
            cpu[c][round] = micros(usage.ru_utime) + micros(usage.ru_stime);
            faults[c] += usage.ru_minflt;
        }
    }
    for (int c = 0; c < commands; c++) {
        double sum = 0;
        for (int r = 0; r < runs; r++) sum += cpu[c][r];
        qsort(elapsed[c], runs, sizeof(double), ascending);
        qsort(cpu[c], runs, sizeof(double), ascending);
        printf("elapsed median %6.0f us  cpu median %6.0f us, mean %6.0f us  minor faults %5.1f  %s\n",
               elapsed[c][runs / 2], cpu[c][runs / 2], sum / runs, faults[c] / runs, argv[c + 2]);
    }
    return 0;
}
