/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The set of VFs of a managed PF, as journal steps: its count (through 0,
 * as the kernel demands) and the binding of every VF to vfio-pci. Shared
 * by init, reconf and recover, which rolls them forward.
 */
#ifndef SVFF_VFSET_H
#define SVFF_VFSET_H

#include <stdbool.h>

#include "session.h"

/* Make the PF have count VFs: autoprobe off, then sriov_numvfs through 0
 * when it has another non-zero count. Each write is a journal step. */
int svff_vfset_count(struct svff_session *s, unsigned int count, struct svff_error *err);

/* Bind VFs 0..count-1 to vfio-pci (skipping those bound already), then
 * check their IOMMU groups. */
int svff_vfset_bind(struct svff_session *s, unsigned int count, struct svff_error *err);

/* True when the PF has exactly count VFs, all on vfio-pci, autoprobe off. */
bool svff_vfset_ready(const struct svff_session *s, unsigned int count);

#endif
