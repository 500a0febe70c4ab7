/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sriov.h"
#include "vfset.h"

int svff_vfset_count(struct svff_session *s, unsigned int count, struct svff_error *err)
{
	char name[32];
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	if (rc == 0 && s->info.autoprobe != 0) {
		rc = svff_op_step(s, "autoprobe off", err);
		if (rc == 0)
			rc = svff_sriov_set_autoprobe(s->ctx, s->pf, false, err);
	}
	if (rc < 0 || s->info.numvfs == count)
		return rc;
	if (s->info.numvfs && count) {
		rc = svff_op_step(s, "set numvfs 0", err);
		if (rc == 0)
			rc = svff_sriov_set_numvfs(s->ctx, s->pf, 0, err);
		if (rc < 0)
			return rc;
	}
	snprintf(name, sizeof(name), "set numvfs %u", count);
	rc = svff_op_step(s, name, err);
	if (rc == 0)
		rc = svff_sriov_set_numvfs(s->ctx, s->pf, count, err);
	return rc;
}

int svff_vfset_bind(struct svff_session *s, unsigned int count, struct svff_error *err)
{
	char name[32], addr[SVFF_ADDR_LEN];
	int rc = svff_pf_refresh(s->ctx, &s->info, err);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < count; i++) {
		struct svff_vf_ref ref = { .index = i };
		const struct svff_vf_info *vf = svff_pf_vf(&s->info, &ref);
		if (vf)
			memcpy(addr, vf->addr, sizeof(addr));
		else if (s->ctx->dry_run)
			svff_pf_vf_addr(&s->info, i, addr);  /* not created yet */
		else
			return svff_err(err, -ENODEV, "VF %u of %s vanished", i, s->pf);
		if (vf && !strcmp(vf->driver, SVFF_VFIO_DRIVER))
			continue;
		snprintf(name, sizeof(name), "bind vf%u", i);
		rc = svff_op_step(s, name, err);
		if (rc == 0)
			rc = svff_vf_bind_vfio(s->ctx, addr, err);
		if (rc < 0)
			return rc;
	}
	rc = svff_pf_refresh(s->ctx, &s->info, err);
	for (unsigned int i = 0; rc == 0 && i < count && !s->ctx->dry_run; i++) {
		struct svff_vf_ref ref = { .index = i };
		const struct svff_vf_info *vf = svff_pf_vf(&s->info, &ref);
		rc = vf ? svff_iommu_group_check(s->ctx, vf->addr, err) : 0;
	}
	return rc;
}

bool svff_vfset_ready(const struct svff_session *s, unsigned int count)
{
	bool ok = s->info.numvfs == count && s->info.n_vfs == count && s->info.autoprobe == 0;
	for (size_t i = 0; ok && i < s->info.n_vfs; i++)
		ok = !strcmp(s->info.vfs[i].driver, SVFF_VFIO_DRIVER);
	return ok;
}
