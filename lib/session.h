/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A changing verb's hold on the host: the state lock, the loaded state,
 * the PF it works on (lib/journal.h runs its multi-step operations).
 */
#ifndef SVFF_SESSION_H
#define SVFF_SESSION_H

#include <stdbool.h>

#include "pf.h"
#include "state.h"
#include "svff.h"

struct svff_session {
	struct svff_ctx *ctx;
	struct svff_store *store;
	struct svff_state *st;
	char pf[SVFF_ADDR_LEN];
	struct svff_pf_info info;     /* live view of the PF */
};

enum {
	SVFF_SESSION_MANAGED = 1,     /* the PF must be one svff manages */
	SVFF_SESSION_RECOVER = 2,     /* an unfinished operation is expected */
};

/* Lock the state (waiting up to ctx->lock_wait_s), load it and resolve
 * the PF (device: -d, or NULL). Fails with -EBUSY when the lock is held,
 * -EINPROGRESS when an interrupted operation needs 'svff recover' (unless
 * SVFF_SESSION_RECOVER), -ENOTUNIQ/-EINVAL for a PF that must be chosen
 * or is malformed, -ENOENT for an unmanaged PF with SVFF_SESSION_MANAGED. */
int svff_session_open(struct svff_ctx *ctx, const char *device, unsigned int flags,
		      struct svff_session *s, struct svff_error *err);
void svff_session_close(struct svff_session *s);

/* The state of the session's PF; NULL when svff does not manage it. */
struct svff_pf_state *svff_session_pf(struct svff_session *s);

/* Write the state file (a step of its own; not under dry run). */
int svff_session_save(struct svff_session *s, struct svff_error *err);

#endif
