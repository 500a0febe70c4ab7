/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff reconf COUNT [--force]: change the VF count; VMs keep their claims. */
#include <errno.h>
#include <stdio.h>

#include "cmd.h"
#include "parse.h"
#include "reconf.h"

enum { OPT_FORCE };

static double downtime(const struct svff_pause_item *it)
{
	return it->t_restored > 0 && it->t_released > 0 ? it->t_restored - it->t_released : -1;
}

static void report_items(struct svff_inv *inv, const struct svff_reconf *r)
{
	svff_out_open_array(inv, "restored");
	for (size_t i = 0; i < r->n_items; i++) {
		const struct svff_pause_item *it = &r->items[i];
		if (it->vf >= r->to)
			continue;
		if (it->rc < 0 && !inv->ctx->dry_run)
			svff_say(inv, "vf%u stays paused: %s", it->vf, it->err.msg);
		else if (it->rc == 0 && it->vm_stopped && !inv->ctx->dry_run)
			svff_say(inv, "vf%u: VM '%s' is shut off: its persistent configuration keeps "
				 "the claim", it->vf, it->vm);
		else if (it->rc == 0 && downtime(it) >= 0 && !inv->ctx->dry_run)
			svff_say(inv, "vf%u back in VM '%s' at %s after %.2f s (%s)", it->vf, it->vm,
				 it->guest_addr, downtime(it),
				 it->mech != SVFF_PAUSE_RELEASE ? svff_pause_mech_name(it->mech)
				 : it->told ? "release: the VM was suspended, the guest told of its reset"
					    : "release: the VM was suspended");
		svff_out_open_object(inv, NULL);
		svff_print_uint(inv, "vf", NULL, it->vf);
		svff_print_str(inv, "vm", NULL, it->vm);
		svff_print_str(inv, "guest_addr", NULL, it->guest_addr);
		svff_print_bool(inv, "restored", NULL, it->rc == 0);
		svff_print_str(inv, "mechanism", NULL, svff_pause_mech_name(it->mech));
		svff_print_bool(inv, "vm_stopped", NULL, it->vm_stopped);
		svff_print_bool(inv, "guest_told", NULL, it->told);
		if (downtime(it) >= 0)
			svff_print_double(inv, "downtime_s", NULL, downtime(it));
		else
			svff_print_null(inv, "downtime_s");
		svff_out_close(inv);
	}
	svff_out_close(inv);
}

void svff_reconf_report(struct svff_inv *inv, const struct svff_reconf *r)
{
	report_items(inv, r);
	svff_out_open_array(inv, "displaced");
	for (size_t i = 0; i < r->n_displaced; i++) {
		if (!inv->ctx->dry_run)
			svff_say(inv, "vf%u no longer exists: its VM's claim stays paused ('svff "
				 "reconf %u' brings it back, 'svff detach vf%u' drops it)",
				 r->displaced[i], r->displaced[i] + 1, r->displaced[i]);
		svff_print_uint(inv, NULL, NULL, r->displaced[i]);
	}
	svff_out_close(inv);
}

static void report(struct svff_inv *inv, struct svff_session *s, const struct svff_reconf *r)
{
	svff_print_uint(inv, "from", NULL, r->from);
	svff_print_uint(inv, "to", NULL, r->to);
	svff_print_bool(inv, "changed", NULL, r->changed);
	if (!r->changed && !inv->ctx->dry_run)
		svff_say(inv, "%s: nothing to do: %u VFs on vfio-pci already", s->pf, r->to);
	else if (!inv->ctx->dry_run)
		svff_say(inv, "%s: %u -> %u VFs on vfio-pci", s->pf, r->from, r->to);
	svff_reconf_report(inv, r);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_reconf r = { 0 };
	unsigned int count = inv->tg.count, total = inv->s->info.totalvfs;
	int rc = 0;

	if (count == 0 || count > total)
		rc = svff_usage_err(err, "VF count '%u' is out of range: %s offers 1 to %u VFs "
				    "('svff deinit' removes them all)", count, inv->s->pf, total);
	if (rc == 0)
		rc = svff_reconf_run(inv->s, count, inv->set[OPT_FORCE], &r, err);
	if (rc == 0 || r.changed)
		report(inv, inv->s, &r);
	svff_reconf_clear(&r);
	return rc;
}

const struct svff_cmd svff_cmd_reconf = {
	.name = "reconf", .args = "COUNT", .min_args = 1, .max_args = 1,
	.targets = SVFF_TARGETS_COUNT, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED,
	.run = run,
	.opts = {
		[OPT_FORCE] = { "force", 'f', NULL, "drop claimed VFs; their claims stay paused" },
	},
	.summary = "change the number of VFs while VMs keep their claims",
	.desc = "Pauses every attached VF (all VMs at once), writes 0 and then COUNT to\n"
		"sriov_numvfs, binds the VFs the VMs wait for to vfio-pci, gives each\n"
		"VM its VF back at the same guest address, then binds the other new\n"
		"VFs; prints each VM's downtime and the\n"
		"mechanism: the release where the VM's QEMU offers a VFIO pause (the VM\n"
		"is suspended meanwhile and the guest keeps its device), else hot-unplug\n"
		"(and always for a VF the new count removes). VFs that\n"
		"users paused stay paused. Dropping a claimed VF is refused unless\n"
		"--force, which keeps that claim paused and reports it. The current\n"
		"COUNT, with every VF present and bound, is a no-op. If setting the\n"
		"count fails, the old count is restored and the VMs get their VFs back.",
};
