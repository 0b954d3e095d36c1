#ifndef AURULES_CLIBAUDIT_SHIM_H
#define AURULES_CLIBAUDIT_SHIM_H
#include <libaudit.h>
#endif
