// The fully static executable's command line, for Swift's CommandLine.
//
// The Swift runtime (libswiftCore.a's CommandLine.cpp.o) finds argv on Linux from a C++ static
// constructor that reads /proc/self/maps line by line with fopen, fgets and sscanf to locate
// the stack, then walks back from environ. That runs at every start, before main, and cost a
// twelfth of an `aurules syscall` lookup (Benchmarks/RESULTS.md). glibc hands argc and argv to
// every .init_array function, so they are kept from there instead. Defining the two functions
// that object defines keeps the linker from taking it out of the archive at all (its
// constructor with it). Only in the static build (scripts/static-build defines
// AURULES_STATIC_EXECUTABLE for C too): the dynamic build keeps libswiftCore.so's own.
#ifdef AURULES_STATIC_EXECUTABLE
#include <stddef.h>

static char **captured_argv;
static int captured_argc;
static char **override_argv;
static int override_argc;

// A constructor: glibc calls each with argc, argv and envp.
__attribute__((constructor)) static void capture(int argc, char **argv, char **envp) {
    (void)envp;
    captured_argc = argc;
    captured_argv = argv;
}

// The runtime's contract: an override set through the next function wins; the array ends with
// a null pointer; an empty one when nothing is known.
__attribute__((swiftcall)) char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    static char *empty[] = {NULL};
    if (override_argv) {
        *outArgLen = override_argc;
        return override_argv;
    }
    if (captured_argv) {
        *outArgLen = captured_argc;
        return captured_argv;
    }
    *outArgLen = 0;
    return empty;
}

__attribute__((swiftcall)) void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    override_argv = argv;
    override_argc = argc;
}
#endif
