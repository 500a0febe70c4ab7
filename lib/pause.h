/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pause and unpause: the host releases a VF while its VM keeps the claim
 * and the guest PCI address, and later gives it back there.
 *
 * The one seam for the mechanism, of two. Stock QEMU cannot keep a VFIO
 * device in a guest while the host releases it, so svff hot-unplugs it
 * and, on unpause, hot-plugs the (possibly re-created) VF at the same
 * guest address: the guest must answer, and its driver sees the device
 * go. A QEMU with svff's VFIO pause (qemu/README, lib/qmp.h) lets
 * the guest keep the device: svff suspends the VM, QEMU releases the
 * host device, and on unpause re-acquires the VF at its current address
 * before svff resumes the VM. Whether the VM's QEMU offers it is asked
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
	SVFF_PAUSE_RELEASE,         /* VM suspended, VF released by its QEMU */
};
const char *svff_pause_mech_name(enum svff_pause_mech m);

/* The mechanism asked for (pause --mechanism): the release where the
 * VM's QEMU offers it, else hot-unplug; or one of them only. */
enum svff_pause_want {
	SVFF_WANT_AUTO = 0,
	SVFF_WANT_RELEASE,
	SVFF_WANT_HOTPLUG,
};
/* "auto", "release", "hot-unplug"; -EINVAL for anything else. */
int svff_pause_want_parse(const char *s, enum svff_pause_want *out);

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
	enum svff_pause_want want;       /* in (pause only) */
	char vm[SVFF_VM_NAME_LEN];
	char guest_addr[SVFF_ADDR_LEN];
	enum svff_pause_mech mech;
	struct svff_qemu_probe probe;
	bool already;                    /* was in the wanted state already */
	bool vm_suspended;               /* release: svff keeps the VM suspended */
	bool vm_resumed;                 /* unpause: svff resumed the VM */
	bool vm_stopped;                 /* the VM does not run: its QEMU stopped while
					    asked to let go, or it was shut off when
					    given back */
	bool told;                       /* unpause by release: the guest was told its
					    device was reset (PCIe AER) */
	struct svff_error tell_err;      /* why it was not, when it was not */
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

/* The verbs pause and unpause (lib/journal.h): the above, journalled.
 * Each item has its own result; the return is the journal's. */
int svff_pause_run(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		   size_t n, struct svff_error *err);
int svff_unpause_run(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		     size_t n, struct svff_error *err);

#endif
