/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reconf: change a managed PF's VF count while VMs keep their claims.
 * Pause every attached VF (all VMs at once), set the count through 0,
 * bind, unpause; each step journalled so that recover can finish it.
 */
#ifndef SVFF_RECONF_H
#define SVFF_RECONF_H

#include <stdbool.h>

#include "pause.h"

struct svff_reconf {
	unsigned int from, to;
	bool changed;                  /* the count was set (false: a no-op) */
	struct svff_pause_item *items; /* the claims it paused, then unpaused */
	size_t n_items;
	unsigned int *displaced;       /* claims on VFs above the new count */
	size_t n_displaced;
	struct svff_error undone;      /* recover: why it went back, not on */
	bool *rest;                    /* the VFs left to make after the give-back */
};

/* Claims on VFs at or above count: -EBUSY listing them unless force;
 * what names the request ("reconf 2"). */
int svff_reconf_check(struct svff_session *s, const char *what, unsigned int count, bool force,
		      struct svff_error *err);

/* Run it (the verb "reconf" of lib/journal.h): refuse
 * (svff_reconf_check), then connect to libvirt when a VM holds a VF,
 * pause, change the count, give back. On a failure before the count
 * changed, the old count is put back and what was paused unpaused; if
 * even that fails the record is left for 'svff recover' (-EINPROGRESS).
 * Once the count changed, a VF that cannot be given back stays paused. */
int svff_reconf_run(struct svff_session *s, unsigned int count, bool force,
		    struct svff_reconf *out, struct svff_error *err);

void svff_reconf_clear(struct svff_reconf *r);

/* reconf's steps, which reprogram shares (lib/journal.h): run->data is a
 * struct svff_reconf_run, or a verb's own that begins with one. */
struct svff_run;
struct svff_reconf_run {
	struct svff_reconf *r;
	unsigned int count;            /* the count it goes to */
};
/* r->items: one for each attached claim, to pause (r->to set first). */
int svff_reconf_items(struct svff_session *s, struct svff_reconf *r, struct svff_error *err);
/* Every attached VF paused; its undo gives back what it paused. */
int svff_reconf_pause_step(struct svff_run *run, struct svff_error *err);
int svff_reconf_unpause_step(struct svff_run *run, struct svff_error *err);
/* The count made (VFs, resources, binding); its undo goes back to r->from. */
int svff_reconf_make_step(struct svff_run *run, struct svff_error *err);
int svff_reconf_unmake_step(struct svff_run *run, struct svff_error *err);
/* What the run paused given back; one that cannot be stays paused. */
int svff_reconf_give_back_step(struct svff_run *run, struct svff_error *err);
/* recover: on to count, and every claim the operation paused given back. */
int svff_reconf_finish_to(struct svff_run *run, const struct svff_op *op, unsigned int count,
			  struct svff_error *err);

#endif
