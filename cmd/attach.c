/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff attach VM [VF...]: give VFs to a VM through libvirt. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "cmd.h"
#include "claim.h"
#include "net_cmd.h"
#include "sriov.h"
#include "vfnet.h"

enum { OPT_CONFIG, OPT_NET };

/* The VF indexes the command names, or the lowest free one. */
static int pick_vfs(struct svff_inv *inv, struct svff_session *s, unsigned int *vfs,
		    size_t *n, struct svff_error *err)
{
	*n = 0;
	for (size_t i = 0; i < inv->tg.n; i++) {
		unsigned int idx;
		int rc = svff_target_index(s, &inv->tg.t[i], true, &idx, err);
		if (rc < 0)
			return rc;
		for (size_t j = 0; j < *n; j++)
			if (vfs[j] == idx)
				return svff_usage_err(err, "VF '%s' is named twice", inv->tg.t[i].arg);
		vfs[(*n)++] = idx;
	}
	if (*n)
		return 0;
	for (size_t i = 0; i < s->info.n_vfs; i++) {
		const struct svff_vf_info *vf = &s->info.vfs[i];
		if (!svff_state_claim(svff_session_pf(s), vf->index) &&
		    !strcmp(vf->driver, SVFF_VFIO_DRIVER)) {
			vfs[(*n)++] = vf->index;
			return 0;
		}
	}
	return svff_err(err, -EBUSY, "no free VF on %s: all %zu are claimed", s->pf, s->info.n_vfs);
}

/* Network settings: a NIC PF, and one MAC for one VF. */
static int refuse_net(struct svff_session *s, const struct svff_net *net, size_t n,
		      struct svff_error *err)
{
	char ifname[IF_NAMESIZE];
	if (!net->set)
		return 0;
	if ((net->set & SVFF_NET_MAC) && n > 1)
		return svff_usage_err(err, "--mac gives one VF its address: attach the VFs one "
				      "at a time");
	return svff_vfnet_netdev(s->ctx, s->pf, ifname, err);
}

/* Refuse before changing anything: VFs held elsewhere, or paused here;
 * network settings for a VF that the VM holds already. */
static int refuse(struct svff_session *s, const struct svff_vm *vm, const unsigned int *vfs,
		  size_t n, const struct svff_net *net, struct svff_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct svff_claim *c = svff_state_claim(svff_session_pf(s), vfs[i]);
		if (c && net->set && !strcmp(c->vm_uuid, vm->uuid) && c->state == SVFF_VF_ATTACHED)
			return svff_err(err, -EBUSY, "vf%u is attached to VM '%s' already: its "
					"network settings are given at attach (detach it first)",
					vfs[i], vm->name);
		if (!c || (!strcmp(c->vm_uuid, vm->uuid) && c->state == SVFF_VF_ATTACHED))
			continue;
		bool paused = c->state == SVFF_VF_PAUSED;
		return svff_err(err, -EBUSY, "vf%u is %s VM '%s'%s", vfs[i],
				paused ? "claimed (paused) by" : "attached to", c->vm_name,
				paused && !strcmp(c->vm_uuid, vm->uuid) ? ": use 'svff unpause'" : "");
	}
	if (!vm->active && !vm->persistent)
		return svff_err(err, -ESRCH, "VM '%s' is neither running nor defined", vm->name);
	return 0;
}

static void said(void *opaque, const char *what)
{
	svff_say(opaque, "%s", what);
}

/* What attach did: the VFs, and the claims it made on them. */
struct attached {
	unsigned int *vfs;
	const struct svff_claim **claims;
	size_t n;
};

static int attach_all(struct svff_inv *inv, struct svff_session *s, struct svff_virt *v,
		      struct svff_vm *vm, const unsigned int *vfs, size_t n,
		      const struct svff_net *net, struct attached *out, struct svff_error *err)
{
	struct svff_attach a = { .vm = vm, .vfs = vfs, .n = n, .config = inv->set[OPT_CONFIG],
				 .net = net, .say = said, .say_opaque = inv, .done = out->vfs,
				 .claims = out->claims };
	int rc = svff_attach_run(s, v, &a, err);

	if (a.undo_err.code)
		fprintf(stderr, "svff: while undoing: %s\n", a.undo_err.msg);
	out->n = a.n_done;
	return rc;
}

static void report(struct svff_inv *inv, struct svff_session *s, const struct svff_vm *vm,
		   const struct attached *a)
{
	svff_out_open_array(inv, "attached");
	for (size_t i = 0; i < a->n; i++) {
		svff_out_open_object(inv, NULL);
		svff_print_uint(inv, "vf", NULL, a->vfs[i]);
		svff_print_str(inv, "addr", NULL, svff_session_vf(s, a->vfs[i])->addr);
		svff_print_str(inv, "guest_addr", NULL, a->claims[i]->guest_addr);
		svff_print_bool(inv, "live", NULL, vm->active);
		svff_print_bool(inv, "persistent", NULL, a->claims[i]->persistent);
		svff_print_net(inv, "net", a->claims[i]->net.set ? &a->claims[i]->net : NULL);
		svff_out_close(inv);
	}
	svff_out_close(inv);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_session *s = inv->s;
	struct svff_virt *v = NULL;
	struct svff_vm vm = { 0 };
	struct svff_net net;
	size_t n = 0;
	unsigned int *vfs = calloc(inv->tg.n + 1, sizeof(*vfs));
	struct attached a = { .vfs = calloc(inv->tg.n + 1, sizeof(*a.vfs)),
			      .claims = calloc(inv->tg.n + 1, sizeof(*a.claims)) };
	int rc = vfs && a.vfs && a.claims ? 0 : svff_err(err, -ENOMEM, "out of memory");

	/* Step 1: the VFs, libvirt, the VM; refusals before any change */
	if (rc == 0)
		rc = svff_net_opts(inv, OPT_NET, &net, err);
	if (rc == 0)
		rc = pick_vfs(inv, s, vfs, &n, err);
	if (rc == 0)
		rc = refuse_net(s, &net, n, err);
	if (rc == 0)
		rc = svff_virt_open(inv->ctx, &v, err);
	if (rc == 0)
		rc = svff_vm_lookup(v, inv->tg.vm, &vm, err);
	if (rc == 0) {
		svff_print_str(inv, "vm", NULL, vm.name);
		svff_print_str(inv, "vm_uuid", NULL, vm.uuid);
		rc = refuse(s, &vm, vfs, n, &net, err);
	}
	/* Step 2: attach, undone on failure; step 3: the report */
	if (rc == 0)
		rc = attach_all(inv, s, v, &vm, vfs, n, &net, &a, err);
	report(inv, s, &vm, &a);
	free(vfs);
	free(a.vfs);
	free(a.claims);
	svff_vm_clear(&vm);
	svff_virt_close(v);
	return rc;
}

const struct svff_cmd svff_cmd_attach = {
	.name = "attach", .args = "VM [VF...]", .min_args = 1, .max_args = -1,
	.targets = SVFF_TARGETS_VM_VFS, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED,
	.run = run,
	.opts = {
		[OPT_CONFIG] = { "config", 0, NULL, "also change the persistent configuration" },
		SVFF_NET_OPTS(OPT_NET),
	},
	.summary = "give VFs (default: the lowest free one) to a VM",
	.desc = "Hot-plugs each VF into the running VM (libvirt <hostdev managed='no'>),\n"
		"reads back the guest PCI address libvirt gave it and records the claim.\n"
		"With --config the VF is also added to the VM's persistent configuration;\n"
		"a shut-off VM gets the persistent configuration only. A VF attached to\n"
		"the same VM already is left as it is; one held by another VM is refused.\n"
		"If one VF of several fails, the ones this call attached are detached.\n"
		"On a NIC PF, --mac, --vlan, --spoofchk, --trust, --max-rate and\n"
		"--min-rate set the VF's network settings on the PF (netlink) before the\n"
		"VM has it; they stay with the claim, and reconf and recover give them\n"
		"again to a re-created VF.",
};
