/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "claim.h"
#include "sriov.h"
#include "vfnet.h"

const struct svff_vf_info *svff_session_vf(struct svff_session *s, unsigned int vf)
{
	return svff_pf_vf_at(&s->info, vf);
}

int svff_vf_usable(struct svff_session *s, const struct svff_vf_info *info,
		   struct svff_error *err)
{
	if (strcmp(info->driver, SVFF_VFIO_DRIVER))
		return svff_err(err, -EBUSY, "vf%u (%s) is bound to '%s', not %s: run 'svff recover'",
				info->index, info->addr, info->driver[0] ? info->driver : "no driver",
				SVFF_VFIO_DRIVER);
	return svff_iommu_group_check(s->ctx, info->addr, err);
}

int svff_claim_attach(struct svff_session *s, struct svff_virt *v, struct svff_vm *vm,
		      unsigned int vf, const char *guest_addr, bool config,
		      const struct svff_net *net, struct svff_claim **out,
		      struct svff_error *err)
{
	char guest[SVFF_ADDR_LEN] = "";
	const struct svff_vf_info *info = svff_session_vf(s, vf);
	struct svff_pf_state *ps = svff_session_pf(s);
	int rc;

	if (!ps)
		return svff_err(err, -ENOENT, "svff does not manage %s", s->pf);
	if (!info)
		return svff_err(err, -ENODEV, "no VF %u on %s (it has %zu)", vf, s->pf, s->info.n_vfs);
	rc = svff_vf_usable(s, info, err);
	if (rc < 0)
		return rc;
	if (net && net->set && (rc = svff_vfnet_set(s->ctx, s->pf, vf, net, err)) < 0)
		return rc;
	bool live = vm->active;
	rc = svff_vm_attach(v, vm, info->addr, guest_addr, live, config || !live, guest, err);
	if (rc < 0)
		return rc;
	struct svff_claim *c = svff_state_claim(ps, vf);
	if (!c)
		c = svff_state_claim_add(ps, vf);
	if (!c)
		return svff_err(err, -ENOMEM, "out of memory");
	c->state = SVFF_VF_ATTACHED;
	snprintf(c->vm_name, sizeof(c->vm_name), "%s", vm->name);
	snprintf(c->vm_uuid, sizeof(c->vm_uuid), "%s", vm->uuid);
	/* keep the address we asked for when libvirt did not tell (dry run, shut-off VM) */
	if (guest[0] || !guest_addr)
		snprintf(c->guest_addr, sizeof(c->guest_addr), "%s", guest);
	c->persistent = config || !live;
	c->op_paused = false;
	if (net)
		c->net = *net;
	if (out)
		*out = c;
	return svff_session_save(s, err);
}

int svff_claim_detach(struct svff_session *s, struct svff_virt *v, unsigned int vf,
		       struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_claim *c = ps ? svff_state_claim(ps, vf) : NULL;
	const struct svff_vf_info *info = svff_session_vf(s, vf);
	struct svff_vm vm = { 0 };
	struct svff_error lookup = { 0 };
	int rc = 0;

	if (!c)
		return 0;
	/* A paused claim is off the running guest already, but a persistent
	 * one is still in the VM's configuration: left there, the VM would
	 * take the VF back at its next start, after svff gave it to another. */
	bool live = c->state == SVFF_VF_ATTACHED;
	bool released = c->state == SVFF_VF_PAUSED && c->rel.alias[0];
	if (info && (live || c->persistent || released)) {
		rc = svff_vm_lookup(v, c->vm_uuid[0] ? c->vm_uuid : c->vm_name, &vm, &lookup);
		if (rc == -ENOENT) {
			rc = 0;       /* the VM is gone, and with it its hold on the VF */
		} else if (rc < 0) {
			*err = lookup;
			return rc;
		} else if (released && vm.active) {
			/* its hostdev, released, is still in the suspended VM: a
			 * hot-unplug would wait for a guest that cannot run */
			svff_vm_clear(&vm);
			return svff_err(err, -EBUSY, "vf%u is released by the QEMU of VM '%s', which "
					"svff keeps suspended: 'svff unpause vf%u' gives it back (then "
					"detach it), or shut the VM down", vf, c->vm_name, vf);
		} else {
			rc = svff_vm_detach(v, &vm, info->addr, live, c->persistent,
					    s->ctx->timeout_s, err);
			svff_vm_clear(&vm);
			if (rc < 0)
				return rc;
		}
	}
	svff_state_claim_remove(ps, vf);
	return svff_session_save(s, err);
}
