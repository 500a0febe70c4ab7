/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff init [COUNT]: create the VFs and bind them to vfio-pci. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "parse.h"
#include "session.h"
#include "sriov.h"
#include "vfset.h"

enum { OPT_DRIVER };

static void report(struct svff_inv *inv, struct svff_session *s, unsigned int count, bool changed)
{
	if (inv->g->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "pf", json_object_new_string(s->pf));
		json_object_object_add(o, "numvfs", json_object_new_int((int)count));
		json_object_object_add(o, "changed", json_object_new_boolean(changed));
		json_object_object_add(o, "dry_run", json_object_new_boolean(inv->ctx->dry_run));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		json_object_put(o);
	} else if (!changed) {
		svff_say(inv, "%s: nothing to do: %u VFs on %s already", s->pf, count, SVFF_VFIO_DRIVER);
	} else if (!inv->ctx->dry_run) {
		svff_say(inv, "%s: %u VFs on %s", s->pf, count, SVFF_VFIO_DRIVER);
	}
}

static int run(struct svff_inv *inv)
{
	struct svff_session s;
	struct svff_error err = { 0 };
	unsigned int count;
	int rc, status;

	if (inv->set[OPT_DRIVER] && strcmp(inv->val[OPT_DRIVER], SVFF_VFIO_DRIVER))
		return svff_usage(NULL, "unsupported driver '%.64s': only %s is supported",
				  inv->val[OPT_DRIVER], SVFF_VFIO_DRIVER);
	/* A malformed count is a usage error before anything is locked. */
	if (inv->argc && svff_parse_uint(inv->argv[0], 65535, "VF count", &count, &err) < 0)
		return svff_usage(NULL, "%s", err.msg);
	status = svff_cmd_session(inv, 0, &s);
	if (status >= 0)
		return status;
	if (!inv->argc)
		count = s.info.totalvfs;
	if (count > s.info.totalvfs) {
		status = svff_usage(NULL, "VF count '%u' is out of range: %s offers at most %u VFs",
				    count, s.pf, s.info.totalvfs);
		goto out;
	}
	if (count == 0) {
		status = svff_usage(NULL, "VF count must be at least 1 (use 'svff deinit' to remove the VFs)");
		goto out;
	}
	struct svff_pf_state *ps = svff_session_pf(&s);
	if (ps && ps->numvfs != count) {
		status = svff_fail(SVFF_EXIT_FAIL, "%s has %u VFs already: use 'svff reconf %u' to "
				   "change the count", s.pf, ps->numvfs, count);
		goto out;
	}
	if (!ps && s.info.numvfs && s.info.numvfs != count) {
		status = svff_fail(SVFF_EXIT_FAIL, "%s has %u VFs that svff did not create: run "
				   "'svff init %u' to adopt them, or write 0 to its 'sriov_numvfs' first",
				   s.pf, s.info.numvfs, s.info.numvfs);
		goto out;
	}
	if (ps && svff_vfset_ready(&s, count)) {
		report(inv, &s, count, false);
		status = SVFF_EXIT_OK;
		goto out;
	}

	bool created = s.info.numvfs == 0;   /* what a rollback must undo */
	bool was_managed = ps != NULL;
	int saved = s.info.autoprobe;
	if (!ps) {
		ps = svff_state_pf_add(s.st, s.pf);
		if (!ps) {
			status = svff_fail(SVFF_EXIT_FAIL, "out of memory");
			goto out;
		}
		ps->saved_autoprobe = saved;
	}
	ps->numvfs = count;
	rc = svff_op_begin(&s, "init", (int)s.info.numvfs, (int)count, &err);
	if (rc == 0)
		rc = svff_vfset_count(&s, count, &err);
	if (rc == 0)
		rc = svff_vfset_bind(&s, count, &err);
	if (rc < 0) {
		/* undo in reverse: the VFs we created, autoprobe, the claim on the PF */
		struct svff_error ignored = { 0 };
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		if (created)
			svff_sriov_set_numvfs(s.ctx, s.pf, 0, &ignored);
		if (saved >= 0)
			svff_sriov_set_autoprobe(s.ctx, s.pf, saved, &ignored);
		if (!was_managed)
			svff_state_pf_remove(s.st, s.pf);
		if (svff_op_end(&s, &ignored) < 0)
			svff_fail(SVFF_EXIT_FAIL, "%s", ignored.msg);
		goto out;
	}
	rc = svff_op_end(&s, &err);
	if (rc < 0) {
		status = svff_fail_err(SVFF_EXIT_FAIL, &err);
		goto out;
	}
	report(inv, &s, count, true);
	status = SVFF_EXIT_OK;
out:
	svff_session_close(&s);
	return status;
}

const struct svff_cmd svff_cmd_init = {
	.name = "init",
	.args = "[COUNT]",
	.summary = "create COUNT VFs on the PF and bind them to vfio-pci",
	.desc = "Turns the native drivers' autoprobe off (sriov_drivers_autoprobe), writes\n"
		"COUNT (default: all the PF offers) to sriov_numvfs, binds every VF to\n"
		"vfio-pci (skipping those bound already), checks their IOMMU groups and\n"
		"records the PF as managed. The same COUNT again changes nothing; another\n"
		"COUNT is refused: use 'svff reconf'. On failure it undoes what it did.",
	.min_args = 0,
	.max_args = 1,
	.opts = {
		[OPT_DRIVER] = { "driver", 0, "DRIVER", "the VF driver (only vfio-pci)" },
	},
	.run = run,
};
