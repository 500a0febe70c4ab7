/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "reconf.h"
#include "vfset.h"

int svff_reconf_check(struct svff_session *s, unsigned int count, bool force,
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
		return svff_err(err, -EBUSY, "reconf %u would remove VFs that VMs hold: %s; detach "
				"them first, or use --force to keep those claims paused", count, list);
	return 0;
}

/* A VF to pause: released where its VM's QEMU can, but hot-unplugged when
 * the new count removes it, so that no VM stays suspended for a VF that
 * is gone. */
static int add_item(struct svff_reconf *r, unsigned int vf)
{
	struct svff_pause_item *p = realloc(r->items, (r->n_items + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	r->items = p;
	memset(&p[r->n_items], 0, sizeof(*p));
	p[r->n_items].want = vf < r->to ? SVFF_WANT_AUTO : SVFF_WANT_HOTPLUG;
	p[r->n_items++].vf = vf;
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
			unsigned int *d = realloc(r->displaced, (r->n_displaced + 1) * sizeof(*d));
			if (!d)
				return svff_err(err, -ENOMEM, "out of memory");
			r->displaced = d;
			d[r->n_displaced++] = c->vf;
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

	if (rc == 0)
		failed = svff_claims_unpause(s, v, todo, nt);
	for (size_t i = 0; rc == 0 && i < nt; i++) {   /* given back or not: done */
		struct svff_claim *c = svff_state_claim(svff_session_pf(s), todo[i].vf);
		if (c)
			c->op_paused = false;
	}
	for (size_t i = 0; rc == 0 && i < nt; i++) {
		struct svff_pause_item *it = item_of(r, todo[i].vf);
		if (!it && add_item(r, todo[i].vf) == 0)
			it = &r->items[r->n_items - 1];
		if (it)
			*it = todo[i];
	}
	free(todo);
	if (rc == 0)
		rc = svff_session_save(s, err);
	if (rc == 0 && failed)
		rc = svff_err(err, -EIO, "%zu VF(s) could not be given back: they stay paused "
			      "('svff unpause' retries)", failed);
	return rc;
}

int svff_reconf_finish(struct svff_session *s, struct svff_virt *v, unsigned int count,
		       struct svff_reconf *r, struct svff_error *err)
{
	int rc = pause_attached(s, v, r, err);

	if (rc == 0)
		rc = svff_vfset_make(s, count, err);
	if (rc < 0)
		return rc;
	svff_session_pf(s)->numvfs = count;
	r->changed = true;
	rc = svff_op_step(s, "unpause", err);
	return rc < 0 ? rc : give_back(s, v, count, r, err);
}

/* The first phase: every attached VF paused, all VMs at once. When one
 * will not let go, the others are given back and nothing changes. */
static int reconf_pause(struct svff_session *s, struct svff_virt *v, unsigned int count,
			struct svff_reconf *r, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_error e2 = { 0 };

	/* claims held by displaced VFs that were paused already are also the
	 * operation's to report */
	for (size_t i = 0; i < ps->n_claims; i++)
		if (ps->claims[i]->vf >= count && ps->claims[i]->state == SVFF_VF_PAUSED)
			ps->claims[i]->op_paused = true;
	if (!svff_claims_pause(s, v, r->items, r->n_items, true))
		return 0;
	for (size_t i = 0; i < r->n_items; i++)
		if (r->items[i].rc < 0 && !err->msg[0])
			*err = r->items[i].err;
	struct svff_pause_item *back = calloc(r->n_items + 1, sizeof(*back));
	size_t nb = 0;
	for (size_t i = 0; i < ps->n_claims; i++) {
		struct svff_claim *c = ps->claims[i];
		if (c->op_paused && c->state == SVFF_VF_PAUSED && item_of(r, c->vf) && back)
			back[nb++].vf = c->vf;
		c->op_paused = false;
	}
	if (back)
		svff_claims_unpause(s, v, back, nb);
	free(back);
	svff_op_end(s, &e2);
	return err->code ? err->code : -EIO;
}

/* The count or the binding failed (rc): back to the old count, and the
 * VMs given their VFs back there; if even that fails, the journal stays
 * for 'svff recover'. */
static int reconf_rollback(struct svff_session *s, struct svff_virt *v, struct svff_reconf *r,
			   int rc, struct svff_error *err)
{
	struct svff_reconf back = { .from = r->to, .to = r->from };
	struct svff_error e2 = { 0 };
	int rb = svff_reconf_finish(s, v, r->from, &back, &e2);

	svff_reconf_clear(&back);
	if (rb < 0) {
		char first[sizeof(err->msg)];
		snprintf(first, sizeof(first), "%s", err->msg);
		svff_err(err, -EINPROGRESS, "%s; going back to %u VFs failed too: %s; "
			 "run 'svff recover'", first, r->from, e2.msg);
		return svff_err_kind(err, SVFF_ERR_RECOVER, -EINPROGRESS);
	}
	svff_op_end(s, &e2);
	return rc;
}

static int reconf_steps(struct svff_session *s, struct svff_virt *v, unsigned int count,
			struct svff_reconf *r, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_error e2 = { 0 };
	int rc;

	for (size_t i = 0; i < ps->n_claims; i++)
		if (ps->claims[i]->state == SVFF_VF_ATTACHED && add_item(r, ps->claims[i]->vf) < 0)
			return svff_err(err, -ENOMEM, "out of memory");
	rc = svff_op_begin(s, "reconf", (int)r->from, (int)count, err);
	if (rc == 0 && r->n_items)
		rc = svff_op_step(s, "pause", err);
	if (rc == 0)
		rc = reconf_pause(s, v, count, r, err);
	if (rc < 0)
		return rc;
	rc = svff_reconf_finish(s, v, count, r, err);
	if (rc < 0 && !r->changed)
		return reconf_rollback(s, v, r, rc, err);
	int rc2 = svff_op_end(s, rc < 0 ? &e2 : err);
	return rc < 0 ? rc : rc2;
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
	rc = svff_reconf_check(s, count, force, err);
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
		rc = reconf_steps(s, v, count, r, err);
	svff_virt_close(v);
	return rc;
}

void svff_reconf_clear(struct svff_reconf *r)
{
	if (!r)
		return;
	free(r->items);
	free(r->displaced);
	memset(r, 0, sizeof(*r));
}
