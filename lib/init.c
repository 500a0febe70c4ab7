/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>

#include "init.h"
#include "journal.h"
#include "sriov.h"
#include "vfset.h"

struct init_run {
	unsigned int count;
	bool created;       /* the PF had no VFs: init made them */
	bool was_managed;
	int saved;          /* autoprobe before init, -1 unknown */
};

static int prepare(struct svff_run *r, struct svff_error *err)
{
	return svff_vfset_res_prepare(r->s, err);
}

static int make(struct svff_run *r, struct svff_error *err)
{
	const struct init_run *in = r->data;
	return svff_vfset_make(r->s, in->count, err);
}

/* Whatever failed, the PF goes back as it was: no VFs if it had none,
 * autoprobe as it was, and no record if svff did not manage it. */
static int unmake(struct svff_run *r, struct svff_error *err)
{
	const struct init_run *in = r->data;
	struct svff_error ignored = { 0 };

	if (in->created)
		svff_sriov_set_numvfs(r->s->ctx, r->s->pf, 0, &ignored);
	if (in->saved >= 0)
		svff_sriov_set_autoprobe(r->s->ctx, r->s->pf, in->saved, &ignored);
	if (!in->was_managed)
		svff_state_pf_remove(r->s->st, r->s->pf);
	return 0;  /* best effort, as the kernel allows: the step's error stands */
}

/* An init killed anywhere is rolled forward: every step can run again. */
static int init_finish(struct svff_run *r, const struct svff_op *op, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(r->s);
	if (op->count_to <= 0)
		return 0;
	int rc = svff_vfset_res_prepare(r->s, err);
	if (rc == 0)
		rc = svff_vfset_make(r->s, (unsigned int)op->count_to, err);
	if (rc == 0) {
		ps->numvfs = (unsigned int)op->count_to;
		svff_run_say(r, "init finished: %d VFs on %s", op->count_to, SVFF_VFIO_DRIVER);
	}
	return rc;
}

static const struct svff_step init_steps[] = {
	{ .run = prepare, .undo = unmake },
	{ .run = make },
	{ 0 }
};

const struct svff_verb svff_verb_init = {
	.name = "init", .steps = init_steps, .sets_count = true, .finish = init_finish,
};

int svff_init_run(struct svff_session *s, unsigned int count, const struct svff_res *asked,
		  bool res_off, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct init_run in = { .count = count, .created = s->info.numvfs == 0,
			       .was_managed = ps != NULL, .saved = s->info.autoprobe };
	struct svff_run r = { .s = s, .data = &in, .from = (int)s->info.numvfs,
			      .to = (int)count };

	if (!ps) {
		ps = svff_state_pf_add(s->st, s->pf);
		if (!ps)
			return svff_err(err, -ENOMEM, "out of memory");
		ps->saved_autoprobe = in.saved;
	}
	ps->numvfs = count;
	ps->res_off = res_off;
	if (asked->queues)
		ps->res_default.queues = asked->queues;
	if (asked->vectors)
		ps->res_default.vectors = asked->vectors;
	return svff_journal_run(&svff_verb_init, &r, err);
}
