/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "claim.h"
#include "init.h"
#include "reconf.h"
#include "recover.h"
#include "res-change.h"
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

static int check_claims(const struct svff_ctx *ctx, const struct svff_config_pf *p,
			struct svff_virt *v, struct svff_error *err)
{
	for (size_t k = 0; k < p->n_claims; k++) {
		struct svff_vm vm;
		char ifname[IF_NAMESIZE];
		int rc = svff_vm_lookup(v, p->claims[k].vm, &vm, err);
		svff_vm_clear(&vm);
		if (rc == 0 && p->claims[k].net.set)
			rc = svff_vfnet_netdev(ctx, p->addr, ifname, err);
		if (rc < 0)
			return at(p, p->claims[k].line, err);
	}
	return 0;
}

int svff_apply_check(const struct svff_ctx *ctx, const struct svff_config *c,
		     struct svff_virt *v, struct svff_error *err)
{
	for (size_t i = 0; i < c->n_pfs; i++) {
		const struct svff_config_pf *p = &c->pfs[i];
		struct svff_pf_info info;
		int rc = svff_pf_get(ctx, p->addr, &info, err);
		if (rc == 0 && p->numvfs > info.totalvfs)
			rc = svff_err(err, -ERANGE, "%s offers at most %u VFs, not %u", p->addr,
				      info.totalvfs, p->numvfs);
		svff_pf_info_clear(&info);
		if (rc < 0)
			return at(p, p->line, err);
		if ((rc = check_claims(ctx, p, v, err)) < 0)
			return rc;
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

struct teller {
	svff_apply_fn fn;
	void *opaque;
	const char *pf;
	int n;
};

static void tell(struct teller *t, const char *what)
{
	t->n++;
	t->fn(t->opaque, t->pf, what);
}

static void fixed(void *opaque, const char *what)
{
	struct teller *t = opaque;
	t->fn(t->opaque, "recover", what);
}

/* The count and the resources the file asks for, then recover. */
static int apply_count(struct svff_session *s, struct svff_virt *v,
		       const struct svff_config_pf *p, struct teller *t, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	char what[64];
	int rc = 0;

	if (!ps) {
		snprintf(what, sizeof(what), "init %u", p->numvfs);
		tell(t, what);
		rc = svff_vfset_res_check(s, p->numvfs, NULL, &p->res_default, err);
		if (rc == 0)
			rc = svff_init_run(s, p->numvfs, &p->res_default, false, err);
	} else if (ps->numvfs != p->numvfs) {
		struct svff_reconf r;
		snprintf(what, sizeof(what), "reconf %u -> %u", ps->numvfs, p->numvfs);
		tell(t, what);
		rc = svff_reconf_run(s, p->numvfs, false, &r, err);
		svff_reconf_clear(&r);
	}
	ps = svff_session_pf(s);
	if (rc == 0 && ps && res_differ(ps, p)) {
		tell(t, "resources as the file says");
		rc = svff_res_replace(s, &p->res_default, p->res, p->n_res, NULL, err);
	}
	if (rc < 0 || !ps)
		return rc;
	int n = svff_recover(s, v, fixed, t, err);
	t->n += n > 0 ? n : 0;
	return n < 0 ? n : 0;
}

/* A claim of the file: kept where its VM holds it already (its network
 * settings as the file says), refused where another VM holds the VF,
 * else attached to the VM's persistent configuration. */
static int apply_claim(struct svff_session *s, struct svff_virt *v,
		       const struct svff_config_pf *p, const struct svff_config_claim *cl,
		       struct teller *t, struct svff_error *err)
{
	struct svff_claim *c = svff_state_claim(svff_session_pf(s), cl->vf);
	char what[320];
	struct svff_vm vm;
	int rc = 0;

	if (c && svff_claim_of(c, cl->vm)) {
		/* a claim recover adopted after a reboot has none yet */
		if ((!cl->net.set && !c->net.set) ||
		    (c->net.set == cl->net.set && !svff_vfnet_differ(&cl->net, &c->net)))
			return 0;
		snprintf(what, sizeof(what), "vf%u network settings as the file says", cl->vf);
		tell(t, what);
		c->net = cl->net;
		rc = svff_session_save(s, err);
		if (rc == 0 && svff_session_vf(s, cl->vf))
			rc = svff_vfnet_set(s->ctx, s->pf, cl->vf, &c->net, err);
		return rc < 0 ? rc : 0;
	}
	if (c) {
		svff_err(err, -EBUSY, "vf%u is held by VM '%s', the file gives it to '%s'", cl->vf,
			 c->vm_name, cl->vm);
		return at(p, cl->line, err);
	}
	snprintf(what, sizeof(what), "vf%u to VM '%s' (persistent configuration)", cl->vf, cl->vm);
	tell(t, what);
	rc = svff_vm_lookup(v, cl->vm, &vm, err);
	if (rc == 0 && !s->ctx->dry_run)
		rc = svff_claim_attach(s, v, &vm, cl->vf, cl->guest_addr, true, &cl->net, NULL, err);
	svff_vm_clear(&vm);
	return rc;
}

int svff_apply_pf(struct svff_session *s, struct svff_virt *v, const struct svff_config_pf *p,
		  svff_apply_fn fn, void *opaque, struct svff_error *err)
{
	struct teller t = { .fn = fn, .opaque = opaque, .pf = p->addr };
	int rc = apply_count(s, v, p, &t, err);

	for (size_t k = 0; rc == 0 && svff_session_pf(s) && k < p->n_claims; k++)
		rc = apply_claim(s, v, p, &p->claims[k], &t, err);
	return rc < 0 ? rc : t.n;
}
