/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff reprogram [--remove [--new-ids]] [--vfs COUNT] [--force]
 *                [--command-timeout SECONDS] -- COMMAND [ARG...]:
 * reload the card under its VMs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "parse.h"
#include "reprogram.h"
#include "session.h"

enum { OPT_REMOVE, OPT_VFS, OPT_FORCE, OPT_NEW_IDS, OPT_CMD_TIMEOUT };

/* Bound on the command when --command-timeout is not given: a flash
 * tool may take minutes, and -t is the bound of the waits for guests. */
#define CMD_TIMEOUT_DEFAULT 600

/* The options' numbers, parsed once, into inv->num. */
static int parse_opts(struct svff_inv *inv, struct svff_error *err)
{
	int rc = 0;

	inv->num[OPT_CMD_TIMEOUT] = CMD_TIMEOUT_DEFAULT;
	if (inv->set[OPT_VFS])
		rc = svff_parse_uint(inv->val[OPT_VFS], 65535, "--vfs", &inv->num[OPT_VFS], err);
	if (rc == 0 && inv->set[OPT_CMD_TIMEOUT])
		rc = svff_parse_uint(inv->val[OPT_CMD_TIMEOUT], 86400, "--command-timeout",
				     &inv->num[OPT_CMD_TIMEOUT], err);
	/* --new-ids without --remove: svff_reprogram_check says so */
	return rc < 0 ? svff_err_kind(err, SVFF_ERR_USAGE, -EINVAL) : 0;
}

/* The command line after "--", and nothing before it. */
static int check(struct svff_inv *inv, struct svff_error *err)
{
	if (inv->after_dashdash < 0)
		return svff_usage_err(err, "'reprogram' needs '--' before its command: svff "
				      "reprogram [OPTIONS] -- COMMAND [ARG...]");
	if (inv->argc > inv->after_dashdash)
		return svff_usage_err(err, "unexpected argument '%.64s' before '--'", inv->argv[0]);
	if (!inv->argv[0][0])
		return svff_usage_err(err, "the command after '--' is empty");
	return parse_opts(inv, err);
}

/* The command's lines, as it wrote them (to standard error under -j,
 * where standard output is the document), and to the system log. */
static void on_line(void *opaque, bool on_err, const char *line)
{
	struct svff_inv *inv = opaque;
	if (!inv->g->quiet || on_err)
		fprintf(on_err || inv->g->json ? stderr : stdout, "%s\n", line);
	svff_log_output(inv, on_err, line);
}

static void report_command(struct svff_inv *inv, const struct svff_reprogram *p)
{
	const struct svff_command *c = &p->cmd;
	char how[128];

	svff_out_open_object(inv, "command");
	svff_out_open_array(inv, "argv");
	for (size_t i = 0; c->argv[i]; i++)
		svff_print_str(inv, NULL, NULL, c->argv[i]);
	svff_out_close(inv);
	svff_print_bool(inv, "ran", NULL, p->ran);
	if (c->status >= 0)
		svff_print_int(inv, "status", NULL, c->status);
	else
		svff_print_null(inv, "status");
	if (c->sig)
		svff_print_int(inv, "signal", NULL, c->sig);
	else
		svff_print_null(inv, "signal");
	svff_print_bool(inv, "timed_out", NULL, c->timed_out);
	if (c->timeout_s > 0)
		svff_print_int(inv, "timeout", NULL, c->timeout_s);
	else
		svff_print_null(inv, "timeout");
	svff_print_double(inv, "seconds", NULL, c->seconds);
	svff_out_close(inv);
	svff_command_outcome(c, how, sizeof(how));
	if (p->ran)
		svff_say(inv, "command '%s' %s after %.2f s", c->argv[0], how, c->seconds);
}

static void report(struct svff_inv *inv, const struct svff_reprogram *p)
{
	svff_print_bool(inv, "remove", NULL, p->remove);
	svff_print_uint(inv, "from", NULL, p->rc.from);
	svff_print_uint(inv, "to", NULL, p->done ? p->count : p->rc.from);
	svff_print_bool(inv, "reprogrammed", NULL, p->done);
	report_command(inv, p);
	if (p->done && !inv->ctx->dry_run)
		svff_say(inv, "%s: reprogrammed%s: %u -> %u VFs on vfio-pci in %.2f s", inv->s->pf,
			 p->remove ? " (removed from the bus and found again)" : "", p->rc.from,
			 p->count, p->t_end - p->t_start);
	svff_reconf_report(inv, &p->rc);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_reprogram p = {
		.remove = inv->set[OPT_REMOVE], .force = inv->set[OPT_FORCE],
		.new_ids = inv->set[OPT_NEW_IDS], .cmd_timeout_s = (int)inv->num[OPT_CMD_TIMEOUT],
		.count = inv->set[OPT_VFS] ? inv->num[OPT_VFS] : svff_session_pf(inv->s)->numvfs,
		.op_id = inv->log.op };
	char path[PATH_MAX];
	int rc = svff_command_find(inv->argv[0], path, sizeof(path), err);

	if (rc < 0)
		return svff_err_kind(err, SVFF_ERR_USAGE, rc);
	/* argv[0] as found; its own argv[0] is the path, as execvp would not
	 * give: tools that look at their name see the same file */
	char *argv0 = inv->argv[0];
	inv->argv[0] = path;
	p.cmd = (struct svff_command){ .argv = inv->argv, .on_line = on_line, .opaque = inv };
	rc = svff_reprogram_run(inv->s, &p, err);
	/* failed by the command itself: the run went back */
	if (rc < 0 && p.ran && !p.done && err->kind != SVFF_ERR_RECOVER && p.cmd_failed) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		svff_err(err, rc, "%s: %u VFs are back as before, and the VMs have theirs", why,
			 p.rc.from);
	}
	if (rc == 0 || p.ran)
		report(inv, &p);
	inv->argv[0] = argv0;
	svff_reprogram_clear(&p);
	return rc;
}

const struct svff_cmd svff_cmd_reprogram = {
	.name = "reprogram", .args = "-- COMMAND [ARG...]", .min_args = 1, .max_args = -1,
	.targets = SVFF_TARGETS_NONE, .session = SVFF_CMD_LOCKS | SVFF_SESSION_MANAGED,
	.check = check, .run = run,
	.opts = {
		[OPT_REMOVE] = { "remove", 0, NULL, "take the PF off the PCI bus while COMMAND "
				 "runs, rescan after" },
		[OPT_VFS] = { "vfs", 0, "COUNT", "VFs after it (default: as before)" },
		[OPT_FORCE] = { "force", 'f', NULL, "drop claimed VFs above COUNT; their claims "
				"stay paused" },
		[OPT_NEW_IDS] = { "new-ids", 0, NULL, "with --remove: the PF may come back with "
				  "other vendor, device or subsystem IDs" },
		[OPT_CMD_TIMEOUT] = { "command-timeout", 0, "SECONDS", "bound on COMMAND "
				      "(default 600; 0: none)" },
	},
	.summary = "reload the card's image under its VMs",
	.desc = "Pauses every attached VF (as reconf: the release where the VM's QEMU\n"
		"offers it, else hot-unplug), writes 0 to sriov_numvfs, with --remove\n"
		"unbinds the PF and removes it from the PCI bus, runs COMMAND (directly,\n"
		"not through a shell; SVFF_PF, SVFF_VFS and SVFF_OP in its environment,\n"
		"its output passed through and logged, bounded by --command-timeout),\n"
		"with --remove rescans the bus and waits for the same device at the\n"
		"same address (its IDs may change with --new-ids), then creates COUNT\n"
		"VFs with their resources, binds them to vfio-pci and gives every VM\n"
		"its VF back at the same guest address.\n"
		"If COMMAND fails, the VFs are made again as before and the VMs get\n"
		"them back. A PF that does not come back as it was keeps every claim\n"
		"paused until 'svff recover'. recover never runs COMMAND again.",
};
