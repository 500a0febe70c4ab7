/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff detach VM [VF...] | svff detach VF: take VFs back from VMs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "claim.h"

/* Release each, a journal step each when there are several. A VF that
 * would not let go stays claimed; those before it are free. Nothing is
 * left half-done, so the journal can close either way. */
static int release_all(struct svff_inv *inv, struct svff_session *s, struct svff_virt *v,
		       const unsigned int *vfs, size_t n, struct svff_error *err)
{
	int rc = n > 1 ? svff_op_begin(s, "detach", -1, -1, err) : 0;

	svff_out_open_array(inv, "detached");
	for (size_t i = 0; i < n && rc == 0; i++) {
		char step[32], vm[SVFF_VM_NAME_LEN];
		snprintf(vm, sizeof(vm), "%s", svff_state_claim(svff_session_pf(s), vfs[i])->vm_name);
		snprintf(step, sizeof(step), "detach vf%u", vfs[i]);
		if (n > 1)
			rc = svff_op_step(s, step, err);
		if (rc == 0)
			rc = svff_claim_release(s, v, vfs[i], err);
		if (rc < 0)
			break;
		if (!inv->ctx->dry_run)
			svff_say(inv, "vf%u detached from VM '%s'", vfs[i], vm);
		svff_out_open_object(inv, NULL);
		svff_print_uint(inv, "vf", NULL, vfs[i]);
		svff_print_str(inv, "vm", NULL, vm);
		svff_out_close(inv);
	}
	svff_out_close(inv);
	struct svff_error end = { 0 };
	if (n > 1)
		svff_err_keep(&rc, err, svff_op_end(s, &end), &end);
	return rc;
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_virt *v = NULL;
	unsigned int *vfs = NULL;
	size_t n = 0;
	int rc = svff_targets_claimed(&inv->tg, inv->s, "attached to", &vfs, &n, err);

	if (rc == 0)
		rc = svff_virt_open(inv->ctx, &v, err);
	if (rc == 0)
		rc = release_all(inv, inv->s, v, vfs, n, err);
	free(vfs);
	svff_virt_close(v);
	return rc;
}

const struct svff_cmd svff_cmd_detach = {
	.name = "detach", .args = "VM [VF...] | VF", .min_args = 1, .max_args = -1,
	.targets = SVFF_TARGETS_VM_VFS_OR_VF, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED,
	.run = run,
	.summary = "take VFs back from a VM",
	.desc = "Hot-unplugs the VM's VFs (all of them on the PF, or those named; or the\n"
		"one VF named alone, from whichever VM holds it), waits up to --timeout\n"
		"for the guest to let each go, and forgets the claim; the VF stays on\n"
		"vfio-pci, free. A paused claim is simply dropped. A guest that does not\n"
		"release a VF in time leaves it attached and claimed, and the command\n"
		"fails; the VFs released before it stay released.",
};
