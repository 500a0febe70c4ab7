/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel side of a VF's life: VF count, native-driver autoprobe,
 * binding to vfio-pci, IOMMU group checks. Each function is idempotent
 * (doing it twice changes nothing the second time) so that an
 * interrupted verb can be finished by running its steps again.
 */
#ifndef SVFF_SRIOV_H
#define SVFF_SRIOV_H

#include <stdbool.h>

#include "svff.h"

#define SVFF_VFIO_DRIVER "vfio-pci"

/* Write sriov_numvfs and check the kernel did it: read the value back and
 * count the virtfnN links (some PF drivers report success and enable
 * fewer VFs). Kernel errors become messages an operator can act on. */
int svff_sriov_set_numvfs(const struct svff_ctx *ctx, const char *pf,
			  unsigned int n, struct svff_error *err);

int svff_sriov_set_autoprobe(const struct svff_ctx *ctx, const char *pf,
			     bool on, struct svff_error *err);

/* Bind a VF to vfio-pci: driver_override, unbind from another driver,
 * drivers_probe; 0 and nothing done when it is bound already. */
int svff_vf_bind_vfio(const struct svff_ctx *ctx, const char *vf,
		      struct svff_error *err);

/* Unbind a VF from its driver (0 when it has none); driver_override is
 * left as it is. */
int svff_vf_unbind(const struct svff_ctx *ctx, const char *vf, struct svff_error *err);

/* Every device in the VF's IOMMU group must be bound to vfio-pci or to
 * no driver, or VFIO refuses the group; -EBUSY naming the offender. */
int svff_iommu_group_check(const struct svff_ctx *ctx, const char *vf,
			   struct svff_error *err);

#endif
