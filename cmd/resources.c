/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff resources [VF...] [--queues N] [--vectors N]: show or change the
 * resources of VFs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "res_cmd.h"
#include "res-change.h"
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
		return rc < 0 ? rc : svff_err(err, -EIO, "%s: resources unknown: %s", s->pf,
					      v.res_error);
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

static int change(struct svff_inv *inv, struct svff_session *s, const bool *mark,
		  const struct svff_res *asked, struct svff_error *err)
{
	unsigned int changed = 0;
	int rc = svff_res_change(s, inv->tg.n ? mark : NULL, asked, &changed, err);
	if (rc == 0)
		svff_print_uint(inv, "changed_vfs", NULL, changed);
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
