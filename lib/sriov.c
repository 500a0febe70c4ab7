/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pf.h"
#include "sriov.h"
#include "sysfs.h"

static const char *numvfs_hint(int rc, unsigned int total)
{
	static char buf[160];
	switch (-rc) {
	case EBUSY:
		return ": the PF has VFs already, or one is in use (the count must go through 0)";
	case ENOENT:
	case ENOSYS:
		return ": the PF's driver does not support SR-IOV, or no driver is bound to the PF";
	case ENOSPC:
	case ERANGE:
	case EINVAL:
		snprintf(buf, sizeof(buf), ": the PF offers at most %u VFs, or is out of "
			 "resources for this many (bus numbers, MMIO space)", total);
		return buf;
	case EPERM:
	case EACCES:
		return ": svff must run as root";
	default:
		return "";
	}
}

int svff_sriov_set_numvfs(const struct svff_ctx *ctx, const char *pf,
			  unsigned int n, struct svff_error *err)
{
	struct svff_pf_info info = { 0 };
	unsigned int total = 0, now;
	char val[16];
	int rc;

	svff_dev_read_uint(ctx, pf, "sriov_totalvfs", &total);
	/* a dry run plans what its caller asks: the VFs may be gone by then */
	if (!ctx->dry_run && svff_dev_read_uint(ctx, pf, "sriov_numvfs", &now) == 0 && now == n)
		goto verify;
	snprintf(val, sizeof(val), "%u", n);
	rc = svff_dev_write(ctx, pf, "sriov_numvfs", val);
	if (rc < 0)
		return svff_err(err, rc, "cannot write %u to 'sriov_numvfs' of %s: %s%s", n, pf,
				strerror(-rc), numvfs_hint(rc, total));
	if (ctx->dry_run)
		return 0;
verify:
	rc = svff_dev_read_uint(ctx, pf, "sriov_numvfs", &now);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot read back 'sriov_numvfs' of %s", pf);
	strcpy(info.addr, pf);
	rc = svff_pf_refresh(ctx, &info, err);
	size_t links = info.n_vfs;
	svff_pf_info_clear(&info);
	if (rc < 0)
		return rc;
	if (now != n || links != n)
		return svff_err(err, -EIO, "the kernel enabled %u VFs on %s (%zu present) instead "
				"of %u: see the kernel log (dmesg) for the PF driver's reason",
				now, pf, links, n);
	return 0;
}

int svff_sriov_set_autoprobe(const struct svff_ctx *ctx, const char *pf,
			     bool on, struct svff_error *err)
{
	int rc = svff_dev_write(ctx, pf, "sriov_drivers_autoprobe", on ? "1" : "0");
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot write 'sriov_drivers_autoprobe' of %s", pf);
	return 0;
}

int svff_vf_unbind(const struct svff_ctx *ctx, const char *vf, struct svff_error *err)
{
	char driver[SVFF_DRIVER_LEN], rel[SVFF_PATH_MAX];
	int rc;

	if (svff_dev_link(ctx, vf, "driver", driver, sizeof(driver)) < 0)
		return 0;
	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", driver);
	rc = svff_sys_write(ctx, rel, vf);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot unbind %s from driver '%s'", vf, driver);
	return 0;
}

int svff_vf_bind_vfio(const struct svff_ctx *ctx, const char *vf, struct svff_error *err)
{
	char driver[SVFF_DRIVER_LEN];
	int rc;

	rc = svff_dev_link(ctx, vf, "driver", driver, sizeof(driver));
	if (rc == 0 && !ctx->dry_run && !strcmp(driver, SVFF_VFIO_DRIVER))
		return 0;
	rc = svff_dev_write(ctx, vf, "driver_override", SVFF_VFIO_DRIVER);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot write 'driver_override' of %s", vf);
	rc = svff_vf_unbind(ctx, vf, err);
	if (rc < 0)
		return rc;
	rc = svff_sys_write(ctx, "bus/pci/drivers_probe", vf);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot bind %s to %s (is the vfio-pci module "
				      "loaded?)", vf, SVFF_VFIO_DRIVER);
	if (ctx->dry_run)
		return 0;
	if (svff_dev_link(ctx, vf, "driver", driver, sizeof(driver)) < 0 ||
	    strcmp(driver, SVFF_VFIO_DRIVER))
		return svff_err(err, -EIO, "%s is not bound to %s after the probe: is the "
				"vfio-pci module loaded and the IOMMU on?", vf, SVFF_VFIO_DRIVER);
	return 0;
}

int svff_iommu_group_check(const struct svff_ctx *ctx, const char *vf, struct svff_error *err)
{
	char group[32], rel[SVFF_PATH_MAX], path[SVFF_PATH_MAX];
	struct dirent *de;
	int rc = 0;

	if (svff_dev_link(ctx, vf, "iommu_group", group, sizeof(group)) < 0)
		return svff_err(err, -ENODEV, "%s has no IOMMU group: is the IOMMU on "
				"(intel_iommu=on or amd_iommu=on)?", vf);
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%s/devices", group);
	if (svff_sys_path(ctx, rel, path) < 0)
		return svff_err(err, -EINVAL, "bad IOMMU group '%s'", group);
	DIR *d = opendir(path);
	if (!d)
		return svff_err_errno(err, -errno, "cannot read IOMMU group %s of %s", group, vf);
	while ((de = readdir(d)) && rc == 0) {
		char driver[SVFF_DRIVER_LEN], canon[SVFF_ADDR_LEN];
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(canon))
			continue;
		strcpy(canon, de->d_name);
		if (svff_dev_link(ctx, canon, "driver", driver, sizeof(driver)) < 0)
			continue; /* no driver: fine for VFIO */
		if (strcmp(driver, SVFF_VFIO_DRIVER) && strcmp(driver, "pcieport"))
			rc = svff_err(err, -EBUSY, "IOMMU group %s of %s also holds %s, bound to "
				      "'%s': VFIO needs every device of the group on vfio-pci",
				      group, vf, canon, driver);
	}
	closedir(d);
	return rc;
}
