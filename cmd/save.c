/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff save [FILE]: the state as a configuration file for svff apply. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"

/* Atomically, as the state file is written: a temporary file beside it,
 * then rename. */
static int write_atomic(const char *path, const char *text, struct svff_error *err)
{
	char tmp[4096];
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return svff_usage_err(err, "file name too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return svff_err_errno(err, -errno, "cannot write %s", tmp);
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		rc = svff_err_errno(err, -errno, "cannot write %s", tmp);
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = svff_err_errno(err, -errno, "cannot rename %s to %s", tmp, path);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_state *st = NULL;
	char *text = NULL;
	int rc = svff_state_read(inv->ctx->state_dir, &st, err);

	if (rc == 0)
		rc = svff_config_write(st, &text, err);
	if (rc == 0 && inv->argc && !inv->ctx->dry_run)
		rc = write_atomic(inv->argv[0], text, err);
	if (rc == 0 && inv->argc)
		svff_say(inv, "%s%s: %zu PF(s)", inv->ctx->dry_run ? "would write " : "saved to ",
			 inv->argv[0], st->n_pfs);
	svff_print_note(inv, "config", rc == 0 && !inv->argc ? "%s" : NULL, rc == 0 ? text : NULL);
	free(text);
	svff_state_free(st);
	return rc;
}

const struct svff_cmd svff_cmd_save = {
	.name = "save", .args = "[FILE]", .min_args = 0, .max_args = 1,
	.run = run,
	.summary = "write the state as a configuration file for 'svff apply'",
	.desc = "Writes what svff manages as a configuration (svff(8), CONFIGURATION) to\n"
		"FILE, replacing it atomically, or to standard output: each PF with its\n"
		"VF count and resources, and the claims that survive a reboot (those in\n"
		"a VM's persistent configuration). With -j, the text under \"config\".",
};
