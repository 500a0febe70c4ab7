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

/* Before the count is set, while the PF has no VFs: make its resource
 * pool available (lib/res.h: svff_res_prepare), a journal step when
 * there is something to do. 0 for a PF without a resource backend. */
int svff_vfset_res_prepare(struct svff_session *s, struct svff_error *err);

/* Give those of VFs 0..count-1 in only (NULL: all) what the state records
 * for them (else the backend's defaults), the device's room for all of
 * them reserved, between the count and the binding: one journal
 * step when an operation is in flight. VFs that have it already, and VFs
 * a VM holds attached, are left alone. A PF without a backend needs
 * nothing, unless resources are recorded for it. Returns how many VFs
 * it changed, or a negative errno. */
int svff_vfset_resources(struct svff_session *s, unsigned int count, const bool *only,
			 struct svff_error *err);

/* Before anything changes: whether the PF can give VFs 0..count-1 their
 * resources, the fields of asked (0: as recorded) set for the VFs change
 * marks (NULL: all). -EOPNOTSUPP (a usage error) when something is asked
 * and the PF has no backend; 0 when nothing is asked and it has none. */
int svff_vfset_res_check(struct svff_session *s, unsigned int count, const bool *change,
			 const struct svff_res *asked, struct svff_error *err);

/* Every VF's resources back to the pool (deinit), one journal step. */
int svff_vfset_res_release(struct svff_session *s, struct svff_error *err);

/* Bind VFs 0..count-1 to vfio-pci (skipping those bound already), then
 * check their IOMMU groups. */
int svff_vfset_bind(struct svff_session *s, unsigned int count, struct svff_error *err);

/* The three together, as init, reconf and recover make VFs: the count,
 * the resources, the binding. */
int svff_vfset_make(struct svff_session *s, unsigned int count, struct svff_error *err);

/* The same for the VFs of first[0..count-1] only (NULL: all), the VFs
 * that VMs wait for: their downtime does not wait for the others, which
 * svff_vfset_make_rest makes (the resources and binding of rest[], the
 * VFs first left) once the VMs have theirs back. */
int svff_vfset_make_first(struct svff_session *s, unsigned int count, const bool *first,
			  struct svff_error *err);
int svff_vfset_make_rest(struct svff_session *s, unsigned int count, const bool *rest,
			 struct svff_error *err);

/* True when the PF has exactly count VFs, all on vfio-pci, autoprobe off. */
bool svff_vfset_ready(const struct svff_session *s, unsigned int count);

/* Give each claimed VF below count (and in only, unless NULL) the network
 * settings of its claim
 * (a journal step when an operation is in flight and some claim has
 * them); returns how many VFs it changed. */
int svff_vfset_net(struct svff_session *s, unsigned int count, const bool *only,
		   struct svff_error *err);

#endif
