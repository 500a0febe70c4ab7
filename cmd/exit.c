/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From a command's result to what the user sees: the exit status and the
 * error line (git's format: "svff: <failure>", lower case, no full stop). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"

int svff_exit_status(int rc, const struct svff_error *err)
{
	if (rc >= 0)
		return SVFF_EXIT_OK;
	switch (err->kind) {
	case SVFF_ERR_USAGE:   return SVFF_EXIT_USAGE;
	case SVFF_ERR_LOCKED:  return SVFF_EXIT_BUSY;
	case SVFF_ERR_RECOVER: return SVFF_EXIT_RECOVER;
	default:               return SVFF_EXIT_FAIL;
	}
}

int svff_usage_err(struct svff_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = -EINVAL;
	err->kind = SVFF_ERR_USAGE;
	return -EINVAL;
}

void svff_print_err(const struct svff_error *err)
{
	fprintf(stderr, "svff: %s\n", err->msg[0] ? err->msg : "unknown error");
}

int svff_err_keep(int *rc, struct svff_error *err, int rc2, const struct svff_error *e2)
{
	if (rc2 >= 0)
		return *rc;
	if (*rc < 0)
		svff_print_err(err);
	*rc = rc2;
	if (e2 != err)
		*err = *e2;
	return *rc;
}
