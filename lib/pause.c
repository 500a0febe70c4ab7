/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "claim.h"
#include "journal.h"
#include "pause-backend.h"
#include "qmp.h"
#include "sriov.h"
#include "thread.h"

const char *svff_pause_mech_name(enum svff_pause_mech m)
{
	return m == SVFF_PAUSE_HOTPLUG ? "hot-unplug" : m == SVFF_PAUSE_RELEASE ? "release" : "none";
}

int svff_pause_want_parse(const char *s, enum svff_pause_want *out)
{
	static const char *const names[] = { "auto", "release", "hot-unplug" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum svff_pause_want)i;
			return 0;
		}
	return -EINVAL;
}

int svff_qemu_probe(const struct svff_ctx *ctx, struct svff_vm *vm,
		    struct svff_qemu_probe *out, struct svff_error *err)
{
	char *reply = NULL;
	memset(out, 0, sizeof(*out));
	if (!vm->active || ctx->dry_run)
		return 0;
	int rc = svff_vm_qmp(vm, "{\"execute\":\"query-commands\"}", &reply, err);
	if (rc < 0)
		return rc;
	out->asked = true;
	json_object *o = json_tokener_parse(reply), *ret, *name;
	free(reply);
	if (!o || !json_object_object_get_ex(o, "return", &ret) ||
	    !json_object_is_type(ret, json_type_array)) {
		json_object_put(o);
		return svff_err(err, -EPROTO, "unexpected answer to query-commands from VM '%s'",
				vm->name);
	}
	for (size_t i = 0; i < json_object_array_length(ret); i++) {
		json_object *c = json_object_array_get_idx(ret, i);
		const char *s = json_object_object_get_ex(c, "name", &name) ?
				json_object_get_string(name) : NULL;
		/* the one svff drives first; else any that looks like one */
		if (s && (!strcmp(s, SVFF_QEMU_RELEASE_CMD) ||
			  (!out->vfio_cmd[0] && strstr(s, "vfio") &&
			   (strstr(s, "pause") || strstr(s, "suspend")))))
			snprintf(out->vfio_cmd, sizeof(out->vfio_cmd), "%s", s);
	}
	json_object_put(o);
	return 0;
}

/* Fail every item not failed already with err (a journal step that could
 * not be saved); returns how many that made fail. */
static size_t fail_all(struct svff_pause_item *items, size_t n, int rc,
		       const struct svff_error *err)
{
	size_t failed = 0;
	for (size_t i = 0; i < n; i++)
		if (!items[i].rc) {
			items[i].rc = rc;
			items[i].err = *err;
			failed++;
		}
	return failed;
}

/* The claim of it->vf, its VM and guest address copied to it; NULL, with
 * it->rc set, when there is none ("not <unclaimed> any VM"). it->already
 * says whether the claim is in the state the verb leads to already. */
static struct svff_claim *item_claim(struct svff_session *s, struct svff_pause_item *it,
				     const char *unclaimed, enum svff_vf_state goal)
{
	struct svff_claim *c = svff_state_claim(svff_session_pf(s), it->vf);

	it->rc = 0;
	it->mech = SVFF_PAUSE_NONE;   /* until one is chosen */
	if (!c) {
		it->rc = svff_err(&it->err, -ENOENT, "vf%u of %s is not %s any VM", it->vf, s->pf,
				  unclaimed);
		return NULL;
	}
	snprintf(it->vm, sizeof(it->vm), "%s", c->vm_name);
	snprintf(it->guest_addr, sizeof(it->guest_addr), "%s", c->guest_addr);
	it->already = c->state == goal;
	return c;
}

/* The mechanism for a claim whose VM runs: the release when asked for or
 * left to svff and the VM's QEMU offers it; 1, or -EOPNOTSUPP when the
 * release was asked for and is not there. A dry run does not ask QEMU (a
 * monitor command taints the VM): it plans the release only when asked
 * for, and says so. */
static int choose(struct svff_session *s, struct svff_pause_item *it, const struct svff_claim *c)
{
	bool offers = !strcmp(it->probe.vfio_cmd, SVFF_QEMU_RELEASE_CMD) ||
		      (s->ctx->dry_run && it->want == SVFF_WANT_RELEASE);

	if (s->ctx->dry_run && it->want == SVFF_WANT_AUTO)
		svff_step(s->ctx, "qemu: query-commands of VM '%s' (not sent in a dry run: it taints "
			  "the VM); vf%u planned as a hot-unplug, released instead if that QEMU "
			  "offers " SVFF_QEMU_RELEASE_CMD, c->vm_name, it->vf);
	if (it->want == SVFF_WANT_HOTPLUG || (!offers && it->want == SVFF_WANT_AUTO))
		return 1;
	if (!offers)
		return it->rc = svff_err(&it->err, -EOPNOTSUPP, "cannot release vf%u: the QEMU of VM "
					 "'%s' has no VFIO pause (%s; svff(8), PAUSE MECHANISMS, says "
					 "how to get one); '--mechanism hot-unplug' asks the guest to "
					 "let it go",
					 it->vf, c->vm_name, SVFF_QEMU_RELEASE_CMD);
	it->mech = SVFF_PAUSE_RELEASE;
	return 1;
}

/* Step 1a: check a claim can be paused (the mirror of unpause_prepare):
 * the reference of its VM to look up, or NULL when nothing more is
 * needed (paused already, or no claim: it->rc says). */
static const char *pause_claim(struct svff_session *s, struct svff_pause_item *it)
{
	const struct svff_claim *c = item_claim(s, it, "attached to", SVFF_VF_PAUSED);

	if (c && it->already) {
		it->mech = c->rel.alias[0] ? SVFF_PAUSE_RELEASE : SVFF_PAUSE_HOTPLUG;
		it->vm_suspended = c->rel.suspended;
	}
	if (!c || it->already)
		return NULL;
	it->mech = SVFF_PAUSE_NONE;
	return c->vm_uuid[0] ? c->vm_uuid : c->vm_name;
}

/* Step 1b, one claim's: its VM looked up and, at the first item of each
 * VM that may be released, the VM's QEMU asked what it offers (the
 * others take that answer: a QEMU is asked once, however many VFs). */
struct look {
	const struct svff_ctx *ctx;
	struct svff_virt *v;
	struct svff_pause_item *it;
	struct svff_vm *vm;
	const char *ref;
	size_t from;          /* the item whose probe this one takes */
	bool probe;           /* from is this item */
	int rc, probe_rc;
};

static void *look_run(void *arg)
{
	struct look *l = arg;

	l->rc = svff_vm_lookup(l->v, l->ref, l->vm, &l->it->err);
	if (l->rc == 0 && l->vm->active && l->probe)
		l->probe_rc = svff_qemu_probe(l->ctx, l->vm, &l->it->probe, &l->it->err);
	return NULL;
}

/* Step 1c: the mechanism of items[i] from what 1b found: 1 when a
 * hot-unplug is needed (or the release, once chosen), 0 when nothing
 * holds the VF (no VM, no VF, a shut-off VM), or a negative errno with
 * it->err set. */
static int pause_choose(struct svff_session *s, struct svff_pause_item *items,
			const struct look *l, size_t i)
{
	struct svff_pause_item *it = &items[i];
	size_t f = l[i].from;

	if (l[i].rc == -ENOENT || !svff_session_vf(s, it->vf))
		return 0;     /* no VM, or no VF: nothing holds it */
	if (l[i].rc < 0)
		return it->rc = l[i].rc;
	if (!l[i].vm->active)
		return 0;
	it->mech = SVFF_PAUSE_HOTPLUG;
	int rc = l[f].probe_rc;
	if (f != i && l[f].rc < 0)   /* the other lookup failed: ask here */
		rc = svff_qemu_probe(s->ctx, l[i].vm, &it->probe, &it->err);
	else if (f != i && rc < 0)
		it->err = items[f].err;
	else if (f != i)
		it->probe = items[f].probe;
	if (rc < 0)
		return it->rc = rc;
	return choose(s, it, svff_state_claim(svff_session_pf(s), it->vf));
}

static const char *unpause_claim(struct svff_session *s, struct svff_pause_item *it);
static void unpause_choose(struct svff_session *s, struct svff_pause_item *it,
			   const struct look *l);

/* Step 1 of both: every claim checked, and the VMs looked up (and, to
 * pause, their QEMUs asked) all at once, a thread each, so that the last
 * VM does not wait for the others' questions; then each item's mechanism
 * chosen. */
static void prepare(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		    struct svff_vm *vms, size_t n, bool unpause)
{
	struct look *l = calloc(n + 1, sizeof(*l));
	bool *go = calloc(n + 1, sizeof(*go));
	struct svff_error e = { 0 };

	if (!l || !go) {
		fail_all(items, n, svff_err(&e, -ENOMEM, "out of memory"), &e);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *ref = unpause ? unpause_claim(s, &items[i]) : pause_claim(s, &items[i]);
		l[i] = (struct look){ .ctx = s->ctx, .v = v, .it = &items[i], .vm = &vms[i],
				      .ref = ref, .from = i };
		go[i] = ref != NULL;
		for (size_t j = 0; ref && !unpause && j < i && l[i].from == i; j++)
			if (go[j] && !strcmp(l[j].ref, ref) && items[j].want == items[i].want)
				l[i].from = j;
		l[i].probe = ref && !unpause && l[i].from == i &&
			     items[i].want != SVFF_WANT_HOTPLUG;
	}
	svff_run_all(look_run, l, sizeof(*l), n, go, s->ctx->dry_run);
	for (size_t i = 0; i < n; i++) {
		if (go[i] && unpause)
			unpause_choose(s, &items[i], &l[i]);
		else if (go[i])
			pause_choose(s, items, l, i);
	}
	free(l);
	free(go);
}

/* Step 3: each released claim kept as paused, with its guest address; a
 * claim that could not be released stays attached. One save for all:
 * each claim is right whichever way it went. */
static size_t pause_record(struct svff_session *s, struct svff_pause_item *items, size_t n,
			   bool by_op, double t)
{
	struct svff_error e = { 0 };
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		struct svff_pause_item *it = &items[i];
		struct svff_claim *c = svff_state_claim(svff_session_pf(s), it->vf);
		if (it->rc < 0 && c)
			c->op_paused = false;
		if (it->rc < 0)
			failed++;
		if (it->already && c && !by_op)
			c->op_paused = false;   /* the operator's pause now */
		if (it->rc < 0 || it->already)
			continue;
		c->state = SVFF_VF_PAUSED;
		c->op_paused = by_op;
		if (it->mech != SVFF_PAUSE_RELEASE)
			memset(&c->rel, 0, sizeof(c->rel));
		if (!it->t_released)
			it->t_released = t;
	}
	if (svff_op_step(s, SVFF_STEP_RECORD_PAUSE, &e) < 0)
		failed += fail_all(items, n, -EIO, &e);
	return failed;
}

/* The mechanisms, in the order they run (lib/pause-backend.h). */
static const struct svff_pause_ops *const backends[] = { &svff_pause_release,
							 &svff_pause_hotplug };
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

static void clear_vms(struct svff_vm *vms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		svff_vm_clear(&vms[i]);
	free(vms);
}

size_t svff_claims_pause(struct svff_session *s, struct svff_virt *v,
			 struct svff_pause_item *items, size_t n, bool by_op)
{
	struct svff_error e = { 0 };

	if (!n)   /* nothing held: no libvirt (reconf of a PF no VM uses) */
		return 0;
	struct svff_vm *vms = calloc(n, sizeof(*vms));
	if (!vms)
		return fail_all(items, n, svff_err(&e, -ENOMEM, "out of memory"), &e);
	prepare(s, v, items, vms, n, false);
	/* Step 2: each mechanism releases its VFs, every VM at once */
	double t = svff_now();
	for (size_t b = 0; b < N_BACKENDS; b++)
		backends[b]->pause(s, v, items, vms, n, by_op);
	size_t failed = pause_record(s, items, n, by_op, t);
	clear_vms(vms, n);
	return failed;
}

/* Step 1a of unpause: check a paused claim can be given back: the
 * reference of its VM to look up, or NULL when nothing more is needed
 * (given back already, or it cannot be: it->rc says). */
static const char *unpause_claim(struct svff_session *s, struct svff_pause_item *it)
{
	const struct svff_claim *c = item_claim(s, it, "claimed by", SVFF_VF_ATTACHED);

	if (!c || it->already)
		return NULL;
	it->vm_suspended = c->rel.suspended;
	if (!svff_session_vf(s, it->vf)) {
		it->rc = svff_err(&it->err, -ENODEV, "cannot unpause vf%u for VM '%s': %s has only "
				  "%zu VFs now ('svff reconf %u' re-creates it, 'svff detach vf%u' "
				  "drops the claim)", it->vf, c->vm_name, s->pf, s->info.n_vfs,
				  it->vf + 1, it->vf);
		return NULL;
	}
	return c->vm_uuid[0] ? c->vm_uuid : c->vm_name;
}

/* Step 1c of unpause: the mechanism from the VM found: the re-acquire
 * where its VF is released by the running VM's QEMU, else a hot-plug;
 * none for a shut-off VM whose configuration keeps the VF. */
static void unpause_choose(struct svff_session *s, struct svff_pause_item *it,
			   const struct look *l)
{
	struct svff_claim *c = svff_state_claim(svff_session_pf(s), it->vf);
	const struct svff_vm *vm = l->vm;

	if (l->rc == -ENOENT) {   /* a transient VM whose QEMU stopped, or one undefined */
		it->vm_stopped = true;
		it->rc = svff_err(&it->err, -ENOENT, "cannot unpause vf%u: VM '%s' no longer exists: "
				  "the claim stays paused ('svff detach vf%u' drops it)", it->vf,
				  c->vm_name, it->vf);
		return;
	}
	if (l->rc < 0) {
		it->rc = l->rc;
		return;
	}
	if (!vm->active) {   /* its QEMU, and what it released, are gone */
		memset(&c->rel, 0, sizeof(c->rel));
		it->vm_stopped = true;
	}
	it->mech = !vm->active ? SVFF_PAUSE_NONE : c->rel.alias[0] ? SVFF_PAUSE_RELEASE
								    : SVFF_PAUSE_HOTPLUG;
	if (!vm->active && !c->persistent)
		it->rc = svff_err(&it->err, -ESRCH, "cannot unpause vf%u: VM '%s' is shut off and "
				  "its claim was live only: start the VM and unpause, or 'svff "
				  "detach vf%u'", it->vf, c->vm_name, it->vf);
	else if (!vm->active)
		it->t_restored = svff_now();   /* its configuration kept the hostdev */
	else
		it->rc = svff_vf_usable(s, svff_session_vf(s, it->vf), &it->err);
}

/* Step 3: each claim given back recorded attached again, at the address
 * libvirt gave; one that failed stays paused. One save. */
static size_t unpause_record(struct svff_session *s, struct svff_pause_item *items, size_t n)
{
	struct svff_error e = { 0 };
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		struct svff_pause_item *it = &items[i];
		struct svff_claim *c = svff_state_claim(svff_session_pf(s), it->vf);
		if (it->rc < 0)
			failed++;
		if (it->rc < 0 && it->vm_stopped && c)
			c->op_paused = false;   /* its VM is gone: the operator's pause now */
		if (it->rc < 0 || it->already || !c)
			continue;
		if (it->guest_addr[0])   /* where the VM put it */
			snprintf(c->guest_addr, sizeof(c->guest_addr), "%s", it->guest_addr);
		c->state = SVFF_VF_ATTACHED;
		c->op_paused = false;
		memset(&c->rel, 0, sizeof(c->rel));
	}
	if (svff_op_step(s, SVFF_STEP_RECORD_UNPAUSE, &e) < 0)
		failed += fail_all(items, n, -EIO, &e);
	return failed;
}

size_t svff_claims_unpause(struct svff_session *s, struct svff_virt *v,
			   struct svff_pause_item *items, size_t n)
{
	struct svff_error e = { 0 };

	if (!n)
		return 0;
	struct svff_vm *vms = calloc(n, sizeof(*vms));
	if (!vms)
		return fail_all(items, n, svff_err(&e, -ENOMEM, "out of memory"), &e);
	prepare(s, v, items, vms, n, true);
	/* Step 2: each mechanism gives its VFs back, every VM at once */
	for (size_t b = 0; b < N_BACKENDS; b++)
		backends[b]->unpause(s, v, items, vms, n);
	size_t failed = unpause_record(s, items, n);
	clear_vms(vms, n);
	return failed;
}

struct items_run {
	bool unpause;
	struct svff_pause_item *items;
	size_t n;
};

/* Each item has its own result; each claim is saved as it goes. */
static int items_step(struct svff_run *r, struct svff_error *err)
{
	struct items_run *it = r->data;
	if (it->unpause)
		svff_claims_unpause(r->s, r->v, it->items, it->n);
	else
		svff_claims_pause(r->s, r->v, it->items, it->n, false);
	return 0;
}

static const struct svff_step items_steps[] = {
	{ .run = items_step },
	{ 0 }
};

/* A pause stopped by a signal gives back what it paused (a failed item
 * is no reason to: the others stay paused, each with its result). */
static int give_back(struct svff_run *r, struct svff_error *err)
{
	struct items_run *it = r->data;
	struct svff_pause_item *back = calloc(it->n + 1, sizeof(*back));
	size_t nb = 0;

	if (!back)
		return svff_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < it->n; i++)
		if (it->items[i].rc == 0 && !it->items[i].already)
			back[nb++].vf = it->items[i].vf;
	svff_claims_unpause(r->s, r->v, back, nb);
	for (size_t i = 0; i < nb; i++)
		if (back[i].rc < 0 && !err->code)
			*err = back[i].err;
	free(back);
	return err->code;
}

static int paused(struct svff_run *r, struct svff_error *err)
{
	return 0;
}

static const struct svff_step pause_steps[] = {
	{ .run = items_step, .undo = give_back },
	/* the boundary where a signal that came during the pause still
	 * undoes it */
	{ .run = paused },
	{ 0 }
};

/* The record only names the verb, so that a kill in the middle sends the
 * next verb to recover, whose reconcile puts the VF in flight right. */
const struct svff_verb svff_verb_pause = {
	.name = "pause", .steps = pause_steps,
	.recovered = "pause: each VF is now as libvirt has it (run the command again to "
		     "finish it)",
};
const struct svff_verb svff_verb_unpause = {
	.name = "unpause", .steps = items_steps,
	.recovered = "unpause: each VF is now as libvirt has it (run the command again to "
		     "finish it)",
};

static int items_run(const struct svff_verb *verb, struct svff_session *s, struct svff_virt *v,
		     struct svff_pause_item *items, size_t n, struct svff_error *err)
{
	struct items_run it = { .unpause = verb == &svff_verb_unpause, .items = items, .n = n };
	struct svff_run r = { .s = s, .v = v, .data = &it, .from = -1, .to = -1 };
	return svff_journal_run(verb, &r, err);
}

int svff_pause_run(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		   size_t n, struct svff_error *err)
{
	return items_run(&svff_verb_pause, s, v, items, n, err);
}

int svff_unpause_run(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		     size_t n, struct svff_error *err)
{
	return items_run(&svff_verb_unpause, s, v, items, n, err);
}
