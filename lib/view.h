/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What svff knows about one PF, joined: the live VFs from sysfs with the
 * claims from the state file, and every place where the two disagree.
 */
#ifndef SVFF_VIEW_H
#define SVFF_VIEW_H

#include "pf.h"
#include "res.h"
#include "state.h"

struct svff_row {
	unsigned int vf;
	const struct svff_vf_info *live;   /* NULL: the VF does not exist */
	const struct svff_claim *claim;    /* NULL: detached */
	struct svff_res_vf res;            /* as the device has it (has_res) */
	struct svff_res want;              /* what svff gives it (managed) */
	struct svff_net net;               /* as the kernel reports it (has_net) */
	char problem[160];                 /* "" when all agrees */
};

struct svff_view {
	struct svff_pf_info pf;
	const struct svff_pf_state *managed;  /* NULL: not managed by svff */
	struct svff_row *rows;                /* by VF index */
	size_t n_rows;
	char problem[200];                    /* PF-level disagreement */
	/* resources (lib/res.h), when the PF has a backend */
	bool has_res;
	const char *res_backend;              /* "nvme", "qdma", "msix" */
	struct svff_res_pool pool;
	/* VF network settings (lib/vfnet.h), when the PF has a netdev */
	bool has_net;
};

/* Build the view of PF addr; st is borrowed and must outlive the view. */
int svff_view_build(const struct svff_ctx *ctx, const struct svff_state *st,
		    const char *addr, struct svff_view *out, struct svff_error *err);
void svff_view_clear(struct svff_view *v);

#endif
