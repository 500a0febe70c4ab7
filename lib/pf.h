/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Discovery of SR-IOV physical functions and their VFs: libpci reads the
 * SR-IOV extended capability from config space, sysfs gives the live
 * values (sriov_*, virtfnN, driver, iommu_group).
 */
#ifndef SVFF_PF_H
#define SVFF_PF_H

#include "parse.h"
#include "state.h"
#include "svff.h"

#define SVFF_DRIVER_LEN 64

struct svff_vf_info {
	unsigned int index;
	char addr[SVFF_ADDR_LEN];
	char driver[SVFF_DRIVER_LEN];   /* "" when no driver is bound */
	int iommu_group;                /* -1 when there is none */
};

struct svff_pf_info {
	char addr[SVFF_ADDR_LEN];
	unsigned int vendor, device;
	char driver[SVFF_DRIVER_LEN];
	int iommu_group;
	/* SR-IOV capability, from config space */
	unsigned int cap_totalvfs, vf_offset, vf_stride, vf_device;
	/* sysfs */
	unsigned int totalvfs, numvfs;
	int autoprobe;                  /* -1 when unknown */
	struct svff_vf_info *vfs;       /* sorted by index */
	size_t n_vfs;
	/* dry run: the plan has taken every VF away, so what follows is
	 * planned from none (refresh reports none) */
	bool planned_none;
};

/* Every SR-IOV PF on the host, sorted by address. */
int svff_pf_scan(const struct svff_ctx *ctx, struct svff_pf_info **out,
		 size_t *n, struct svff_error *err);
/* One PF by canonical address: -ENODEV when there is no such device,
 * -EOPNOTSUPP when it has no SR-IOV capability. out is cleared first, so
 * svff_pf_info_clear() is safe after a failure too. */
int svff_pf_get(const struct svff_ctx *ctx, const char *addr,
		struct svff_pf_info *out, struct svff_error *err);
void svff_pf_info_clear(struct svff_pf_info *pf);
void svff_pf_list_free(struct svff_pf_info *pfs, size_t n);

/* Re-read the live sysfs part (counts, VFs) of an already probed PF. */
int svff_pf_refresh(const struct svff_ctx *ctx, struct svff_pf_info *pf,
		    struct svff_error *err);

/* The PF a command works on: the one given (-d), else the one svff
 * manages, else the only SR-IOV PF on the host. -ENOTUNIQ when there is
 * a choice to make (the message lists the candidates), -ENODEV when
 * there is none. */
int svff_pf_resolve(const struct svff_ctx *ctx, const char *arg,
		    const struct svff_state *st, char out[SVFF_ADDR_LEN],
		    struct svff_error *err);

/* Where VF index i of pf is (or will be) on the bus, from the SR-IOV
 * capability's First VF Offset and VF Stride. */
int svff_pf_vf_addr(const struct svff_pf_info *pf, unsigned int i,
		    char out[SVFF_ADDR_LEN]);

/* The VF of a PF that ref names; -ENOENT when it does not exist. */
const struct svff_vf_info *svff_pf_vf(const struct svff_pf_info *pf,
				      const struct svff_vf_ref *ref);
/* The VF of index index; NULL when the PF does not have it. */
const struct svff_vf_info *svff_pf_vf_at(const struct svff_pf_info *pf, unsigned int index);

#endif
