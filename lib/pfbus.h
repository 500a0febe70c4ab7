/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PF taken off the PCI bus and found again (reprogram --remove): a
 * full reload of an FPGA's image drops the link, so the function must be
 * removed first and enumerated again by a rescan after. What comes back
 * at the same address is checked against what left: a new image may make
 * it another device.
 */
#ifndef SVFF_PFBUS_H
#define SVFF_PFBUS_H

#include "state.h"
#include "svff.h"

/* The identity of the PF at addr (IDs, TotalVFs, driver) from sysfs. */
int svff_pf_id_read(const struct svff_ctx *ctx, const char *addr, struct svff_pf_id *id,
		    struct svff_error *err);

/* Unbind the PF's driver and remove the function: 0 once it is gone. */
int svff_pf_remove(const struct svff_ctx *ctx, const char *addr, struct svff_error *err);

/* Rescan the bus (a no-op write when the PF is there already) and wait
 * up to timeout_s for a function at addr with a driver bound; then it
 * must be the device that left (was; its IDs may differ when
 * was->new_ids), with at least need VFs and the same driver. -ENODEV
 * when nothing came back, -EIO when another device or one with too few
 * VFs did, each message saying what changed. */
int svff_pf_rescan(const struct svff_ctx *ctx, const char *addr, const struct svff_pf_id *was,
		   unsigned int need, int timeout_s, struct svff_error *err);

#endif
