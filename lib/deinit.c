/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>

#include "claim.h"
#include "init.h"
#include "journal.h"
#include "sriov.h"
#include "vfset.h"

struct deinit_run {
	svff_deinit_fn dropped;
	void *opaque;
};

/* --force: each claim released, a journal step each. */
static int drop_claims(struct svff_run *r, struct svff_error *err)
{
	const struct deinit_run *d = r->data;
	struct svff_session *s = r->s;
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_virt *v = NULL;
	int rc = ps->n_claims ? svff_virt_open(s->ctx, &v, err) : 0;

	while (rc == 0 && ps->n_claims) {
		const struct svff_claim *c = ps->claims[0];
		char step[32], vm[SVFF_VM_NAME_LEN];
		unsigned int vf = c->vf;
		bool paused = c->state == SVFF_VF_PAUSED;
		/* the release frees the claim: keep what the line says */
		snprintf(vm, sizeof(vm), "%s", c->vm_name);
		snprintf(step, sizeof(step), SVFF_STEP_DROP_CLAIM, vf);
		rc = svff_op_step(s, step, err);
		if (rc == 0)
			rc = svff_claim_detach(s, v, vf, err);
		if (rc == 0 && !s->ctx->dry_run && d->dropped)
			d->dropped(d->opaque, vf, vm, paused);
		if (s->ctx->dry_run)
			break;   /* the claims stay in a dry run: show the first only */
	}
	svff_virt_close(v);
	return rc;
}

static int release_res(struct svff_run *r, struct svff_error *err)
{
	return svff_vfset_res_release(r->s, err);
}

static int no_vfs(struct svff_run *r, struct svff_error *err)
{
	return svff_sriov_set_numvfs(r->s->ctx, r->s->pf, 0, err);
}

static int restore_autoprobe(struct svff_run *r, struct svff_error *err)
{
	int saved = svff_session_pf(r->s)->saved_autoprobe;
	int rc = saved >= 0 ? svff_op_step(r->s, SVFF_STEP_RESTORE_AUTOPROBE, err) : 0;
	if (rc == 0 && saved >= 0)
		rc = svff_sriov_set_autoprobe(r->s->ctx, r->s->pf, saved, err);
	return rc;
}

static int forget(struct svff_run *r, struct svff_error *err)
{
	svff_state_pf_remove(r->s->st, r->s->pf);
	return 0;
}

/* Killed with claims left: VMs still hold them, so the PF stays, as
 * before deinit; else deinit is rolled forward. */
static int deinit_finish(struct svff_run *r, const struct svff_op *op, struct svff_error *err)
{
	struct svff_session *s = r->s;
	struct svff_pf_state *ps = svff_session_pf(s);
	int rc;

	if (ps->n_claims) {
		unsigned int count = op->count_from > 0 ? (unsigned int)op->count_from : ps->numvfs;
		rc = svff_vfset_make(s, count, err);
		if (rc == 0) {
			ps->numvfs = count;
			svff_run_say(r, "deinit rolled back: VMs still hold claims on %s", s->pf);
		}
		return rc;
	}
	rc = release_res(r, err);
	if (rc == 0)
		rc = no_vfs(r, err);
	if (rc == 0 && ps->saved_autoprobe >= 0)
		rc = svff_sriov_set_autoprobe(s->ctx, s->pf, ps->saved_autoprobe, err);
	if (rc == 0) {
		forget(r, err);
		svff_run_say(r, "deinit finished: %s has no VFs and svff no longer manages it",
			     s->pf);
	}
	return rc;
}

/* Nothing is undone: a claim dropped or resources released stay so, and
 * the rest is as it was. */
static const struct svff_step deinit_steps[] = {
	{ .run = drop_claims },
	{ .run = release_res },
	{ .name = SVFF_STEP_NUMVFS_0, .run = no_vfs },
	{ .run = restore_autoprobe },
	{ .run = forget },
	{ 0 }
};

const struct svff_verb svff_verb_deinit = {
	.name = "deinit", .steps = deinit_steps, .sets_count = true, .finish = deinit_finish,
};

int svff_deinit_run(struct svff_session *s, svff_deinit_fn dropped, void *opaque,
		    struct svff_error *err)
{
	struct deinit_run d = { .dropped = dropped, .opaque = opaque };
	struct svff_run r = { .s = s, .data = &d,
			      .from = (int)svff_session_pf(s)->numvfs, .to = 0 };
	return svff_journal_run(&svff_verb_deinit, &r, err);
}
