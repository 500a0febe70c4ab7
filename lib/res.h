/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-VF resources (SVFF's "QDMA manager"): the queues and interrupt
 * vectors each VF gets from its PF's pool. One backend per device family,
 * chosen by the PF's driver:
 *
 *   nvme  NVMe Virtualization Management through libnvme on /dev/nvmeN:
 *         each VF's secondary controller gets VQ and VI resources and is
 *         brought online (a VF whose secondary is offline cannot start).
 *   qdma  Xilinx QDMA (qdma-pf): the PF's qdma/qmax, lowered so that the
 *         device's queues leave room for the VFs' budgets. A VF's own
 *         queue count is set by the driver that holds it (the guest's
 *         qdma-vf), not by the host.
 *   msix  the kernel's sriov_vf_total_msix / sriov_vf_msix_count (mlx5
 *         and others): vectors only, written while the VF has no driver.
 */
#ifndef SVFF_RES_H
#define SVFF_RES_H

#include <stdbool.h>

#include "pf.h"
#include "state.h"
#include "svff.h"

enum {
	SVFF_RES_QUEUES = 1,
	SVFF_RES_VECTORS = 2,
};

struct svff_res_pool {
	unsigned int kinds;      /* SVFF_RES_* the backend manages */
	struct svff_res total;   /* the flexible pool the VFs share */
	struct svff_res free;    /* of which assigned to no VF */
	struct svff_res min;     /* the least a VF can start with */
	struct svff_res max;     /* the most one VF can have (0: the pool) */
	struct svff_res def;     /* what a VF gets when not told (0: left alone) */
	struct svff_res reclaim; /* not free now, but freed by svff_res_prepare
				    (NVMe: what the primary controller holds) */
};

/* A VF's resources as the device reports them. */
struct svff_res_vf {
	struct svff_res r;
	bool known;              /* false: the device cannot say (qdma) */
	bool live;               /* usable as it stands (NVMe: online) */
};

struct svff_res_dev;

/* The backend of pf; -EOPNOTSUPP, naming pf's driver, when it has none. */
int svff_res_open(const struct svff_ctx *ctx, const struct svff_pf_info *pf,
		  struct svff_res_dev **out, struct svff_error *err);
void svff_res_close(struct svff_res_dev *d);
const char *svff_res_backend(const struct svff_res_dev *d);
/* Whether pf has a backend (without opening anything). */
bool svff_res_supported(const struct svff_ctx *ctx, const struct svff_pf_info *pf);

int svff_res_pool(struct svff_res_dev *d, const struct svff_pf_info *pf,
		  struct svff_res_pool *out, struct svff_error *err);
int svff_res_get(struct svff_res_dev *d, const struct svff_vf_info *vf,
		 struct svff_res_vf *out, struct svff_error *err);

/* Whether a VF has what svff gives it: live, and each kind given (a 0
 * in want: left as the device has it) as the device reports it. A device
 * that cannot say (qdma) has it. */
bool svff_res_has(const struct svff_res_vf *now, const struct svff_res *want);

/* What VF vf is to get: what is asked (r), else the backend's default. */
struct svff_res svff_res_want(const struct svff_res_pool *pool, const struct svff_res *r);

/* Refuse, before anything changes, a request the pool cannot meet: a
 * kind the backend does not manage, a VF's want below the device
 * minimum or above the per-VF maximum, or need (what the n VFs concerned
 * are to have in all) above what the pool has for them. held is what
 * they have now (as the device reports it), other what the PF's other
 * VFs are to keep. */
int svff_res_check(const struct svff_res_dev *d, const char *pf,
		   const struct svff_res_pool *pool, const struct svff_res *want,
		   unsigned int n, const struct svff_res *need, const struct svff_res *held,
		   const struct svff_res *other, struct svff_error *err);

/* Once, while the PF has no VFs: make the pool available to VFs (NVMe:
 * the primary controller's flexible resources released, then a function
 * reset of the PF). Nothing to do is 0. */
int svff_res_prepare(struct svff_res_dev *d, const struct svff_pf_info *pf,
		     struct svff_error *err);
/* Give vf want (idempotent: nothing when it has it and is live). The VF
 * must exist and no guest may hold it. The msix backend needs it without
 * a driver: svff_res_unbound says so. */
int svff_res_apply(struct svff_res_dev *d, const struct svff_vf_info *vf,
		   const struct svff_res *want, struct svff_error *err);
bool svff_res_unbound(const struct svff_res_dev *d);
/* After every VF has what it is to get: room kept for sum, the total of
 * all the PF's VFs (qdma: the PF's own qmax lowered). */
int svff_res_reserve(struct svff_res_dev *d, const struct svff_pf_info *pf,
		     const struct svff_res *sum, struct svff_error *err);
/* Back to the pool (deinit). */
int svff_res_release(struct svff_res_dev *d, const struct svff_vf_info *vf,
		     struct svff_error *err);

#endif
