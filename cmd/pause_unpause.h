/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What pause and unpause share: the claims named, the run, the report. */
#ifndef SVFF_CMD_PAUSE_UNPAUSE_H
#define SVFF_CMD_PAUSE_UNPAUSE_H

#include "cmd.h"
#include "pause.h"

/* svff_pause_run or svff_unpause_run (lib/pause.h). */
typedef int (*svff_claims_fn)(struct svff_session *s, struct svff_virt *v,
			      struct svff_pause_item *items, size_t n, struct svff_error *err);

/* A whole pause/unpause: lock, pick the claims (each with want), libvirt, fn, report
 * (a line each, or the array what under -j). */
int svff_cmd_claims_run(struct svff_inv *inv, const char *what,
			svff_claims_fn fn, enum svff_pause_want want, struct svff_error *err);

#endif
