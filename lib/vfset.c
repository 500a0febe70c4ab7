/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "journal.h"
#include "res.h"
#include "sriov.h"
#include "vfnet.h"
#include "vfset.h"

int svff_vfset_count(struct svff_session *s, unsigned int count, struct svff_error *err)
{
	char name[32];
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	if (rc == 0 && s->info.autoprobe != 0) {
		rc = svff_op_step(s, SVFF_STEP_AUTOPROBE_OFF, err);
		if (rc == 0)
			rc = svff_sriov_set_autoprobe(s->ctx, s->pf, false, err);
	}
	/* a count the PF driver took but did not make (fewer VFs present)
	 * is made again, through 0 */
	if (rc < 0 || (s->info.numvfs == count && s->info.n_vfs == count))
		return rc;
	if (s->info.numvfs && count) {
		rc = svff_op_step(s, SVFF_STEP_NUMVFS_0, err);
		if (rc == 0)
			rc = svff_sriov_set_numvfs(s->ctx, s->pf, 0, err);
		if (rc < 0)
			return rc;
	}
	snprintf(name, sizeof(name), SVFF_STEP_NUMVFS, count);
	rc = svff_op_step(s, name, err);
	if (rc == 0)
		rc = svff_sriov_set_numvfs(s->ctx, s->pf, count, err);
	return rc;
}

/* Those of VFs 0..count-1 in only (NULL: all) bound, and their IOMMU
 * groups checked. */
static int bind_some(struct svff_session *s, unsigned int count, const bool *only,
		     struct svff_error *err)
{
	char addr[SVFF_ADDR_LEN];
	bool stepped = false;
	int rc = svff_pf_refresh(s->ctx, &s->info, err);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < count; i++) {
		const struct svff_vf_info *vf = svff_pf_vf_at(&s->info, i);
		if (only && !only[i])
			continue;
		if (vf)
			memcpy(addr, vf->addr, sizeof(addr));
		else if (s->ctx->dry_run)
			svff_pf_vf_addr(&s->info, i, addr);  /* not created yet */
		else
			return svff_err(err, -ENODEV, "VF %u of %s vanished", i, s->pf);
		if (vf && !strcmp(vf->driver, SVFF_VFIO_DRIVER))
			continue;
		/* one journal step for all: binding again skips the bound ones,
		 * and a save per VF cost more than the binding */
		if (!stepped && (rc = svff_op_step(s, SVFF_STEP_BIND, err)) < 0)
			return rc;
		stepped = true;
		rc = svff_vf_bind_vfio(s->ctx, addr, err);
		if (rc < 0)
			return rc;
	}
	rc = svff_pf_refresh(s->ctx, &s->info, err);
	for (unsigned int i = 0; rc == 0 && i < count && !s->ctx->dry_run; i++) {
		const struct svff_vf_info *vf = svff_pf_vf_at(&s->info, i);
		rc = vf && (!only || only[i]) ? svff_iommu_group_check(s->ctx, vf->addr, err) : 0;
	}
	return rc;
}

int svff_vfset_bind(struct svff_session *s, unsigned int count, struct svff_error *err)
{
	return bind_some(s, count, NULL, err);
}

int svff_vfset_net(struct svff_session *s, unsigned int count, const bool *only,
		   struct svff_error *err)
{
	const struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_vfnet *h = NULL;   /* the PF's link: read once, for every VF */
	bool any = false;
	int rc = 0;

	for (size_t i = 0; ps && i < ps->n_claims; i++)
		any |= ps->claims[i]->net.set && ps->claims[i]->vf < count &&
		       (!only || only[ps->claims[i]->vf]);
	if (!any)
		return 0;
	if (s->st->op)
		rc = svff_op_step(s, SVFF_STEP_NET, err);
	if (rc == 0)
		rc = svff_pf_refresh(s->ctx, &s->info, err);
	for (size_t i = 0; rc >= 0 && i < ps->n_claims; i++) {
		const struct svff_claim *c = ps->claims[i];
		char what[128];
		if (!c->net.set || c->vf >= count || (only && !only[c->vf]))
			continue;
		if (!svff_pf_vf_at(&s->info, c->vf)) {
			if (!s->ctx->dry_run) {
				rc = svff_err(err, -ENODEV, "VF %u of %s vanished", c->vf, s->pf);
				break;
			}
			svff_net_format(&c->net, what, sizeof(what));
			svff_step(s->ctx, "netlink: set vf%u of %s: %s", c->vf, s->pf, what);
			continue;
		}
		int r = h ? 0 : svff_vfnet_open(s->ctx, s->pf, &h, err);
		if (r == 0)
			r = svff_vfnet_apply(h, c->vf, &c->net, err);
		rc = r < 0 ? r : rc + (r > 0);
	}
	svff_vfnet_close(h);
	return rc;
}

bool svff_vfset_ready(const struct svff_session *s, unsigned int count)
{
	bool ok = s->info.numvfs == count && s->info.n_vfs == count && s->info.autoprobe == 0;
	for (size_t i = 0; ok && i < s->info.n_vfs; i++)
		ok = !strcmp(s->info.vfs[i].driver, SVFF_VFIO_DRIVER);
	return ok;
}

static bool res_recorded(const struct svff_pf_state *ps)
{
	return ps && (ps->res_default.queues || ps->res_default.vectors || ps->n_res);
}

/* The PF's backend, or NULL (and 0) when it has none and needs none. */
static int res_open(struct svff_session *s, struct svff_res_dev **d, struct svff_error *err)
{
	const struct svff_pf_state *ps = svff_session_pf(s);
	*d = NULL;
	if (ps && ps->res_off)
		return 0;   /* another tool's (init --no-resources) */
	if (!svff_res_supported(s->ctx, &s->info) && !res_recorded(ps))
		return 0;
	return svff_res_open(s->ctx, &s->info, d, err);
}

int svff_vfset_res_prepare(struct svff_session *s, struct svff_error *err)
{
	struct svff_res_dev *d;
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	if (rc == 0 && s->info.numvfs == 0)
		rc = res_open(s, &d, err);
	if (rc < 0 || s->info.numvfs || !d)
		return rc;
	rc = svff_op_step(s, SVFF_STEP_PREPARE_RES, err);
	if (rc == 0)
		rc = svff_res_prepare(d, &s->info, err);
	svff_res_close(d);
	return rc;
}

/* Give one VF want, without a driver if the backend needs that: 1 when
 * it changed, 0 when it had it. A device that cannot say what a VF has
 * (qdma) is left alone: its budget is kept by svff_res_reserve. */
static int res_give(struct svff_session *s, struct svff_res_dev *d, const struct svff_vf_info *vf,
		    const struct svff_res *want, struct svff_error *err)
{
	struct svff_res_vf now;
	int rc = svff_res_get(d, vf, &now, err);

	if (rc < 0 || svff_res_has(&now, want))
		return rc;
	if (svff_res_unbound(d) && vf->driver[0] && (rc = svff_vf_unbind(s->ctx, vf->addr, err)) < 0)
		return rc;
	rc = svff_res_apply(d, vf, want, err);
	return rc < 0 ? rc : 1;
}

int svff_vfset_resources(struct svff_session *s, unsigned int count, const bool *only,
			 struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_res_pool pool;
	struct svff_res sum = { 0 };
	struct svff_res_dev *d;
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	if (rc == 0)
		rc = res_open(s, &d, err);
	if (rc < 0 || !d)
		return rc;
	if (s->st->op)
		rc = svff_op_step(s, SVFF_STEP_RESOURCES, err);
	if (rc == 0)
		rc = svff_res_pool(d, &s->info, &pool, err);
	for (unsigned int i = 0; rc >= 0 && i < count; i++) {
		struct svff_res asked = ps ? svff_state_res(ps, i) : (struct svff_res){ 0 };
		struct svff_res want = svff_res_want(&pool, &asked);
		const struct svff_vf_info *vf = svff_pf_vf_at(&s->info, i);
		const struct svff_claim *c = ps ? svff_state_claim(ps, i) : NULL;
		sum.queues += want.queues;
		sum.vectors += want.vectors;
		if ((c && c->state == SVFF_VF_ATTACHED) || (only && !only[i]))
			continue;  /* a guest has it: never changed under it */
		if (vf) {
			int r = res_give(s, d, vf, &want, err);
			rc = r < 0 ? r : rc + r;
		} else if (s->ctx->dry_run) {  /* not created yet */
			svff_step(s->ctx, "give vf%u %u queues and %u vectors (%s)", i, want.queues,
				  want.vectors, svff_res_backend(d));
		} else {
			rc = svff_err(err, -ENODEV, "VF %u of %s vanished", i, s->pf);
		}
	}
	if (rc >= 0) {   /* the room for all: a VF given back first may need it */
		int r = svff_res_reserve(d, &s->info, &sum, err);
		rc = r < 0 ? r : rc;
	}
	svff_res_close(d);
	return rc;
}


int svff_vfset_make_first(struct svff_session *s, unsigned int count, const bool *first,
			  struct svff_error *err)
{
	int rc = svff_vfset_count(s, count, err);
	if (rc == 0 && (rc = svff_vfset_resources(s, count, first, err)) > 0)
		rc = 0;
	if (rc == 0 && (rc = svff_vfset_net(s, count, NULL, err)) > 0)
		rc = 0;
	return rc < 0 ? rc : bind_some(s, count, first, err);
}

int svff_vfset_make(struct svff_session *s, unsigned int count, struct svff_error *err)
{
	return svff_vfset_make_first(s, count, NULL, err);
}

int svff_vfset_make_rest(struct svff_session *s, unsigned int count, const bool *rest,
			 struct svff_error *err)
{
	int rc = svff_vfset_resources(s, count, rest, err);
	return rc < 0 ? rc : bind_some(s, count, rest, err);
}

int svff_vfset_res_release(struct svff_session *s, struct svff_error *err)
{
	struct svff_res_dev *d;
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	if (rc == 0 && s->info.n_vfs)
		rc = res_open(s, &d, err);
	if (rc < 0 || !s->info.n_vfs || !d)
		return rc;
	rc = svff_op_step(s, SVFF_STEP_RELEASE_RES, err);
	for (size_t i = 0; rc == 0 && i < s->info.n_vfs; i++)
		rc = svff_res_release(d, &s->info.vfs[i], err);
	svff_res_close(d);
	return rc;
}

int svff_vfset_res_check(struct svff_session *s, unsigned int count, const bool *change,
			 const struct svff_res *asked, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_res need = { 0 }, held = { 0 }, other = { 0 };
	struct svff_res_pool pool;
	struct svff_res_dev *d;
	unsigned int n = 0;
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	if (rc == 0)
		rc = res_open(s, &d, err);
	if (rc == 0 && !d && (asked->queues || asked->vectors) && ps && ps->res_off)
		return svff_err_kind(err, SVFF_ERR_USAGE, svff_err(err, -EPERM, "svff does not "
				     "manage the resources of %s: it was set up with 'svff init "
				     "--no-resources'", s->pf));
	if (rc == 0 && !d && (asked->queues || asked->vectors))
		rc = svff_res_open(s->ctx, &s->info, &d, err);  /* fails, saying why */
	if (rc < 0 || !d)
		return rc == -EOPNOTSUPP ? svff_err_kind(err, SVFF_ERR_USAGE, rc) : rc;
	rc = svff_res_pool(d, &s->info, &pool, err);
	if (rc == 0 && !s->info.numvfs) {
		/* init's first step frees it for the VFs */
		held.queues += pool.reclaim.queues;
		held.vectors += pool.reclaim.vectors;
	}
	for (unsigned int i = 0; rc == 0 && i < count; i++) {
		struct svff_res r = ps ? svff_state_res(ps, i) : (struct svff_res){ 0 };
		bool mine = !change || change[i];
		if (mine && asked->queues)
			r.queues = asked->queues;
		if (mine && asked->vectors)
			r.vectors = asked->vectors;
		struct svff_res w = svff_res_want(&pool, &r);
		struct svff_res *sum = mine ? &need : &other;
		sum->queues += w.queues;
		sum->vectors += w.vectors;
		if (!mine)
			continue;
		n++;
		const struct svff_vf_info *vf = svff_pf_vf_at(&s->info, i);
		struct svff_res_vf now;
		if (vf && (rc = svff_res_get(d, vf, &now, err)) == 0 && now.known) {
			held.queues += now.r.queues;
			held.vectors += now.r.vectors;
		}
	}
	if (rc == 0) {
		/* what was asked as asked (a kind the backend lacks is refused),
		 * the rest as the backend would give it */
		struct svff_res one = svff_res_want(&pool, asked);
		if (asked->queues)
			one.queues = asked->queues;
		if (asked->vectors)
			one.vectors = asked->vectors;
		rc = svff_res_check(d, s->pf, &pool, &one, n, &need, &held, &other, err);
	}
	svff_res_close(d);
	return rc;
}
