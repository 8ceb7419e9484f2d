/* err.c - see err.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int err_set(struct err *e, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!e)
		return code;
	e->code = code;
	e->sys_errno = code == ERR_SYS ? saved : 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (e->sys_errno && n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
			 strerror(e->sys_errno));
	errno = saved;
	return code;
}

int err_exit_status(int code)
{
	return code == ERR_USAGE || code == ERR_INPUT || code == ERR_PLUGIN ? 2 : 3;
}
