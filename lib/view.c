/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sriov.h"
#include "vfnet.h"
#include "view.h"

/* A disagreement of kind bit; its words only when it is the first. */
static void __attribute__((format(printf, 5, 6)))
add(unsigned int *dis, char *text, size_t len, unsigned int bit, const char *fmt, ...)
{
	va_list ap;

	*dis |= bit;
	if (text[0])
		return;
	va_start(ap, fmt);
	vsnprintf(text, len, fmt, ap);
	va_end(ap);
}
#define ROW(r, bit, ...) add(&(r)->dis, (r)->problem, sizeof((r)->problem), bit, __VA_ARGS__)
#define PF(v, bit, ...) add(&(v)->dis, (v)->problem, sizeof((v)->problem), bit, __VA_ARGS__)

bool svff_view_wrong_driver(const struct svff_vf_info *vf)
{
	return strcmp(vf->driver, SVFF_VFIO_DRIVER) != 0;
}

bool svff_view_to_give_back(const struct svff_claim *c)
{
	return c->op_paused && c->state == SVFF_VF_PAUSED;
}

static void row_problem(const struct svff_view *v, const struct svff_state *st,
			struct svff_row *r)
{
	if (!r->live)   /* a paused claim may outlive its VF (reconf re-creates it) */
		ROW(r, SVFF_DIS_GONE, "%s", r->claim->state == SVFF_VF_PAUSED
		    ? "VF does not exist now; unpause needs it re-created"
		    : "claimed, but the VF does not exist");
	else if (v->managed && !r->live->driver[0])
		ROW(r, SVFF_DIS_DRIVER, "no driver bound (expected %s)", SVFF_VFIO_DRIVER);
	else if (v->managed && svff_view_wrong_driver(r->live))
		ROW(r, SVFF_DIS_DRIVER, "bound to '%s', not %s", r->live->driver,
		    SVFF_VFIO_DRIVER);
	/* left paused by an operation that has ended (its give-back refused) */
	if (r->claim && svff_view_to_give_back(r->claim) && !(st && st->op))
		ROW(r, SVFF_DIS_GIVE_BACK, "paused by an operation that could not give it back: "
		    "'svff recover' gives it back");
}

static void res_problem(const struct svff_view *v, struct svff_row *r)
{
	const struct svff_res *h = &r->res.r, *w = &r->want;

	if (!v->managed || v->managed->res_off || !r->live || svff_res_has(&r->res, w))
		return;
	ROW(r, SVFF_DIS_RES, "has %u queues, %u vectors%s; svff gives it %u, %u: %s",
	    h->queues, h->vectors, r->res.live ? "" : " (offline)", w->queues, w->vectors,
	    r->claim && r->claim->state == SVFF_VF_ATTACHED ? "changed only while no VM holds it"
							    : "run 'svff recover'");
}

/* The pool and each VF's share; a backend that cannot answer is the PF's
 * problem, not list's failure. */
static void res_view(const struct svff_ctx *ctx, struct svff_view *v)
{
	struct svff_res_dev *d = NULL;
	struct svff_error e = { 0 };
	int rc;

	if (!svff_res_supported(ctx, &v->pf))
		return;
	rc = svff_res_open(ctx, &v->pf, &d, &e);
	if (rc == 0)
		rc = svff_res_pool(d, &v->pf, &v->pool, &e);
	for (size_t i = 0; rc == 0 && i < v->n_rows; i++) {
		struct svff_row *r = &v->rows[i];
		struct svff_res asked = v->managed ? svff_state_res(v->managed, r->vf)
						   : (struct svff_res){ 0 };
		r->want = svff_res_want(&v->pool, &asked);
		if (r->live)
			rc = svff_res_get(d, r->live, &r->res, &e);
		if (rc == 0)
			res_problem(v, r);
	}
	if (rc == 0) {
		v->has_res = true;
		v->res_backend = svff_res_backend(d);
	} else {
		snprintf(v->res_error, sizeof(v->res_error), "%.150s", e.msg);
		PF(v, SVFF_DIS_RES_UNKNOWN, "resources unknown: %.150s", e.msg);
	}
	svff_res_close(d);
}

static void net_problem(struct svff_row *r)
{
	char has[128], gives[128];
	struct svff_net h = r->net;

	if (!r->live || !r->claim || !r->claim->net.set ||
	    !svff_vfnet_differ(&r->claim->net, &r->net))
		return;
	h.set &= r->claim->net.set;
	svff_net_format(&h, has, sizeof(has));
	svff_net_format(&r->claim->net, gives, sizeof(gives));
	ROW(r, SVFF_DIS_NET, "network: has %.50s; its claim gives %.50s: run 'svff recover'",
	    has[0] ? has : "nothing", gives);
}

/* Each VF's network settings, on a PF with a netdev; one that cannot be
 * read is the PF's problem, not list's failure. */
static void net_view(const struct svff_ctx *ctx, struct svff_view *v)
{
	char ifname[IF_NAMESIZE];
	struct svff_error e = { 0 };
	unsigned int *vfs;
	struct svff_net *got;
	size_t n = 0;

	if (svff_vfnet_netdev(ctx, v->pf.addr, ifname, &e) < 0)
		return;
	vfs = calloc(v->n_rows + 1, sizeof(*vfs));
	got = calloc(v->n_rows + 1, sizeof(*got));
	for (size_t i = 0; vfs && got && i < v->n_rows; i++)
		if (v->rows[i].live)
			vfs[n++] = v->rows[i].vf;
	if (vfs && got && svff_vfnet_get_many(ctx, v->pf.addr, vfs, got, n, &e) == 0)
		v->has_net = true;
	else
		PF(v, SVFF_DIS_NET_UNKNOWN, "network settings unknown: %.150s",
		   vfs && got ? e.msg : "out of memory");
	for (size_t i = 0, k = 0; v->has_net && i < v->n_rows; i++) {
		if (!v->rows[i].live)
			continue;
		v->rows[i].net = got[k++];
		net_problem(&v->rows[i]);
	}
	free(vfs);
	free(got);
}

static void pf_problem(const struct svff_state *st, struct svff_view *v)
{
	if (st && st->op && !strcmp(st->op->pf, v->pf.addr)) {
		bool alive = st->op->pid > 0 && kill((pid_t)st->op->pid, 0) == 0;
		PF(v, SVFF_DIS_OP, alive ? "operation '%s' in progress (pid %ld, step %u %s)"
		   : "operation '%s' interrupted (pid %ld, step %u %s): run 'svff recover'",
		   st->op->verb, st->op->pid, st->op->step, st->op->step_name);
	}
	if (!v->managed)
		return;
	if (v->managed->numvfs != v->pf.numvfs)
		PF(v, SVFF_DIS_COUNT, "svff configured %u VFs, the PF has %u", v->managed->numvfs,
		   v->pf.numvfs);
	/* VFs the PF's driver did not make, or that left the bus: only a new
	 * count makes them */
	if (v->pf.n_vfs < v->pf.numvfs)
		PF(v, SVFF_DIS_BUS, "only %zu of its %u VFs are on the PCI bus: 'svff reconf %u' "
		   "makes them again, every VM keeping its VF", v->pf.n_vfs, v->pf.numvfs,
		   v->pf.numvfs);
	if (v->pf.autoprobe > 0)
		PF(v, SVFF_DIS_AUTOPROBE, "native VF drivers' autoprobe is on: 'svff recover' turns "
		   "it off");
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
		r->vf = i;
		r->live = svff_pf_vf_at(&v.pf, i);
		r->claim = svff_state_claim(v.managed, i);
		if (!r->live && !r->claim)
			continue;
		row_problem(&v, st, r);
		v.n_rows++;
	}
	pf_problem(st, &v);
	res_view(ctx, &v);
	net_view(ctx, &v);
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

bool *svff_view_rows(const struct svff_view *v, unsigned int bit, unsigned int count)
{
	bool *mask = calloc(count + 1, sizeof(*mask));

	for (size_t i = 0; mask && i < v->n_rows; i++)
		if (v->rows[i].vf < count && (v->rows[i].dis & bit))
			mask[v->rows[i].vf] = true;
	return mask;
}
