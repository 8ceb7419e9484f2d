/*
 * owner.h - names that say which assay process made a file, so that a
 * later run can tell what a killed run left behind and remove it.
 *
 * A tag is "PID.START": this process's id and its start time (clock
 * ticks since boot, /proc/PID/stat field 22), which together name one
 * process for the life of the machine. A file whose name carries a tag
 * belongs to a dead run when no process with that id and that start time
 * runs now. Removes nothing but through owner_sweep's callback, and only
 * what is provably a dead run's; never judges a name without a whole tag
 * as dead.
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
/*
 * Calls remove(path) for each entry of dir named prefix, then a tag of a
 * dead process, that belongs to this user and is a directory (dirs) or a
 * regular file (!dirs); returns how many remove took (returned 0).
 */
unsigned owner_sweep(const char *dir, const char *prefix, bool dirs,
		     int (*remove)(const char *path));

#endif
