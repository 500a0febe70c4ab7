/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reprogram: reload a managed PF's card under its VMs. Pause every
 * attached claim, take the VFs away (and with remove the PF off the bus),
 * run the operator's programming command, find the PF again, make the
 * VFs and give every claim its VF back: each a journal step, so that a
 * kill anywhere is finished or rolled back by recover, which never runs
 * the command itself.
 */
#ifndef SVFF_REPROGRAM_H
#define SVFF_REPROGRAM_H

#include <stdbool.h>

#include "command.h"
#include "reconf.h"
#include "state.h"

struct svff_reprogram {
	/* in */
	bool remove;                  /* the PF off the bus while the command runs */
	bool force;                   /* claims on VFs above count stay paused */
	bool new_ids;                 /* remove: the PF may come back with other IDs */
	int cmd_timeout_s;            /* bound on the command, 0: none */
	unsigned int count;           /* VFs after it */
	const char *op_id;            /* SVFF_OP for the command ("": none) */
	struct svff_command cmd;      /* argv[0] resolved (svff_command_find) */
	/* out */
	struct svff_reconf rc;        /* from, to, the claims paused and given back */
	struct svff_pf_id id;         /* the PF's identity before (remove) */
	bool ran;                     /* the command was started */
	bool cmd_failed;              /* it failed (the run went back) */
	bool done;                    /* the VFs are back at count */
	double t_start, t_end;        /* the run, CLOCK_MONOTONIC seconds */
};

/* Before anything changes: the count against TotalVFs, the claims above
 * it, the resources it needs. */
int svff_reprogram_check(struct svff_session *s, const struct svff_reprogram *p,
			 struct svff_error *err);

/* Run it. A command that fails (non-zero, killed, timed out) puts the
 * VFs back as they were where the PF is there and gives the VMs their
 * VFs: the command's failure is returned. A PF that does not come back
 * as it was leaves every claim paused and the record for 'svff recover'
 * (-EINPROGRESS). */
int svff_reprogram_run(struct svff_session *s, struct svff_reprogram *p, struct svff_error *err);

void svff_reprogram_clear(struct svff_reprogram *p);

#endif
