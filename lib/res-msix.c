/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's generic per-VF interrupt vectors (mlx5 and others): the PF
 * offers sriov_vf_total_msix for all its VFs, each VF's
 * sriov_vf_msix_count is writable only while it has no driver. Drivers
 * that do not implement it have no such files, or refuse the write with
 * EOPNOTSUPP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "res-backend.h"
#include "sysfs.h"

static bool match(const struct svff_ctx *ctx, const struct svff_pf_info *pf)
{
	unsigned int total;
	return svff_dev_read_uint(ctx, pf->addr, "sriov_vf_total_msix", &total) == 0 && total;
}

static int pool(struct svff_res_dev *d, const struct svff_pf_info *pf, struct svff_res_pool *out,
		struct svff_error *err)
{
	unsigned int total, used = 0;
	int rc = svff_dev_read_uint(d->ctx, pf->addr, "sriov_vf_total_msix", &total);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot read 'sriov_vf_total_msix' of %s", pf->addr);
	for (size_t i = 0; i < pf->n_vfs; i++) {
		unsigned int n;
		rc = svff_dev_read_uint(d->ctx, pf->vfs[i].addr, "sriov_vf_msix_count", &n);
		if (rc < 0)
			return svff_err_errno(err, rc, "cannot read 'sriov_vf_msix_count' of %s",
					      pf->vfs[i].addr);
		used += n;
	}
	out->kinds = SVFF_RES_VECTORS;
	out->total.vectors = total;
	out->free.vectors = total > used ? total - used : 0;
	out->min.vectors = 1;
	return 0;
}

static int get(struct svff_res_dev *d, const struct svff_vf_info *vf, struct svff_res_vf *out,
	       struct svff_error *err)
{
	int rc = svff_dev_read_uint(d->ctx, vf->addr, "sriov_vf_msix_count", &out->r.vectors);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot read 'sriov_vf_msix_count' of %s", vf->addr);
	out->known = out->live = true;
	return 0;
}

static int apply(struct svff_res_dev *d, const struct svff_vf_info *vf, const struct svff_res *want,
		 struct svff_error *err)
{
	char value[16];
	unsigned int now;
	int rc;

	if (!want->vectors)
		return 0;
	rc = svff_dev_read_uint(d->ctx, vf->addr, "sriov_vf_msix_count", &now);
	if (rc == 0 && now == want->vectors)
		return 0;
	snprintf(value, sizeof(value), "%u", want->vectors);
	rc = svff_dev_write(d->ctx, vf->addr, "sriov_vf_msix_count", value);
	if (rc == -EBUSY)
		return svff_err(err, rc, "cannot write 'sriov_vf_msix_count' of %s: a driver holds "
				"it", vf->addr);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot give %s %u interrupt vectors (write to "
				      "'sriov_vf_msix_count', driver '%s')", vf->addr,
				      want->vectors, d->driver);
	return 0;
}

const struct svff_res_ops svff_res_msix = {
	.name = "msix",
	.match = match,
	.unbound = true,
	.pool = pool,
	.get = get,
	.apply = apply,
};
