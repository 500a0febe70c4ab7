/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The release half of the pause seam (lib/qmp.h, lib/pause.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "journal.h"
#include "pause.h"
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

/* What a job asks one item's QEMU. */
enum qjob_kind { QJOB_RELEASE, QJOB_REACQUIRE, QJOB_TELL };

struct qjob {
	const struct svff_ctx *ctx;
	enum qjob_kind kind;
	struct svff_pause_item *it;
	struct svff_vm *vm;
	const char *alias, *host;
	pthread_t tid;
	bool started;
};

static void *qjob_run(void *arg)
{
	struct qjob *j = arg;
	int rc;

	switch (j->kind) {
	case QJOB_TELL:
		j->it->told = svff_qemu_notify(j->ctx, j->vm, j->alias, &j->it->tell_err) > 0;
		return NULL;
	case QJOB_REACQUIRE:
		rc = svff_qemu_reacquire(j->ctx, j->vm, j->alias, j->host, &j->it->err);
		break;
	default:
		rc = svff_qemu_release(j->ctx, j->vm, j->alias, &j->it->err);
	}
	j->it->rc = rc < 0 ? rc : 0;
	return NULL;
}

/* Each item's job (the re-acquire at addrs[i]), all at once: a thread
 * each (libvirt's connection is thread-safe; each QEMU takes its own
 * commands in turn), so that the last VM does not wait for the others.
 * A dry run plans them in order; a thread not had runs its job here. An
 * item to do always has its claim (the release record names the alias):
 * one without is failed, never acted on. */
static void qmp_each(struct svff_session *s, struct svff_pause_item *items,
		     struct svff_vm *const *vms, const char *const *addrs, size_t n,
		     enum qjob_kind kind)
{
	struct qjob *jobs = calloc(n + 1, sizeof(*jobs)), one;

	for (size_t i = 0; i < n; i++) {
		const struct svff_claim *c = svff_state_claim(svff_session_pf(s), items[i].vf);
		if (!todo(&items[i]))
			continue;
		if (!c) {
			items[i].rc = svff_err(&items[i].err, -ENOENT, "vf%u has no claim",
					       items[i].vf);
			continue;
		}
		struct qjob *j = jobs ? &jobs[i] : &one;
		*j = (struct qjob){ .ctx = s->ctx, .kind = kind, .it = &items[i], .vm = vms[i],
				    .host = addrs ? addrs[i] : NULL, .alias = c->rel.alias };
		if (!jobs || s->ctx->dry_run || svff_thread_start(&j->tid, qjob_run, j) != 0)
			qjob_run(j);
		else
			j->started = true;
	}
	for (size_t i = 0; jobs && i < n; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].tid, NULL);
	free(jobs);
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

void svff_release_pause(struct svff_session *s, struct svff_virt *v,
			struct svff_pause_item *items, struct svff_vm *vms_in, size_t n, bool by_op)
{
	struct svff_vm **vms = calloc(n + 1, sizeof(*vms));
	bool *was = calloc(n + 1, sizeof(*was)), *now = calloc(n + 1, sizeof(*now));
	struct svff_error e = { 0 };

	if (!vms || !was || !now)
		goto out;
	for (size_t i = 0; i < n; i++)
		vms[i] = &vms_in[i];
	if (!pause_intent(s, items, vms, n, by_op, was))
		goto out;
	if (svff_op_step(s, SVFF_STEP_SUSPEND, &e) < 0) {
		for (size_t i = 0; i < n; i++)
			if (todo(&items[i]))
				items[i].rc = -EIO, items[i].err = e;
		goto out;
	}
	double t = svff_now();
	for (size_t i = 0; i < n; i++) {
		if (!todo(&items[i]) || first_of(items, vms, i) != i || was[i])
			continue;
		int rc = svff_vm_suspend(v, vms[i], &e);
		if (rc < 0)
			fail_vm(items, vms, n, i, rc, &e);
		else
			now[i] = true;
	}
	if (svff_op_step(s, SVFF_STEP_RELEASE, &e) < 0) {
		for (size_t i = 0; i < n; i++)
			if (todo(&items[i]))
				items[i].rc = -EIO, items[i].err = e;
	}
	for (size_t i = 0; i < n; i++)
		if (todo(&items[i]))
			items[i].t_released = t;
	qmp_each(s, items, vms, NULL, n, QJOB_RELEASE);
	pause_undo(v, items, vms, n, now);
	/* a claim not released has no release record */
	for (size_t i = 0; i < n; i++)
		if (items[i].mech == SVFF_PAUSE_RELEASE && items[i].rc < 0) {
			struct svff_claim *c = svff_state_claim(svff_session_pf(s), items[i].vf);
			if (c)
				memset(&c->rel, 0, sizeof(c->rel));
		}
out:
	if (!vms || !was || !now)
		for (size_t i = 0; i < n; i++)
			if (todo(&items[i]))
				items[i].rc = svff_err(&items[i].err, -ENOMEM, "out of memory");
	free(vms);
	free(was);
	free(now);
}

/* Step 3 of unpause: the VMs none of whose devices stays released, and
 * that svff suspended, resumed, each once. A VM that cannot be resumed
 * fails its items: their claims keep the release record (recover and a
 * second unpause resume it). */
static void unpause_resume(struct svff_session *s, struct svff_virt *v,
			   struct svff_pause_item *items, struct svff_vm *const *vms, size_t n)
{
	struct svff_error e = { 0 };
	bool stepped = false;

	for (size_t i = 0; i < n; i++) {
		if (!todo(&items[i]) || first_of(items, vms, i) != i)
			continue;
		bool rel = false, paused = false;
		size_t nrel = 0;
		int rc = svff_qemu_released(vms[i], "", &rel, &nrel, &e);
		if (rc == 0)
			rc = svff_vm_paused(vms[i], &paused, &e);
		if (rc == 0 && (nrel || !paused || !svff_release_suspended(s->st, vms[i])))
			continue;     /* stays as it is: still released, or not svff's */
		if (rc == 0 && !stepped) {
			rc = svff_op_step(s, SVFF_STEP_RESUME, &e);
			stepped = rc == 0;
		}
		if (rc == 0)
			rc = svff_vm_resume(v, vms[i], &e);
		if (rc < 0) {
			fail_vm(items, vms, n, i, rc, &e);
			continue;
		}
		for (size_t j = i; j < n; j++)
			if (todo(&items[j]) && !strcmp(vms[j]->uuid, vms[i]->uuid))
				items[j].vm_resumed = true;
	}
}

/* Step 2 of unpause: each guest whose device was re-acquired told, while
 * its VM is still stopped, that the device was reset, so that its driver
 * recovers the function as soon as the VM runs, not after an I/O
 * timeout; every VM at once, as the re-acquire. Not told (a QEMU without
 * x-vfio-notify, no PCIe port with AER above the device) is no failure:
 * the guest finds out as without. */
static void unpause_tell(struct svff_session *s, struct svff_pause_item *items,
			 struct svff_vm *const *vms, size_t n)
{
	struct svff_error e = { 0 };

	if (any_todo(items, n) && svff_op_step(s, SVFF_STEP_TELL, &e) == 0)
		qmp_each(s, items, vms, NULL, n, QJOB_TELL);
}

void svff_release_unpause(struct svff_session *s, struct svff_virt *v,
			  struct svff_pause_item *items, struct svff_vm *const *vms,
			  const char *const *addrs, size_t n)
{
	struct svff_error e = { 0 };

	if (!any_todo(items, n))
		return;
	if (svff_op_step(s, SVFF_STEP_REACQUIRE, &e) < 0) {
		for (size_t i = 0; i < n; i++)
			if (todo(&items[i]))
				items[i].rc = -EIO, items[i].err = e;
		return;
	}
	qmp_each(s, items, vms, addrs, n, QJOB_REACQUIRE);
	unpause_tell(s, items, vms, n);
	unpause_resume(s, v, items, vms, n);
	for (size_t i = 0; i < n; i++)
		if (todo(&items[i]))
			items[i].t_restored = svff_now();
}
