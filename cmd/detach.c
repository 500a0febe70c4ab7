/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff detach VM [VF...] | svff detach VF: take VFs back from VMs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "hotplug.h"
#include "parse.h"

static bool claim_is_vm(const struct svff_claim *c, const char *vm)
{
	return !strcmp(c->vm_name, vm) || !strcmp(c->vm_uuid, vm);
}

/* The claims to release: the VF named alone, or a VM's (all, or those named). */
static int pick(struct svff_inv *inv, struct svff_session *s, unsigned int *vfs, size_t *n)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_vf_ref ref;
	struct svff_error err = { 0 };
	bool vf_only = inv->argc == 1 && svff_looks_like_vf(inv->argv[0]);
	const char *vm = vf_only ? NULL : inv->argv[0];

	*n = 0;
	for (int i = vf_only ? 0 : 1; i < inv->argc; i++) {
		svff_parse_vf(inv->argv[i], &ref, &err);    /* checked in run() */
		unsigned int idx = ref.index;
		if (ref.by_addr) {
			const struct svff_vf_info *vf = svff_pf_vf(&s->info, &ref);
			if (!vf)
				return svff_fail(SVFF_EXIT_FAIL, "no VF '%s' on %s", inv->argv[i], s->pf);
			idx = vf->index;
		}
		struct svff_claim *c = svff_state_claim(ps, idx);
		if (!c)
			return svff_fail(SVFF_EXIT_FAIL, "vf%u of %s is not attached to any VM", idx, s->pf);
		if (vm && !claim_is_vm(c, vm))
			return svff_fail(SVFF_EXIT_FAIL, "vf%u is held by VM '%s', not '%s'", idx,
					 c->vm_name, vm);
		vfs[(*n)++] = idx;
	}
	if (vf_only || *n)
		return -1;
	for (size_t i = 0; i < ps->n_claims; i++)
		if (claim_is_vm(&ps->claims[i], vm))
			vfs[(*n)++] = ps->claims[i].vf;
	if (!*n)
		return svff_fail(SVFF_EXIT_FAIL, "VM '%s' holds no VF of %s", vm, s->pf);
	return -1;
}

static int run(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	struct svff_session s;
	struct svff_virt *v = NULL;
	unsigned int *vfs = NULL;
	size_t n = 0;
	int status, rc = 0;

	bool vf_only = inv->argc == 1 && svff_looks_like_vf(inv->argv[0]);
	if (!vf_only && svff_check_vm_name(inv->argv[0], &err) < 0)
		return svff_usage(NULL, "%s", err.msg);
	for (int i = vf_only ? 0 : 1; i < inv->argc; i++) {
		struct svff_vf_ref ref;
		if (svff_parse_vf(inv->argv[i], &ref, &err) < 0)
			return svff_usage(NULL, "%s", err.msg);
	}
	status = svff_cmd_session(inv, SVFF_SESSION_MANAGED, &s);
	if (status >= 0)
		return status;
	vfs = calloc(svff_session_pf(&s)->n_claims + (size_t)inv->argc + 1, sizeof(*vfs));
	if (!vfs) {
		status = svff_fail(SVFF_EXIT_FAIL, "out of memory");
		goto out;
	}
	status = pick(inv, &s, vfs, &n);
	if (status >= 0)
		goto out;
	status = SVFF_EXIT_OK;
	if (svff_virt_open(inv->ctx, &v, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	if (n > 1)
		rc = svff_op_begin(&s, "detach", -1, -1, &err);
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n && rc == 0; i++) {
		char step[32], vm[SVFF_VM_NAME_LEN];
		snprintf(vm, sizeof(vm), "%s", svff_state_claim(svff_session_pf(&s), vfs[i])->vm_name);
		snprintf(step, sizeof(step), "detach vf%u", vfs[i]);
		if (n > 1)
			rc = svff_op_step(&s, step, &err);
		if (rc == 0)
			rc = svff_claim_release(&s, v, vfs[i], &err);
		if (rc < 0)
			break;
		if (!inv->ctx->dry_run)
			svff_say(inv, "vf%u detached from VM '%s'", vfs[i], vm);
		json_object *e = json_object_new_object();
		json_object_object_add(e, "vf", json_object_new_int((int)vfs[i]));
		json_object_object_add(e, "vm", json_object_new_string(vm));
		json_object_array_add(arr, e);
	}
	/* A VF that would not let go stays claimed; those before it are free.
	 * Nothing is left half-done, so the journal can close either way. */
	if (rc < 0)
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
	if (n > 1 && svff_op_end(&s, &err) < 0)
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
	if (inv->g->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "pf", json_object_new_string(s.pf));
		json_object_object_add(o, "detached", json_object_get(arr));
		json_object_object_add(o, "dry_run", json_object_new_boolean(inv->ctx->dry_run));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		json_object_put(o);
	}
	json_object_put(arr);
out:
	free(vfs);
	svff_virt_close(v);
	svff_session_close(&s);
	return status;
}

const struct svff_cmd svff_cmd_detach = {
	.name = "detach",
	.args = "VM [VF...] | VF",
	.summary = "take VFs back from a VM",
	.desc = "Hot-unplugs the VM's VFs (all of them on the PF, or those named; or the\n"
		"one VF named alone, from whichever VM holds it), waits up to --timeout\n"
		"for the guest to let each go, and forgets the claim; the VF stays on\n"
		"vfio-pci, free. A paused claim is simply dropped. A guest that does not\n"
		"release a VF in time leaves it attached and claimed, and the command\n"
		"fails; the VFs released before it stay released.",
	.min_args = 1,
	.max_args = -1,
	.run = run,
};
