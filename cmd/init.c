/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff init [COUNT]: create the VFs and bind them to vfio-pci. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "init.h"
#include "parse.h"
#include "res_cmd.h"
#include "session.h"
#include "sriov.h"
#include "vfset.h"

enum { OPT_DRIVER, OPT_QUEUES, OPT_VECTORS, OPT_NO_RES };

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

static int check(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_res asked;
	if (inv->set[OPT_DRIVER] && strcmp(inv->val[OPT_DRIVER], SVFF_VFIO_DRIVER))
		return svff_usage_err(err, "unsupported driver '%.64s': only %s is supported",
				      inv->val[OPT_DRIVER], SVFF_VFIO_DRIVER);
	int rc = svff_res_opts(inv, OPT_QUEUES, OPT_VECTORS, &asked, err);
	if (rc == 0 && inv->set[OPT_NO_RES] && (asked.queues || asked.vectors))
		rc = svff_usage_err(err, "--no-resources and --queues or --vectors contradict "
				    "each other");
	return rc;
}

/* init again with other resources than recorded: that is a change, not
 * init's to make. */
static int refuse_res(struct svff_session *s, const struct svff_res *asked, bool off,
		      struct svff_error *err)
{
	const struct svff_pf_state *ps = svff_session_pf(s);
	const struct svff_res *d = &ps->res_default;
	if (off != ps->res_off)
		return svff_err(err, -EEXIST, "%s is set up already %s: 'svff deinit' first to "
				"change that", s->pf, ps->res_off ? "with --no-resources"
				: "with svff managing its resources");
	if ((asked->queues && asked->queues != d->queues) ||
	    (asked->vectors && asked->vectors != d->vectors))
		return svff_err(err, -EEXIST, "%s is set up already with other resources: use "
				"'svff resources --queues N --vectors N' to change them", s->pf);
	return 0;
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_session *s = inv->s;
	unsigned int count = inv->tg.has_count ? inv->tg.count : s->info.totalvfs;
	struct svff_res asked;
	int rc = svff_res_opts(inv, OPT_QUEUES, OPT_VECTORS, &asked, err);

	if (rc == 0)
		rc = refuse(s, count, err);
	if (rc == 0 && svff_session_pf(s) && svff_vfset_ready(s, count)) {
		rc = refuse_res(s, &asked, inv->set[OPT_NO_RES], err);
		if (rc == 0)
			report(inv, s, count, false);
		return rc;
	}
	if (rc == 0 && !inv->set[OPT_NO_RES])
		rc = svff_vfset_res_check(s, count, NULL, &asked, err);
	if (rc == 0)
		rc = svff_init_run(s, count, &asked, inv->set[OPT_NO_RES], err);
	if (rc == 0)
		report(inv, s, count, true);
	return rc;
}

const struct svff_cmd svff_cmd_init = {
	.name = "init", .args = "[COUNT]", .min_args = 0, .max_args = 1,
	.targets = SVFF_TARGETS_COUNT, .session = SVFF_CMD_LOCKS, .check = check,
	.run = run,
	.opts = {
		[OPT_DRIVER] = { "driver", 0, "DRIVER", "the VF driver (only vfio-pci)" },
		[OPT_QUEUES] = { "queues", 0, "N", "queues of each VF (NVMe: VQ, at least 2)" },
		[OPT_VECTORS] = { "vectors", 0, "N", "interrupt vectors of each VF (NVMe: VI)" },
		[OPT_NO_RES] = { "no-resources", 0, NULL, "leave the VFs' resources to another tool" },
	},
	.summary = "create COUNT VFs on the PF and bind them to vfio-pci",
	.desc = "Turns the native drivers' autoprobe off (sriov_drivers_autoprobe), writes\n"
		"COUNT (default: all the PF offers) to sriov_numvfs, binds every VF to\n"
		"vfio-pci (skipping those bound already), checks their IOMMU groups and\n"
		"records the PF as managed. Before the binding each VF gets its resources\n"
		"from the PF's pool (NVMe: 2 queues and 1 vector unless --queues and\n"
		"--vectors say more); a request the pool cannot meet is refused before\n"
		"anything changes. --no-resources leaves them to another tool (svff then\n"
		"never changes them, and list only shows them). The same COUNT again\n"
		"changes nothing; another COUNT is refused: use 'svff reconf'. On failure\n"
		"it undoes what it did.",
};
