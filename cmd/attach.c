/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff attach VM [VF...]: give VFs to a VM through libvirt. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "hotplug.h"
#include "parse.h"
#include "sriov.h"

enum { OPT_CONFIG };

/* The VF indexes the command names, or the lowest free one. */
static int pick_vfs(struct svff_inv *inv, struct svff_session *s, unsigned int *vfs,
		    size_t *n)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	*n = 0;
	for (int i = 1; i < inv->argc; i++) {
		struct svff_vf_ref ref;
		struct svff_error err = { 0 };
		svff_parse_vf(inv->argv[i], &ref, &err);   /* checked in run() */
		const struct svff_vf_info *vf = svff_pf_vf(&s->info, &ref);
		if (!vf)
			return svff_fail(SVFF_EXIT_FAIL, "no VF '%s' on %s (it has %zu VFs)",
					 inv->argv[i], s->pf, s->info.n_vfs);
		for (size_t j = 0; j < *n; j++)
			if (vfs[j] == vf->index)
				return svff_usage(NULL, "VF '%s' is named twice", inv->argv[i]);
		vfs[(*n)++] = vf->index;
	}
	if (*n)
		return -1;
	for (size_t i = 0; i < s->info.n_vfs; i++) {
		const struct svff_vf_info *vf = &s->info.vfs[i];
		if (!svff_state_claim(ps, vf->index) && !strcmp(vf->driver, SVFF_VFIO_DRIVER)) {
			vfs[(*n)++] = vf->index;
			return -1;
		}
	}
	return svff_fail(SVFF_EXIT_FAIL, "no free VF on %s: all %zu are claimed", s->pf,
			 s->info.n_vfs);
}

static int run(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	struct svff_session s;
	struct svff_virt *v = NULL;
	struct svff_vm vm = { 0 };
	unsigned int *vfs = NULL;
	size_t n = 0, done = 0;
	int status, rc = 0;

	if (svff_check_vm_name(inv->argv[0], &err) < 0)
		return svff_usage(NULL, "%s", err.msg);
	for (int i = 1; i < inv->argc; i++) {
		struct svff_vf_ref ref;
		if (svff_parse_vf(inv->argv[i], &ref, &err) < 0)
			return svff_usage(NULL, "%s", err.msg);
	}
	status = svff_cmd_session(inv, SVFF_SESSION_MANAGED, &s);
	if (status >= 0)
		return status;
	vfs = calloc((size_t)inv->argc + 1, sizeof(*vfs));
	if (!vfs) {
		status = svff_fail(SVFF_EXIT_FAIL, "out of memory");
		goto out;
	}
	status = pick_vfs(inv, &s, vfs, &n);
	if (status >= 0)
		goto out;
	status = SVFF_EXIT_OK;
	if (svff_virt_open(inv->ctx, &v, &err) < 0 ||
	    svff_vm_lookup(v, inv->argv[0], &vm, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	struct svff_pf_state *ps = svff_session_pf(&s);
	/* Refuse before changing anything: VFs held elsewhere, or here already. */
	for (size_t i = 0; i < n; i++) {
		struct svff_claim *c = svff_state_claim(ps, vfs[i]);
		if (!c)
			continue;
		if (strcmp(c->vm_uuid, vm.uuid) || c->state != SVFF_VF_ATTACHED) {
			status = svff_fail(SVFF_EXIT_FAIL, "vf%u is %s VM '%s'%s", vfs[i],
					   c->state == SVFF_VF_PAUSED ? "claimed (paused) by" : "attached to",
					   c->vm_name, c->state == SVFF_VF_PAUSED && !strcmp(c->vm_uuid, vm.uuid)
					   ? ": use 'svff unpause'" : "");
			goto out;
		}
	}
	if (!vm.active && !vm.persistent) {
		status = svff_fail(SVFF_EXIT_FAIL, "VM '%s' is neither running nor defined", vm.name);
		goto out;
	}
	if (n > 1)
		rc = svff_op_begin(&s, "attach", -1, -1, &err);
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n && rc == 0; i++) {
		char step[32];
		struct svff_claim *c = svff_state_claim(svff_session_pf(&s), vfs[i]);
		if (c) {
			svff_say(inv, "vf%u is attached to VM '%s' already", vfs[i], vm.name);
			continue;
		}
		snprintf(step, sizeof(step), "attach vf%u", vfs[i]);
		if (n > 1)
			rc = svff_op_step(&s, step, &err);
		if (rc == 0)
			rc = svff_claim_attach(&s, v, &vm, vfs[i], NULL, inv->set[OPT_CONFIG], &err);
		if (rc < 0)
			break;
		done = i + 1;
		c = svff_state_claim(svff_session_pf(&s), vfs[i]);
		const struct svff_vf_info *info = svff_session_vf(&s, vfs[i]);
		if (!inv->ctx->dry_run)
			svff_say(inv, "vf%u (%s) attached to VM '%s'%s%s%s", vfs[i], info->addr, vm.name,
				 c->guest_addr[0] ? " at guest address " : "", c->guest_addr,
				 vm.active ? "" : " (persistent configuration: the VM is shut off)");
		json_object *e = json_object_new_object();
		json_object_object_add(e, "vf", json_object_new_int((int)vfs[i]));
		json_object_object_add(e, "addr", json_object_new_string(info->addr));
		json_object_object_add(e, "guest_addr", c->guest_addr[0] ?
				       json_object_new_string(c->guest_addr) : NULL);
		json_object_object_add(e, "live", json_object_new_boolean(vm.active));
		json_object_object_add(e, "persistent", json_object_new_boolean(c->persistent));
		json_object_array_add(arr, e);
	}
	if (rc < 0) {
		/* undo this call's attachments, newest first */
		struct svff_error ignored = { 0 };
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		for (size_t i = done; i-- > 0;)
			if (svff_claim_release(&s, v, vfs[i], &ignored) < 0)
				svff_fail(SVFF_EXIT_FAIL, "while undoing: %s", ignored.msg);
	}
	if (n > 1 && svff_op_end(&s, &err) < 0)
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
	if (inv->g->json && status == SVFF_EXIT_OK) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "pf", json_object_new_string(s.pf));
		json_object_object_add(o, "vm", json_object_new_string(vm.name));
		json_object_object_add(o, "vm_uuid", json_object_new_string(vm.uuid));
		json_object_object_add(o, "attached", json_object_get(arr));
		json_object_object_add(o, "dry_run", json_object_new_boolean(inv->ctx->dry_run));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		json_object_put(o);
	}
	json_object_put(arr);
out:
	free(vfs);
	svff_vm_clear(&vm);
	svff_virt_close(v);
	svff_session_close(&s);
	return status;
}

const struct svff_cmd svff_cmd_attach = {
	.name = "attach",
	.args = "VM [VF...]",
	.summary = "give VFs (default: the lowest free one) to a VM",
	.desc = "Hot-plugs each VF into the running VM (libvirt <hostdev managed='no'>),\n"
		"reads back the guest PCI address libvirt gave it and records the claim.\n"
		"With --config the VF is also added to the VM's persistent configuration;\n"
		"a shut-off VM gets the persistent configuration only. A VF attached to\n"
		"the same VM already is left as it is; one held by another VM is refused.\n"
		"If one VF of several fails, the ones this call attached are detached.",
	.min_args = 1,
	.max_args = -1,
	.opts = {
		[OPT_CONFIG] = { "config", 0, NULL, "also change the persistent configuration" },
	},
	.run = run,
};
