/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff list [VM|VF]: VFs of the managed PFs, their state and owners. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "parse.h"
#include "pf.h"
#include "state.h"
#include "view.h"

#define LIST_SCHEMA 1

struct filter {
	const char *vm;               /* NULL: any */
	bool by_vf;
	struct svff_vf_ref vf;
};

static bool row_matches(const struct svff_row *r, const struct filter *f)
{
	if (f->by_vf)
		return f->vf.by_addr ? r->live && !strcmp(r->live->addr, f->vf.addr)
				     : r->vf == f->vf.index;
	if (f->vm)
		return r->claim && (!strcmp(r->claim->vm_name, f->vm) ||
				    !strcmp(r->claim->vm_uuid, f->vm));
	return true;
}

static const char *row_state(const struct svff_row *r)
{
	return svff_vf_state_name(r->claim ? r->claim->state : SVFF_VF_DETACHED);
}

static json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *view_json(const struct svff_view *v, const struct filter *f)
{
	json_object *o = json_object_new_object(), *vfs = json_object_new_array();
	char id[8];

	json_object_object_add(o, "pf", json_object_new_string(v->pf.addr));
	snprintf(id, sizeof(id), "%04x", v->pf.vendor);
	json_object_object_add(o, "vendor", json_object_new_string(id));
	snprintf(id, sizeof(id), "%04x", v->pf.device);
	json_object_object_add(o, "device", json_object_new_string(id));
	json_object_object_add(o, "driver", str_or_null(v->pf.driver));
	json_object_object_add(o, "managed", json_object_new_boolean(v->managed != NULL));
	json_object_object_add(o, "totalvfs", json_object_new_int((int)v->pf.totalvfs));
	json_object_object_add(o, "numvfs", json_object_new_int((int)v->pf.numvfs));
	json_object_object_add(o, "configured_vfs",
			       v->managed ? json_object_new_int((int)v->managed->numvfs) : NULL);
	json_object_object_add(o, "autoprobe",
			       v->pf.autoprobe >= 0 ? json_object_new_boolean(v->pf.autoprobe) : NULL);
	json_object_object_add(o, "problem", str_or_null(v->problem));
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct svff_row *r = &v->rows[i];
		if (!row_matches(r, f))
			continue;
		json_object *e = json_object_new_object();
		json_object_object_add(e, "vf", json_object_new_int((int)r->vf));
		json_object_object_add(e, "addr", r->live ? str_or_null(r->live->addr) : NULL);
		json_object_object_add(e, "driver", r->live ? str_or_null(r->live->driver) : NULL);
		json_object_object_add(e, "iommu_group", r->live && r->live->iommu_group >= 0
				       ? json_object_new_int(r->live->iommu_group) : NULL);
		json_object_object_add(e, "state", json_object_new_string(row_state(r)));
		json_object_object_add(e, "vm", r->claim ? str_or_null(r->claim->vm_name) : NULL);
		json_object_object_add(e, "vm_uuid", r->claim ? str_or_null(r->claim->vm_uuid) : NULL);
		json_object_object_add(e, "guest_addr", r->claim ? str_or_null(r->claim->guest_addr) : NULL);
		json_object_object_add(e, "problem", str_or_null(r->problem));
		json_object_array_add(vfs, e);
	}
	json_object_object_add(o, "vfs", vfs);
	return o;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static void view_text(const struct svff_view *v, const struct filter *f)
{
	int vmw = 2;

	printf("PF %s  %04x:%04x  driver %s  %u of %u VFs%s\n", v->pf.addr, v->pf.vendor,
	       v->pf.device, dash(v->pf.driver), v->pf.numvfs, v->pf.totalvfs,
	       v->managed ? "  managed" : "");
	if (v->problem[0])
		printf("  ! %s\n", v->problem);
	for (size_t i = 0; i < v->n_rows; i++)
		if (v->rows[i].claim && (int)strlen(v->rows[i].claim->vm_name) > vmw)
			vmw = (int)strlen(v->rows[i].claim->vm_name);
	printf("  %-4s %-13s %-10s %-6s %-9s %-*s %-13s %s\n", "VF", "ADDRESS", "DRIVER",
	       "GROUP", "STATE", vmw, "VM", "GUEST", "NOTE");
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct svff_row *r = &v->rows[i];
		char group[16] = "-";
		if (!row_matches(r, f))
			continue;
		if (r->live && r->live->iommu_group >= 0)
			snprintf(group, sizeof(group), "%d", r->live->iommu_group);
		printf("  %-4u %-13s %-10s %-6s %-9s %-*s %-13s %s\n", r->vf,
		       r->live ? r->live->addr : "-", r->live ? dash(r->live->driver) : "-",
		       group, row_state(r), vmw, r->claim ? r->claim->vm_name : "-",
		       r->claim ? dash(r->claim->guest_addr) : "-", r->problem);
	}
}

/* The PFs to show: -d, else those svff manages, else every SR-IOV PF. */
static int pick_pfs(struct svff_inv *inv, const struct svff_state *st,
		    char (**out)[SVFF_ADDR_LEN], size_t *n, struct svff_error *err)
{
	static char one[1][SVFF_ADDR_LEN];
	static char many[64][SVFF_ADDR_LEN];
	struct svff_pf_info *pfs = NULL;
	size_t count = 0;
	int rc;

	if (inv->g->device) {
		rc = svff_pf_resolve(inv->ctx, inv->g->device, st, one[0], err);
		*out = one;
		*n = 1;
		return rc;
	}
	if (st->n_pfs) {
		for (size_t i = 0; i < st->n_pfs && i < 64; i++)
			memcpy(many[i], st->pfs[i].addr, SVFF_ADDR_LEN);
		*out = many;
		*n = st->n_pfs < 64 ? st->n_pfs : 64;
		return 0;
	}
	rc = svff_pf_scan(inv->ctx, &pfs, &count, err);
	if (rc < 0)
		return rc;
	if (!count)
		rc = svff_err(err, -ENODEV, "no SR-IOV capable PCI device found");
	for (size_t i = 0; i < count && i < 64; i++)
		memcpy(many[i], pfs[i].addr, SVFF_ADDR_LEN);
	svff_pf_list_free(pfs, count);
	*out = many;
	*n = count < 64 ? count : 64;
	return rc;
}

static int run(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	struct svff_state *st = NULL;
	struct filter f = { 0 };
	char (*addrs)[SVFF_ADDR_LEN] = NULL;
	size_t n = 0;
	json_object *root = NULL, *arr = NULL;
	int rc, status = SVFF_EXIT_OK;

	if (inv->argc == 1) {
		const char *a = inv->argv[0];
		if (svff_looks_like_vf(a)) {
			if (svff_parse_vf(a, &f.vf, &err) < 0)
				return svff_usage(NULL, "%s", err.msg);
			f.by_vf = true;
		} else if (svff_check_vm_name(a, &err) < 0) {
			return svff_usage(NULL, "%s", err.msg);
		} else {
			f.vm = a;
		}
	}
	/* Under the writers' lock, what list shows is never a change half
	 * made (a VF hot-plugged and not yet recorded). A writer holding it
	 * past --wait does not hold list up: it shows the state as it stands
	 * and says who is changing it. Other lock errors (no state directory
	 * yet) are svff_state_read's to report. */
	struct svff_store *lock = NULL;
	rc = svff_store_open(inv->ctx->state_dir, inv->ctx->lock_wait_s, false, &lock, &err);
	if (rc == -EBUSY)
		fprintf(stderr, "svff: warning: %s; listing the state as it stands\n", err.msg);
	rc = svff_state_read(inv->ctx->state_dir, &st, &err);
	if (rc < 0) {
		svff_store_close(lock);
		return svff_fail_err(SVFF_EXIT_FAIL, &err);
	}
	rc = pick_pfs(inv, st, &addrs, &n, &err);
	if (rc < 0) {
		svff_store_close(lock);
		svff_state_free(st);
		return svff_fail_err(rc == -ENOTUNIQ || rc == -EINVAL ? SVFF_EXIT_USAGE
								       : SVFF_EXIT_FAIL, &err);
	}
	if (inv->g->json) {
		root = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(root, "schema", json_object_new_int(LIST_SCHEMA));
	}
	bool found_vf = !f.by_vf;
	for (size_t i = 0; i < n; i++) {
		struct svff_view v;
		if (svff_view_build(inv->ctx, st, addrs[i], &v, &err) < 0) {
			status = svff_fail_err(SVFF_EXIT_FAIL, &err);
			continue;
		}
		for (size_t j = 0; j < v.n_rows; j++)
			found_vf |= f.by_vf && row_matches(&v.rows[j], &f);
		if (root)
			json_object_array_add(arr, view_json(&v, &f));
		else
			view_text(&v, &f);
		svff_view_clear(&v);
	}
	if (root) {
		json_object_object_add(root, "pfs", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	}
	if (!found_vf && status == SVFF_EXIT_OK)
		status = svff_fail(SVFF_EXIT_FAIL, "no VF '%s' on %s", inv->argv[0],
				   n == 1 ? addrs[0] : "the listed PFs");
	svff_store_close(lock);
	svff_state_free(st);
	return status;
}

const struct svff_cmd svff_cmd_list = {
	.name = "list",
	.alias = "status",
	.args = "[VM|VF]",
	.summary = "show the VFs, their state and the VMs that hold them",
	.desc = "Lists each PF that svff manages (or the one -d names; with neither,\n"
		"every SR-IOV PF on the host) with its VFs: index, PCI address, driver,\n"
		"IOMMU group, state (detached, attached, paused), VM and guest address.\n"
		"A VM name, UUID or id limits the rows to that VM's VFs; a VF (vfN, N or\n"
		"a PCI address) to that VF. NOTE says where the state file and the host\n"
		"disagree. With -j the same as JSON (\"schema\": 1).\n"
		"It reads under the state lock; when another svff holds it past --wait,\n"
		"it warns, naming the holder, and lists the state as it stands.",
	.min_args = 0,
	.max_args = 1,
	.run = run,
};
