/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply: a PF made what a configuration file says (lib/config.h). The
 * file is the plan's third input: against the state, it says the count,
 * the resources asked and the claims (with their network settings);
 * recover's plan (lib/view.h, lib/recover.c) then brings the state and
 * the host together, as after any verb. It never takes a VF from a VM.
 */
#ifndef SVFF_APPLY_H
#define SVFF_APPLY_H

#include "config.h"
#include "session.h"
#include "virt.h"

/* Each change, as it is made (or, in a dry run, instead): on pf ("recover"
 * for recover's corrections), in words. */
typedef void (*svff_apply_fn)(void *opaque, const char *pf, const char *what);

/* What the host must have for c to mean something: each PF, with SR-IOV
 * and room for its count; each claimed VM (and a netdev where a claim
 * sets network settings). A failure names the file and line; nothing
 * changes. */
int svff_apply_check(const struct svff_ctx *ctx, const struct svff_config *c,
		     struct svff_virt *v, struct svff_error *err);

/* p applied to the PF of the open session s: its count (init or reconf),
 * the resources it asks for, recover, then its claims: those VMs hold
 * already keep (their network settings as the file says), the others
 * attached to the VMs' persistent configuration. Returns how many
 * changes were made (each reported through fn), or a negative errno. */
int svff_apply_pf(struct svff_session *s, struct svff_virt *v, const struct svff_config_pf *p,
		  svff_apply_fn fn, void *opaque, struct svff_error *err);

#endif
