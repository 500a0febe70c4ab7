/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "journal.h"
#include "pause.h"
#include "recover.h"
#include "qmp.h"
#include "sriov.h"
#include "vfset.h"
#include "view.h"

struct fixer {
	svff_step_fn fn;
	void *opaque;
	int n;
	/* VMs svff suspended for a release that QEMU does not hold (any
	 * more): resumed once the claims are right (resume_vms) */
	char (*resume)[SVFF_UUID_LEN];
	size_t n_resume;
	/* the interrupted verb pauses claims only to give them back */
	bool gives_back;
};

static void __attribute__((format(printf, 2, 3))) say(struct fixer *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f->n++;
	if (f->fn)
		f->fn(f->opaque, buf);
}

static const struct svff_held *held_by(const struct svff_held *h, size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].host_addr, addr))
			return &h[i];
	return NULL;
}

static bool vm_exists(struct svff_virt *v, const struct svff_claim *c)
{
	struct svff_vm vm = { 0 };
	struct svff_error e = { 0 };
	int rc = svff_vm_lookup(v, c->vm_uuid[0] ? c->vm_uuid : c->vm_name, &vm, &e);
	svff_vm_clear(&vm);
	return rc != -ENOENT;   /* a lookup that failed otherwise: assume it does */
}

static void want_resume(struct fixer *f, const char *uuid)
{
	for (size_t i = 0; i < f->n_resume; i++)
		if (!strcmp(f->resume[i], uuid))
			return;
	char *p = svff_append(&f->resume, &f->n_resume, sizeof(*f->resume));
	if (!p)
		return;    /* the VM stays suspended; list shows it, recover again */
	snprintf(p, SVFF_UUID_LEN, "%s", uuid);
}

/* A claim with a release record against its VM's QEMU, which is the
 * truth: 1 when QEMU holds the VF released (the claim is paused), 0 when
 * not (the record goes, and the VM, if svff suspended it, is to resume),
 * or a negative errno (the record stays for the next recover). */
static int reconcile_release(struct svff_virt *v, struct svff_claim *c,
			     const struct svff_held *h, struct fixer *f, struct svff_error *err)
{
	struct svff_vm vm = { 0 };
	bool rel = false;
	size_t nrel = 0;
	int rc = 0;

	if (h && h->active) {
		rc = svff_vm_lookup(v, h->vm_uuid, &vm, err);
		if (rc == 0)
			rc = svff_qemu_released(&vm, c->rel.alias, &rel, &nrel, err);
		svff_vm_clear(&vm);
		if (rc == -EOPNOTSUPP)
			rc = 0;   /* a QEMU without the VFIO pause holds nothing released */
		if (rc < 0)
			return rc;
	}
	if (rel) {
		if (c->state != SVFF_VF_PAUSED)
			say(f, "vf%u is released by the QEMU of VM '%s', which svff keeps suspended: "
			    "claim marked paused ('svff unpause %s' gives it back)", c->vf, c->vm_name,
			    c->vm_name);
		c->state = SVFF_VF_PAUSED;
		return 1;
	}
	if (c->state == SVFF_VF_PAUSED && h)
		say(f, "vf%u is not released by the QEMU of VM '%s'", c->vf, c->vm_name);
	if (c->rel.suspended && h)
		want_resume(f, h->vm_uuid);
	memset(&c->rel, 0, sizeof(c->rel));
	return 0;
}

/* The VMs svff suspended for releases that did not happen, or were undone,
 * run again: when libvirt has them paused and their QEMU holds nothing
 * released. */
static int resume_vms(struct svff_session *s, struct svff_virt *v, struct fixer *f,
		      struct svff_error *err)
{
	for (size_t i = 0; i < f->n_resume; i++) {
		struct svff_vm vm = { 0 };
		bool paused = false, rel = false;
		size_t nrel = 0;
		int rc = svff_vm_lookup(v, f->resume[i], &vm, err);
		if (rc == -ENOENT)
			continue;
		if (rc == 0 && vm.active)
			rc = svff_vm_paused(&vm, &paused, err);
		if (rc == 0 && paused && !svff_release_suspended(s->st, &vm))
			rc = svff_qemu_released(&vm, "", &rel, &nrel, err);
		if (rc == 0 && paused && !nrel && !svff_release_suspended(s->st, &vm)) {
			rc = svff_vm_resume(v, &vm, err);
			if (rc == 0)
				say(f, "VM '%s' resumed: svff had suspended it, and its QEMU holds no "
				    "device released", vm.name);
		}
		svff_vm_clear(&vm);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One claim against what its VM holds: moved to the VM that holds its
 * VF, marked attached or paused as the VM has it (released: as its QEMU
 * has it), its guest address as libvirt says. Returns 0 when its VM is
 * gone (the claim must go), 1 when it stays, or a negative errno. */
static int reconcile_claim(struct svff_session *s, struct svff_virt *v, struct svff_claim *c,
			   const struct svff_held *held, size_t nh, struct fixer *f,
			   struct svff_error *err)
{
	const struct svff_vf_info *vf = svff_session_vf(s, c->vf);
	const struct svff_held *h = vf ? held_by(held, nh, vf->addr) : NULL;

	/* libvirt's XML names the address QEMU released, whatever it took back */
	if (!h && c->rel.alias[0])
		h = held_by(held, nh, c->rel.host);
	if (c->rel.alias[0]) {
		int rc = reconcile_release(v, c, h, f, err);
		if (rc < 0)
			return rc;
		if (rc > 0)
			return 1;   /* released: paused, as QEMU has it */
	}

	if (h && strcmp(h->vm_uuid, c->vm_uuid)) {
		say(f, "vf%u is held by VM '%s', not by VM '%s' as recorded: claim moved to '%s'",
		    c->vf, h->vm_name, c->vm_name, h->vm_name);
		snprintf(c->vm_name, sizeof(c->vm_name), "%s", h->vm_name);
		snprintf(c->vm_uuid, sizeof(c->vm_uuid), "%s", h->vm_uuid);
	}
	if (!h && !vm_exists(v, c)) {
		say(f, "vf%u: VM '%s' no longer exists: claim dropped", c->vf, c->vm_name);
		return 0;
	}
	if (h && c->state == SVFF_VF_PAUSED) {
		say(f, "vf%u is in VM '%s': claim marked attached", c->vf, c->vm_name);
		c->state = SVFF_VF_ATTACHED;
	}
	if (h && h->active && h->guest_addr[0] && strcmp(h->guest_addr, c->guest_addr)) {
		say(f, "vf%u is at guest address %s in VM '%s', not %s: recorded", c->vf,
		    h->guest_addr, c->vm_name, c->guest_addr[0] ? c->guest_addr : "unknown");
		snprintf(c->guest_addr, sizeof(c->guest_addr), "%s", h->guest_addr);
	}
	if (!h && c->state == SVFF_VF_ATTACHED) {
		if (vf && f->gives_back)
			say(f, "vf%u is no longer in VM '%s': the interrupted operation took it, "
			    "and gives it back", c->vf, c->vm_name);
		else if (vf)
			say(f, "vf%u is no longer in VM '%s' (removed outside svff, or an "
			    "interrupted operation): claim kept paused ('svff unpause %s' gives "
			    "it back)", c->vf, c->vm_name, c->vm_name);
		else
			say(f, "vf%u no longer exists on the PF: the claim of VM '%s' is kept "
			    "paused ('svff detach vf%u' drops it)", c->vf, c->vm_name, c->vf);
		c->state = SVFF_VF_PAUSED;
		c->op_paused = f->gives_back;
	}
	return 1;
}

/* Step 1: the claims against what the VMs hold and what sysfs has; the
 * claims of VMs that are gone dropped once all are seen. */
static int reconcile_claims(struct svff_session *s, struct svff_virt *v,
			    const struct svff_held *held, size_t nh, struct fixer *f,
			    struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	unsigned int *gone = calloc(ps->n_claims + 1, sizeof(*gone));
	size_t ng = 0;

	if (!gone)
		return svff_err(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < ps->n_claims && rc >= 0; i++) {
		rc = reconcile_claim(s, v, ps->claims[i], held, nh, f, err);
		if (rc == 0)
			gone[ng++] = ps->claims[i]->vf;
	}
	for (size_t i = 0; i < ng; i++)
		svff_state_claim_remove(ps, gone[i]);
	free(gone);
	return rc < 0 ? rc : resume_vms(s, v, f, err);
}

/* Step 2: VFs a VM holds that no claim records (an attach interrupted
 * after libvirt took the VF, or an attach by hand) adopted as attached. */
static int adopt_held(struct svff_session *s, const struct svff_held *held, size_t nh,
		      struct fixer *f, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);

	for (size_t i = 0; i < s->info.n_vfs; i++) {
		const struct svff_vf_info *vf = &s->info.vfs[i];
		const struct svff_held *h = held_by(held, nh, vf->addr);
		if (!h || svff_state_claim(ps, vf->index))
			continue;
		struct svff_claim *c = svff_state_claim_add(ps, vf->index);
		if (!c)
			return svff_err(err, -ENOMEM, "out of memory");
		c->state = SVFF_VF_ATTACHED;
		snprintf(c->vm_name, sizeof(c->vm_name), "%s", h->vm_name);
		snprintf(c->vm_uuid, sizeof(c->vm_uuid), "%s", h->vm_uuid);
		snprintf(c->guest_addr, sizeof(c->guest_addr), "%s", h->guest_addr);
		c->persistent = !h->active;
		say(f, "vf%u is in VM '%s' with no claim: claim recorded as attached", vf->index,
		    h->vm_name);
	}
	return 0;
}

/* Step 3, the PF: the count the kernel has is the truth (but an
 * interrupted init, reconf or deinit sets the count itself); autoprobe
 * off. */
static int mend_pf(struct svff_session *s, const struct svff_view *v, bool count_op,
		   struct fixer *f, struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);

	if (!count_op && (v->dis & SVFF_DIS_COUNT)) {
		say(f, "%s has %u VFs, the state file said %u: recorded %u", s->pf, v->pf.numvfs,
		    ps->numvfs, v->pf.numvfs);
		ps->numvfs = v->pf.numvfs;
	}
	if (!(v->dis & SVFF_DIS_AUTOPROBE))
		return 0;
	say(f, "autoprobe of native VF drivers was on: turned off");
	return svff_sriov_set_autoprobe(s->ctx, s->pf, false, err);
}

/* Step 3, the VFs the plan finds with other resources or network settings
 * than recorded: given them again (every VF, when the plan could not read
 * them: the fixer then says why). */
static int mend_vfs(struct svff_session *s, const struct svff_view *v, struct fixer *f,
		    struct svff_error *err)
{
	unsigned int n = s->info.numvfs;
	bool *res = v->has_res ? svff_view_rows(v, SVFF_DIS_RES, n) : NULL;
	bool *net = v->has_net ? svff_view_rows(v, SVFF_DIS_NET, n) : NULL;
	int rc = 0;

	if ((v->has_res && !res) || (v->has_net && !net))
		rc = svff_err(err, -ENOMEM, "out of memory");
	if (rc == 0 && (rc = svff_vfset_resources(s, n, res, err)) > 0)
		say(f, "%d VF(s) did not have the resources recorded for them: given again", rc);
	if (rc >= 0 && (rc = svff_vfset_net(s, n, net, err)) > 0)
		say(f, "%d VF(s) did not have the network settings of their claims: given again",
		    rc);
	free(res);
	free(net);
	return rc < 0 ? rc : 0;
}

/* Step 3, last: VFs off vfio-pci bound back (those the plan found, and any
 * a resource change had to unbind). */
static int mend_drivers(struct svff_session *s, struct fixer *f, struct svff_error *err)
{
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	for (size_t i = 0; rc == 0 && i < s->info.n_vfs; i++) {
		const struct svff_vf_info *vf = &s->info.vfs[i];
		if (!svff_view_wrong_driver(vf))
			continue;
		say(f, "vf%u (%s) was bound to '%s': bound to %s", vf->index, vf->addr,
		    vf->driver[0] ? vf->driver : "no driver", SVFF_VFIO_DRIVER);
		rc = svff_vf_bind_vfio(s->ctx, vf->addr, err);
	}
	return rc < 0 ? rc : svff_pf_refresh(s->ctx, &s->info, err);
}

/* Step 3: the host side, as list's plan of disagreements has it. */
static int reconcile_host(struct svff_session *s, bool count_op, struct fixer *f,
			  struct svff_error *err)
{
	struct svff_view v;
	int rc = svff_view_build(s->ctx, s->st, s->pf, &v, err);

	if (rc < 0)
		return rc;
	rc = mend_pf(s, &v, count_op, f, err);
	if (rc == 0 && !count_op)   /* (the operation's own steps give them) */
		rc = mend_vfs(s, &v, f, err);
	svff_view_clear(&v);
	return rc < 0 ? rc : mend_drivers(s, f, err);
}

/* The state file against sysfs and libvirt, which are the truth. */
static int reconcile(struct svff_session *s, struct svff_virt *v, bool count_op,
		     struct fixer *f, struct svff_error *err)
{
	struct svff_held *held = NULL;
	size_t nh = 0;
	int rc = svff_pf_refresh(s->ctx, &s->info, err);

	if (rc == 0)
		rc = svff_virt_held(v, &held, &nh, err);
	if (rc == 0)
		rc = reconcile_claims(s, v, held, nh, f, err);
	if (rc == 0)
		rc = adopt_held(s, held, nh, f, err);
	free(held);
	return rc == 0 ? reconcile_host(s, count_op, f, err) : rc;
}

static void fixed(void *opaque, const char *what)
{
	say(opaque, "%s", what);
}

/* The interrupted operation finished (or rolled back) by its own verb. */
static int finish_op(struct svff_session *s, struct svff_virt *v, const struct svff_op *op,
		     const struct svff_verb *verb, struct fixer *f, struct svff_error *err)
{
	struct svff_run r = { .s = s, .v = v, .say = fixed, .say_opaque = f };

	if (verb && verb->finish)
		return verb->finish(&r, op, err);
	if (verb && verb->recovered)
		say(f, "%s", verb->recovered);
	else  /* attach, detach, pause, unpause: each VF's claim was saved as
	       * it went; reconcile has put the one in flight right */
		say(f, "%s: each VF is now as libvirt has it (run the command again to finish it)",
		    op->verb);
	return 0;
}

/* What the verb must bring back before reconcile can see the host. */
static int prepare_op(struct svff_session *s, struct svff_virt *v, const struct svff_op *op,
		      const struct svff_verb *verb, struct fixer *f, struct svff_error *err)
{
	struct svff_run r = { .s = s, .v = v, .say = fixed, .say_opaque = f };
	return verb->prepare(&r, op, err);
}

/* Claims an operation paused and could not give back (libvirtd gone at
 * reconf's give-back): the operation's to give back, not the operator's
 * pauses. One that cannot be given back now keeps its mark, and the
 * next recover tries again. */
static int give_back_left(struct svff_session *s, struct svff_virt *v, struct fixer *f,
			  struct svff_error *err)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_pause_item *items;
	size_t n = 0, failed = 0;
	int rc = 0;

	if (!ps)
		return 0;   /* a deinit finished: the PF is no longer managed */
	items = calloc(ps->n_claims + 1, sizeof(*items));
	if (!items)
		return svff_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < ps->n_claims; i++) {
		struct svff_claim *c = ps->claims[i];
		if (svff_view_to_give_back(c) && svff_session_vf(s, c->vf))
			items[n++].vf = c->vf;
		else
			c->op_paused = false;   /* attached again, or its VF is gone */
	}
	bool own = n && !s->st->op;   /* the hot-plugs are journal steps */
	if (own)
		rc = svff_op_begin(s, svff_verb_unpause.name, -1, -1, err);
	if (rc == 0 && n)
		failed = svff_claims_unpause(s, v, items, n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (items[i].rc == 0)
			say(f, "vf%u given back to VM '%s' at %s: the operation that paused it could "
			    "not", items[i].vf, items[i].vm, items[i].guest_addr);
		else
			say(f, "vf%u stays paused: %s", items[i].vf, items[i].err.msg);
	}
	if (own && rc == 0)
		rc = svff_op_end(s, err);
	free(items);
	if (rc == 0 && failed)
		rc = svff_err(err, -EIO, "%zu VF(s) an operation had paused could not be given "
			      "back to their VMs: 'svff recover' tries again", failed);
	return rc;
}

int svff_recover(struct svff_session *s, struct svff_virt *v, svff_step_fn fn,
		 void *opaque, struct svff_error *err)
{
	struct fixer f = { .fn = fn, .opaque = opaque };
	struct svff_op op = { 0 };
	bool had_op = s->st->op != NULL;
	int rc;

	if (had_op) {
		op = *s->st->op;
		if (strcmp(op.pf, s->pf))
			return svff_err_kind(err, SVFF_ERR_USAGE, svff_err(err, -EINVAL,
					     "the interrupted operation is on %s: run 'svff -d %s "
					     "recover'", op.pf, op.pf));
		say(&f, "interrupted '%s' (pid %ld, step %u: %s) found", op.verb, op.pid, op.step,
		    op.step_name);
	}
	if (!svff_session_pf(s))
		return svff_err(err, -ENOENT, "svff does not manage %s: nothing to recover", s->pf);
	const struct svff_verb *verb = had_op ? svff_verb_find(op.verb) : NULL;
	f.gives_back = verb && verb->gives_back;
	rc = verb && verb->prepare ? prepare_op(s, v, &op, verb, &f, err) : 0;
	if (rc == 0)
		rc = reconcile(s, v, verb && verb->sets_count, &f, err);
	if (rc == 0 && had_op)
		rc = finish_op(s, v, &op, verb, &f, err);
	free(f.resume);
	if (rc == 0)
		rc = give_back_left(s, v, &f, err);
	if (rc < 0)
		return rc;     /* the record stays: recover can be run again */
	rc = had_op ? svff_op_end(s, err) : (f.n ? svff_session_save(s, err) : 0);
	return rc < 0 ? rc : f.n;
}
