/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "journal.h"
#include "reconf.h"
#include "sriov.h"
#include "vfset.h"

int svff_reconf_check(struct svff_session *s, const char *what, unsigned int count, bool force,
		      struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	char list[256] = "";
	size_t len = 0, n = 0;

	for (size_t i = 0; i < ps->n_claims; i++) {
		const struct svff_claim *c = ps->claims[i];
		if (c->vf < count)
			continue;
		n++;
		if (len < sizeof(list) - 1)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%svf%u (%s, %s)",
						len ? ", " : "", c->vf, c->vm_name,
						svff_vf_state_name(c->state));
	}
	if (n && !force)
		return svff_err(err, -EBUSY, "%s would remove VFs that VMs hold: %s; detach "
				"them first, or use --force to keep those claims paused", what, list);
	return 0;
}

/* A VF to pause: released where its VM's QEMU can, but hot-unplugged when
 * the new count removes it, so that no VM stays suspended for a VF that
 * is gone. */
static int add_item(struct svff_reconf *r, unsigned int vf)
{
	struct svff_pause_item *p = svff_append(&r->items, &r->n_items, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->want = vf < r->to ? SVFF_WANT_AUTO : SVFF_WANT_HOTPLUG;
	p->vf = vf;
	return 0;
}

static struct svff_pause_item *item_of(struct svff_reconf *r, unsigned int vf)
{
	for (size_t i = 0; i < r->n_items; i++)
		if (r->items[i].vf == vf)
			return &r->items[i];
	return NULL;
}

/* No VM may hold a VF while the count changes (the kernel would take it
 * from the guest behind libvirt's back): pause what is still attached, as
 * when recover finishes a reconf killed before its pause. */
static int pause_attached(struct svff_session *s, struct svff_virt *v, struct svff_reconf *r,
			  struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	size_t first = r->n_items;

	for (size_t i = 0; i < ps->n_claims; i++)
		if (ps->claims[i]->state == SVFF_VF_ATTACHED && add_item(r, ps->claims[i]->vf) < 0)
			return svff_err(err, -ENOMEM, "out of memory");
	if (r->n_items == first || !svff_claims_pause(s, v, r->items + first, r->n_items - first,
						       true))
		return 0;
	for (size_t i = first; i < r->n_items; i++)
		if (r->items[i].rc < 0) {
			*err = r->items[i].err;
			return r->items[i].rc;
		}
	return 0;
}

/* The claims this operation paused: those above count are displaced (they
 * stay paused), the others to give back, in todo. */
static int paused_by_op(struct svff_session *s, unsigned int count, struct svff_reconf *r,
			struct svff_pause_item *todo, size_t *nt, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);

	for (size_t i = 0; i < ps->n_claims; i++) {
		struct svff_claim *c = ps->claims[i];
		if (!c->op_paused)
			continue;
		/* a displaced one is no longer this op's; one to give back stays
		 * the op's until given back, so that a kill during the give-back
		 * leaves recover a claim to give back */
		if (c->vf >= count) {
			c->op_paused = false;
			unsigned int *d = svff_append(&r->displaced, &r->n_displaced, sizeof(*d));
			if (!d)
				return svff_err(err, -ENOMEM, "out of memory");
			*d = c->vf;
			continue;
		}
		const struct svff_pause_item *it = item_of(r, c->vf);
		todo[*nt] = it ? *it : (struct svff_pause_item){ .vf = c->vf };
		todo[(*nt)++].rc = 0;
	}
	return 0;
}

/* Give back, all at once, what this operation paused; one that cannot be
 * given back stays paused (the VM keeps its claim) and is reported. */
static int give_back(struct svff_session *s, struct svff_virt *v, unsigned int count,
		     struct svff_reconf *r, struct svff_error *err)
{
	struct svff_pause_item *todo = calloc(svff_session_pf(s)->n_claims + 1, sizeof(*todo));
	size_t nt = 0, failed = 0;
	int rc = todo ? paused_by_op(s, count, r, todo, &nt, err)
		      : svff_err(err, -ENOMEM, "out of memory");

	/* one given back is no longer the operation's; one that is not stays
	 * marked, and recover gives it back once it can (unless its VM is
	 * gone: the claim is then the operator's, and the item says why) */
	if (rc == 0)
		svff_claims_unpause(s, v, todo, nt);
	for (size_t i = 0; rc == 0 && i < nt; i++) {
		const struct svff_claim *c = svff_state_claim(svff_session_pf(s), todo[i].vf);
		failed += todo[i].rc < 0 && c && c->op_paused;
		struct svff_pause_item *it = item_of(r, todo[i].vf);
		if (!it && add_item(r, todo[i].vf) == 0)
			it = &r->items[r->n_items - 1];
		if (it)
			*it = todo[i];
	}
	free(todo);
	if (rc == 0)
		rc = svff_session_save(s, err);
	/* the VFs no VM waited for, made once the VMs have theirs */
	if (rc == 0 && r->rest)
		rc = svff_vfset_make_rest(s, count, r->rest, err);
	free(r->rest);
	r->rest = NULL;
	if (rc == 0 && failed)
		rc = svff_err(err, -EIO, "%zu VF(s) could not be given back: they stay paused, "
			      "and 'svff recover' gives them back once it can", failed);
	return rc;
}

/* The VFs below count whose claims this operation is to give back, or
 * NULL (all VFs, as in a dry run, which plans the making in one piece). */
static bool *to_give_back(struct svff_session *s, unsigned int count)
{
	const struct svff_pf_state *ps = svff_session_pf(s);
	bool *first = s->ctx->dry_run ? NULL : calloc(count + 1, sizeof(*first));

	for (size_t i = 0; first && i < ps->n_claims; i++) {
		const struct svff_claim *c = ps->claims[i];
		if (c->op_paused && c->state == SVFF_VF_PAUSED && c->vf < count)
			first[c->vf] = true;
	}
	return first;
}

/* The count changed with no VM holding a VF, the VFs made, bound and
 * given their resources; with first, only the VFs to give back (the
 * give-back makes the others once the VMs have theirs). */
static int make(struct svff_session *s, struct svff_virt *v, unsigned int count,
		struct svff_reconf *r, bool first, struct svff_error *err)
{
	int rc = pause_attached(s, v, r, err);

	if (rc == 0) {
		bool *some = first ? to_give_back(s, count) : NULL;
		rc = svff_vfset_make_first(s, count, some, err);
		for (unsigned int i = 0; some && i < count; i++)
			some[i] = !some[i];   /* what is left: the rest */
		free(r->rest);
		r->rest = some;
	}
	if (rc < 0)
		return rc;
	svff_session_pf(s)->numvfs = count;
	r->changed = true;
	return 0;
}

/* recover's: the count, the binding, the new count recorded, and every
 * claim the operation paused given back (those above the count stay
 * paused and are listed as displaced). */
static int finish(struct svff_session *s, struct svff_virt *v, unsigned int count,
		  struct svff_reconf *r, struct svff_error *err)
{
	int rc = pause_attached(s, v, r, err);

	if (rc < 0 && rc != -ECONNRESET) {
		/* a guest that does not let go: the count has not changed, so
		 * the reconf is undone and what it paused given back there */
		r->undone = *err;
		memset(err, 0, sizeof(*err));
		return give_back(s, v, svff_session_pf(s)->numvfs, r, err);
	}
	if (rc == 0)
		rc = make(s, v, count, r, true, err);

	if (rc == 0)
		rc = svff_op_step(s, SVFF_STEP_UNPAUSE, err);
	return rc < 0 ? rc : give_back(s, v, count, r, err);
}

/* Every attached VF paused, all VMs at once. */
int svff_reconf_pause_step(struct svff_run *run, struct svff_error *err)
{
	struct svff_reconf_run *rr = run->data;
	struct svff_reconf *r = rr->r;
	struct svff_pf_state *ps = svff_session_pf(run->s);
	int rc = r->n_items ? svff_op_step(run->s, SVFF_STEP_PAUSE, err) : 0;

	if (rc < 0)
		return rc;
	/* claims held by displaced VFs that were paused already are also the
	 * operation's to report */
	for (size_t i = 0; i < ps->n_claims; i++)
		if (ps->claims[i]->vf >= rr->count && ps->claims[i]->state == SVFF_VF_PAUSED)
			ps->claims[i]->op_paused = true;
	if (!svff_claims_pause(run->s, run->v, r->items, r->n_items, true))
		return 0;
	for (size_t i = 0; i < r->n_items; i++)
		if (r->items[i].rc < 0) {
			*err = r->items[i].err;
			return r->items[i].rc;
		}
	return svff_err(err, -EIO, "internal error: a pause failed without a reason");
}

/* The VFs this run paused given back where they were; the claims the
 * operation only reported are no longer its. */
int svff_reconf_unpause_step(struct svff_run *run, struct svff_error *err)
{
	struct svff_reconf *r = ((struct svff_reconf_run *)run->data)->r;
	struct svff_pf_state *ps = svff_session_pf(run->s);
	struct svff_pause_item *back = calloc(r->n_items + 1, sizeof(*back));
	size_t nb = 0;

	if (!back)
		return svff_err(err, -ENOMEM, "out of memory");
	if (svff_virt_lost(run->v)) {
		/* what the VMs hold is unknown until libvirtd is back: the
		 * record stays, and recover finds out and gives back */
		free(back);
		return svff_err(err, -ECONNRESET, "libvirt's connection is lost: nothing can be "
				"given back now");
	}
	for (size_t i = 0; i < ps->n_claims; i++) {
		struct svff_claim *c = ps->claims[i];
		if (c->op_paused && c->state == SVFF_VF_PAUSED && item_of(r, c->vf))
			back[nb++].vf = c->vf;
		else
			c->op_paused = false;
	}
	/* a VF not given back stays paused with its claim and its mark (the
	 * unpause clears it for a VM gone: the operator's pause then), and
	 * the record stays: recover gives it back */
	size_t failed = svff_claims_unpause(run->s, run->v, back, nb);
	for (size_t i = 0; i < nb; i++) {
		const struct svff_claim *c = svff_state_claim(ps, back[i].vf);
		bool left = back[i].rc < 0 && c && c->op_paused;
		if (left && !err->code)
			*err = back[i].err;
		failed -= back[i].rc < 0 && !left;
	}
	free(back);
	return failed ? err->code : 0;
}

int svff_reconf_make_step(struct svff_run *run, struct svff_error *err)
{
	struct svff_reconf_run *rr = run->data;
	return make(run->s, run->v, rr->count, rr->r, true, err);
}

/* Back to the old count (the VMs get their VFs there: pause's undo). */
int svff_reconf_unmake_step(struct svff_run *run, struct svff_error *err)
{
	struct svff_reconf *r = ((struct svff_reconf_run *)run->data)->r;
	struct svff_reconf back = { .from = r->to, .to = r->from };
	int rc = make(run->s, run->v, r->from, &back, false, err);

	svff_reconf_clear(&back);
	if (rc < 0) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		svff_err(err, rc, "going back to %u VFs: %s", r->from, why);
	}
	return rc;
}

int svff_reconf_give_back_step(struct svff_run *run, struct svff_error *err)
{
	struct svff_reconf_run *rr = run->data;
	return give_back(run->s, run->v, rr->count, rr->r, err);
}

int svff_reconf_finish_to(struct svff_run *run, const struct svff_op *op, unsigned int count,
			  struct svff_error *err)
{
	struct svff_reconf r = { .from = (unsigned int)op->count_from, .to = count };
	int rc = finish(run->s, run->v, count, &r, err);
	if (rc == 0 && r.undone.code) {
		svff_run_say(run, "%s undone, %u VFs kept: %s", op->verb,
			     svff_session_pf(run->s)->numvfs, r.undone.msg);
		svff_reconf_clear(&r);
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < r.n_items; i++)
		if (r.items[i].rc == 0 && !r.items[i].already)
			svff_run_say(run, "vf%u given back to VM '%s' at %s", r.items[i].vf,
				     r.items[i].vm, r.items[i].guest_addr);
	for (size_t i = 0; rc == 0 && i < r.n_displaced; i++)
		svff_run_say(run, "vf%u no longer exists: its VM's claim stays paused",
			     r.displaced[i]);
	if (rc == 0)
		svff_run_say(run, "%s finished: %u VFs on %s", op->verb, count, SVFF_VFIO_DRIVER);
	svff_reconf_clear(&r);
	return rc;
}

/* Recover: a reconf killed anywhere goes on to its new count, and every
 * claim it paused is given back (where the VF still exists). */
static int reconf_finish(struct svff_run *run, const struct svff_op *op, struct svff_error *err)
{
	if (op->count_to <= 0) {
		svff_run_say(run, "%s: each VF is now as libvirt has it", op->verb);
		return 0;
	}
	return svff_reconf_finish_to(run, op, (unsigned int)op->count_to, err);
}

/* Pause, change the count, give back. A failure before the count changed
 * puts the old count back and gives the VMs their VFs there; once it has
 * changed, a VF that cannot be given back stays paused and is reported. */
static const struct svff_step reconf_steps[] = {
	{ .run = svff_reconf_pause_step, .undo = svff_reconf_unpause_step },
	{ .run = svff_reconf_make_step, .undo = svff_reconf_unmake_step },
	{ .name = SVFF_STEP_UNPAUSE, .run = svff_reconf_give_back_step, .flags = SVFF_STEP_KEEP },
	{ 0 }
};

const struct svff_verb svff_verb_reconf = {
	.name = "reconf", .steps = reconf_steps, .sets_count = true, .gives_back = true,
	.finish = reconf_finish,
};

int svff_reconf_items(struct svff_session *s, struct svff_reconf *r, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);

	for (size_t i = 0; i < ps->n_claims; i++)
		if (ps->claims[i]->state == SVFF_VF_ATTACHED && add_item(r, ps->claims[i]->vf) < 0)
			return svff_err(err, -ENOMEM, "out of memory");
	return 0;
}

int svff_reconf_run(struct svff_session *s, unsigned int count, bool force,
		    struct svff_reconf *r, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_virt *v = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	r->from = ps->numvfs;
	r->to = count;
	char what[32];
	snprintf(what, sizeof(what), "reconf %u", count);
	rc = svff_reconf_check(s, what, count, force, err);
	if (rc == 0)  /* the VFs it creates must get their resources */
		rc = svff_vfset_res_check(s, count, NULL, &(struct svff_res){ 0 }, err);
	if (rc < 0)
		return rc;
	if (ps->numvfs == count && svff_vfset_ready(s, count))
		return 0;     /* a no-op: claims are left as they are */
	/* libvirt only when a VM holds a VF */
	if (ps->n_claims)
		rc = svff_virt_open(s->ctx, &v, err);
	if (rc == 0)
		rc = svff_reconf_items(s, r, err);
	if (rc == 0) {
		struct svff_reconf_run rr = { .r = r, .count = count };
		struct svff_run run = { .s = s, .v = v, .data = &rr, .from = (int)r->from,
					.to = (int)count };
		rc = svff_journal_run(&svff_verb_reconf, &run, err);
	}
	svff_virt_close(v);
	return rc;
}

void svff_reconf_clear(struct svff_reconf *r)
{
	if (!r)
		return;
	free(r->items);
	free(r->displaced);
	free(r->rest);
	memset(r, 0, sizeof(*r));
}
