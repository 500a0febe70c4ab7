/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff detach VM [VF...] | svff detach VF: take VFs back from VMs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "attach.h"
#include "cmd.h"
#include "claim.h"

static void detached(void *opaque, unsigned int vf, const char *vm)
{
	struct svff_inv *inv = opaque;

	if (!inv->ctx->dry_run)
		svff_say(inv, "vf%u detached from VM '%s'", vf, vm);
	svff_out_open_object(inv, NULL);
	svff_print_uint(inv, "vf", NULL, vf);
	svff_print_str(inv, "vm", NULL, vm);
	svff_out_close(inv);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_virt *v = NULL;
	unsigned int *vfs = NULL;
	size_t n = 0;
	int rc = svff_targets_claimed(&inv->tg, inv->s, "attached to", &vfs, &n, err);

	if (rc == 0)
		rc = svff_virt_open(inv->ctx, &v, err);
	if (rc == 0) {
		svff_out_open_array(inv, "detached");
		rc = svff_detach_run(inv->s, v, vfs, n, detached, inv, err);
		svff_out_close(inv);
	}
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
