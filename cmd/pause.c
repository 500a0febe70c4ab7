/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff pause VM|VF...: release VFs on the host; their VMs keep the claims. */
#include "pause_unpause.h"

enum { OPT_MECH };

static int check(struct svff_inv *inv, struct svff_error *err)
{
	enum svff_pause_want w;
	if (inv->set[OPT_MECH] && svff_pause_want_parse(inv->val[OPT_MECH], &w) < 0)
		return svff_usage_err(err, "--mechanism '%s': use auto, release or hot-unplug",
				      inv->val[OPT_MECH]);
	return 0;
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	enum svff_pause_want w = SVFF_WANT_AUTO;
	if (inv->set[OPT_MECH])
		svff_pause_want_parse(inv->val[OPT_MECH], &w);
	return svff_cmd_claims_run(inv, "paused", svff_pause_run, w, err);
}

const struct svff_cmd svff_cmd_pause = {
	.name = "pause", .args = "VM|VF...", .min_args = 1, .max_args = -1,
	.targets = SVFF_TARGETS_ANY, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED,
	.check = check, .run = run,
	.opts = {
		[OPT_MECH] = { "mechanism", 'm', "HOW",
			       "auto (default), release or hot-unplug" },
	},
	.summary = "release VFs on the host; their VMs keep the claims",
	.desc = "Each VF named, and every VF of each VM named, is released on the host\n"
		"while its VM keeps the claim and the guest PCI address, so the PF can be\n"
		"reconfigured. svff asks each VM's QEMU, over its monitor, whether it\n"
		"offers a VFIO pause (x-vfio-pause; svff(8), PAUSE MECHANISMS). If it\n"
		"does, svff suspends the VM and QEMU releases the VF: the guest keeps its\n"
		"device and does not run until unpause. Else the VF is hot-unplugged from\n"
		"the guest (all VMs at once, each wait bounded by --timeout), which must\n"
		"answer, and the VM runs without it. --mechanism release refuses a VM\n"
		"whose QEMU cannot; --mechanism hot-unplug does not ask QEMU. A VF paused\n"
		"already is left as it is. A VF whose guest does not let go stays\n"
		"attached, and the command fails.",
};
