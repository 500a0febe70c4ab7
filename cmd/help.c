/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "cmd.h"

static int run(struct svff_inv *inv, struct svff_error *err)
{
	if (inv->argc == 0) {
		fputs("Commands:\n", stdout);
		for (const struct svff_cmd *const *c = svff_cmds; *c; c++)
			printf("  %-10s %s\n", (*c)->name, (*c)->summary);
		fputs("\nSee 'svff help COMMAND', 'svff --help' and svff(8).\n", stdout);
		return 0;
	}
	const struct svff_cmd *cmd = svff_cmd_find(inv->argv[0]);
	if (!cmd)
		return svff_usage_err(err, "unknown command '%.64s'", inv->argv[0]);
	svff_cmd_help(cmd, stdout);
	return 0;
}

const struct svff_cmd svff_cmd_help_desc = {
	.name = "help", .args = "[COMMAND]", .min_args = 0, .max_args = 1,
	.run = run,
	.summary = "show the commands, or one command's usage",
};
