/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pause_unpause.h"
#include "qmp.h"

static int cmp_vf(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;
	return x < y ? -1 : x > y;
}

/* The claims the arguments name, each once, in VF order. */
static int pick(struct svff_inv *inv, struct svff_session *s, struct svff_pause_item **out,
		size_t *n, struct svff_error *err)
{
	unsigned int *vfs = NULL;
	int rc = svff_targets_claimed(&inv->tg, s, "claimed by", &vfs, n, err);

	if (rc == 0)
		qsort(vfs, *n, sizeof(*vfs), cmp_vf);
	*out = rc == 0 ? calloc(*n + 1, sizeof(**out)) : NULL;
	if (rc == 0 && !*out)
		rc = svff_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < *n; i++)
		(*out)[i].vf = vfs[i];
	free(vfs);
	return rc;
}

/* What the mechanism did to the VM, for the line of a VF. */
static const char *how(const struct svff_pause_item *it, bool pausing)
{
	if (it->vm_stopped)
		return pausing ? ": the VM stopped meanwhile (its QEMU is gone), so nothing holds it"
			       : ": the VM is shut off, so its persistent configuration holds it";
	if (it->mech == SVFF_PAUSE_HOTPLUG)
		return pausing ? ": hot-unplugged" : ": hot-plugged";
	if (it->mech != SVFF_PAUSE_RELEASE)
		return "";
	if (pausing)
		return it->vm_suspended ? ": released, the VM suspended" : ": released";
	if (it->told)
		return it->vm_resumed ? ": re-acquired, the guest told of its reset, the VM resumed"
				      : ": re-acquired, the guest told of its reset";
	return it->vm_resumed ? ": re-acquired, the VM resumed"
	       : it->vm_suspended ? ": re-acquired, the VM stays suspended (another of its "
				    "devices is released)" : ": re-acquired";
}

static void say_item(struct svff_inv *inv, const char *what, const struct svff_pause_item *it)
{
	if (it->rc < 0 || inv->ctx->dry_run)
		return;
	bool pausing = !strcmp(what, "paused");
	if (it->already)
		svff_say(inv, "vf%u of VM '%s' is %s already", it->vf, it->vm, what);
	else
		svff_say(inv, "vf%u %s for VM '%s' (guest address %s)%s", it->vf, what, it->vm,
			 it->guest_addr[0] ? it->guest_addr : "unknown", how(it, pausing));
	if (it->probe.vfio_cmd[0] && strcmp(it->probe.vfio_cmd, SVFF_QEMU_RELEASE_CMD))
		svff_say(inv, "note: the QEMU of VM '%s' offers '%s', which svff does not know: "
			 "it used hot-unplug", it->vm, it->probe.vfio_cmd);
}

static void report(struct svff_inv *inv, const char *what, const struct svff_pause_item *items,
		   size_t n)
{
	svff_out_open_array(inv, what);
	for (size_t i = 0; i < n; i++) {
		const struct svff_pause_item *it = &items[i];
		say_item(inv, what, it);
		svff_out_open_object(inv, NULL);
		svff_print_uint(inv, "vf", NULL, it->vf);
		svff_print_str(inv, "vm", NULL, it->vm);
		svff_print_str(inv, "guest_addr", NULL, it->guest_addr);
		svff_print_bool(inv, "ok", NULL, it->rc == 0);
		svff_print_bool(inv, "changed", NULL, it->rc == 0 && !it->already);
		svff_print_str(inv, "mechanism", NULL, svff_pause_mech_name(it->mech));
		svff_print_bool(inv, "vm_suspended", NULL, it->vm_suspended);
		svff_print_bool(inv, "vm_stopped", NULL, it->vm_stopped);
		if (strcmp(what, "paused")) {
			svff_print_bool(inv, "vm_resumed", NULL, it->vm_resumed);
			/* the release's re-acquire: the guest told of the reset */
			svff_print_bool(inv, "guest_told", NULL, it->told);
			svff_print_str(inv, "guest_not_told", NULL,
				       it->tell_err.code ? it->tell_err.msg : NULL);
		}
		svff_print_bool(inv, "qemu_asked", NULL, it->probe.asked);
		svff_print_str(inv, "qemu_vfio_pause", NULL, it->probe.vfio_cmd);
		svff_print_str(inv, "error", NULL, it->rc < 0 ? it->err.msg : NULL);
		svff_out_close(inv);
	}
	svff_out_close(inv);
}

/* The journal's failure, then each item's, in order. */
static int run_items(struct svff_session *s, svff_claims_fn fn, struct svff_virt *v,
		     struct svff_pause_item *items, size_t n, struct svff_error *err)
{
	int rc = fn(s, v, items, n, err);

	for (size_t i = 0; i < n; i++)
		if (items[i].rc < 0)
			svff_err_keep(&rc, err, items[i].rc, &items[i].err);
	return rc;
}

int svff_cmd_claims_run(struct svff_inv *inv, const char *what,
			svff_claims_fn fn, enum svff_pause_want want, struct svff_error *err)
{
	struct svff_virt *v = NULL;
	struct svff_pause_item *items = NULL;
	size_t n = 0;
	int rc = pick(inv, inv->s, &items, &n, err);

	for (size_t i = 0; rc == 0 && i < n; i++)
		items[i].want = want;
	if (rc == 0)
		rc = svff_virt_open(inv->ctx, &v, err);
	if (rc == 0) {
		rc = run_items(inv->s, fn, v, items, n, err);
		report(inv, what, items, n);
	}
	free(items);
	svff_virt_close(v);
	return rc;
}
