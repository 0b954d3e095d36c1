#ifndef AURULES_TEMPORARY_FILE_H
#define AURULES_TEMPORARY_FILE_H
// A temporary output file removed when SIGINT, SIGTERM or SIGHUP ends the process: the handler
// must be async-signal-safe (unlink, a static copy of the path), which Swift code cannot promise.

/// Arms the handlers for `path` (at most one file at a time). 0, or -1 when the path is too long.
int aurules_temporary_file_arm(const char *path);
/// The file was renamed or removed: the handlers are taken down and the previous ones restored.
void aurules_temporary_file_disarm(void);
#endif
