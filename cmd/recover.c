/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff recover: finish an interrupted operation; make the state file agree
 * with sysfs and libvirt. */
#include <errno.h>
#include <stdio.h>

#include "cmd.h"
#include "recover.h"
#include "session.h"

/* A correction: a line, or an entry of "corrections" (open under -j). */
static void on_fix(void *opaque, const char *what)
{
	struct svff_inv *inv = opaque;
	svff_say(inv, "%s: %s", inv->ctx->dry_run ? "would recover" : "recover", what);
	svff_print_str(inv, NULL, NULL, what);
	svff_log_change(inv, what);
}

/* One PF (device; NULL: that of the interrupted operation): finish its
 * operation, reconcile. */
static int recover_pf(struct svff_inv *inv, struct svff_virt *v, const char *device,
		      struct svff_error *err)
{
	struct svff_session s;
	int rc = svff_cmd_session(inv, device, SVFF_SESSION_RECOVER, &s, err);

	if (rc < 0)
		return rc;
	svff_out_open_array(inv, "pfs");
	svff_print_str(inv, NULL, NULL, s.pf);
	svff_out_close(inv);
	svff_out_open_array(inv, "corrections");
	int n = svff_recover(&s, v, on_fix, inv, err);
	svff_out_close(inv);
	if (n == -ENOENT)
		svff_say(inv, "%s: nothing to do: svff does not manage it", s.pf);
	else if (n == 0)
		svff_say(inv, "%s: nothing to do: the state file, sysfs and libvirt agree", s.pf);
	svff_session_close(&s);
	return n == -ENOENT || n > 0 ? 0 : n;
}

/* Every PF svff manages, each on its own (so that cron can run plain
 * 'svff recover'); the last failure is returned, the others said. */
static int recover_all(struct svff_inv *inv, struct svff_virt *v, const struct svff_state *st,
		       struct svff_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < st->n_pfs; i++) {
		struct svff_error e = { 0 };
		svff_err_keep(&rc, err, recover_pf(inv, v, st->pfs[i].addr, &e), &e);
	}
	return rc;
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_state *st = NULL;
	struct svff_virt *v = NULL;
	int rc;

	/* without -d: the PF of an interrupted operation, else every PF svff
	 * manages */
	rc = svff_state_read(inv->ctx->state_dir, &st, err);
	if (rc == 0 && !inv->g->device && !st->op && !st->n_pfs) {
		svff_say(inv, "nothing to do: svff manages no PF");
	} else if (rc == 0) {
		rc = svff_virt_open(inv->ctx, &v, err);
		if (rc == 0 && (inv->g->device || st->op))
			rc = recover_pf(inv, v, inv->g->device, err);
		else if (rc == 0)
			rc = recover_all(inv, v, st, err);
	}
	svff_state_free(st);
	svff_virt_close(v);
	return rc;
}

const struct svff_cmd svff_cmd_recover = {
	.name = "recover", .args = "", .min_args = 0, .max_args = 0,
	.run = run,
	.summary = "finish an interrupted operation; reconcile the state with the host",
	.desc = "Works on the PF of -d; without it, on the PF of an interrupted operation,\n"
		"else on every PF svff manages (none: nothing to do).\n"
		"Finishes an operation that was interrupted (kill, crash, failed step)\n"
		"from its record in the state file: init and reconf are rolled forward\n"
		"(their steps can be run again), deinit is rolled back while VMs still\n"
		"hold claims. Then makes the state file agree with sysfs and libvirt,\n"
		"printing each correction: a claim whose VM no longer exists is dropped;\n"
		"a claim whose VF its VM no longer holds is kept as paused; a VF a VM\n"
		"holds without a claim is recorded; and each problem of the host that\n"
		"'svff list' shows (count, autoprobe, drivers, resources, network\n"
		"settings, claims to give back) is mended. A second run changes\n"
		"nothing. With -n it says what it would correct and changes nothing.",
};
