#ifndef AURULES_STATIC_START_H
#define AURULES_STATIC_START_H
// Nothing to call: static_start.c replaces the Swift runtime's argument lookup in the fully
// static executable (see there). A C target needs a header directory.
#endif
