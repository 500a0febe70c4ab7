/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff unpause VM|VF...: give paused VFs back at the same guest address. */
#include "pause_unpause.h"

static int run(struct svff_inv *inv, struct svff_error *err)
{
	return svff_cmd_claims_run(inv, "unpaused", svff_unpause_run,
				   SVFF_WANT_AUTO, err);
}

const struct svff_cmd svff_cmd_unpause = {
	.name = "unpause", .args = "VM|VF...", .min_args = 1, .max_args = -1,
	.targets = SVFF_TARGETS_ANY, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED, .run = run,
	.summary = "give paused VFs back to their VMs at the same guest address",
	.desc = "Each paused VF named, and every paused VF of each VM named, goes back to\n"
		"its running VM at the guest PCI address it had, whether or not the VFs\n"
		"were re-created in between (the claim is by VF index): a VF the VM's QEMU\n"
		"released is re-acquired at its current host address, the guest told of\n"
		"the reset (x-vfio-notify, by PCIe AER, where QEMU offers it), and the VM,\n"
		"which svff suspended, resumed once none of its devices stays released;\n"
		"the others are hot-plugged (all at once). A shut-off\n"
		"VM's claim is marked attached again (its persistent configuration kept the\n"
		"VF). A VF attached already is left as it is; a VF that no longer exists\n"
		"(reconf to fewer VFs) is an error that says how to bring it back.",
};
