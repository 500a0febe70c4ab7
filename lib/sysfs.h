/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysfs access. Every path svff touches is built here, under
 * ctx->sysfs_root, from canonical PCI addresses only (see parse.h), so
 * tests can point svff at a fake tree and no user input reaches a path
 * unchecked.
 */
#ifndef SVFF_SYSFS_H
#define SVFF_SYSFS_H

#include <stddef.h>

#include "svff.h"

#define SVFF_PATH_MAX 512

/* <root>/bus/pci/devices/<addr>[/<attr>] ; attr may be NULL. */
int svff_dev_path(const struct svff_ctx *ctx, const char *addr,
		  const char *attr, char out[SVFF_PATH_MAX]);
/* <root>/<rel> */
int svff_sys_path(const struct svff_ctx *ctx, const char *rel,
		  char out[SVFF_PATH_MAX]);

/* Read a device attribute, trailing newline stripped. */
int svff_dev_read(const struct svff_ctx *ctx, const char *addr,
		  const char *attr, char *buf, size_t size);
/* Read a decimal (or 0x-prefixed hex) attribute. */
int svff_dev_read_uint(const struct svff_ctx *ctx, const char *addr,
		       const char *attr, unsigned int *out);
/* Write a device attribute; returns the write's -errno so callers can
 * explain EBUSY, ENOSPC, ... in the operator's terms. */
int svff_dev_write(const struct svff_ctx *ctx, const char *addr,
		   const char *attr, const char *value);
/* Write a file relative to the root (drivers_probe, driver unbind). */
int svff_sys_write(const struct svff_ctx *ctx, const char *rel,
		   const char *value);

/* Basename of the symlink <dev>/<link> ("driver" -> "vfio-pci",
 * "iommu_group" -> "12", "virtfn3" -> "0000:01:00.4"). -ENOENT when the
 * link is absent (no driver bound, no IOMMU group). */
int svff_dev_link(const struct svff_ctx *ctx, const char *addr,
		  const char *link, char *buf, size_t size);

int svff_dev_exists(const struct svff_ctx *ctx, const char *addr);

#endif
