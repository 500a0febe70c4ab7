/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "cmd.h"
#include "session.h"

/* Under -j standard output is the document alone: the steps go to
 * standard error. */
static void print_step(void *opaque, const char *what)
{
	const struct svff_inv *inv = opaque;
	fprintf(inv->g->json ? stderr : stdout, "%s%s\n", inv->ctx->dry_run ? "would: " : "+ ",
		what);
}

void svff_cmd_steps(struct svff_inv *inv)
{
	if (inv->ctx->dry_run || inv->g->verbose) {
		inv->ctx->on_step = print_step;
		inv->ctx->step_opaque = inv;
	}
}

int svff_cmd_session(struct svff_inv *inv, const char *device, unsigned int flags,
		     struct svff_session *s, struct svff_error *err)
{
	svff_cmd_steps(inv);
	int rc = svff_session_open(inv->ctx, device, flags, s, err);
	if (rc == 0 && !(flags & SVFF_SESSION_RECOVER))
		svff_print_str(inv, "pf", NULL, s->pf);
	return rc;
}
