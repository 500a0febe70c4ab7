/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff init [COUNT]: create the VFs and bind them to vfio-pci. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "parse.h"
#include "session.h"
#include "sriov.h"
#include "vfset.h"

enum { OPT_DRIVER };

static void report(struct svff_inv *inv, struct svff_session *s, unsigned int count, bool changed)
{
	svff_print_uint(inv, "numvfs", NULL, count);
	svff_print_bool(inv, "changed", NULL, changed);
	if (!changed)
		svff_say(inv, "%s: nothing to do: %u VFs on %s already", s->pf, count, SVFF_VFIO_DRIVER);
	else if (!inv->ctx->dry_run)
		svff_say(inv, "%s: %u VFs on %s", s->pf, count, SVFF_VFIO_DRIVER);
}

/* The count asked for against what the PF has and what svff made of it. */
static int refuse(struct svff_session *s, unsigned int count, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	if (count > s->info.totalvfs)
		return svff_usage_err(err, "VF count '%u' is out of range: %s offers at most %u VFs",
				      count, s->pf, s->info.totalvfs);
	if (count == 0)
		return svff_usage_err(err, "VF count must be at least 1 (use 'svff deinit' to "
				      "remove the VFs)");
	if (ps && ps->numvfs != count)
		return svff_err(err, -EEXIST, "%s has %u VFs already: use 'svff reconf %u' to "
				"change the count", s->pf, ps->numvfs, count);
	if (!ps && s->info.numvfs && s->info.numvfs != count)
		return svff_err(err, -EEXIST, "%s has %u VFs that svff did not create: run "
				"'svff init %u' to adopt them, or write 0 to its 'sriov_numvfs' first",
				s->pf, s->info.numvfs, s->info.numvfs);
	return 0;
}

/* Set the count and bind, journalled; on failure undo in reverse: the
 * VFs it created, autoprobe, the claim on the PF. */
static int create(struct svff_session *s, unsigned int count, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_error ignored = { 0 };
	bool created = s->info.numvfs == 0, was_managed = ps != NULL;
	int saved = s->info.autoprobe;

	if (!ps) {
		ps = svff_state_pf_add(s->st, s->pf);
		if (!ps)
			return svff_err(err, -ENOMEM, "out of memory");
		ps->saved_autoprobe = saved;
	}
	ps->numvfs = count;
	int rc = svff_op_begin(s, "init", (int)s->info.numvfs, (int)count, err);
	if (rc == 0)
		rc = svff_vfset_res_prepare(s, err);
	if (rc == 0)
		rc = svff_vfset_count(s, count, err);
	if (rc == 0 && (rc = svff_vfset_resources(s, count, err)) > 0)
		rc = 0;
	if (rc == 0)
		rc = svff_vfset_bind(s, count, err);
	if (rc == 0)
		return svff_op_end(s, err);
	if (created)
		svff_sriov_set_numvfs(s->ctx, s->pf, 0, &ignored);
	if (saved >= 0)
		svff_sriov_set_autoprobe(s->ctx, s->pf, saved, &ignored);
	if (!was_managed)
		svff_state_pf_remove(s->st, s->pf);
	if (svff_op_end(s, &ignored) < 0)
		svff_print_err(&ignored);
	return rc;
}

static int check_driver(struct svff_inv *inv, struct svff_error *err)
{
	if (inv->set[OPT_DRIVER] && strcmp(inv->val[OPT_DRIVER], SVFF_VFIO_DRIVER))
		return svff_usage_err(err, "unsupported driver '%.64s': only %s is supported",
				      inv->val[OPT_DRIVER], SVFF_VFIO_DRIVER);
	return 0;
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_session *s = inv->s;
	unsigned int count = inv->tg.has_count ? inv->tg.count : s->info.totalvfs;
	int rc = refuse(s, count, err);

	if (rc == 0 && svff_session_pf(s) && svff_vfset_ready(s, count)) {
		report(inv, s, count, false);
	} else if (rc == 0) {
		rc = create(s, count, err);
		if (rc == 0)
			report(inv, s, count, true);
	}
	return rc;
}

const struct svff_cmd svff_cmd_init = {
	.name = "init", .args = "[COUNT]", .min_args = 0, .max_args = 1,
	.targets = SVFF_TARGETS_COUNT, .session = SVFF_CMD_LOCKS, .check = check_driver,
	.run = run,
	.opts = {
		[OPT_DRIVER] = { "driver", 0, "DRIVER", "the VF driver (only vfio-pci)" },
	},
	.summary = "create COUNT VFs on the PF and bind them to vfio-pci",
	.desc = "Turns the native drivers' autoprobe off (sriov_drivers_autoprobe), writes\n"
		"COUNT (default: all the PF offers) to sriov_numvfs, binds every VF to\n"
		"vfio-pci (skipping those bound already), checks their IOMMU groups and\n"
		"records the PF as managed. The same COUNT again changes nothing; another\n"
		"COUNT is refused: use 'svff reconf'. On failure it undoes what it did.",
};
