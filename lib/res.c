/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "res-backend.h"

/* In order of preference: a device family's own interface before the
 * kernel's generic one. */
static const struct svff_res_ops *const backends[] = {
	&svff_res_nvme,
	&svff_res_qdma,
	&svff_res_msix,
};

static const struct svff_res_ops *find(const struct svff_ctx *ctx, const struct svff_pf_info *pf)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->match(ctx, pf))
			return backends[i];
	return NULL;
}

bool svff_res_supported(const struct svff_ctx *ctx, const struct svff_pf_info *pf)
{
	return find(ctx, pf) != NULL;
}

/* A request the device cannot take as given: the user's to change. */
static int usage(struct svff_error *err, int code)
{
	return svff_err_kind(err, SVFF_ERR_USAGE, code);
}

int svff_res_open(const struct svff_ctx *ctx, const struct svff_pf_info *pf,
		  struct svff_res_dev **out, struct svff_error *err)
{
	const struct svff_res_ops *ops = find(ctx, pf);
	struct svff_res_dev *d;
	int rc;

	*out = NULL;
	if (!ops)
		return svff_err(err, -EOPNOTSUPP, "%s has no resource backend for its driver '%s': "
				"svff manages the resources of nvme, qdma-pf and drivers with "
				"sriov_vf_total_msix", pf->addr, pf->driver[0] ? pf->driver : "(none)");
	d = calloc(1, sizeof(*d));
	if (d && ops->priv_size && !(d->priv = calloc(1, ops->priv_size))) {
		free(d);
		d = NULL;
	}
	if (!d)
		return svff_err(err, -ENOMEM, "out of memory");
	d->ops = ops;
	d->ctx = ctx;
	memcpy(d->pf, pf->addr, sizeof(d->pf));
	memcpy(d->driver, pf->driver, sizeof(d->driver));
	rc = ops->open ? ops->open(d, pf, err) : 0;
	if (rc < 0) {
		free(d->priv);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void svff_res_close(struct svff_res_dev *d)
{
	if (!d)
		return;
	if (d->ops->close)
		d->ops->close(d);
	free(d->priv);
	free(d);
}

const char *svff_res_backend(const struct svff_res_dev *d)
{
	return d->ops->name;
}

bool svff_res_unbound(const struct svff_res_dev *d)
{
	return d->ops->unbound;
}

int svff_res_pool(struct svff_res_dev *d, const struct svff_pf_info *pf,
		  struct svff_res_pool *out, struct svff_error *err)
{
	memset(out, 0, sizeof(*out));
	return d->ops->pool(d, pf, out, err);
}

int svff_res_get(struct svff_res_dev *d, const struct svff_vf_info *vf,
		 struct svff_res_vf *out, struct svff_error *err)
{
	memset(out, 0, sizeof(*out));
	return d->ops->get(d, vf, out, err);
}

bool svff_res_has(const struct svff_res_vf *now, const struct svff_res *want)
{
	return !now->known || (now->live && (!want->queues || now->r.queues == want->queues) &&
			       (!want->vectors || now->r.vectors == want->vectors));
}

struct svff_res svff_res_want(const struct svff_res_pool *pool, const struct svff_res *r)
{
	struct svff_res w = *r;
	if (!(pool->kinds & SVFF_RES_QUEUES))
		w.queues = 0;
	else if (!w.queues)
		w.queues = pool->def.queues;
	if (!(pool->kinds & SVFF_RES_VECTORS))
		w.vectors = 0;
	else if (!w.vectors)
		w.vectors = pool->def.vectors;
	return w;
}

static int check_one(const struct svff_res_dev *d, const char *pf, const char *what,
		     const char *flag, unsigned int want, unsigned int n, unsigned int need,
		     unsigned int min, unsigned int max, unsigned int room, struct svff_error *err)
{
	if (want) {
		if (want < min)
			return usage(err, svff_err(err, -EINVAL, "%s %u is below the minimum of "
						   "%u for a VF of %s (%s)", flag, want, min, pf,
						   d->ops->name));
		if (max && want > max)
			return usage(err, svff_err(err, -EINVAL, "%s %u is above the most one VF "
						   "of %s can have: %u %s", flag, want, pf, max,
						   what));
		if (need > room)
			return svff_err(err, -ENOSPC, "%s %u for %u VF(s) needs %u %s in all; the "
					"pool of %s has %u for them", flag, want, n, need, what,
					pf, room);
	}
	/* nothing asked: what is recorded for the VFs (a new count) must fit */
	if (need > room)
		return svff_err(err, -ENOSPC, "%u VF(s) with the %s recorded for them need %u in "
				"all; the pool of %s has %u for them", n, what, need, pf, room);
	return 0;
}

int svff_res_check(const struct svff_res_dev *d, const char *pf,
		   const struct svff_res_pool *pool, const struct svff_res *want,
		   unsigned int n, const struct svff_res *need, const struct svff_res *held,
		   const struct svff_res *other, struct svff_error *err)
{
	struct svff_res room = { pool->free.queues + held->queues,
				 pool->free.vectors + held->vectors };
	int rc;

	if (d->ops->room)
		room = d->ops->room(pool, held, other);
	if (want->queues && !(pool->kinds & SVFF_RES_QUEUES))
		return usage(err, svff_err(err, -EOPNOTSUPP, "--queues: the %s backend of %s "
						"(driver '%s') does not manage queues", d->ops->name,
						pf, d->driver));
	if (want->vectors && !(pool->kinds & SVFF_RES_VECTORS))
		return usage(err, svff_err(err, -EOPNOTSUPP, "--vectors: the %s backend of %s "
						"(driver '%s') does not manage interrupt vectors",
						d->ops->name, pf, d->driver));
	rc = check_one(d, pf, "queues", "--queues", want->queues, n, need->queues,
		       pool->min.queues, pool->max.queues, room.queues, err);
	if (rc == 0)
		rc = check_one(d, pf, "vectors", "--vectors", want->vectors, n, need->vectors,
			       pool->min.vectors, pool->max.vectors, room.vectors, err);
	return rc;
}

int svff_res_prepare(struct svff_res_dev *d, const struct svff_pf_info *pf,
		     struct svff_error *err)
{
	return d->ops->prepare ? d->ops->prepare(d, pf, err) : 0;
}

int svff_res_apply(struct svff_res_dev *d, const struct svff_vf_info *vf,
		   const struct svff_res *want, struct svff_error *err)
{
	return d->ops->apply ? d->ops->apply(d, vf, want, err) : 0;
}

int svff_res_reserve(struct svff_res_dev *d, const struct svff_pf_info *pf,
		     const struct svff_res *sum, struct svff_error *err)
{
	return d->ops->reserve ? d->ops->reserve(d, pf, sum, err) : 0;
}

int svff_res_release(struct svff_res_dev *d, const struct svff_vf_info *vf,
		     struct svff_error *err)
{
	return d->ops->release ? d->ops->release(d, vf, err) : 0;
}
