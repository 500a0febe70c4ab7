/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff recover: finish an interrupted operation; make the state file agree
 * with sysfs and libvirt. */
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cmd.h"
#include "recover.h"

static void on_fix(void *opaque, const char *what)
{
	const struct svff_inv *inv = opaque;
	svff_say(inv, "%s: %s", inv->ctx->dry_run ? "would recover" : "recover", what);
}

static void on_fix_json(void *opaque, const char *what)
{
	json_object_array_add(opaque, json_object_new_string(what));
}

static int run(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	struct svff_session s;
	struct svff_virt *v = NULL;
	json_object *fixes = json_object_new_array();
	int status, n;

	status = svff_cmd_session(inv, SVFF_SESSION_RECOVER, &s);
	if (status >= 0) {
		json_object_put(fixes);
		return status;
	}
	n = svff_virt_open(inv->ctx, &v, &err);
	if (n == 0)
		n = svff_recover(&s, v, inv->g->json ? on_fix_json : on_fix,
				 inv->g->json ? (void *)fixes : (void *)inv, &err);
	if (n < 0) {
		status = svff_fail_err(n == -EINVAL ? SVFF_EXIT_USAGE : SVFF_EXIT_FAIL, &err);
		goto out;
	}
	status = SVFF_EXIT_OK;
	if (inv->g->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "pf", json_object_new_string(s.pf));
		json_object_object_add(o, "corrections", json_object_get(fixes));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		json_object_put(o);
	} else if (n == 0) {
		svff_say(inv, "%s: nothing to do: the state file, sysfs and libvirt agree", s.pf);
	}
out:
	json_object_put(fixes);
	svff_virt_close(v);
	svff_session_close(&s);
	return status;
}

const struct svff_cmd svff_cmd_recover = {
	.name = "recover",
	.args = "",
	.summary = "finish an interrupted operation; reconcile the state with the host",
	.desc = "Finishes an operation that was interrupted (kill, crash, failed step)\n"
		"from its record in the state file: init and reconf are rolled forward\n"
		"(their steps can be run again), deinit is rolled back while VMs still\n"
		"hold claims. Then makes the state file agree with sysfs and libvirt,\n"
		"printing each correction: a claim whose VM no longer exists is dropped;\n"
		"a claim whose VF its VM no longer holds is kept as paused; a VF a VM\n"
		"holds without a claim is recorded; VFs off vfio-pci are bound back.\n"
		"A second run changes nothing. With -n it says what it would correct\n"
		"and changes nothing.",
	.min_args = 0,
	.max_args = 0,
	.run = run,
};
