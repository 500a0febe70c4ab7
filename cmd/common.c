/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "cmd.h"
#include "session.h"

/* Under -j standard output is the document alone: the steps go to
 * standard error. */
static void on_step(void *opaque, const char *what)
{
	struct svff_inv *inv = opaque;
	if (inv->ctx->dry_run || inv->g->verbose)
		fprintf(inv->g->json ? stderr : stdout, "%s%s\n",
			inv->ctx->dry_run ? "would: " : "+ ", what);
	svff_log_change(inv, what);
}

void svff_cmd_steps(struct svff_inv *inv)
{
	inv->ctx->on_step = on_step;
	inv->ctx->step_opaque = inv;
	svff_log_start(inv);
}

int svff_cmd_session(struct svff_inv *inv, const char *device, unsigned int flags,
		     struct svff_session *s, struct svff_error *err)
{
	svff_cmd_steps(inv);
	int rc = svff_session_open(inv->ctx, device, flags, s, err);
	if (rc == 0)
		svff_log_pf(inv, s);
	if (rc == 0 && !(flags & SVFF_SESSION_RECOVER))
		svff_print_str(inv, "pf", NULL, s->pf);
	return rc;
}
