/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a resource backend implements (lib/res-<name>.c); lib/res.c picks
 * one by the PF's driver and checks requests for all of them.
 */
#ifndef SVFF_RES_BACKEND_H
#define SVFF_RES_BACKEND_H

#include "res.h"

struct svff_res_ops {
	const char *name;
	/* whether the backend drives a PF with this driver (and its sysfs) */
	bool (*match)(const struct svff_ctx *ctx, const struct svff_pf_info *pf);
	bool unbound;            /* apply needs the VF without a driver */
	size_t priv_size;
	int (*open)(struct svff_res_dev *d, const struct svff_pf_info *pf, struct svff_error *err);
	void (*close)(struct svff_res_dev *d);
	int (*pool)(struct svff_res_dev *d, const struct svff_pf_info *pf,
		    struct svff_res_pool *out, struct svff_error *err);
	int (*get)(struct svff_res_dev *d, const struct svff_vf_info *vf,
		   struct svff_res_vf *out, struct svff_error *err);
	/* optional: */
	int (*prepare)(struct svff_res_dev *d, const struct svff_pf_info *pf,
		       struct svff_error *err);
	int (*apply)(struct svff_res_dev *d, const struct svff_vf_info *vf,
		     const struct svff_res *want, struct svff_error *err);
	int (*reserve)(struct svff_res_dev *d, const struct svff_pf_info *pf,
		       const struct svff_res *sum, struct svff_error *err);
	int (*release)(struct svff_res_dev *d, const struct svff_vf_info *vf,
		       struct svff_error *err);
	/* the most the VFs concerned can have in all, given what they hold and
	 * what the other VFs are to keep; NULL: the free pool plus held */
	struct svff_res (*room)(const struct svff_res_pool *pool, const struct svff_res *held,
				const struct svff_res *other);
};

struct svff_res_dev {
	const struct svff_res_ops *ops;
	const struct svff_ctx *ctx;
	char pf[SVFF_ADDR_LEN];
	char driver[SVFF_DRIVER_LEN];
	void *priv;              /* the backend's, priv_size bytes */
};

extern const struct svff_res_ops svff_res_nvme, svff_res_qdma, svff_res_msix;

#endif
