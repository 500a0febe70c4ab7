/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What svff knows about one PF, joined: the live VFs from sysfs with the
 * claims from the state file, and every place where the two disagree.
 * That one plan of disagreements is what list shows and what recover
 * mends (lib/recover.c): each kind has one rule, here.
 */
#ifndef SVFF_VIEW_H
#define SVFF_VIEW_H

#include "pf.h"
#include "res.h"
#include "state.h"

/* The kinds of disagreement: a row's and the PF's. list says the first
 * found of each (problem), recover mends every one it can. */
enum svff_dis {
	SVFF_DIS_GONE      = 1u << 0,   /* claimed, but the VF does not exist */
	SVFF_DIS_DRIVER    = 1u << 1,   /* not bound to vfio-pci */
	SVFF_DIS_GIVE_BACK = 1u << 2,   /* paused by an operation that has ended */
	SVFF_DIS_RES       = 1u << 3,   /* resources other than svff gives it */
	SVFF_DIS_NET       = 1u << 4,   /* network settings other than its claim's */
	SVFF_DIS_OP        = 1u << 8,   /* an operation interrupted, or running */
	SVFF_DIS_COUNT     = 1u << 9,   /* a VF count other than recorded */
	SVFF_DIS_BUS       = 1u << 10,  /* fewer VFs on the bus than the count */
	SVFF_DIS_AUTOPROBE = 1u << 11,  /* native drivers' autoprobe on */
	SVFF_DIS_RES_UNKNOWN = 1u << 12,  /* the device cannot say */
	SVFF_DIS_NET_UNKNOWN = 1u << 13,  /* the kernel cannot say */
};

struct svff_row {
	unsigned int vf;
	const struct svff_vf_info *live;   /* NULL: the VF does not exist */
	const struct svff_claim *claim;    /* NULL: detached */
	struct svff_res_vf res;            /* as the device has it (has_res) */
	struct svff_res want;              /* what svff gives it (managed) */
	struct svff_net net;               /* as the kernel reports it (has_net) */
	unsigned int dis;                  /* enum svff_dis: 0 when all agrees */
	char problem[160];                 /* the first of dis, in words */
};

struct svff_view {
	struct svff_pf_info pf;
	const struct svff_pf_state *managed;  /* NULL: not managed by svff */
	struct svff_row *rows;                /* by VF index */
	size_t n_rows;
	unsigned int dis;                     /* PF-level disagreements */
	char problem[200];                    /* the first of them, in words */
	/* resources (lib/res.h), when the PF has a backend */
	bool has_res;
	const char *res_backend;              /* "nvme", "qdma", "msix" */
	char res_error[160];                  /* why not, when it cannot read them */
	struct svff_res_pool pool;
	/* VF network settings (lib/vfnet.h), when the PF has a netdev */
	bool has_net;
};

/* Build the view of PF addr; st is borrowed and must outlive the view. */
int svff_view_build(const struct svff_ctx *ctx, const struct svff_state *st,
		    const char *addr, struct svff_view *out, struct svff_error *err);
void svff_view_clear(struct svff_view *v);

/* The rows of v with a disagreement of kind bit, as a mask by VF index of
 * count entries (calloc'd); NULL when out of memory. */
bool *svff_view_rows(const struct svff_view *v, unsigned int bit, unsigned int count);

/* A VF svff manages that is not on vfio-pci (recover asks again after
 * its own changes). */
bool svff_view_wrong_driver(const struct svff_vf_info *vf);

/* A claim an operation paused to give back, and could not. */
bool svff_view_to_give_back(const struct svff_claim *c);

#endif
