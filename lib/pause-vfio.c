/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VFIO-release mechanism of the pause seam (lib/pause-backend.h):
 * the VM suspended, its QEMU releases the host device and keeps it in
 * the guest; on unpause QEMU re-acquires the VF, the guest is told of the
 * reset, and the VM resumes. Needs svff's QEMU patches (qemu/README). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "journal.h"
#include "pause-backend.h"
#include "qmp.h"
#include "thread.h"

static bool same_vm(const struct svff_claim *c, const struct svff_vm *vm)
{
	return c->vm_uuid[0] ? !strcmp(c->vm_uuid, vm->uuid) : !strcmp(c->vm_name, vm->name);
}

bool svff_release_suspended(const struct svff_state *st, const struct svff_vm *vm)
{
	for (size_t i = 0; i < st->n_pfs; i++)
		for (size_t j = 0; j < st->pfs[i].n_claims; j++) {
			const struct svff_claim *c = st->pfs[i].claims[j];
			if (c->rel.alias[0] && c->rel.suspended && same_vm(c, vm))
				return true;
		}
	return false;
}

static bool todo(const struct svff_pause_item *it)
{
	return it->mech == SVFF_PAUSE_RELEASE && it->rc == 0 && !it->already;
}

static bool any_todo(const struct svff_pause_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (todo(&items[i]))
			return true;
	return false;
}

/* The first item to do of the VM of items[i]: each VM is acted on once. */
static size_t first_of(const struct svff_pause_item *items, struct svff_vm *const *vms, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (todo(&items[j]) && !strcmp(vms[j]->uuid, vms[i]->uuid))
			return j;
	return i;
}

static void fail_vm(struct svff_pause_item *items, struct svff_vm *const *vms, size_t n,
		    size_t i, int rc, const struct svff_error *err)
{
	for (size_t j = i; j < n; j++)
		if (todo(&items[j]) && !strcmp(vms[j]->uuid, vms[i]->uuid)) {
			items[j].rc = rc;
			items[j].err = *err;
		}
}

/* What a job asks: of one item's QEMU (release, re-acquire, tell), or of
 * libvirt for one VM (suspend; whether to resume it; resume). */
enum qjob_kind { QJOB_RELEASE, QJOB_REACQUIRE, QJOB_TELL, QJOB_SUSPEND, QJOB_CHECK,
		 QJOB_RESUME };

struct qjob {
	struct svff_session *s;
	struct svff_virt *v;
	enum qjob_kind kind;
	struct svff_pause_item *it;
	struct svff_vm *vm;
	const char *alias, *host;
	int rc;                  /* the VM jobs' result */
	struct svff_error err;
	bool resume;             /* QJOB_CHECK: svff is to resume the VM */
};

/* Whether svff resumes vm: none of its devices stays released, it is
 * paused, and svff suspended it (else it is not svff's to run). */
static int check_resume(struct qjob *j)
{
	bool rel = false, paused = false;
	size_t nrel = 0;
	int rc = svff_qemu_released(j->vm, "", &rel, &nrel, &j->err);

	if (rc == 0)
		rc = svff_vm_paused(j->vm, &paused, &j->err);
	j->resume = rc == 0 && !nrel && paused && svff_release_suspended(j->s->st, j->vm);
	return rc;
}

static void *qjob_run(void *arg)
{
	struct qjob *j = arg;
	const struct svff_ctx *ctx = j->s->ctx;
	int rc;

	switch (j->kind) {
	case QJOB_SUSPEND:
		j->rc = svff_vm_suspend(j->v, j->vm, &j->err);
		return NULL;
	case QJOB_CHECK:
		j->rc = check_resume(j);
		return NULL;
	case QJOB_RESUME:
		j->rc = svff_vm_resume(j->v, j->vm, &j->err);
		return NULL;
	case QJOB_TELL:
		j->it->told = svff_qemu_notify(ctx, j->vm, j->alias, &j->it->tell_err) > 0;
		return NULL;
	case QJOB_REACQUIRE:
		rc = svff_qemu_reacquire(ctx, j->vm, j->alias, j->host, &j->it->err);
		break;
	default:
		rc = svff_qemu_release(ctx, j->vm, j->alias, &j->it->err);
	}
	j->it->rc = rc < 0 ? rc : 0;
	return NULL;
}

/* The jobs of one kind, for the items of mask (NULL: every item to do;
 * the VM jobs name each VM's first item), all at once (libvirt's
 * connection is thread-safe; each QEMU takes its own commands in turn).
 * The item jobs' results go to their items, the VM jobs' to jobs[]. An
 * item to do always has its claim (the release record names the alias):
 * one without is failed, never acted on. */
static void qjobs(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		  struct svff_vm *const *vms, const char *const *addrs, size_t n,
		  enum qjob_kind kind, const bool *mask, struct qjob *jobs)
{
	bool *go = calloc(n + 1, sizeof(*go));

	for (size_t i = 0; i < n; i++) {
		const struct svff_claim *c = svff_state_claim(svff_session_pf(s), items[i].vf);
		jobs[i] = (struct qjob){ 0 };
		if (mask ? !mask[i] : !todo(&items[i]))
			continue;
		if (!c && kind < QJOB_SUSPEND) {
			items[i].rc = svff_err(&items[i].err, -ENOENT, "vf%u has no claim",
					       items[i].vf);
			continue;
		}
		jobs[i] = (struct qjob){ .s = s, .v = v, .kind = kind, .it = &items[i], .vm = vms[i],
					 .host = addrs ? addrs[i] : NULL,
					 .alias = c ? c->rel.alias : "" };
		if (go)
			go[i] = true;
		else
			qjob_run(&jobs[i]);   /* no memory for the list: one by one */
	}
	if (go)
		svff_run_all(qjob_run, jobs, sizeof(*jobs), n, go, s->ctx->dry_run);
	free(go);
}

/* mask[i]: items[i] is the first to do of its VM (each VM is acted on
 * once) and not in skip (NULL: none); whether any is. */
static bool first_items(const struct svff_pause_item *items, struct svff_vm *const *vms,
			size_t n, const bool *skip, bool *mask)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		mask[i] = todo(&items[i]) && first_of(items, vms, i) == i && !(skip && skip[i]);
		any |= mask[i];
	}
	return any;
}

/* Step 1 of pause: each claim's release record, before the VM is touched:
 * the hostdev's alias, and whether svff suspends the VM for it (it runs,
 * or svff suspended it before). A VF the VM no longer holds needs nothing.
 * Each VM's live XML and state are read once, at its first item. */
static bool pause_intent(struct svff_session *s, struct svff_pause_item *items,
			 struct svff_vm *const *vms, size_t n, bool by_op, bool *was_paused)
{
	struct svff_hostdev *hds = NULL;
	size_t nhd = 0, at = n;   /* hds: the VM of item at's */
	int vm_rc = 0;
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		struct svff_pause_item *it = &items[i];
		if (!todo(it))
			continue;
		const struct svff_vf_info *info = svff_session_vf(s, it->vf);
		struct svff_claim *c = svff_state_claim(svff_session_pf(s), it->vf);
		char alias[SVFF_ALIAS_LEN] = "";
		size_t f = first_of(items, vms, i);
		struct svff_error e = { 0 };
		if (f != at) {
			free(hds);
			at = f;
			vm_rc = svff_vm_hostdevs(vms[f], &hds, &nhd, &e);
			if (vm_rc == 0)
				vm_rc = svff_vm_paused(vms[f], &was_paused[f], &e);
		}
		int rc = vm_rc ? vm_rc : svff_hostdev_alias(hds, nhd, vms[i], info->addr, alias, &e);
		if (rc == -ENOENT) {
			it->mech = SVFF_PAUSE_NONE;   /* not in the VM: nothing holds it */
			continue;
		}
		if (rc < 0) {
			it->rc = rc;
			it->err = e;
			continue;
		}
		was_paused[i] = was_paused[f];
		snprintf(c->rel.alias, sizeof(c->rel.alias), "%s", alias);
		snprintf(c->rel.host, sizeof(c->rel.host), "%s", info->addr);
		c->rel.suspended = !was_paused[i] || svff_release_suspended(s->st, vms[i]);
		c->op_paused = by_op;
		it->vm_suspended = c->rel.suspended;
		any = true;
	}
	free(hds);
	return any;
}

/* A VM svff suspended in this pause for nothing (no VF of it released,
 * none released before) runs again. */
static void pause_undo(struct svff_virt *v, struct svff_pause_item *items,
		       struct svff_vm *const *vms, size_t n, const bool *suspended_now)
{
	for (size_t i = 0; i < n; i++) {
		if (!suspended_now[i])
			continue;
		bool ok = false, rel = false;
		size_t nrel = 0;
		struct svff_error e = { 0 };
		for (size_t j = i; j < n; j++)
			ok |= items[j].mech == SVFF_PAUSE_RELEASE && items[j].rc == 0 &&
			      !strcmp(vms[j]->uuid, vms[i]->uuid);
		if (!ok && svff_qemu_released(vms[i], "", &rel, &nrel, &e) == 0 && !nrel &&
		    svff_vm_resume(v, vms[i], &e) == 0)
			for (size_t j = i; j < n; j++)
				if (!strcmp(vms[j]->uuid, vms[i]->uuid))
					items[j].vm_suspended = false;
	}
}

/* Every item still to do fails with err (a journal step not saved, or
 * no memory). */
static void fail_todo(struct svff_pause_item *items, size_t n, int rc,
		      const struct svff_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (todo(&items[i])) {
			items[i].rc = rc;
			items[i].err = *err;
		}
}

/* What a release or re-acquire of n items works with. */
struct rel_work {
	struct svff_vm **vms;
	bool *was, *now, *mask;
	struct qjob *jobs;
};

static bool work_new(struct rel_work *w, size_t n)
{
	w->vms = calloc(n + 1, sizeof(*w->vms));
	w->was = calloc(n + 1, sizeof(*w->was));
	w->now = calloc(n + 1, sizeof(*w->now));
	w->mask = calloc(n + 1, sizeof(*w->mask));
	w->jobs = calloc(n + 1, sizeof(*w->jobs));
	return w->vms && w->was && w->now && w->mask && w->jobs;
}

static void work_free(struct rel_work *w)
{
	free(w->vms);
	free(w->was);
	free(w->now);
	free(w->mask);
	free(w->jobs);
}

/* Steps 2 and 3 of pause: every VM not paused before suspended, then
 * every device released, each all at once; from here the VMs are down. */
static void pause_release(struct svff_session *s, struct svff_virt *v,
			  struct svff_pause_item *items, size_t n, struct rel_work *w)
{
	struct svff_error e = { 0 };

	if (svff_op_step(s, SVFF_STEP_SUSPEND, &e) < 0) {
		fail_todo(items, n, -EIO, &e);
		return;
	}
	double t = svff_now();
	if (first_items(items, w->vms, n, w->was, w->mask))
		qjobs(s, v, items, w->vms, NULL, n, QJOB_SUSPEND, w->mask, w->jobs);
	for (size_t i = 0; i < n; i++) {
		if (!w->mask[i])
			continue;
		if (w->jobs[i].rc < 0)
			fail_vm(items, w->vms, n, i, w->jobs[i].rc, &w->jobs[i].err);
		else
			w->now[i] = true;
	}
	if (svff_op_step(s, SVFF_STEP_RELEASE, &e) < 0)
		fail_todo(items, n, -EIO, &e);
	for (size_t i = 0; i < n; i++)
		if (todo(&items[i]))
			items[i].t_released = t;
	qjobs(s, v, items, w->vms, NULL, n, QJOB_RELEASE, NULL, w->jobs);
	pause_undo(v, items, w->vms, n, w->now);
}

/* Each claim's release record saved, its VM suspended, its VF released;
 * a VM svff suspended for nothing is resumed. */
static void release(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		    struct svff_vm *vms_in, size_t n, bool by_op)
{
	struct rel_work w;
	struct svff_error e = { 0 };

	if (!work_new(&w, n)) {
		fail_todo(items, n, svff_err(&e, -ENOMEM, "out of memory"), &e);
		work_free(&w);
		return;
	}
	for (size_t i = 0; i < n; i++)
		w.vms[i] = &vms_in[i];
	if (pause_intent(s, items, w.vms, n, by_op, w.was))
		pause_release(s, v, items, n, &w);
	/* a claim not released has no release record */
	for (size_t i = 0; i < n; i++)
		if (items[i].mech == SVFF_PAUSE_RELEASE && items[i].rc < 0) {
			struct svff_claim *c = svff_state_claim(svff_session_pf(s), items[i].vf);
			if (c)
				memset(&c->rel, 0, sizeof(c->rel));
		}
	work_free(&w);
}

/* Step 3 of unpause: the VMs none of whose devices stays released, and
 * that svff suspended, resumed, each once, all at once. A VM that cannot
 * be resumed fails its items: their claims keep the release record
 * (recover and a second unpause resume it). */
static void unpause_resume(struct svff_session *s, struct svff_virt *v,
			   struct svff_pause_item *items, size_t n, struct rel_work *w)
{
	struct svff_error e = { 0 };
	bool any = false;

	if (first_items(items, w->vms, n, NULL, w->mask))
		qjobs(s, v, items, w->vms, NULL, n, QJOB_CHECK, w->mask, w->jobs);
	for (size_t i = 0; i < n; i++) {
		if (w->mask[i] && w->jobs[i].rc < 0)
			fail_vm(items, w->vms, n, i, w->jobs[i].rc, &w->jobs[i].err);
		w->mask[i] = w->mask[i] && w->jobs[i].rc == 0 && w->jobs[i].resume;
		any |= w->mask[i];
	}
	if (!any)
		return;
	int rc = svff_op_step(s, SVFF_STEP_RESUME, &e);
	if (rc == 0)
		qjobs(s, v, items, w->vms, NULL, n, QJOB_RESUME, w->mask, w->jobs);
	for (size_t i = 0; i < n; i++) {
		if (!w->mask[i])
			continue;
		if (rc < 0 || w->jobs[i].rc < 0) {
			fail_vm(items, w->vms, n, i, rc < 0 ? rc : w->jobs[i].rc,
				rc < 0 ? &e : &w->jobs[i].err);
			continue;
		}
		for (size_t j = i; j < n; j++)
			if (todo(&items[j]) && !strcmp(w->vms[j]->uuid, w->vms[i]->uuid))
				items[j].vm_resumed = true;
	}
}

/* Step 2 of unpause: each guest whose device was re-acquired told, while
 * its VM is still stopped, that the device was reset, so that its driver
 * recovers the function as soon as the VM runs, not after an I/O
 * timeout; every VM at once, as the re-acquire. Not told (a QEMU without
 * x-vfio-notify, no PCIe port with AER above the device) is no failure:
 * the guest finds out as without. */
static void unpause_tell(struct svff_session *s, struct svff_pause_item *items, size_t n,
			 struct rel_work *w)
{
	struct svff_error e = { 0 };

	if (any_todo(items, n) && svff_op_step(s, SVFF_STEP_TELL, &e) == 0)
		qjobs(s, NULL, items, w->vms, NULL, n, QJOB_TELL, NULL, w->jobs);
}

/* Each VF re-acquired at its address now, the guests told, and each VM
 * resumed once none of its devices is released. */
static void reacquire_all(struct svff_session *s, struct svff_virt *v,
			  struct svff_pause_item *items, struct svff_vm *vms, const char **addrs,
			  size_t n, struct rel_work *w)
{
	for (size_t i = 0; i < n; i++) {
		const struct svff_vf_info *vf = svff_session_vf(s, items[i].vf);
		w->vms[i] = &vms[i];
		addrs[i] = vf ? vf->addr : NULL;
	}
	qjobs(s, v, items, w->vms, addrs, n, QJOB_REACQUIRE, NULL, w->jobs);
	unpause_tell(s, items, n, w);
	unpause_resume(s, v, items, n, w);
	for (size_t i = 0; i < n; i++)
		if (todo(&items[i]))
			items[i].t_restored = svff_now();
}

static void reacquire(struct svff_session *s, struct svff_virt *v,
		      struct svff_pause_item *items, struct svff_vm *vms, size_t n)
{
	struct svff_error e = { 0 };
	const char **addrs;
	struct rel_work w;

	if (!any_todo(items, n))
		return;
	addrs = calloc(n + 1, sizeof(*addrs));
	if (!work_new(&w, n) || !addrs)
		fail_todo(items, n, svff_err(&e, -ENOMEM, "out of memory"), &e);
	else if (svff_op_step(s, SVFF_STEP_REACQUIRE, &e) < 0)
		fail_todo(items, n, -EIO, &e);
	else
		reacquire_all(s, v, items, vms, addrs, n, &w);
	free(addrs);
	work_free(&w);
}

const struct svff_pause_ops svff_pause_release = {
	.mech = SVFF_PAUSE_RELEASE,
	.pause = release,
	.unpause = reacquire,
};
