/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "svff.h"

int svff_errf(struct svff_error *err, int code, bool with_errno, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->kind = SVFF_ERR_FAILED;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
			 strerror(code < 0 ? -code : code));
	return code;
}

int svff_err_kind(struct svff_error *err, enum svff_err_kind kind, int code)
{
	if (err)
		err->kind = kind;
	return code;
}
