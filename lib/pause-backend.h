/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a pause mechanism implements (svff(8), PAUSE MECHANISMS), as the
 * resource backends do for resources (lib/res-backend.h). lib/pause.c
 * checks each claim, looks its VM up, chooses the item's mechanism and
 * records the claims; a backend releases the VFs of the items whose mech
 * is its own, or gives them back, every VM at once, and sets each of
 * those items' rc, err and times. vms[i] is the VM of items[i].
 */
#ifndef SVFF_PAUSE_BACKEND_H
#define SVFF_PAUSE_BACKEND_H

#include "pause.h"

struct svff_pause_ops {
	enum svff_pause_mech mech;
	/* journal steps of its own; by_op: the claims are the operation's
	 * in flight (reconf), which gives them back itself */
	void (*pause)(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		      struct svff_vm *vms, size_t n, bool by_op);
	/* each VF back at items[i].guest_addr, which then says where the
	 * VM put it */
	void (*unpause)(struct svff_session *s, struct svff_virt *v,
			struct svff_pause_item *items, struct svff_vm *vms, size_t n);
};

/* In the order pause.c runs them: the releases first, since their VMs
 * are suspended and the hot-unplugs wait for guests. */
extern const struct svff_pause_ops svff_pause_release;   /* lib/pause-vfio.c */
extern const struct svff_pause_ops svff_pause_hotplug;   /* lib/pause-hotplug.c */

#endif
