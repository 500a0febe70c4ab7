/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff recover: finish an interrupted operation; make the state file agree
 * with sysfs and libvirt. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "recover.h"
#include "session.h"

static void on_fix(void *opaque, const char *what)
{
	const struct svff_inv *inv = opaque;
	svff_say(inv, "%s: %s", inv->ctx->dry_run ? "would recover" : "recover", what);
}

static void on_fix_json(void *opaque, const char *what)
{
	json_object_array_add(opaque, json_object_new_string(what));
}

/* One PF: finish its operation, reconcile; exit status. */
static int recover_pf(struct svff_inv *inv, struct svff_virt *v, json_object *fixes,
		      json_object *pfs)
{
	struct svff_error err = { 0 };
	struct svff_session s;
	int status = svff_cmd_session(inv, SVFF_SESSION_RECOVER, &s);
	if (status >= 0)
		return status;
	json_object_array_add(pfs, json_object_new_string(s.pf));
	int n = svff_recover(&s, v, inv->g->json ? on_fix_json : on_fix,
			     inv->g->json ? (void *)fixes : (void *)inv, &err);
	if (n == -ENOENT) {
		svff_say(inv, "%s: nothing to do: svff does not manage it", s.pf);
		status = SVFF_EXIT_OK;
	} else if (n < 0) {
		status = svff_fail_err(n == -EINVAL ? SVFF_EXIT_USAGE : SVFF_EXIT_FAIL, &err);
	} else {
		if (n == 0)
			svff_say(inv, "%s: nothing to do: the state file, sysfs and libvirt agree", s.pf);
		status = SVFF_EXIT_OK;
	}
	svff_session_close(&s);
	return status;
}

static int run(struct svff_inv *inv)
{
	struct svff_error err = { 0 };
	struct svff_state *st = NULL;
	struct svff_virt *v = NULL;
	json_object *fixes = json_object_new_array(), *pfs = json_object_new_array();
	int status = SVFF_EXIT_OK;

	/* without -d: the PF of an interrupted operation, else every PF svff
	 * manages (so that cron can run plain 'svff recover') */
	if (svff_state_read(inv->ctx->state_dir, &st, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	if (!inv->g->device && !st->op && !st->n_pfs) {
		svff_say(inv, "nothing to do: svff manages no PF");
	} else if (svff_virt_open(inv->ctx, &v, &err) < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	} else if (inv->g->device || st->op) {
		status = recover_pf(inv, v, fixes, pfs);
	} else {
		for (size_t i = 0; i < st->n_pfs; i++) {
			char pf[SVFF_ADDR_LEN];
			memcpy(pf, st->pfs[i].addr, sizeof(pf));
			inv->g->device = pf;
			int rc = recover_pf(inv, v, fixes, pfs);
			inv->g->device = NULL;
			if (rc > status)
				status = rc;
		}
	}
	if (inv->g->json && status == SVFF_EXIT_OK) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "pfs", json_object_get(pfs));
		json_object_object_add(o, "corrections", json_object_get(fixes));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		json_object_put(o);
	}
out:
	json_object_put(fixes);
	json_object_put(pfs);
	svff_state_free(st);
	svff_virt_close(v);
	return status;
}

const struct svff_cmd svff_cmd_recover = {
	.name = "recover",
	.args = "",
	.summary = "finish an interrupted operation; reconcile the state with the host",
	.desc = "Works on the PF of -d; without it, on the PF of an interrupted operation,\n"
		"else on every PF svff manages (none: nothing to do).\n"
		"Finishes an operation that was interrupted (kill, crash, failed step)\n"
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
