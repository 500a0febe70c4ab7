/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov.h"
#include "view.h"


static void row_problem(const struct svff_view *v, struct svff_row *r)
{
	if (!r->live) {
		/* A paused claim may outlive its VF (reconf re-creates it). */
		snprintf(r->problem, sizeof(r->problem), "%s",
			 r->claim->state == SVFF_VF_PAUSED
				 ? "VF does not exist now; unpause needs it re-created"
				 : "claimed, but the VF does not exist");
	} else if (v->managed && !r->live->driver[0]) {
		snprintf(r->problem, sizeof(r->problem), "no driver bound (expected %s)",
			 SVFF_VFIO_DRIVER);
	} else if (v->managed && strcmp(r->live->driver, SVFF_VFIO_DRIVER)) {
		snprintf(r->problem, sizeof(r->problem), "bound to '%s', not %s",
			 r->live->driver, SVFF_VFIO_DRIVER);
	}
}

static void pf_problem(const struct svff_state *st, struct svff_view *v)
{
	if (st && st->op && !strcmp(st->op->pf, v->pf.addr)) {
		bool alive = st->op->pid > 0 && kill((pid_t)st->op->pid, 0) == 0;
		snprintf(v->problem, sizeof(v->problem),
			 alive ? "operation '%s' in progress (pid %ld, step %u %s)"
			       : "operation '%s' interrupted (pid %ld, step %u %s): run 'svff recover'",
			 st->op->verb, st->op->pid, st->op->step, st->op->step_name);
	} else if (v->managed && v->managed->numvfs != v->pf.numvfs) {
		snprintf(v->problem, sizeof(v->problem),
			 "svff configured %u VFs, the PF has %u", v->managed->numvfs, v->pf.numvfs);
	}
}

int svff_view_build(const struct svff_ctx *ctx, const struct svff_state *st,
		    const char *addr, struct svff_view *out, struct svff_error *err)
{
	struct svff_view v = { 0 };
	unsigned int max = 0;
	int rc = svff_pf_get(ctx, addr, &v.pf, err);

	if (rc < 0)
		return rc;
	v.managed = svff_state_pf(st, addr);
	/* Rows: every live VF and every claimed index, whichever is larger. */
	for (size_t i = 0; i < v.pf.n_vfs; i++)
		if (v.pf.vfs[i].index + 1 > max)
			max = v.pf.vfs[i].index + 1;
	for (size_t i = 0; v.managed && i < v.managed->n_claims; i++)
		if (v.managed->claims[i]->vf + 1 > max)
			max = v.managed->claims[i]->vf + 1;
	v.rows = calloc(max ? max : 1, sizeof(*v.rows));
	if (!v.rows) {
		svff_pf_info_clear(&v.pf);
		return svff_err(err, -ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < max; i++) {
		struct svff_row *r = &v.rows[v.n_rows];
		struct svff_vf_ref ref = { .index = i };
		r->vf = i;
		r->live = svff_pf_vf(&v.pf, &ref);
		r->claim = svff_state_claim(v.managed, i);
		if (!r->live && !r->claim)
			continue;
		row_problem(&v, r);
		v.n_rows++;
	}
	pf_problem(st, &v);
	*out = v;
	return 0;
}

void svff_view_clear(struct svff_view *v)
{
	if (!v)
		return;
	svff_pf_info_clear(&v->pf);
	free(v->rows);
	v->rows = NULL;
	v->n_rows = 0;
}
