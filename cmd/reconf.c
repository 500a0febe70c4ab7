/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff reconf COUNT [--force]: change the VF count; VMs keep their claims. */
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cmd.h"
#include "parse.h"
#include "reconf.h"

enum { OPT_FORCE };

static double downtime(const struct svff_pause_item *it)
{
	return it->t_restored > 0 && it->t_released > 0 ? it->t_restored - it->t_released : -1;
}

static void report(struct svff_inv *inv, struct svff_session *s, const struct svff_reconf *r)
{
	if (inv->g->json) {
		json_object *o = json_object_new_object(), *a = json_object_new_array(),
			    *d = json_object_new_array();
		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "pf", json_object_new_string(s->pf));
		json_object_object_add(o, "from", json_object_new_int((int)r->from));
		json_object_object_add(o, "to", json_object_new_int((int)r->to));
		json_object_object_add(o, "changed", json_object_new_boolean(r->changed));
		for (size_t i = 0; i < r->n_items; i++) {
			const struct svff_pause_item *it = &r->items[i];
			if (it->vf >= r->to)
				continue;
			json_object *e = json_object_new_object();
			json_object_object_add(e, "vf", json_object_new_int((int)it->vf));
			json_object_object_add(e, "vm", json_object_new_string(it->vm));
			json_object_object_add(e, "guest_addr", json_object_new_string(it->guest_addr));
			json_object_object_add(e, "restored", json_object_new_boolean(it->rc == 0));
			json_object_object_add(e, "downtime_s", downtime(it) >= 0 ?
					       json_object_new_double(downtime(it)) : NULL);
			json_object_array_add(a, e);
		}
		for (size_t i = 0; i < r->n_displaced; i++)
			json_object_array_add(d, json_object_new_int((int)r->displaced[i]));
		json_object_object_add(o, "restored", a);
		json_object_object_add(o, "displaced", d);
		json_object_object_add(o, "dry_run", json_object_new_boolean(inv->ctx->dry_run));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		json_object_put(o);
		return;
	}
	if (inv->ctx->dry_run)
		return;
	if (!r->changed) {
		svff_say(inv, "%s: nothing to do: %u VFs on vfio-pci already", s->pf, r->to);
		return;
	}
	svff_say(inv, "%s: %u -> %u VFs on vfio-pci", s->pf, r->from, r->to);
	for (size_t i = 0; i < r->n_items; i++) {
		const struct svff_pause_item *it = &r->items[i];
		if (it->rc == 0 && it->vf < r->to && downtime(it) >= 0)
			svff_say(inv, "vf%u back in VM '%s' at %s after %.2f s", it->vf, it->vm,
				 it->guest_addr, downtime(it));
	}
	for (size_t i = 0; i < r->n_displaced; i++)
		svff_say(inv, "vf%u no longer exists: its VM's claim stays paused ('svff reconf %u' "
			 "brings it back, 'svff detach vf%u' drops it)", r->displaced[i],
			 r->displaced[i] + 1, r->displaced[i]);
}

static int run(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	struct svff_session s;
	struct svff_virt *v = NULL;
	struct svff_reconf r = { 0 };
	unsigned int count;
	int status, rc;

	if (svff_parse_uint(inv->argv[0], 65535, "VF count", &count, &err) < 0)
		return svff_usage(NULL, "%s", err.msg);
	status = svff_cmd_session(inv, SVFF_SESSION_MANAGED, &s);
	if (status >= 0)
		return status;
	if (count == 0 || count > s.info.totalvfs) {
		status = svff_usage(NULL, "VF count '%u' is out of range: %s offers 1 to %u VFs "
				    "('svff deinit' removes them all)", count, s.pf, s.info.totalvfs);
		goto out;
	}
	rc = svff_reconf_check(&s, count, inv->set[OPT_FORCE], &err);
	if (rc == 0 && svff_session_pf(&s)->n_claims)
		rc = svff_virt_open(inv->ctx, &v, &err);
	if (rc == 0)
		rc = svff_reconf_run(&s, v, count, inv->set[OPT_FORCE], &r, &err);
	if (rc < 0)
		status = svff_fail_err(rc == -EINPROGRESS ? SVFF_EXIT_RECOVER : SVFF_EXIT_FAIL, &err);
	else
		status = SVFF_EXIT_OK;
	if (rc == 0 || r.changed)
		report(inv, &s, &r);
out:
	svff_reconf_clear(&r);
	svff_virt_close(v);
	svff_session_close(&s);
	return status;
}

const struct svff_cmd svff_cmd_reconf = {
	.name = "reconf",
	.args = "COUNT",
	.summary = "change the number of VFs while VMs keep their claims",
	.desc = "Pauses every attached VF (all VMs at once), writes 0 and then COUNT to\n"
		"sriov_numvfs, binds the new VFs to vfio-pci, and gives each VM its VF\n"
		"back at the same guest address; prints each VM's downtime. VFs that\n"
		"users paused stay paused. Dropping a claimed VF is refused unless\n"
		"--force, which keeps that claim paused and reports it. The current\n"
		"COUNT, with every VF present and bound, is a no-op. If setting the\n"
		"count fails, the old count is restored and the VMs get their VFs back.",
	.min_args = 1,
	.max_args = 1,
	.opts = {
		[OPT_FORCE] = { "force", 'f', NULL, "drop claimed VFs; their claims stay paused" },
	},
	.run = run,
};
