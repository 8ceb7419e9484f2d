/*
 * procfs.h - facts about processes, read from /proc: a file read whole,
 * a stat line parsed, a variable of a process's environment, its
 * command line, the list of processes and the descendants among them.
 * Shared by look.c (a hung test, a test's leftovers) and orphans.c (the
 * run's end sweep).
 *
 * Reads only; never signals, never blocks on anything but /proc, and
 * waits only for a process in the middle of an exec (0.2 s at most), to
 * read what the exec gives it. A process that vanishes between two
 * reads is simply not there.
 */
#ifndef ASSAY_PROCFS_H
#define ASSAY_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The file at path whole (up to n - 1 bytes) into buf, NUL-terminated;
 * its length, or -1. */
ssize_t procfs_read(const char *path, char *buf, size_t n);

/* /proc/.../stat: the command name, then fields 3-22 of proc(5) that
 * assay uses. */
struct procfs_stat {
	char comm[17];
	char state;                     /* R, S, D, T, Z, ... */
	pid_t ppid, pgrp, session;
	unsigned long flags;            /* PF_*: a kernel thread, exiting */
	unsigned long long utime, stime;        /* clock ticks */
	unsigned long long start;       /* since boot, clock ticks */
};

/* path: /proc/PID/stat or /proc/PID/task/TID/stat. */
bool procfs_stat(const char *path, struct procfs_stat *s);
/* The same for /proc/PID/stat. */
bool procfs_pid_stat(pid_t pid, struct procfs_stat *s);

/* The value of name in pid's environment into out (n bytes); false
 * when it is not there (or the environment is past 64 KiB). A process
 * in an exec is waited for: its environment is the new program's. */
bool procfs_env(pid_t pid, const char *name, char *out, size_t n);
/* pid's command line, its arguments joined by spaces (its command name
 * when it has none, as a zombie; a process in an exec is waited for),
 * cut to n. */
void procfs_cmdline(pid_t pid, char *out, size_t n);
/* Whether pid is dying: a SIGKILL is pending for it (someone killed it
 * and it has not finished exiting), it is exiting, or it is gone. */
bool procfs_dying(pid_t pid);

/* One process of procfs_list. */
struct procfs_proc {
	pid_t pid, ppid, pgrp, session;
	bool in;                        /* the caller's mark */
};

/* The live processes (no zombies) given their pid after `after` was
 * (0: all of them), into *v (malloc'd, marks false); how many. Pids go
 * up until they wrap around at pid_max: when the last one given out
 * (ns_last_pid) is below `after`, the pids at or below it are newer
 * too. A pid space that wrapped twice since `after` hides some. */
size_t procfs_list(pid_t after, struct procfs_proc **v);
/* Marks in every process whose parent is marked, to the fixpoint. */
void procfs_mark_descendants(struct procfs_proc *v, size_t n);

#endif
