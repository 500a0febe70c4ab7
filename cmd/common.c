/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"
#include "session.h"

static void print_step(void *opaque, const char *what)
{
	const struct svff_inv *inv = opaque;
	printf("%s%s\n", inv->ctx->dry_run ? "would: " : "+ ", what);
}

void svff_cmd_steps(struct svff_inv *inv)
{
	if (inv->ctx->dry_run || inv->g->verbose) {
		inv->ctx->on_step = print_step;
		inv->ctx->step_opaque = inv;
	}
}

int svff_cmd_session(struct svff_inv *inv, unsigned int flags, struct svff_session *s)
{
	struct svff_error err = { 0 };
	int rc;

	svff_cmd_steps(inv);
	rc = svff_session_open(inv->ctx, inv->g->device, flags, s, &err);
	if (rc == 0)
		return -1;
	switch (rc) {
	case -EBUSY:       return svff_fail_err(SVFF_EXIT_BUSY, &err);
	case -EINPROGRESS: return svff_fail_err(SVFF_EXIT_RECOVER, &err);
	case -ENOTUNIQ:
	case -EINVAL:      return svff_fail_err(SVFF_EXIT_USAGE, &err);
	default:           return svff_fail_err(SVFF_EXIT_FAIL, &err);
	}
}

void svff_say(const struct svff_inv *inv, const char *fmt, ...)
{
	va_list ap;
	if (inv->g->quiet || inv->g->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}
