/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff pause VM|VF...: release VFs on the host; their VMs keep the claims. */
#include "pause_unpause.h"

static size_t pause_all(struct svff_session *s, struct svff_virt *v,
			struct svff_pause_item *items, size_t n)
{
	return svff_claims_pause(s, v, items, n, false);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	return svff_cmd_claims_run(inv, "pause", "paused", pause_all, err);
}

const struct svff_cmd svff_cmd_pause = {
	.name = "pause", .args = "VM|VF...", .min_args = 1, .max_args = -1,
	.targets = SVFF_TARGETS_ANY, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED, .run = run,
	.summary = "release VFs on the host; their VMs keep the claims",
	.desc = "Each VF named, and every VF of each VM named, is released on the host\n"
		"while its VM keeps the claim and the guest PCI address, so the PF can be\n"
		"reconfigured. With stock QEMU the VF is hot-unplugged from the guest (all\n"
		"VMs at once, each wait bounded by --timeout); svff asks each VM's QEMU,\n"
		"over its monitor, whether it offers a VFIO pause of its own, and says so.\n"
		"A VF paused already is left as it is. A VF whose guest does not let go\n"
		"stays attached, and the command fails.",
};
