/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff resources [VF...] [--queues N] [--vectors N]: show or change the
 * resources of VFs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "res_cmd.h"
#include "session.h"
#include "vfset.h"
#include "view.h"

enum { OPT_QUEUES, OPT_VECTORS };

/* The VFs named, marked by index (all when none is named). */
static int pick(struct svff_inv *inv, struct svff_session *s, bool **mark,
		struct svff_error *err)
{
	unsigned int n = s->info.numvfs;
	int rc = 0;

	*mark = calloc(n + 1, sizeof(**mark));
	if (!*mark)
		return svff_err(err, -ENOMEM, "out of memory");
	for (unsigned int i = 0; !inv->tg.n && i < n; i++)
		(*mark)[i] = true;
	for (size_t i = 0; rc == 0 && i < inv->tg.n; i++) {
		unsigned int idx;
		rc = svff_target_index(s, &inv->tg.t[i], true, &idx, err);
		if (rc == 0 && idx < n)
			(*mark)[idx] = true;
	}
	return rc;
}

/* The pool and the marked VFs: a table, or JSON only (table false). */
static int show(struct svff_inv *inv, struct svff_session *s, const bool *mark, bool table,
		struct svff_error *err)
{
	struct svff_view v;
	int rc = svff_view_build(inv->ctx, s->st, s->pf, &v, err);

	if (rc < 0)
		return rc;
	if (!v.has_res) {
		struct svff_res_dev *d = NULL;
		rc = svff_res_open(inv->ctx, &v.pf, &d, err);  /* says why there is none */
		svff_res_close(d);
		svff_view_clear(&v);
		return rc < 0 ? rc : svff_err(err, -EIO, "%s: %s", s->pf, v.problem);
	}
	svff_print_str(inv, "pf", table ? "PF %s" : NULL, s->pf);
	svff_print_str(inv, "driver", table ? "  driver %s\n" : NULL, v.pf.driver);
	svff_print_pool(inv, &v, table);
	if (table)
		svff_text(inv, "  %-4s %-9s %-10s %-10s %s\n", "VF", "STATE", "HAS", "GIVES", "NOTE");
	svff_out_open_array(inv, "vfs");
	for (size_t i = 0; i < v.n_rows; i++) {
		const struct svff_row *r = &v.rows[i];
		char gives[32];
		if (!r->live || r->vf >= s->info.numvfs || !mark[r->vf])
			continue;
		svff_out_open_object(inv, NULL);
		svff_print_uint(inv, "vf", table ? "  %-4u " : NULL, r->vf);
		svff_print_str(inv, "state", table ? "%-9s " : NULL,
			       svff_vf_state_name(r->claim ? r->claim->state : SVFF_VF_DETACHED));
		svff_print_vf_res(inv, &v, r, table ? "%-10s " : NULL);
		snprintf(gives, sizeof(gives), "%uq %uv", r->want.queues, r->want.vectors);
		if (table)
			svff_text(inv, "%-10s %s\n", gives, r->problem);
		svff_print_str(inv, "problem", NULL, r->problem);
		svff_out_close(inv);
	}
	svff_out_close(inv);
	svff_view_clear(&v);
	return 0;
}

/* A VF a running guest holds keeps what it has. */
static int refuse_attached(struct svff_session *s, const bool *mark, struct svff_error *err)
{
	const struct svff_pf_state *ps = svff_session_pf(s);
	for (size_t i = 0; i < ps->n_claims; i++) {
		const struct svff_claim *c = ps->claims[i];
		if (c->state == SVFF_VF_ATTACHED && c->vf < s->info.numvfs && mark[c->vf])
			return svff_err(err, -EBUSY, "vf%u is attached to VM '%s': its resources "
					"change only while no VM holds it ('svff pause %s vf%u' "
					"first, 'svff unpause' after)", c->vf, c->vm_name,
					c->vm_name, c->vf);
	}
	return 0;
}

/* The record: per VF, or with no VF named the PF's default for every VF
 * (their own settings of the same kinds dropped). */
static int record(struct svff_session *s, bool all, const bool *mark,
		  const struct svff_res *asked, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);

	if (all) {
		if (asked->queues)
			ps->res_default.queues = asked->queues;
		if (asked->vectors)
			ps->res_default.vectors = asked->vectors;
		for (size_t i = 0; i < ps->n_res; i++) {
			if (asked->queues)
				ps->res[i].r.queues = 0;
			if (asked->vectors)
				ps->res[i].r.vectors = 0;
		}
		svff_state_res_trim(ps, ps->numvfs);
		return 0;
	}
	for (unsigned int i = 0; i < s->info.numvfs; i++) {
		if (!mark[i])
			continue;
		struct svff_res r = { 0 };
		for (size_t k = 0; k < ps->n_res; k++)
			if (ps->res[k].vf == i)
				r = ps->res[k].r;
		if (asked->queues)
			r.queues = asked->queues;
		if (asked->vectors)
			r.vectors = asked->vectors;
		if (svff_state_res_set(ps, i, &r) < 0)
			return svff_err(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Journalled: the record first, then the device (the msix backend needs
 * the VFs unbound: bound back after). On failure the old record is given
 * back; if even that fails the journal stays for 'svff recover'. */
static int change(struct svff_inv *inv, struct svff_session *s, const bool *mark,
		  const struct svff_res *asked, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_res old_default = ps->res_default;
	size_t old_n = ps->n_res;
	struct svff_vf_res *old = calloc(old_n + 1, sizeof(*old));
	unsigned int count = ps->numvfs;
	int rc = old ? 0 : svff_err(err, -ENOMEM, "out of memory");

	if (rc == 0) {
		memcpy(old, ps->res, old_n * sizeof(*old));
		rc = record(s, !inv->tg.n, mark, asked, err);
	}
	if (rc == 0)
		rc = svff_op_begin(s, "resources", (int)count, (int)count, err);
	if (rc == 0 && (rc = svff_vfset_resources(s, count, err)) >= 0) {
		svff_print_uint(inv, "changed_vfs", NULL, (unsigned int)rc);
		rc = svff_vfset_bind(s, count, err);
	}
	if (rc == 0) {
		free(old);
		return svff_op_end(s, err);
	}
	if (!s->st->op) {
		free(old);
		return rc;
	}
	struct svff_error e2 = { 0 };
	ps->res_default = old_default;
	free(ps->res);
	ps->res = old;
	ps->n_res = old_n;
	int rb = svff_vfset_resources(s, count, &e2);
	if (rb >= 0)
		rb = svff_vfset_bind(s, count, &e2);
	if (rb < 0) {
		char first[sizeof(err->msg)];
		snprintf(first, sizeof(first), "%s", err->msg);
		svff_err(err, -EINPROGRESS, "%s; giving the VFs their old resources back failed "
			 "too: %s; run 'svff recover'", first, e2.msg);
		return svff_err_kind(err, SVFF_ERR_RECOVER, -EINPROGRESS);
	}
	svff_op_end(s, &e2);
	return rc;
}

static int check(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_res asked;
	return svff_res_opts(inv, OPT_QUEUES, OPT_VECTORS, &asked, err);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_session *s = inv->s;
	struct svff_res asked;
	bool *mark = NULL;
	int rc = svff_res_opts(inv, OPT_QUEUES, OPT_VECTORS, &asked, err);

	if (rc == 0)
		rc = pick(inv, s, &mark, err);
	if (rc == 0 && !asked.queues && !asked.vectors) {
		rc = show(inv, s, mark, true, err);
		free(mark);
		return rc;
	}
	if (rc == 0)
		rc = refuse_attached(s, mark, err);
	if (rc == 0)
		rc = svff_vfset_res_check(s, svff_session_pf(s)->numvfs, mark, &asked, err);
	if (rc == 0)
		rc = change(inv, s, mark, &asked, err);
	if (rc == 0 && !inv->ctx->dry_run) {
		svff_say(inv, "%s: resources of %s set", s->pf, inv->tg.n ? "the VFs named" :
			 "every VF");
		rc = show(inv, s, mark, false, err);
	}
	free(mark);
	return rc;
}

const struct svff_cmd svff_cmd_resources = {
	.name = "resources", .alias = "res", .args = "[VF...]", .min_args = 0, .max_args = -1,
	.targets = SVFF_TARGETS_VFS, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED,
	.check = check, .run = run,
	.opts = {
		[OPT_QUEUES] = { "queues", 0, "N", "queues of each VF named (NVMe: VQ, at least 2)" },
		[OPT_VECTORS] = { "vectors", 0, "N", "interrupt vectors of each VF named (NVMe: VI)" },
	},
	.summary = "show or change the queues and interrupt vectors of VFs",
	.desc = "Without --queues or --vectors, shows the PF's resource pool (backend,\n"
		"free and total) and what each VF named (default: every VF) has and what\n"
		"svff gives it. With them, records the new values for the VFs named, or\n"
		"with no VF named as the PF's default for every VF (reconf gives it to the\n"
		"VFs it creates), then gives them: NVMe takes the secondary controller\n"
		"offline, assigns the resources and brings it online; msix unbinds the VF\n"
		"to write sriov_vf_msix_count and binds it back. A VF attached to a VM is\n"
		"refused (pause it first); a request the pool cannot meet is refused\n"
		"before anything changes. The backend is chosen by the PF's driver.",
};
