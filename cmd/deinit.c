/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff deinit [--force]: remove the VFs and forget the PF. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "init.h"

enum { OPT_FORCE };

static int refuse_claims(struct svff_session *s, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	char list[400] = "";
	for (size_t i = 0; i < ps->n_claims; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%svf%u (%s, %s)",
			 i ? ", " : "", ps->claims[i]->vf, ps->claims[i]->vm_name,
			 svff_vf_state_name(ps->claims[i]->state));
	return svff_err(err, -EBUSY, "VMs still hold VFs of %s: %s; detach them, or use --force",
			s->pf, list);
}

static void dropped(void *opaque, unsigned int vf, const char *vm, bool paused)
{
	svff_say(opaque, paused ? "VM '%s' loses its paused claim on vf%u"
				: "vf%2$u detached from VM '%1$s'", vm, vf);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(inv->s);
	bool managed = ps != NULL;
	int rc = 0;

	if (!ps)
		svff_say(inv, "%s: nothing to do: svff does not manage it", inv->s->pf);
	else if (ps->n_claims && !inv->set[OPT_FORCE])
		rc = refuse_claims(inv->s, err);
	else
		rc = svff_deinit_run(inv->s, dropped, inv, err);
	svff_print_bool(inv, "changed", NULL, managed && rc == 0);
	if (managed && rc == 0 && !inv->ctx->dry_run)
		svff_say(inv, "%s: VFs removed, autoprobe restored", inv->s->pf);
	return rc;
}

const struct svff_cmd svff_cmd_deinit = {
	.name = "deinit", .args = "", .min_args = 0, .max_args = 0,
	.session = SVFF_CMD_LOCKS, .run = run,
	.opts = {
		[OPT_FORCE] = { "force", 'f', NULL, "detach VMs' VFs and drop their claims first" },
	},
	.summary = "remove the VFs of the PF and forget it",
	.desc = "The reverse of init: writes 0 to sriov_numvfs, restores the native\n"
		"drivers' autoprobe as it was before init and forgets the PF. Refused\n"
		"while VMs hold VFs (attached or paused) unless --force, which detaches\n"
		"them first and drops paused claims. On a PF svff does not manage it\n"
		"does nothing.",
};
