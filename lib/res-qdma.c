/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Xilinx QDMA (qdma-pf): the device has QDMA_TOTAL_Q queue sets, shared
 * by its PFs and VFs. A function's qdma/qmax exists only while qdma-pf or
 * qdma-vf holds it, and a VF's is made by its driver's HELLO to the PF:
 * on vfio-pci the host cannot set it. What the host can do is keep room
 * for the VFs: this backend records each VF's budget and lowers the PF's
 * own qmax so that the budgets fit in what the other PFs leave.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "res-backend.h"
#include "sysfs.h"

#define QDMA_TOTAL_Q 2048   /* the QDMA IP's queue sets, all functions */

static bool match(const struct svff_ctx *ctx, const struct svff_pf_info *pf)
{
	unsigned int q;
	return !strcmp(pf->driver, "qdma-pf") &&
	       svff_dev_read_uint(ctx, pf->addr, "qdma/qmax", &q) == 0;
}

/* The queues the device's other PFs (functions of the same slot) hold. */
static unsigned int others(struct svff_res_dev *d)
{
	char addr[SVFF_ADDR_LEN];
	unsigned int sum = 0, q;
	size_t n = strlen(d->pf);

	for (char f = '0'; f <= '7'; f++) {
		memcpy(addr, d->pf, sizeof(addr));
		if (n < 1 || addr[n - 1] == f)
			continue;
		addr[n - 1] = f;
		if (svff_dev_read_uint(d->ctx, addr, "qdma/qmax", &q) == 0)
			sum += q;
	}
	return sum;
}

static int pool(struct svff_res_dev *d, const struct svff_pf_info *pf, struct svff_res_pool *out,
		struct svff_error *err)
{
	unsigned int own, rest = others(d);
	int rc = svff_dev_read_uint(d->ctx, pf->addr, "qdma/qmax", &own);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot read 'qdma/qmax' of %s", pf->addr);
	out->kinds = SVFF_RES_QUEUES;
	out->total.queues = QDMA_TOTAL_Q > rest ? QDMA_TOTAL_Q - rest : 0;
	out->free.queues = out->total.queues > own ? out->total.queues - own : 0;
	out->min.queues = 1;
	return 0;
}

/* The budget is the host's record, not the device's. */
static int get(struct svff_res_dev *d, const struct svff_vf_info *vf, struct svff_res_vf *out,
	       struct svff_error *err)
{
	out->known = false;
	out->live = true;
	return 0;
}

/* The PF's qmax can go down to make room: all but what other VFs keep. */
static struct svff_res room(const struct svff_res_pool *pool, const struct svff_res *held,
			    const struct svff_res *other)
{
	unsigned int q = pool->total.queues;
	return (struct svff_res){ .queues = q > other->queues ? q - other->queues : 0 };
}

static int reserve(struct svff_res_dev *d, const struct svff_pf_info *pf,
		   const struct svff_res *sum, struct svff_error *err)
{
	struct svff_res_pool p = { 0 };
	unsigned int own;
	char value[16];
	int rc = pool(d, pf, &p, err);

	if (rc < 0 || svff_dev_read_uint(d->ctx, pf->addr, "qdma/qmax", &own) < 0)
		return rc;
	if (sum->queues <= p.free.queues)
		return 0;
	if (sum->queues > p.total.queues)
		return svff_err(err, -ENOSPC, "the VFs of %s are to have %u queues, more than the "
				"%u its device leaves", pf->addr, sum->queues, p.total.queues);
	snprintf(value, sizeof(value), "%u", p.total.queues - sum->queues);
	rc = svff_dev_write(d->ctx, pf->addr, "qdma/qmax", value);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot lower the queues of %s from %u to %s to make "
				      "room for its VFs (are its queues in use?)", pf->addr, own,
				      value);
	return 0;
}

const struct svff_res_ops svff_res_qdma = {
	.name = "qdma",
	.match = match,
	.pool = pool,
	.get = get,
	.reserve = reserve,
	.room = room,
};
