/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "pfbus.h"
#include "reprogram.h"
#include "sysfs.h"
#include "vfset.h"

/* The run's data: reconf's first, so that its steps serve as they are. */
struct reprogram_run {
	struct svff_reconf_run rr;
	struct svff_reprogram *p;
};

int svff_reprogram_check(struct svff_session *s, const struct svff_reprogram *p,
			 struct svff_error *err)
{
	unsigned int total = s->info.totalvfs;
	int rc;

	if (p->new_ids && !p->remove)
		return svff_err_kind(err, SVFF_ERR_USAGE, svff_err(err, -EINVAL, "--new-ids needs "
				     "--remove: a PF left on the bus keeps its IDs"));
	if (p->count > total)
		return svff_err_kind(err, SVFF_ERR_USAGE, svff_err(err, -EINVAL, "VF count '%u' is "
				     "out of range: %s offers 0 to %u VFs", p->count, s->pf, total));
	char what[48];
	snprintf(what, sizeof(what), "reprogram --vfs %u", p->count);
	rc = svff_reconf_check(s, what, p->count, p->force, err);
	if (rc == 0)
		rc = svff_vfset_res_check(s, p->count, NULL, &(struct svff_res){ 0 }, err);
	return rc;
}

/* No VFs: the kernel takes every secondary offline and frees its
 * resources with them. The record says so at once. */
static int no_vfs(struct svff_run *run, struct svff_error *err)
{
	int rc = svff_vfset_count(run->s, 0, err);
	if (rc == 0 && run->s->ctx->dry_run)
		run->s->info.planned_none = true;   /* the new count planned from 0 */
	if (rc == 0 && !run->s->ctx->dry_run) {
		svff_session_pf(run->s)->numvfs = 0;
		rc = svff_session_save(run->s, err);
	}
	return rc;
}

/* The PF's identity recorded, then the PF off the bus. */
static int remove_pf(struct svff_run *run, struct svff_error *err)
{
	struct reprogram_run *d = run->data;
	struct svff_session *s = run->s;
	int rc = svff_pf_id_read(s->ctx, s->pf, &d->p->id, err);

	d->p->id.new_ids = d->p->new_ids;
	if (rc == 0 && s->st->op && !s->ctx->dry_run) {
		s->st->op->removed = d->p->id;
		rc = svff_session_save(s, err);
	}
	return rc < 0 ? rc : svff_pf_remove(s->ctx, s->pf, err);
}

/* The PF found again as it was; its resource pool made available to the
 * VFs (a new NVMe primary controller holds every flexible resource). */
static int find_pf(struct svff_session *s, const struct svff_pf_id *was, unsigned int need,
		   struct svff_error *err)
{
	int rc = svff_pf_rescan(s->ctx, s->pf, was, need, s->ctx->timeout_s, err);
	if (rc == 0 && !s->ctx->dry_run) {
		svff_pf_info_clear(&s->info);
		rc = svff_pf_get(s->ctx, s->pf, &s->info, err);
	}
	return rc;
}

/* Undo of the removal: the PF back, so that the old count can be made. */
static int unremove_pf(struct svff_run *run, struct svff_error *err)
{
	struct reprogram_run *d = run->data;
	int rc = svff_op_step(run->s, SVFF_STEP_RESCAN, err);
	return rc < 0 ? rc : find_pf(run->s, &d->p->id, d->p->rc.from, err);
}

static int run_command(struct svff_run *run, struct svff_error *err)
{
	struct reprogram_run *d = run->data;
	struct svff_session *s = run->s;
	char pf[64], vfs[32], op[48];
	const char *env[] = { pf, vfs, op, NULL };

	snprintf(pf, sizeof(pf), "SVFF_PF=%s", s->pf);
	snprintf(vfs, sizeof(vfs), "SVFF_VFS=%u", d->p->count);
	snprintf(op, sizeof(op), "SVFF_OP=%s", d->p->op_id ? d->p->op_id : "");
	d->p->cmd.env = env;
	d->p->cmd.timeout_s = d->p->cmd_timeout_s;
	/* recorded before it starts: recover never runs it again */
	if (s->st->op && !s->ctx->dry_run) {
		s->st->op->ran = true;
		int rc = svff_session_save(s, err);
		if (rc < 0)
			return rc;
	}
	d->p->ran = !s->ctx->dry_run;
	int rc = svff_command_run(s->ctx, &d->p->cmd, err);
	d->p->cmd.env = NULL;
	/* failed: the run goes back to the old count, and so would recover */
	d->p->cmd_failed = rc < 0;
	if (rc < 0 && s->st->op && !s->ctx->dry_run) {
		struct svff_error e2 = { 0 };
		s->st->op->count_to = s->st->op->count_from;
		svff_session_save(s, &e2);
	}
	return rc;
}

/* Past the command: a PF that does not come back as it was keeps every
 * claim paused and the record, for recover once it is back. */
static int rescan(struct svff_run *run, struct svff_error *err)
{
	struct reprogram_run *d = run->data;
	int rc = find_pf(run->s, &d->p->id, d->p->count, err);
	if (rc < 0) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		svff_err(err, -EINPROGRESS, "%s: every claim stays paused, and no VM gets a VF of a "
			 "device that may not be the same; once the PF is back as it was, 'svff "
			 "recover' finishes", why);
		return svff_err_kind(err, SVFF_ERR_RECOVER, -EINPROGRESS);
	}
	return 0;
}

/* The new count, from a PF with none: its pool made available first.
 * Past the command there is no going back: a failure leaves the record
 * and the paused claims for recover, which makes the count again. */
static int make(struct svff_run *run, struct svff_error *err)
{
	int rc = svff_vfset_res_prepare(run->s, err);
	if (rc == 0)
		rc = svff_reconf_make_step(run, err);
	/* dry run: the VFs planned are where they are now, for the give-back */
	if (rc == 0 && run->s->info.planned_none) {
		run->s->info.planned_none = false;
		rc = svff_pf_refresh(run->s->ctx, &run->s->info, err);
	}
	if (rc == 0) {
		((struct reprogram_run *)run->data)->p->done = true;
		return 0;
	}
	char why[sizeof(err->msg)];
	snprintf(why, sizeof(why), "%s", err->msg);
	svff_err(err, -EINPROGRESS, "%s: every claim stays paused; 'svff recover' makes the VFs "
		 "and gives them back once the PF can", why);
	return svff_err_kind(err, SVFF_ERR_RECOVER, -EINPROGRESS);
}

#define PAUSE { .run = svff_reconf_pause_step, .undo = svff_reconf_unpause_step }
#define NO_VFS { .run = no_vfs, .undo = svff_reconf_unmake_step }
#define COMMAND { .name = SVFF_STEP_COMMAND, .run = run_command }
#define MAKE { .run = make, .flags = SVFF_STEP_KEEP }
#define GIVE_BACK { .name = SVFF_STEP_UNPAUSE, .run = svff_reconf_give_back_step, \
		    .flags = SVFF_STEP_KEEP }

/* A failure up to the command's end puts the old count back and gives
 * the VMs their VFs; past it the run goes on to the new count. */
static const struct svff_step reprogram_steps[] = {
	PAUSE, NO_VFS, COMMAND, MAKE, GIVE_BACK, { 0 }
};
static const struct svff_step reprogram_remove_steps[] = {
	PAUSE, NO_VFS,
	{ .name = SVFF_STEP_REMOVE_PF, .run = remove_pf, .undo = unremove_pf },
	COMMAND,
	{ .name = SVFF_STEP_RESCAN, .run = rescan, .flags = SVFF_STEP_KEEP },
	MAKE, GIVE_BACK, { 0 }
};

/* recover, first: a PF the run took off the bus found again (a rescan);
 * while it is not back as it was, recover fails and the record stays. */
static int reprogram_prepare(struct svff_run *run, const struct svff_op *op,
			     struct svff_error *err)
{
	unsigned int need = (unsigned int)(op->ran ? op->count_to : op->count_from);
	if (!op->removed.vendor)
		return 0;
	if (svff_dev_exists(run->s->ctx, run->s->pf) <= 0)
		svff_run_say(run, "%s is not on the PCI bus: rescanned", run->s->pf);
	return find_pf(run->s, &op->removed, need, err);
}

/* recover: the command is never run again. Not started: back to the old
 * count; started (whatever became of it): on to the new one. */
static int reprogram_finish(struct svff_run *run, const struct svff_op *op,
			    struct svff_error *err)
{
	unsigned int count = (unsigned int)(op->ran ? op->count_to : op->count_from);
	int rc;

	if (op->ran)
		svff_run_say(run, "its command had been started: it is not run again (check the "
			      "card's image); on to %u VFs", count);
	else
		svff_run_say(run, "its command had not been started: back to %u VFs", count);
	if (svff_pf_refresh(run->s->ctx, &run->s->info, err) == 0 && !run->s->info.numvfs &&
	    (rc = svff_vfset_res_prepare(run->s, err)) < 0)
		return rc;
	return svff_reconf_finish_to(run, op, count, err);
}

const struct svff_verb svff_verb_reprogram = {
	.name = "reprogram", .steps = reprogram_steps, .sets_count = true, .gives_back = true,
	.finish = reprogram_finish, .prepare = reprogram_prepare,
};

/* The same verb with the PF off the bus: one name in the record, the
 * finish the same. */
static const struct svff_verb reprogram_remove = {
	.name = "reprogram", .steps = reprogram_remove_steps, .sets_count = true,
	.gives_back = true, .finish = reprogram_finish, .prepare = reprogram_prepare,
};

int svff_reprogram_run(struct svff_session *s, struct svff_reprogram *p, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_virt *v = NULL;
	int rc = svff_reprogram_check(s, p, err);

	memset(&p->rc, 0, sizeof(p->rc));
	p->rc.from = ps->numvfs;
	p->rc.to = p->count;
	p->t_start = svff_now();
	if (rc == 0 && ps->n_claims)   /* libvirt only when a VM holds a VF */
		rc = svff_virt_open(s->ctx, &v, err);
	if (rc == 0)
		rc = svff_reconf_items(s, &p->rc, err);
	if (rc == 0) {
		struct reprogram_run d = { .rr = { .r = &p->rc, .count = p->count }, .p = p };
		struct svff_run run = { .s = s, .v = v, .data = &d, .from = (int)p->rc.from,
					.to = (int)p->count };
		rc = svff_journal_run(p->remove ? &reprogram_remove : &svff_verb_reprogram, &run,
				      err);
	}
	/* an item's rc is its pause's until given back: what is left for
	 * recover is not given back */
	if (rc < 0 && err->kind == SVFF_ERR_RECOVER)
		for (size_t i = 0; i < p->rc.n_items; i++)
			if (p->rc.items[i].rc == 0)
				p->rc.items[i].rc = -EAGAIN;
	p->t_end = svff_now();
	svff_virt_close(v);
	return rc;
}

void svff_reprogram_clear(struct svff_reprogram *p)
{
	if (p)
		svff_reconf_clear(&p->rc);
}
