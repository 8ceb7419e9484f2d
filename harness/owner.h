/*
 * owner.h - names that say which assay process made a file, so that a
 * later run can tell what a killed run left behind and remove it.
 *
 * A tag is "PID.START": this process's id and its start time (clock
 * ticks since boot, /proc/PID/stat field 22), which together name one
 * process for the life of the machine. A file whose name carries a tag
 * belongs to a dead run when no process with that id and that start time
 * runs now. Never removes anything itself, never judges a name without a
 * whole tag as dead.
 */
#ifndef ASSAY_OWNER_H
#define ASSAY_OWNER_H

#include <stdbool.h>

/* This process's tag (static storage). */
const char *owner_tag(void);
/*
 * Whether name is prefix, then a tag, then suffix (the rest of the name
 * is free: mkstemp's letters), and the process the tag names is gone.
 */
bool owner_dead(const char *name, const char *prefix);

#endif
