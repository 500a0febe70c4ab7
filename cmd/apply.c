/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff apply [FILE]: converge the host to the declarative configuration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "cmd.h"
#include "config.h"
#include "init.h"
#include "reconf.h"
#include "recover.h"
#include "res-change.h"
#include "session.h"
#include "vfnet.h"
#include "vfset.h"

/* "FILE:LINE: " before a message about what the file says. */
static int at(const struct svff_config_pf *p, int line, struct svff_error *err)
{
	char msg[sizeof(err->msg)];
	enum svff_err_kind kind = err->kind;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	svff_err(err, err->code, "%s:%d: %s", p->file, line, msg);
	return svff_err_kind(err, kind, err->code);
}

/* What the host must have for the file to mean something: the PF, with
 * SR-IOV and room for the count; the claimed VMs. Nothing changes yet. */
static int check_host(struct svff_inv *inv, const struct svff_config *c, struct svff_virt *v,
		      struct svff_error *err)
{
	for (size_t i = 0; i < c->n_pfs; i++) {
		const struct svff_config_pf *p = &c->pfs[i];
		struct svff_pf_info info;
		int rc = svff_pf_get(inv->ctx, p->addr, &info, err);
		if (rc == 0 && p->numvfs > info.totalvfs)
			rc = svff_err(err, -ERANGE, "%s offers at most %u VFs, not %u", p->addr,
				      info.totalvfs, p->numvfs);
		svff_pf_info_clear(&info);
		if (rc < 0)
			return at(p, p->line, err);
		for (size_t k = 0; k < p->n_claims; k++) {
			struct svff_vm vm;
			char ifname[IF_NAMESIZE];
			rc = svff_vm_lookup(v, p->claims[k].vm, &vm, err);
			svff_vm_clear(&vm);
			if (rc == 0 && p->claims[k].net.set)
				rc = svff_vfnet_netdev(inv->ctx, p->addr, ifname, err);
			if (rc < 0)
				return at(p, p->claims[k].line, err);
		}
	}
	return 0;
}

/* The record of resources the file asks for, against the state's. */
static bool res_differ(const struct svff_pf_state *ps, const struct svff_config_pf *p)
{
	if (ps->res_default.queues != p->res_default.queues ||
	    ps->res_default.vectors != p->res_default.vectors || ps->n_res != p->n_res)
		return true;
	for (size_t i = 0; i < p->n_res; i++)
		if (ps->res[i].vf != p->res[i].vf || ps->res[i].r.queues != p->res[i].r.queues ||
		    ps->res[i].r.vectors != p->res[i].r.vectors)
			return true;
	return false;
}

static void change(struct svff_inv *inv, int *n, const char *pf, const char *what)
{
	(*n)++;
	svff_say(inv, "%s%s: %s", inv->ctx->dry_run ? "would: " : "", pf, what);
	svff_out_open_object(inv, NULL);
	svff_print_str(inv, "pf", NULL, pf);
	svff_print_str(inv, "change", NULL, what);
	svff_out_close(inv);
}

static void on_fix(void *opaque, const char *what)
{
	struct svff_inv *inv = opaque;
	int n = 0;
	change(inv, &n, "recover", what);
}

/* The count, the resources, then the claims: those VMs hold already are
 * recorded (as recover does), the others attached to the VMs' persistent
 * configuration. */
static int apply_pf(struct svff_inv *inv, struct svff_virt *v, const struct svff_config_pf *p,
		    int *n, struct svff_error *err)
{
	struct svff_session s;
	char what[320];
	int rc = svff_session_open(inv->ctx, p->addr, 0, &s, err);

	if (rc < 0)
		return rc;
	svff_log_pf(inv, &s);
	struct svff_pf_state *ps = svff_session_pf(&s);
	if (!ps) {
		snprintf(what, sizeof(what), "init %u", p->numvfs);
		change(inv, n, p->addr, what);
		rc = svff_vfset_res_check(&s, p->numvfs, NULL, &p->res_default, err);
		if (rc == 0)
			rc = svff_init_run(&s, p->numvfs, &p->res_default, false, err);
	} else if (ps->numvfs != p->numvfs) {
		struct svff_reconf r;
		snprintf(what, sizeof(what), "reconf %u -> %u", ps->numvfs, p->numvfs);
		change(inv, n, p->addr, what);
		rc = svff_reconf_run(&s, p->numvfs, false, &r, err);
		svff_reconf_clear(&r);
	}
	ps = svff_session_pf(&s);
	if (rc == 0 && ps && res_differ(ps, p)) {
		change(inv, n, p->addr, "resources as the file says");
		rc = svff_res_replace(&s, &p->res_default, p->res, p->n_res, NULL, err);
	}
	if (rc == 0 && ps) {
		int fixed = svff_recover(&s, v, on_fix, inv, err);
		rc = fixed < 0 ? fixed : 0;
		*n += fixed > 0 ? fixed : 0;
		ps = svff_session_pf(&s);
	}
	for (size_t k = 0; rc == 0 && ps && k < p->n_claims; k++) {
		const struct svff_config_claim *cl = &p->claims[k];
		struct svff_claim *c = svff_state_claim(ps, cl->vf);
		if (c && svff_claim_of(c, cl->vm)) {
			/* a claim recover adopted after a reboot has none yet */
			if (!cl->net.set && !c->net.set)
				continue;
			if (c->net.set == cl->net.set && !svff_vfnet_differ(&cl->net, &c->net))
				continue;
			snprintf(what, sizeof(what), "vf%u network settings as the file says", cl->vf);
			change(inv, n, p->addr, what);
			c->net = cl->net;
			rc = svff_session_save(&s, err);
			if (rc == 0 && svff_session_vf(&s, cl->vf))
				rc = svff_vfnet_set(inv->ctx, s.pf, cl->vf, &c->net, err);
			rc = rc < 0 ? rc : 0;
			continue;
		}
		if (c) {
			rc = svff_err(err, -EBUSY, "vf%u is held by VM '%s', the file gives it to '%s'",
				      cl->vf, c->vm_name, cl->vm);
			rc = at(p, cl->line, err);
			break;
		}
		struct svff_vm vm;
		snprintf(what, sizeof(what), "vf%u to VM '%s' (persistent configuration)", cl->vf,
			 cl->vm);
		change(inv, n, p->addr, what);
		rc = svff_vm_lookup(v, cl->vm, &vm, err);
		if (rc == 0 && !inv->ctx->dry_run)
			rc = svff_claim_attach(&s, v, &vm, cl->vf, cl->guest_addr, true, &cl->net,
					       NULL, err);
		svff_vm_clear(&vm);
	}
	svff_session_close(&s);
	return rc;
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
		rc = check_host(inv, c, v, err);
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
