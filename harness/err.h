/*
 * err.h - how a failure travels: a code plus a one-line message.
 *
 * A function that can fail returns 0 or a negative ERR_* code and fills
 * the struct err its caller passed, once, where the failure is detected.
 * Callers pass the code up unchanged. Never prints, never exits.
 */
#ifndef ASSAY_ERR_H
#define ASSAY_ERR_H

enum err_code {
	ERR_OK = 0,
	ERR_USAGE = -1,         /* bad option, missing path: exit 2 */
	ERR_SYS = -2,           /* a system call failed: exit 3 */
	ERR_INPUT = -3,         /* a file the user gave is not usable */
	ERR_NOTSUP = -4,        /* a feature this build or machine lacks */
	ERR_PLUGIN = -5,        /* a plugin is not usable: exit 2 */
};

struct err {
	int code;
	int sys_errno;          /* errno at the failure, 0 if none */
	char msg[512];
};

#define ERR_INIT { 0, 0, "" }

/* Fills e (if not NULL) and returns code. Appends strerror when
 * code is ERR_SYS and errno was set. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The process exit status for an error code (2 usage, input or plugin;
 * 3 other). */
int err_exit_status(int code);

#endif
