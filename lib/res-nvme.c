/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVMe: each VF is a secondary controller of the PF's primary one. A
 * secondary starts offline with no resources and cannot be enabled
 * (CSTS.CFS); Virtualization Management (admin opcode 0x1C) assigns it
 * flexible VQ and VI resources, only while it is offline, and brings it
 * online, only once its VF exists. The pool is what the primary has not
 * kept (Primary Controller Capabilities); the primary gives up its
 * flexible resources only at its next function reset, so that happens
 * once, before the VFs exist.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "nvme-dl.h"
#include "res-backend.h"
#include "sysfs.h"

/* The least a secondary controller can be brought online with: an admin
 * queue and one I/O queue, one interrupt vector. */
#define NVME_MIN_VQ 2
#define NVME_MIN_VI 1
/* Controller Resource Types of the Primary Controller Capabilities */
#define CRT_VQ 0x1
#define CRT_VI 0x2

struct nvme_priv {
	int fd;
	char ctrl[32];           /* "nvme0" */
	__u16 cntlid;            /* the primary's */
	struct nvme_secondary_ctrl_list sec;
	bool sec_valid;
};

static struct nvme_priv *P(struct svff_res_dev *d)
{
	return d->priv;
}

static bool match(const struct svff_ctx *ctx, const struct svff_pf_info *pf)
{
	char path[SVFF_PATH_MAX];
	struct stat st;
	return !strcmp(pf->driver, "nvme") && svff_dev_path(ctx, pf->addr, "nvme", path) == 0 &&
	       stat(path, &st) == 0;
}

/* The controller's name from <pf>/nvme/ (one entry: nvmeN). */
static int ctrl_name(struct svff_res_dev *d, char *out, size_t size, struct svff_error *err)
{
	char path[SVFF_PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int rc = -ENODEV;

	svff_dev_path(d->ctx, d->pf, "nvme", path);
	dir = opendir(path);
	if (!dir)
		return svff_err_errno(err, -errno, "cannot read %s", path);
	while ((e = readdir(dir)))
		if (!strncmp(e->d_name, "nvme", 4) && strlen(e->d_name) < size) {
			snprintf(out, size, "%s", e->d_name);
			rc = 0;
			break;
		}
	closedir(dir);
	if (rc < 0)
		return svff_err(err, rc, "%s has no NVMe controller in sysfs (is it bound to nvme?)",
				d->pf);
	return 0;
}

/* A status the device returned, or an errno of the ioctl: one message. */
static int nvme_fail(struct svff_res_dev *d, int ret, const char *what, struct svff_error *err)
{
	if (ret > 0)
		return svff_err(err, -EIO, "%s on %s failed: %s (NVMe status 0x%x)", what, d->pf,
				sym_nvme_status_to_string(ret, false), (unsigned int)ret);
	return svff_err_errno(err, -errno, "%s on %s failed", what, d->pf);
}

static int identify(struct svff_res_dev *d, enum nvme_identify_cns cns, void *data,
		    const char *what, struct svff_error *err)
{
	struct nvme_identify_args args = {
		.data = data, .args_size = sizeof(args), .fd = P(d)->fd,
		.timeout = NVME_DEFAULT_IOCTL_TIMEOUT, .cns = cns, .csi = NVME_CSI_NVM,
		.nsid = NVME_NSID_NONE, .cntid = 0, .cns_specific_id = NVME_CNSSPECID_NONE,
		.uuidx = NVME_UUID_NONE,
	};
	int ret = sym_nvme_identify(&args);
	return ret ? nvme_fail(d, ret, what, err) : 0;
}

static int primary_caps(struct svff_res_dev *d, struct nvme_primary_ctrl_cap *cap,
			struct svff_error *err)
{
	return identify(d, NVME_IDENTIFY_CNS_PRIMARY_CTRL_CAP, cap,
			"NVMe Identify Primary Controller Capabilities", err);
}

static int wait_live(struct svff_res_dev *d, struct svff_error *err);

static int open_(struct svff_res_dev *d, const struct svff_pf_info *pf, struct svff_error *err)
{
	struct nvme_priv *p = P(d);
	struct nvme_primary_ctrl_cap cap;
	char path[SVFF_PATH_MAX], want[64];
	struct stat st;
	int rc;

	p->fd = -1;
	/* just probed (a rescan, a bind): its node refuses opens (EAGAIN) until live */
	if ((rc = svff_nvme_load(err)) < 0 || (rc = ctrl_name(d, p->ctrl, sizeof(p->ctrl), err)) < 0 ||
	    (rc = wait_live(d, err)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", d->ctx->dev_root, p->ctrl);
	p->fd = open(path, O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		return svff_err_errno(err, -errno, "cannot open %s, the NVMe controller of %s", path,
				      pf->addr);
	/* the node must be the controller sysfs names, not a stale one */
	snprintf(want, sizeof(want), "nvme/%s/dev", p->ctrl);
	char dev[32];
	unsigned int maj, min;
	if (svff_dev_read(d->ctx, pf->addr, want, dev, sizeof(dev)) == 0 &&
	    sscanf(dev, "%u:%u", &maj, &min) == 2 &&
	    (fstat(p->fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != maj ||
	     minor(st.st_rdev) != min))
		return svff_err(err, -ENODEV, "%s is not the NVMe controller %s of %s (device %s)",
				path, p->ctrl, pf->addr, dev);
	if ((rc = primary_caps(d, &cap, err)) < 0)
		return rc;
	if (!(cap.crt & (CRT_VQ | CRT_VI)))
		return svff_err(err, -EOPNOTSUPP, "the NVMe controller of %s has no flexible "
				"resources (Virtualization Management)", pf->addr);
	p->cntlid = le16toh(cap.cntlid);
	return 0;
}

static void close_(struct svff_res_dev *d)
{
	if (P(d)->fd >= 0)
		close(P(d)->fd);
}

/* The primary keeps what it needs to work (an admin and an I/O queue,
 * one vector) out of its private resources; the rest of its flexible
 * ones can go to the pool. */
static void primary_keeps(const struct nvme_primary_ctrl_cap *cap, unsigned int *q,
			  unsigned int *i)
{
	unsigned int vqprt = le16toh(cap->vqprt), viprt = le16toh(cap->viprt);
	*q = vqprt >= NVME_MIN_VQ ? 0 : NVME_MIN_VQ - vqprt;
	*i = viprt >= NVME_MIN_VI ? 0 : NVME_MIN_VI - viprt;
}

static int pool(struct svff_res_dev *d, const struct svff_pf_info *pf, struct svff_res_pool *out,
		struct svff_error *err)
{
	struct nvme_primary_ctrl_cap cap;
	int rc = primary_caps(d, &cap, err);
	if (rc < 0)
		return rc;
	unsigned int vq_total = le32toh(cap.vqfrt), vi_total = le32toh(cap.vifrt);
	unsigned int vq_used = le32toh(cap.vqrfa) + le16toh(cap.vqrfap);
	unsigned int vi_used = le32toh(cap.virfa) + le16toh(cap.virfap);

	out->kinds = SVFF_RES_QUEUES | SVFF_RES_VECTORS;
	out->total = (struct svff_res){ vq_total, vi_total };
	out->free = (struct svff_res){ vq_total > vq_used ? vq_total - vq_used : 0,
				       vi_total > vi_used ? vi_total - vi_used : 0 };
	unsigned int keep_q, keep_i;
	primary_keeps(&cap, &keep_q, &keep_i);
	out->reclaim = (struct svff_res){
		le16toh(cap.vqrfap) > keep_q ? le16toh(cap.vqrfap) - keep_q : 0,
		le16toh(cap.virfap) > keep_i ? le16toh(cap.virfap) - keep_i : 0 };
	out->min = (struct svff_res){ NVME_MIN_VQ, NVME_MIN_VI };
	out->max = (struct svff_res){ le16toh(cap.vqfrsm), le16toh(cap.vifrsm) };
	out->def = out->min;
	return 0;
}

/* The secondary controller of VF index i (VF number i + 1). */
static int secondary(struct svff_res_dev *d, unsigned int i, struct nvme_secondary_ctrl **out,
		     struct svff_error *err)
{
	struct nvme_priv *p = P(d);
	int rc;

	if (!p->sec_valid) {
		rc = identify(d, NVME_IDENTIFY_CNS_SECONDARY_CTRL_LIST, &p->sec,
			      "NVMe Identify Secondary Controller List", err);
		if (rc < 0)
			return rc;
		p->sec_valid = true;
	}
	for (unsigned int k = 0; k < p->sec.num && k < NVME_ID_SECONDARY_CTRL_MAX; k++)
		if (le16toh(p->sec.sc_entry[k].vfn) == i + 1) {
			*out = &p->sec.sc_entry[k];
			return 0;
		}
	return svff_err(err, -ENOENT, "the NVMe controller of %s lists no secondary controller "
			"for VF %u", d->pf, i);
}

static int get(struct svff_res_dev *d, const struct svff_vf_info *vf, struct svff_res_vf *out,
	       struct svff_error *err)
{
	struct nvme_secondary_ctrl *sc;
	int rc = secondary(d, vf->index, &sc, err);
	if (rc < 0)
		return rc;
	out->r = (struct svff_res){ le16toh(sc->nvq), le16toh(sc->nvi) };
	out->known = true;
	out->live = sc->scs & 1;
	return 0;
}

static const char *const act_names[] = {
	[NVME_VIRT_MGMT_ACT_PRIM_CTRL_FLEX_ALLOC] = "allocate",
	[NVME_VIRT_MGMT_ACT_OFFLINE_SEC_CTRL] = "offline",
	[NVME_VIRT_MGMT_ACT_ASSIGN_SEC_CTRL] = "assign",
	[NVME_VIRT_MGMT_ACT_ONLINE_SEC_CTRL] = "online",
};

/* One Virtualization Management command, reported as a step. */
static int virt_mgmt(struct svff_res_dev *d, enum nvme_virt_mgmt_act act,
		     enum nvme_virt_mgmt_rt rt, __u16 cntlid, __u16 nr, struct svff_error *err)
{
	const char *res = rt == NVME_VIRT_MGMT_RT_VQ_RESOURCE ? "VQ" : "VI";
	char what[128];
	bool counts = act == NVME_VIRT_MGMT_ACT_ASSIGN_SEC_CTRL ||
		      act == NVME_VIRT_MGMT_ACT_PRIM_CTRL_FLEX_ALLOC;
	__u32 result = 0;

	if (counts)
		snprintf(what, sizeof(what), "NVMe virtualization management: %s %u %s to "
			 "controller %u", act_names[act], nr, res, cntlid);
	else
		snprintf(what, sizeof(what), "NVMe virtualization management: %s secondary "
			 "controller %u", act_names[act], cntlid);
	if (!svff_step(d->ctx, "%s of %s", what, d->pf))
		return 0;
	struct nvme_virtual_mgmt_args args = {
		.result = &result, .args_size = sizeof(args), .fd = P(d)->fd,
		.timeout = NVME_DEFAULT_IOCTL_TIMEOUT, .act = act, .rt = rt, .cntlid = cntlid,
		.nr = nr,
	};
	int ret = sym_nvme_virtual_mgmt(&args);
	if (ret)
		P(d)->sec_valid = false;  /* who knows what it did: read it again */
	return ret ? nvme_fail(d, ret, what, err) : 0;
}

static int apply(struct svff_res_dev *d, const struct svff_vf_info *vf, const struct svff_res *want,
		 struct svff_error *err)
{
	struct nvme_secondary_ctrl *sc;
	int rc = secondary(d, vf->index, &sc, err);
	if (rc < 0)
		return rc;
	__u16 scid = le16toh(sc->scid);
	if ((sc->scs & 1) && le16toh(sc->nvq) == want->queues &&
	    le16toh(sc->nvi) == want->vectors)
		return 0;
	/* offline gives back what it had: the assignment starts from 0 */
	if ((sc->scs & 1) || sc->nvq || sc->nvi)
		rc = virt_mgmt(d, NVME_VIRT_MGMT_ACT_OFFLINE_SEC_CTRL, NVME_VIRT_MGMT_RT_VQ_RESOURCE,
			       scid, 0, err);
	if (rc == 0)
		rc = virt_mgmt(d, NVME_VIRT_MGMT_ACT_ASSIGN_SEC_CTRL, NVME_VIRT_MGMT_RT_VQ_RESOURCE,
			       scid, (__u16)want->queues, err);
	if (rc == 0)
		rc = virt_mgmt(d, NVME_VIRT_MGMT_ACT_ASSIGN_SEC_CTRL, NVME_VIRT_MGMT_RT_VI_RESOURCE,
			       scid, (__u16)want->vectors, err);
	if (rc == 0)
		rc = virt_mgmt(d, NVME_VIRT_MGMT_ACT_ONLINE_SEC_CTRL, NVME_VIRT_MGMT_RT_VQ_RESOURCE,
			       scid, 0, err);
	if (rc == 0 && !d->ctx->dry_run) {
		/* the list, as the device now has it, without asking again for
		 * each VF */
		sc->nvq = htole16((__u16)want->queues);
		sc->nvi = htole16((__u16)want->vectors);
		sc->scs |= 1;
	}
	return rc;
}

static int release(struct svff_res_dev *d, const struct svff_vf_info *vf, struct svff_error *err)
{
	struct nvme_secondary_ctrl *sc;
	int rc = secondary(d, vf->index, &sc, err);
	if (rc < 0 || !((sc->scs & 1) || sc->nvq || sc->nvi))
		return rc;
	rc = virt_mgmt(d, NVME_VIRT_MGMT_ACT_OFFLINE_SEC_CTRL, NVME_VIRT_MGMT_RT_VQ_RESOURCE,
		       le16toh(sc->scid), 0, err);
	if (rc == 0 && !d->ctx->dry_run)
		*sc = (struct nvme_secondary_ctrl){ .scid = sc->scid, .pcid = sc->pcid,
						    .vfn = sc->vfn };
	return rc;
}

/* After a function reset the nvme driver re-enables the controller;
 * admin commands wait until it is live again. */
static int wait_live(struct svff_res_dev *d, struct svff_error *err)
{
	char attr[64], state[32] = "";
	double end = svff_now() + d->ctx->timeout_s;

	snprintf(attr, sizeof(attr), "nvme/%s/state", P(d)->ctrl);
	do {
		if (svff_dev_read(d->ctx, d->pf, attr, state, sizeof(state)) == 0 &&
		    !strcmp(state, "live"))
			return 0;
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	} while (svff_now() < end);
	return svff_err(err, -ETIMEDOUT, "the NVMe controller of %s is not live %d s after its "
			"reset (state '%s')", d->pf, d->ctx->timeout_s, state);
}

/* The primary's flexible resources, but what it keeps, to the pool. */
static int prepare(struct svff_res_dev *d, const struct svff_pf_info *pf, struct svff_error *err)
{
	struct nvme_primary_ctrl_cap cap;
	unsigned int keep_q, keep_i;
	int rc = primary_caps(d, &cap, err);
	if (rc < 0)
		return rc;
	primary_keeps(&cap, &keep_q, &keep_i);
	bool q = le16toh(cap.vqrfap) > keep_q, i = le16toh(cap.virfap) > keep_i;

	if (!q && !i)
		return 0;
	if (pf->numvfs)
		return svff_err(err, -EBUSY, "the primary NVMe controller of %s holds flexible "
				"resources, which it gives up only at a reset, and it has VFs: "
				"run 'svff deinit' first", pf->addr);
	if (q)
		rc = virt_mgmt(d, NVME_VIRT_MGMT_ACT_PRIM_CTRL_FLEX_ALLOC,
			       NVME_VIRT_MGMT_RT_VQ_RESOURCE, P(d)->cntlid, (__u16)keep_q, err);
	if (rc == 0 && i)
		rc = virt_mgmt(d, NVME_VIRT_MGMT_ACT_PRIM_CTRL_FLEX_ALLOC,
			       NVME_VIRT_MGMT_RT_VI_RESOURCE, P(d)->cntlid, (__u16)keep_i, err);
	if (rc < 0)
		return rc;
	/* the function reset that makes the primary give them up */
	rc = svff_dev_write(d->ctx, pf->addr, "reset", "1");
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot reset %s to release its primary controller's "
				      "flexible resources", pf->addr);
	if (d->ctx->dry_run)
		return 0;
	if ((rc = wait_live(d, err)) < 0 || (rc = primary_caps(d, &cap, err)) < 0)
		return rc;
	if (le16toh(cap.vqrfap) > keep_q || le16toh(cap.virfap) > keep_i)
		return svff_err(err, -EIO, "the primary NVMe controller of %s still holds %u VQ and "
				"%u VI flexible resources after its reset", pf->addr,
				le16toh(cap.vqrfap), le16toh(cap.virfap));
	return 0;
}

const struct svff_res_ops svff_res_nvme = {
	.name = "nvme",
	.match = match,
	.priv_size = sizeof(struct nvme_priv),
	.open = open_,
	.close = close_,
	.pool = pool,
	.get = get,
	.prepare = prepare,
	.apply = apply,
	.release = release,
};
