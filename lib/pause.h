/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pause and unpause: the host releases a VF while its VM keeps the claim
 * and the guest PCI address, and later gives it back there.
 *
 * The one seam for the mechanism. Stock QEMU cannot keep a VFIO device
 * in a guest while the host releases it, so svff hot-unplugs it and, on
 * unpause, hot-plugs the (possibly re-created) VF at the same guest
 * address. Whether the VM's QEMU offers a VFIO pause of its own is asked
 * at run time over the QEMU monitor, never assumed.
 */
#ifndef SVFF_PAUSE_H
#define SVFF_PAUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"
#include "virt.h"

enum svff_pause_mech {
	SVFF_PAUSE_HOTPLUG = 0,     /* hot-unplug, hot-plug at the same address */
	SVFF_PAUSE_NONE,            /* the VM does not run: nothing to release */
};

/* What the VM's QEMU offers: its QMP commands (query-commands, through
 * libvirt-qemu) are searched for a VFIO pause command. */
struct svff_qemu_probe {
	bool asked;                 /* false: VM not running, or dry run */
	char vfio_cmd[64];          /* the command found, "" when none */
};
int svff_qemu_probe(const struct svff_ctx *ctx, struct svff_vm *vm,
		    struct svff_qemu_probe *out, struct svff_error *err);

/* One VF to pause or unpause, and what became of it. */
struct svff_pause_item {
	unsigned int vf;                 /* in */
	char vm[SVFF_VM_NAME_LEN];
	char guest_addr[SVFF_ADDR_LEN];
	enum svff_pause_mech mech;
	struct svff_qemu_probe probe;
	bool already;                    /* was in the wanted state already */
	double t_released, t_restored;   /* CLOCK_MONOTONIC seconds, 0 when not */
	int rc;
	struct svff_error err;
};

/* Pause the claims on items[].vf: hot-unplug from every running VM at
 * once, then keep each released claim as paused with its guest address;
 * by_op marks them paused by the operation in flight (reconf), which
 * unpauses them itself. A claim that could not be released stays
 * attached. Returns how many failed. */
size_t svff_claims_pause(struct svff_session *s, struct svff_virt *v,
			 struct svff_pause_item *items, size_t n, bool by_op);

/* Give the paused claims on items[].vf back to their VMs at their guest
 * addresses: the hot-plugs run in parallel (a thread each, one libvirt
 * connection), the state is saved once after. A claim that could not be
 * given back stays paused. Returns how many failed. */
size_t svff_claims_unpause(struct svff_session *s, struct svff_virt *v,
			   struct svff_pause_item *items, size_t n);

#endif
