/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>

#include "attach.h"
#include "claim.h"

static int attach_each(struct svff_run *r, struct svff_error *err)
{
	struct svff_attach *a = r->data;
	struct svff_session *s = r->s;
	int rc = 0;

	for (size_t i = 0; i < a->n && rc == 0; i++) {
		struct svff_claim *c = svff_state_claim(svff_session_pf(s), a->vfs[i]);
		char step[32];
		if (c) {
			svff_run_say(r, "vf%u is attached to VM '%s' already", a->vfs[i], a->vm->name);
			continue;
		}
		snprintf(step, sizeof(step), SVFF_STEP_ATTACH, a->vfs[i]);
		if (s->st->op)
			rc = svff_op_step(s, step, err);
		if (rc == 0)
			rc = svff_claim_attach(s, r->v, a->vm, a->vfs[i], NULL, a->config, a->net,
					       &c, err);
		if (rc < 0)
			break;
		a->done[a->n_done] = a->vfs[i];
		a->claims[a->n_done++] = c;
		if (!s->ctx->dry_run) {
			const struct svff_vf_info *vf = svff_session_vf(s, a->vfs[i]);
			svff_run_say(r, "vf%u (%s) attached to VM '%s'%s%s%s", vf->index, vf->addr,
			     a->vm->name, c->guest_addr[0] ? " at guest address " : "",
			     c->guest_addr,
			     a->vm->active ? "" : " (persistent configuration: the VM is shut off)");
		}
	}
	return rc;
}

/* The ones this call attached released, newest first; one that will not
 * go stays claimed (the state says what the VM holds) and is reported. */
static int detach_done(struct svff_run *r, struct svff_error *err)
{
	struct svff_attach *a = r->data;

	for (size_t i = a->n_done; i-- > 0;) {
		struct svff_error e = { 0 };
		if (svff_claim_detach(r->s, r->v, a->done[i], &e) < 0 && !a->undo_err.code)
			a->undo_err = e;
	}
	a->n_done = 0;
	return 0;
}

static const struct svff_step attach_steps[] = {
	{ .run = attach_each, .undo = detach_done },
	{ 0 }
};

/* Each VF's claim was saved as it went; reconcile has put the one in
 * flight right. */
const struct svff_verb svff_verb_attach = {
	.name = "attach", .steps = attach_steps,
	.recovered = "attach: each VF is now as libvirt has it (run the command again to "
		     "finish it)",
};

int svff_attach_run(struct svff_session *s, struct svff_virt *v, struct svff_attach *a,
		    struct svff_error *err)
{
	struct svff_run r = { .s = s, .v = v, .data = a, .from = -1, .to = -1,
			      .say = a->say, .say_opaque = a->say_opaque,
			      .unrecorded = a->n < 2 };
	return svff_journal_run(&svff_verb_attach, &r, err);
}

struct detach_run {
	const unsigned int *vfs;
	size_t n;
	svff_detached_fn done;
	void *opaque;
};

static int detach_each(struct svff_run *r, struct svff_error *err)
{
	const struct detach_run *d = r->data;
	struct svff_session *s = r->s;
	int rc = 0;

	for (size_t i = 0; i < d->n && rc == 0; i++) {
		char step[32], vm[SVFF_VM_NAME_LEN];
		snprintf(vm, sizeof(vm), "%s", svff_state_claim(svff_session_pf(s), d->vfs[i])->vm_name);
		snprintf(step, sizeof(step), SVFF_STEP_DETACH, d->vfs[i]);
		if (s->st->op)
			rc = svff_op_step(s, step, err);
		if (rc == 0)
			rc = svff_claim_detach(s, r->v, d->vfs[i], err);
		if (rc == 0 && d->done)
			d->done(d->opaque, d->vfs[i], vm);
	}
	return rc;
}

/* Nothing is left half-done: a VF released stays released. */
static const struct svff_step detach_steps[] = {
	{ .run = detach_each },
	{ 0 }
};

const struct svff_verb svff_verb_detach = {
	.name = "detach", .steps = detach_steps,
	.recovered = "detach: each VF is now as libvirt has it (run the command again to "
		     "finish it)",
};

int svff_detach_run(struct svff_session *s, struct svff_virt *v, const unsigned int *vfs,
		    size_t n, svff_detached_fn done, void *opaque, struct svff_error *err)
{
	struct detach_run d = { .vfs = vfs, .n = n, .done = done, .opaque = opaque };
	struct svff_run r = { .s = s, .v = v, .data = &d, .from = -1, .to = -1,
			      .unrecorded = n < 2 };
	return svff_journal_run(&svff_verb_detach, &r, err);
}
