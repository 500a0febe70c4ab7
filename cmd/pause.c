/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff pause VM|VF...: release VFs on the host; their VMs keep the claims. */
#include <stdlib.h>

#include "claims.h"
#include "hotplug.h"

static int run(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	struct svff_session s;
	struct svff_virt *v = NULL;
	struct svff_pause_item *items = NULL;
	size_t n = 0;
	int status = svff_cmd_claims_check(inv);

	if (status >= 0)
		return status;
	status = svff_cmd_session(inv, SVFF_SESSION_MANAGED, &s);
	if (status >= 0)
		return status;
	status = svff_cmd_claims_pick(inv, &s, &items, &n);
	if (status >= 0)
		goto out;
	if (svff_virt_open(inv->ctx, &v, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	/* each claim is saved as it goes; the journal only names the verb,
	 * so that a kill in the middle sends the next verb to recover */
	status = SVFF_EXIT_OK;
	if (svff_op_begin(&s, "pause", -1, -1, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	size_t failed = svff_claims_pause(&s, v, items, n, false);
	for (size_t i = 0; i < n; i++)
		if (items[i].rc < 0)
			svff_fail_err(SVFF_EXIT_FAIL, &items[i].err);
	if (failed)
		status = SVFF_EXIT_FAIL;
	if (svff_op_end(&s, &err) < 0)
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
	svff_cmd_claims_report(inv, &s, "paused", items, n);
out:
	free(items);
	svff_virt_close(v);
	svff_session_close(&s);
	return status;
}

const struct svff_cmd svff_cmd_pause = {
	.name = "pause",
	.args = "VM|VF...",
	.summary = "release VFs on the host; their VMs keep the claims",
	.desc = "Each VF named, and every VF of each VM named, is released on the host\n"
		"while its VM keeps the claim and the guest PCI address, so the PF can be\n"
		"reconfigured. With stock QEMU the VF is hot-unplugged from the guest (all\n"
		"VMs at once, each wait bounded by --timeout); svff asks each VM's QEMU,\n"
		"over its monitor, whether it offers a VFIO pause of its own, and says so.\n"
		"A VF paused already is left as it is. A VF whose guest does not let go\n"
		"stays attached, and the command fails.",
	.min_args = 1,
	.max_args = -1,
	.run = run,
};
