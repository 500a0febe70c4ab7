/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff unpause VM|VF...: give paused VFs back at the same guest address. */
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
	status = SVFF_EXIT_OK;
	if (svff_op_begin(&s, "unpause", -1, -1, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	svff_claims_unpause(&s, v, items, n);
	for (size_t i = 0; i < n; i++)
		if (items[i].rc < 0)
			status = svff_fail_err(SVFF_EXIT_FAIL, &items[i].err);
	if (svff_op_end(&s, &err) < 0)
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
	svff_cmd_claims_report(inv, &s, "unpaused", items, n);
out:
	free(items);
	svff_virt_close(v);
	svff_session_close(&s);
	return status;
}

const struct svff_cmd svff_cmd_unpause = {
	.name = "unpause",
	.args = "VM|VF...",
	.summary = "give paused VFs back to their VMs at the same guest address",
	.desc = "Each paused VF named, and every paused VF of each VM named, is hot-plugged\n"
		"(all at once) back into its running VM at the guest PCI address it had, whether or not\n"
		"the VFs were re-created in between (the claim is by VF index). A shut-off\n"
		"VM's claim is marked attached again (its persistent configuration kept the\n"
		"VF). A VF attached already is left as it is; a VF that no longer exists\n"
		"(reconf to fewer VFs) is an error that says how to bring it back.",
	.min_args = 1,
	.max_args = -1,
	.run = run,
};
