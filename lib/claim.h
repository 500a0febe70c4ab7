/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VM's claim on a VF, made and released: the libvirt hot-plug and the
 * state file change together, the state saved after each VF, so that the
 * file never claims less than the VMs hold.
 */
#ifndef SVFF_CLAIM_H
#define SVFF_CLAIM_H

#include "session.h"
#include "virt.h"

/* The live VF of index vf on the session's PF; NULL when absent. */
const struct svff_vf_info *svff_session_vf(struct svff_session *s, unsigned int vf);

/* Hot-plug VF index vf into vm (live when the VM runs; also persistent
 * with config, or only persistent when the VM is shut off), at guest_addr
 * when given, and record the claim as attached; *out (when out is not
 * NULL) is the claim, valid until it is released. net (may be NULL): the
 * VF's network settings, given on the PF before the VM has the VF and
 * kept with the claim. */
int svff_claim_attach(struct svff_session *s, struct svff_virt *v, struct svff_vm *vm,
		      unsigned int vf, const char *guest_addr, bool config,
		      const struct svff_net *net, struct svff_claim **out,
		      struct svff_error *err);

/* Take VF index vf back from its VM: hot-unplug (live, and from the
 * persistent configuration when the claim is persistent), then forget
 * the claim. A VM that no longer exists just loses the claim. (pause.h
 * releases a VF and keeps the claim.) */
int svff_claim_detach(struct svff_session *s, struct svff_virt *v, unsigned int vf,
		       struct svff_error *err);

/* A VF can go to a VM: bound to vfio-pci, and its IOMMU group clean. */
int svff_vf_usable(struct svff_session *s, const struct svff_vf_info *info,
		   struct svff_error *err);

#endif
