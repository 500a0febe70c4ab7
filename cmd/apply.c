/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff apply [FILE]: converge the host to the declarative configuration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cmd.h"

static void change(void *opaque, const char *pf, const char *what)
{
	struct svff_inv *inv = opaque;

	svff_say(inv, "%s%s: %s", inv->ctx->dry_run ? "would: " : "", pf, what);
	svff_out_open_object(inv, NULL);
	svff_print_str(inv, "pf", NULL, pf);
	svff_print_str(inv, "change", NULL, what);
	svff_out_close(inv);
}

static int apply_pf(struct svff_inv *inv, struct svff_virt *v, const struct svff_config_pf *p,
		    int *n, struct svff_error *err)
{
	struct svff_session s;
	int rc = svff_session_open(inv->ctx, p->addr, 0, &s, err);

	if (rc < 0)
		return rc;
	svff_log_pf(inv, &s);
	rc = svff_apply_pf(&s, v, p, change, inv, err);
	*n += rc > 0 ? rc : 0;
	svff_session_close(&s);
	return rc < 0 ? rc : 0;
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	const char *file = inv->argc ? inv->argv[0] : NULL;
	struct svff_config *c = NULL;
	struct svff_virt *v = NULL;
	int n = 0;
	int rc = svff_config_read(file, &c, err);

	svff_cmd_steps(inv);
	if (rc == 0)
		rc = svff_virt_open(inv->ctx, &v, err);
	if (rc == 0)
		rc = svff_apply_check(inv->ctx, c, v, err);
	svff_out_open_array(inv, "changes");
	for (size_t i = 0; rc == 0 && i < c->n_pfs; i++)
		rc = apply_pf(inv, v, &c->pfs[i], &n, err);
	svff_out_close(inv);
	svff_print_bool(inv, "changed", NULL, n > 0 && !inv->ctx->dry_run);
	if (rc == 0 && n == 0)
		svff_say(inv, "nothing to do: the host is as %s says", file ? file : SVFF_DEFAULT_CONFIG);
	svff_virt_close(v);
	svff_config_free(c);
	return rc;
}

const struct svff_cmd svff_cmd_apply = {
	.name = "apply", .args = "[FILE]", .min_args = 0, .max_args = 1,
	.run = run,
	.summary = "make the host what a configuration file says (boot, cron)",
	.desc = "Reads FILE, or /etc/svff/svff.xml and the drop-ins of /etc/svff/svff.d/*.xml\n"
		"(svff(8), CONFIGURATION), and refuses what it cannot mean, naming the\n"
		"file and line, before anything changes. Then, for each PF: init or\n"
		"reconf to its VF count, the resources it asks for, the claims VMs hold\n"
		"already recorded (as recover does), and each claim it names that no VM\n"
		"holds attached to the VM's persistent configuration. It never takes a VF\n"
		"from a VM. A second run says nothing to do. -n prints the plan.",
};
