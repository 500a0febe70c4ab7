/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "res-change.h"
#include "vfset.h"

struct change_run {
	/* the new record: resources' edit ... */
	const bool *mark;
	const struct svff_res *asked;
	/* ... or apply's whole record */
	const struct svff_res *def;
	const struct svff_vf_res *res;
	size_t n_res;
	/* the old one, for the undo */
	struct svff_res old_default;
	struct svff_vf_res *old;
	size_t old_n;
	bool recorded;
	unsigned int changed;
};

static int edit(struct svff_pf_state *ps, unsigned int count, const struct change_run *c)
{
	const struct svff_res *a = c->asked;

	if (!c->mark) {
		if (a->queues)
			ps->res_default.queues = a->queues;
		if (a->vectors)
			ps->res_default.vectors = a->vectors;
		for (size_t i = 0; i < ps->n_res; i++) {
			if (a->queues)
				ps->res[i].r.queues = 0;
			if (a->vectors)
				ps->res[i].r.vectors = 0;
		}
		svff_state_res_trim(ps, ps->numvfs);
		return 0;
	}
	for (unsigned int i = 0; i < count; i++) {
		if (!c->mark[i])
			continue;
		struct svff_res r = { 0 };
		for (size_t k = 0; k < ps->n_res; k++)
			if (ps->res[k].vf == i)
				r = ps->res[k].r;
		if (a->queues)
			r.queues = a->queues;
		if (a->vectors)
			r.vectors = a->vectors;
		if (svff_state_res_set(ps, i, &r) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int replace(struct svff_pf_state *ps, const struct change_run *c)
{
	ps->res_default = *c->def;
	free(ps->res);
	ps->res = NULL;
	ps->n_res = 0;
	for (size_t i = 0; i < c->n_res; i++)
		if (svff_state_res_set(ps, c->res[i].vf, &c->res[i].r) < 0)
			return -ENOMEM;
	return 0;
}

/* The new record, the old one kept. */
static int record(struct svff_run *r, struct svff_error *err)
{
	struct change_run *c = r->data;
	struct svff_pf_state *ps = svff_session_pf(r->s);

	c->old_default = ps->res_default;
	c->old_n = ps->n_res;
	c->old = calloc(c->old_n + 1, sizeof(*c->old));
	if (!c->old)
		return svff_err(err, -ENOMEM, "out of memory");
	if (c->old_n)
		memcpy(c->old, ps->res, c->old_n * sizeof(*c->old));
	c->recorded = true;
	if ((c->asked ? edit(ps, r->s->info.numvfs, c) : replace(ps, c)) < 0)
		return svff_err(err, -ENOMEM, "out of memory");
	return 0;
}

/* The device as recorded (the msix backend needs the VFs unbound: bound
 * back after). */
static int give(struct svff_session *s, unsigned int *changed, struct svff_error *err)
{
	unsigned int count = svff_session_pf(s)->numvfs;
	int rc = svff_vfset_resources(s, count, NULL, err);

	if (rc < 0)
		return rc;
	if (changed)
		*changed = (unsigned int)rc;
	return svff_vfset_bind(s, count, err);
}

static int give_new(struct svff_run *r, struct svff_error *err)
{
	struct change_run *c = r->data;
	return give(r->s, &c->changed, err);
}

/* The old record back. */
static void restore(struct svff_run *r)
{
	struct change_run *c = r->data;
	struct svff_pf_state *ps = svff_session_pf(r->s);

	ps->res_default = c->old_default;
	free(ps->res);
	ps->res = c->old;
	ps->n_res = c->old_n;
	c->old = NULL;
	c->recorded = false;
}

/* The old record back, and given to the VFs again. */
static int unrecord(struct svff_run *r, struct svff_error *err)
{
	struct change_run *c = r->data;

	if (!c->recorded)
		return 0;
	restore(r);
	return give(r->s, NULL, err);
}

static const struct svff_step change_steps[] = {
	{ .run = record, .undo = unrecord },
	{ .run = give_new },
	{ 0 }
};

/* The record is saved before the device changes: recover gives the VFs
 * what it holds (its reconcile), old or new, whichever a kill left. */
const struct svff_verb svff_verb_resources = {
	.name = "resources", .steps = change_steps,
	.recovered = "resources finished: the VFs have what is recorded for them",
};
const struct svff_verb svff_verb_apply = {
	.name = "apply", .steps = change_steps,
	.recovered = "resources finished: the VFs have what is recorded for them",
};

static int run(struct svff_session *s, const struct svff_verb *verb, struct change_run *c,
	       unsigned int *changed, struct svff_error *err)
{
	int count = (int)svff_session_pf(s)->numvfs;
	struct svff_run r = { .s = s, .data = c, .from = count, .to = count };
	int rc = 0;

	if (verb == &svff_verb_apply) {
		/* the file's record must fit the pool before anything changes
		 * (resources checks what it asks before it comes here) */
		rc = record(&r, err);
		if (rc == 0)
			rc = svff_vfset_res_check(s, (unsigned int)count, NULL,
						  &(struct svff_res){ 0 }, err);
		if (c->recorded)
			restore(&r);
	}
	if (rc == 0)
		rc = svff_journal_run(verb, &r, err);

	free(c->old);
	if (changed)
		*changed = c->changed;
	return rc;
}

int svff_res_change(struct svff_session *s, const bool *mark, const struct svff_res *asked,
		    unsigned int *changed, struct svff_error *err)
{
	struct change_run c = { .mark = mark, .asked = asked };
	return run(s, &svff_verb_resources, &c, changed, err);
}

int svff_res_replace(struct svff_session *s, const struct svff_res *def,
		     const struct svff_vf_res *res, size_t n_res, unsigned int *changed,
		     struct svff_error *err)
{
	struct change_run c = { .def = def, .res = res, .n_res = n_res };
	return run(s, &svff_verb_apply, &c, changed, err);
}
