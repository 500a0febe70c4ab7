/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "claims.h"
#include "hotplug.h"
#include "parse.h"

int svff_cmd_claims_check(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	for (int i = 0; i < inv->argc; i++) {
		struct svff_vf_ref ref;
		int rc = svff_looks_like_vf(inv->argv[i]) ? svff_parse_vf(inv->argv[i], &ref, &err)
							  : svff_check_vm_name(inv->argv[i], &err);
		if (rc < 0)
			return svff_usage(NULL, "%s", err.msg);
	}
	return -1;
}

static int cmp_item(const void *a, const void *b)
{
	unsigned int x = ((const struct svff_pause_item *)a)->vf;
	unsigned int y = ((const struct svff_pause_item *)b)->vf;
	return x < y ? -1 : x > y;
}

static void add(struct svff_pause_item *items, size_t *n, unsigned int vf)
{
	for (size_t i = 0; i < *n; i++)
		if (items[i].vf == vf)
			return;
	memset(&items[*n], 0, sizeof(items[*n]));
	items[(*n)++].vf = vf;
}

int svff_cmd_claims_pick(struct svff_inv *inv, struct svff_session *s,
			 struct svff_pause_item **out, size_t *n)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_pause_item *items = calloc(ps->n_claims + 1, sizeof(*items));

	*n = 0;
	*out = items;
	if (!items)
		return svff_fail(SVFF_EXIT_FAIL, "out of memory");
	for (int i = 0; i < inv->argc; i++) {
		const char *a = inv->argv[i];
		if (svff_looks_like_vf(a)) {
			struct svff_vf_ref ref;
			struct svff_error err = { 0 };
			svff_parse_vf(a, &ref, &err);    /* checked already */
			unsigned int idx = ref.index;
			if (ref.by_addr) {
				const struct svff_vf_info *vf = svff_pf_vf(&s->info, &ref);
				if (!vf)
					return svff_fail(SVFF_EXIT_FAIL, "no VF '%s' on %s", a, s->pf);
				idx = vf->index;
			}
			if (!svff_state_claim(ps, idx))
				return svff_fail(SVFF_EXIT_FAIL, "vf%u of %s is not claimed by any VM",
						 idx, s->pf);
			add(items, n, idx);
			continue;
		}
		size_t before = *n;
		for (size_t j = 0; j < ps->n_claims; j++) {
			const struct svff_claim *c = &ps->claims[j];
			if (!strcmp(c->vm_name, a) || !strcmp(c->vm_uuid, a))
				add(items, n, c->vf);
		}
		if (*n == before)
			return svff_fail(SVFF_EXIT_FAIL, "VM '%s' holds no VF of %s", a, s->pf);
	}
	qsort(items, *n, sizeof(*items), cmp_item);
	return -1;
}

const char *svff_pause_mech_name(enum svff_pause_mech m)
{
	return m == SVFF_PAUSE_HOTPLUG ? "hot-unplug" : "none";
}

void svff_cmd_claims_report(struct svff_inv *inv, struct svff_session *s, const char *what,
			    const struct svff_pause_item *items, size_t n)
{
	if (!inv->g->json) {
		for (size_t i = 0; i < n && !inv->ctx->dry_run; i++) {
			const struct svff_pause_item *it = &items[i];
			if (it->rc < 0)
				continue;
			if (it->already)
				svff_say(inv, "vf%u of VM '%s' is %s already", it->vf, it->vm, what);
			else
				svff_say(inv, "vf%u %s for VM '%s' (guest address %s)", it->vf, what,
					 it->vm, it->guest_addr[0] ? it->guest_addr : "unknown");
			if (it->probe.vfio_cmd[0])
				svff_say(inv, "note: the QEMU of VM '%s' offers '%s', which svff does "
					 "not drive yet: it used hot-unplug", it->vm, it->probe.vfio_cmd);
		}
		return;
	}
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "pf", json_object_new_string(s->pf));
	for (size_t i = 0; i < n; i++) {
		const struct svff_pause_item *it = &items[i];
		json_object *e = json_object_new_object();
		json_object_object_add(e, "vf", json_object_new_int((int)it->vf));
		json_object_object_add(e, "vm", json_object_new_string(it->vm));
		json_object_object_add(e, "guest_addr", it->guest_addr[0] ?
				       json_object_new_string(it->guest_addr) : NULL);
		json_object_object_add(e, "ok", json_object_new_boolean(it->rc == 0));
		json_object_object_add(e, "changed", json_object_new_boolean(it->rc == 0 && !it->already));
		json_object_object_add(e, "mechanism", json_object_new_string(
					       svff_pause_mech_name(it->mech)));
		json_object_object_add(e, "qemu_asked", json_object_new_boolean(it->probe.asked));
		json_object_object_add(e, "qemu_vfio_pause", it->probe.vfio_cmd[0] ?
				       json_object_new_string(it->probe.vfio_cmd) : NULL);
		json_object_object_add(e, "error", it->rc < 0 ? json_object_new_string(it->err.msg) : NULL);
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, what, arr);
	json_object_object_add(o, "dry_run", json_object_new_boolean(inv->ctx->dry_run));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(o);
}

int svff_cmd_claims_run(struct svff_inv *inv, const char *verb, const char *what,
			svff_claims_fn fn)
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
	/* each claim is saved as it goes; the record only names the verb, so
	 * that a kill in the middle sends the next verb to recover */
	status = SVFF_EXIT_OK;
	if (svff_op_begin(&s, verb, -1, -1, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	fn(&s, v, items, n);
	for (size_t i = 0; i < n; i++)
		if (items[i].rc < 0)
			status = svff_fail_err(SVFF_EXIT_FAIL, &items[i].err);
	if (svff_op_end(&s, &err) < 0)
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
	svff_cmd_claims_report(inv, &s, what, items, n);
out:
	free(items);
	svff_virt_close(v);
	svff_session_close(&s);
	return status;
}
