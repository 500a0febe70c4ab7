/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What pause, unpause and reconf share: naming claims, printing results. */
#ifndef SVFF_CMD_CLAIMS_H
#define SVFF_CMD_CLAIMS_H

#include "cmd.h"
#include "pause.h"

/* Check VM|VF arguments before anything is locked: usage status or -1. */
int svff_cmd_claims_check(struct svff_inv *inv);
/* The claims the arguments name (a VF; or a VM: all its claims on the
 * PF), each once, in VF order; exit status on error, else -1. */
int svff_cmd_claims_pick(struct svff_inv *inv, struct svff_session *s,
			 struct svff_pause_item **items, size_t *n);
/* "paused"/"unpaused" results: a line each, or JSON under -j. */
void svff_cmd_claims_report(struct svff_inv *inv, struct svff_session *s, const char *what,
			    const struct svff_pause_item *items, size_t n);
/* A whole pause/unpause: check, lock, pick, libvirt, fn, report. */
typedef size_t (*svff_claims_fn)(struct svff_session *s, struct svff_virt *v,
				 struct svff_pause_item *items, size_t n);
int svff_cmd_claims_run(struct svff_inv *inv, const char *verb, const char *what,
			svff_claims_fn fn);
const char *svff_pause_mech_name(enum svff_pause_mech m);

#endif
