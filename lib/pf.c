/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "pf.h"
#include "sysfs.h"

/* libpci reports fatal errors through a callback that must not return;
 * svff's library must never exit, so the callback jumps back here. */
static __thread jmp_buf *pci_jmp;
static __thread char pci_msg[256];

__attribute__((noreturn)) static void pci_fatal(char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	vsnprintf(pci_msg, sizeof(pci_msg), msg, ap);
	va_end(ap);
	longjmp(*pci_jmp, 1);
}

static void pci_quiet(char *msg, ...) { (void)msg; }

static struct pci_access *pci_open(const struct svff_ctx *ctx, struct svff_error *err)
{
	char path[SVFF_PATH_MAX];
	struct pci_access *acc;

	if (svff_sys_path(ctx, "bus/pci", path) < 0) {
		svff_err(err, -ENAMETOOLONG, "sysfs root '%s' is too long", ctx->sysfs_root);
		return NULL;
	}
	acc = pci_alloc();
	if (!acc) {
		svff_err(err, -ENOMEM, "cannot initialise libpci: out of memory");
		return NULL;
	}
	acc->method = PCI_ACCESS_SYS_BUS_PCI;
	acc->error = pci_fatal;
	acc->warning = pci_quiet;
	acc->debug = pci_quiet;
	pci_set_param(acc, "sysfs.path", path);
	return acc;
}

static void read_links(const struct svff_ctx *ctx, const char *addr,
		       char driver[SVFF_DRIVER_LEN], int *group)
{
	char buf[64];

	if (svff_dev_link(ctx, addr, "driver", driver, SVFF_DRIVER_LEN) < 0)
		driver[0] = '\0';
	*group = -1;
	if (svff_dev_link(ctx, addr, "iommu_group", buf, sizeof(buf)) == 0)
		*group = atoi(buf);
}

static int cmp_vf(const void *a, const void *b)
{
	const struct svff_vf_info *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

int svff_pf_refresh(const struct svff_ctx *ctx, struct svff_pf_info *pf,
		    struct svff_error *err)
{
	char path[SVFF_PATH_MAX];
	unsigned int v;
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	free(pf->vfs);
	pf->vfs = NULL;
	pf->n_vfs = 0;
	pf->totalvfs = svff_dev_read_uint(ctx, pf->addr, "sriov_totalvfs", &v) == 0 ? v : pf->cap_totalvfs;
	pf->numvfs = svff_dev_read_uint(ctx, pf->addr, "sriov_numvfs", &v) == 0 ? v : 0;
	pf->autoprobe = svff_dev_read_uint(ctx, pf->addr, "sriov_drivers_autoprobe", &v) == 0 ? (int)v : -1;
	read_links(ctx, pf->addr, pf->driver, &pf->iommu_group);
	if (ctx->dry_run && pf->planned_none) {
		pf->numvfs = 0;
		return 0;
	}

	svff_dev_path(ctx, pf->addr, NULL, path);
	d = opendir(path);
	if (!d)
		return svff_err_errno(err, -errno, "cannot read '%s'", path);
	while ((de = readdir(d))) {
		unsigned int idx;
		char tail;
		if (sscanf(de->d_name, "virtfn%u%c", &idx, &tail) != 1)
			continue;
		if (pf->n_vfs == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(pf->vfs, ncap * sizeof(*pf->vfs));
			if (!p) {
				closedir(d);
				return svff_err(err, -ENOMEM, "out of memory");
			}
			pf->vfs = p;
			cap = ncap;
		}
		struct svff_vf_info *vf = &pf->vfs[pf->n_vfs];
		memset(vf, 0, sizeof(*vf));
		vf->index = idx;
		if (svff_dev_link(ctx, pf->addr, de->d_name, vf->addr, sizeof(vf->addr)) < 0 ||
		    svff_parse_pci_addr(vf->addr, NULL, vf->addr, NULL) < 0)
			continue; /* vanished or odd link: not a VF we can use */
		read_links(ctx, vf->addr, vf->driver, &vf->iommu_group);
		pf->n_vfs++;
	}
	closedir(d);
	if (pf->n_vfs)
		qsort(pf->vfs, pf->n_vfs, sizeof(*pf->vfs), cmp_vf);
	return 0;
}

/* Fill the config-space part from libpci; 0 when dev has SR-IOV. */
static int read_sriov_cap(struct pci_dev *dev, struct svff_pf_info *pf)
{
	pci_fill_info(dev, PCI_FILL_IDENT | PCI_FILL_CAPS | PCI_FILL_EXT_CAPS);
	struct pci_cap *cap = pci_find_cap(dev, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED);
	if (!cap)
		return -EOPNOTSUPP;
	memset(pf, 0, sizeof(*pf));
	snprintf(pf->addr, sizeof(pf->addr), "%04x:%02x:%02x.%x",
		 dev->domain & 0xffff, dev->bus, dev->dev, dev->func);
	pf->vendor = dev->vendor_id;
	pf->device = dev->device_id;
	pf->cap_totalvfs = pci_read_word(dev, cap->addr + PCI_IOV_TOTALVF);
	pf->vf_offset = pci_read_word(dev, cap->addr + PCI_IOV_OFFSET);
	pf->vf_stride = pci_read_word(dev, cap->addr + PCI_IOV_STRIDE);
	pf->vf_device = pci_read_word(dev, cap->addr + PCI_IOV_DID);
	return 0;
}

static int cmp_pf(const void *a, const void *b)
{
	return strcmp(((const struct svff_pf_info *)a)->addr,
		      ((const struct svff_pf_info *)b)->addr);
}

int svff_pf_scan(const struct svff_ctx *ctx, struct svff_pf_info **out,
		 size_t *n, struct svff_error *err)
{
	jmp_buf jb;
	struct pci_access *acc = pci_open(ctx, err);
	struct svff_pf_info *volatile pfs = NULL;
	volatile size_t count = 0, cap = 0;
	int rc = 0;

	if (!acc)
		return err ? err->code : -ENOMEM;
	pci_jmp = &jb;
	if (setjmp(jb)) {
		rc = svff_err(err, -EIO, "cannot scan PCI devices in '%s': %s",
			      ctx->sysfs_root, pci_msg);
		goto out;
	}
	pci_init(acc);
	pci_scan_bus(acc);
	for (struct pci_dev *dev = acc->devices; dev; dev = dev->next) {
		struct svff_pf_info pf;
		if (read_sriov_cap(dev, &pf) < 0)
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			void *p = realloc(pfs, ncap * sizeof(*pfs));
			if (!p) {
				rc = svff_err(err, -ENOMEM, "out of memory");
				goto out;
			}
			pfs = p;
			cap = ncap;
		}
		pfs[count++] = pf;
	}
	for (size_t i = 0; i < count; i++) {
		rc = svff_pf_refresh(ctx, &pfs[i], err);
		if (rc < 0)
			goto out;
	}
	if (count)
		qsort(pfs, count, sizeof(*pfs), cmp_pf);
out:
	pci_jmp = NULL;
	pci_cleanup(acc);
	if (rc < 0) {
		svff_pf_list_free(pfs, count);
		return rc;
	}
	*out = pfs;
	*n = count;
	return 0;
}

int svff_pf_get(const struct svff_ctx *ctx, const char *addr,
		struct svff_pf_info *out, struct svff_error *err)
{
	jmp_buf jb;
	struct svff_pci_addr a;
	struct pci_access *acc;
	volatile int rc;

	memset(out, 0, sizeof(*out));   /* safe to clear on every path */
	rc = svff_parse_pci_addr(addr, &a, NULL, err);
	if (rc < 0)
		return rc;
	rc = svff_dev_exists(ctx, addr);
	if (rc <= 0)
		return svff_err(err, -ENODEV, "no PCI device '%s'", addr);
	acc = pci_open(ctx, err);
	if (!acc)
		return err ? err->code : -ENOMEM;
	pci_jmp = &jb;
	if (setjmp(jb)) {
		rc = svff_err(err, -EIO, "cannot read PCI device '%s': %s", addr, pci_msg);
		goto out;
	}
	pci_init(acc);
	struct pci_dev *dev = pci_get_dev(acc, (int)a.domain, (int)a.bus, (int)a.dev, (int)a.fn);
	rc = read_sriov_cap(dev, out);
	pci_free_dev(dev);
	if (rc < 0) {
		rc = svff_err(err, -EOPNOTSUPP,
			      "'%s' is not an SR-IOV physical function: it has no SR-IOV capability",
			      addr);
		goto out;
	}
	rc = svff_pf_refresh(ctx, out, err);
	if (rc < 0)
		svff_pf_info_clear(out);
out:
	pci_jmp = NULL;
	pci_cleanup(acc);
	return rc;
}

void svff_pf_info_clear(struct svff_pf_info *pf)
{
	if (!pf)
		return;
	free(pf->vfs);
	pf->vfs = NULL;
	pf->n_vfs = 0;
}

void svff_pf_list_free(struct svff_pf_info *pfs, size_t n)
{
	for (size_t i = 0; pfs && i < n; i++)
		svff_pf_info_clear(&pfs[i]);
	free(pfs);
}

int svff_pf_resolve(const struct svff_ctx *ctx, const char *arg,
		    const struct svff_state *st, char out[SVFF_ADDR_LEN],
		    struct svff_error *err)
{
	struct svff_pf_info one = { 0 }, *pfs = NULL;
	size_t n = 0;
	int rc;

	if (arg) {
		rc = svff_parse_pci_addr(arg, NULL, out, err);
		if (rc < 0)
			return svff_err_kind(err, SVFF_ERR_USAGE, rc);
		rc = svff_pf_get(ctx, out, &one, err);
		svff_pf_info_clear(&one);
		return rc;
	}
	if (st && st->n_pfs == 1) {
		snprintf(out, SVFF_ADDR_LEN, "%s", st->pfs[0].addr);
		return 0;
	}
	if (st && st->n_pfs > 1) {
		char list[256] = "";
		for (size_t i = 0; i < st->n_pfs; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", st->pfs[i].addr);
		return svff_err_kind(err, SVFF_ERR_USAGE, svff_err(err, -ENOTUNIQ,
				     "svff manages several PFs (%s): choose one with -d", list));
	}
	rc = svff_pf_scan(ctx, &pfs, &n, err);
	if (rc < 0)
		return rc;
	if (n == 1) {
		snprintf(out, SVFF_ADDR_LEN, "%s", pfs[0].addr);
	} else if (n == 0) {
		rc = svff_err(err, -ENODEV, "no SR-IOV capable PCI device found");
	} else {
		char list[256] = "";
		for (size_t i = 0; i < n; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", pfs[i].addr);
		rc = svff_err_kind(err, SVFF_ERR_USAGE, svff_err(err, -ENOTUNIQ,
				   "several SR-IOV PFs found (%s): choose one with -d", list));
	}
	svff_pf_list_free(pfs, n);
	return rc;
}

const struct svff_vf_info *svff_pf_vf(const struct svff_pf_info *pf,
				      const struct svff_vf_ref *ref)
{
	for (size_t i = 0; i < pf->n_vfs; i++)
		if (ref->by_addr ? !strcmp(pf->vfs[i].addr, ref->addr)
				 : pf->vfs[i].index == ref->index)
			return &pf->vfs[i];
	return NULL;
}

const struct svff_vf_info *svff_pf_vf_at(const struct svff_pf_info *pf, unsigned int index)
{
	struct svff_vf_ref ref = { .index = index };
	return svff_pf_vf(pf, &ref);
}

int svff_pf_vf_addr(const struct svff_pf_info *pf, unsigned int i, char out[SVFF_ADDR_LEN])
{
	struct svff_pci_addr a;
	if (svff_parse_pci_addr(pf->addr, &a, NULL, NULL) < 0)
		return -EINVAL;
	/* routing ID = bus << 8 | devfn; VF i is at PF + offset + i * stride */
	unsigned long rid = (a.bus << 8 | a.dev << 3 | a.fn) + pf->vf_offset +
			    (unsigned long)i * pf->vf_stride;
	if (rid > 0xffff)
		return -ERANGE;
	struct svff_pci_addr vf = { a.domain, (unsigned int)(rid >> 8),
				    (unsigned int)(rid >> 3) & 0x1f, (unsigned int)rid & 7 };
	svff_format_pci_addr(&vf, out);
	return 0;
}
