/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pf.h"
#include "pfbus.h"
#include "sriov.h"
#include "sysfs.h"

int svff_pf_id_read(const struct svff_ctx *ctx, const char *addr, struct svff_pf_id *id,
		    struct svff_error *err)
{
	int rc;

	memset(id, 0, sizeof(*id));
	rc = svff_dev_read_uint(ctx, addr, "vendor", &id->vendor);
	if (rc == 0)
		rc = svff_dev_read_uint(ctx, addr, "device", &id->device);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot read the IDs of %s", addr);
	/* absent on some platforms: 0, compared as such */
	svff_dev_read_uint(ctx, addr, "subsystem_vendor", &id->sub_vendor);
	svff_dev_read_uint(ctx, addr, "subsystem_device", &id->sub_device);
	svff_dev_read_uint(ctx, addr, "sriov_totalvfs", &id->totalvfs);
	if (svff_dev_link(ctx, addr, "driver", id->driver, sizeof(id->driver)) < 0)
		id->driver[0] = '\0';
	return 0;
}

int svff_pf_remove(const struct svff_ctx *ctx, const char *addr, struct svff_error *err)
{
	int rc = svff_vf_unbind(ctx, addr, err);

	if (rc < 0)
		return rc;
	rc = svff_dev_write(ctx, addr, "remove", "1");
	/* ENOENT: gone already (the write raced with the removal) */
	if (rc < 0 && !(rc == -ENOENT && svff_dev_exists(ctx, addr) == 0))
		return svff_err_errno(err, rc, "cannot remove %s from the PCI bus", addr);
	if (!ctx->dry_run && svff_dev_exists(ctx, addr) > 0)
		return svff_err(err, -EBUSY, "%s is still on the PCI bus after its removal", addr);
	return 0;
}

static void nap(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* Present with a driver bound, within the bound. */
static int wait_back(const struct svff_ctx *ctx, const char *addr, const char *driver,
		     int timeout_s)
{
	double until = svff_now() + (timeout_s > 0 ? timeout_s : 1);
	char now[64];

	for (;;) {
		bool bound = svff_dev_link(ctx, addr, "driver", now, sizeof(now)) == 0;
		if (svff_dev_exists(ctx, addr) > 0 && (bound || !driver[0]))
			return 0;
		if (svff_now() >= until)
			return svff_dev_exists(ctx, addr) > 0 ? -ENOLINK : -ENODEV;
		nap();
	}
}

/* What differs between was and now, "" when nothing that matters. */
static void differences(const struct svff_pf_id *was, const struct svff_pf_id *now,
			unsigned int need, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	/* an image that changes the IDs, as the operator said (--new-ids) */
#define DIFF(field, what) \
	if (!was->new_ids && was->field != now->field && n < size) \
		n += (size_t)snprintf(out + n, size - n, "%s" what " 0x%04x (was 0x%04x)", \
				      n ? ", " : "", now->field, was->field)
	DIFF(vendor, "vendor");
	DIFF(device, "device");
	DIFF(sub_vendor, "subsystem vendor");
	DIFF(sub_device, "subsystem device");
#undef DIFF
	if (now->totalvfs < need && n < size)
		n += (size_t)snprintf(out + n, size - n, "%s%s VFs where %u are needed",
				      n ? ", " : "", now->totalvfs ? "offers only" : "no SR-IOV: 0",
				      need);
	if (was->driver[0] && strcmp(was->driver, now->driver) && n < size)
		snprintf(out + n, size - n, "%sdriver '%s' (was '%s')", n ? ", " : "",
			 now->driver[0] ? now->driver : "none", was->driver);
}

int svff_pf_rescan(const struct svff_ctx *ctx, const char *addr, const struct svff_pf_id *was,
		   unsigned int need, int timeout_s, struct svff_error *err)
{
	struct svff_pf_id now;
	char what[256];
	int rc = 0;

	char drv[64];
	bool there = svff_dev_exists(ctx, addr) > 0;

	if (!there || ctx->dry_run)
		rc = svff_sys_write(ctx, "bus/pci/rescan", "1");
	/* there without its driver (svff stopped between the unbind and the
	 * remove): probed again */
	else if (was->driver[0] && svff_dev_link(ctx, addr, "driver", drv, sizeof(drv)) < 0)
		rc = svff_sys_write(ctx, "bus/pci/drivers_probe", addr);
	if (rc < 0)
		return svff_err_errno(err, rc, "cannot rescan the PCI bus for %s", addr);
	if (ctx->dry_run)
		return 0;
	rc = wait_back(ctx, addr, was->driver, timeout_s);
	if (rc == -ENODEV)
		return svff_err(err, rc, "%s did not come back to the PCI bus within %d s of the "
				"rescan", addr, timeout_s);
	if (rc == -ENOLINK)
		return svff_err(err, -EIO, "%s came back, but its driver '%s' did not bind within "
				"%d s", addr, was->driver, timeout_s);
	rc = svff_pf_id_read(ctx, addr, &now, err);
	if (rc < 0)
		return rc;
	differences(was, &now, need, what, sizeof(what));
	if (what[0])
		return svff_err(err, -EIO, "%s came back as another device: %s", addr, what);
	return 0;
}
