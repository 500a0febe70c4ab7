/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff deinit [--force]: remove the VFs and forget the PF. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "claim.h"
#include "sriov.h"
#include "vfset.h"

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

/* --force: each claim released, a journal step each. */
static int release_all(struct svff_inv *inv, struct svff_session *s, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_virt *v = NULL;
	int rc = svff_virt_open(inv->ctx, &v, err);

	while (rc == 0 && ps->n_claims) {
		const struct svff_claim *c = ps->claims[0];
		char step[32], vm[SVFF_VM_NAME_LEN];
		unsigned int vf = c->vf;
		bool paused = c->state == SVFF_VF_PAUSED;
		/* the release frees the claim: keep what the line says */
		snprintf(vm, sizeof(vm), "%s", c->vm_name);
		snprintf(step, sizeof(step), "release vf%u", vf);
		rc = svff_op_step(s, step, err);
		if (rc == 0)
			rc = svff_claim_release(s, v, vf, err);
		if (rc == 0 && !inv->ctx->dry_run)
			svff_say(inv, paused ? "VM '%s' loses its paused claim on vf%u"
				     : "vf%2$u detached from VM '%1$s'", vm, vf);
		if (inv->ctx->dry_run)
			break;   /* the claims stay in a dry run: show the first only */
	}
	svff_virt_close(v);
	return rc;
}

/* The claims, the count, autoprobe; the PF forgotten. VFs that were
 * released stay released on failure; the rest is as it was. */
static int remove_vfs(struct svff_inv *inv, struct svff_session *s, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_error ignored = { 0 };
	int saved = ps->saved_autoprobe;
	int rc = svff_op_begin(s, "deinit", (int)ps->numvfs, 0, err);

	if (rc == 0 && ps->n_claims)
		rc = release_all(inv, s, err);
	if (rc == 0)
		rc = svff_vfset_res_release(s, err);
	if (rc == 0)
		rc = svff_op_step(s, "set numvfs 0", err);
	if (rc == 0)
		rc = svff_sriov_set_numvfs(s->ctx, s->pf, 0, err);
	if (rc == 0 && saved >= 0)
		rc = svff_op_step(s, "restore autoprobe", err);
	if (rc == 0 && saved >= 0)
		rc = svff_sriov_set_autoprobe(s->ctx, s->pf, saved, err);
	if (rc < 0) {
		svff_op_end(s, &ignored);
		return rc;
	}
	svff_state_pf_remove(s->st, s->pf);
	return svff_op_end(s, err);
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
		rc = remove_vfs(inv, inv->s, err);
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
