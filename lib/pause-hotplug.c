/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hot-unplug mechanism of the pause seam (lib/pause-backend.h): the
 * guest is asked to let its VF go, and on unpause the (possibly
 * re-created) VF is hot-plugged at the same guest address. Any QEMU does
 * it; the guest must answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "journal.h"
#include "pause-backend.h"
#include "thread.h"

static bool mine(struct svff_session *s, const struct svff_pause_item *it,
		 const struct svff_vm *vm)
{
	return it->rc == 0 && !it->already && it->mech == SVFF_PAUSE_HOTPLUG && vm->active &&
	       svff_session_vf(s, it->vf);
}

static void fail_mine(struct svff_session *s, struct svff_pause_item *items,
		      const struct svff_vm *vms, size_t n, int rc, const struct svff_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (mine(s, &items[i], &vms[i])) {
			items[i].rc = rc;
			items[i].err = *err;
		}
}

/* The journal first (a kill during the unplug leaves claims that recover
 * knows this operation took away), then every unplug at once. */
static void unplug(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		   struct svff_vm *vms, size_t n, bool by_op)
{
	struct svff_unplug *u = calloc(n + 1, sizeof(*u));
	size_t *of = calloc(n + 1, sizeof(*of)), m = 0;   /* u[k] is items[of[k]]'s */
	struct svff_error e = { 0 };

	for (size_t i = 0; u && of && i < n; i++) {
		if (!mine(s, &items[i], &vms[i]))
			continue;
		u[m] = (struct svff_unplug){ .vm = &vms[i],
					     .vf_addr = svff_session_vf(s, items[i].vf)->addr };
		of[m++] = i;
		svff_state_claim(svff_session_pf(s), items[i].vf)->op_paused = by_op;
	}
	if (!u || !of)
		fail_mine(s, items, vms, n, svff_err(&e, -ENOMEM, "out of memory"), &e);
	else if (m && svff_op_step(s, SVFF_STEP_UNPLUG, &e) < 0)
		fail_mine(s, items, vms, n, -EIO, &e);
	else if (m) {
		double t = svff_now();
		svff_vm_unplug_many(v, u, m, s->ctx->timeout_s);
		for (size_t k = 0; k < m; k++) {
			struct svff_pause_item *it = &items[of[k]];
			it->rc = u[k].rc;
			it->err = u[k].err;
			it->t_released = t;
			if (u[k].stopped) {   /* nothing was unplugged: the VM is gone */
				it->vm_stopped = true;
				it->mech = SVFF_PAUSE_NONE;
			}
		}
	}
	free(u);
	free(of);
}

/* One hot-plug of the parallel unpause. */
struct plug {
	struct svff_virt *v;
	struct svff_vm *vm;
	const char *vf_addr;
	struct svff_pause_item *it;
};

static void *plug_one(void *opaque)
{
	struct plug *p = opaque;
	char want[SVFF_ADDR_LEN], got[SVFF_ADDR_LEN] = "";

	memcpy(want, p->it->guest_addr, sizeof(want));
	/* libvirt connections are thread-safe; each call waits only for its
	 * own QEMU's device_add */
	p->it->rc = svff_vm_attach(p->v, p->vm, p->vf_addr, want[0] ? want : NULL, true, false,
				   got, &p->it->err);
	if (p->it->rc == 0 && got[0])
		memcpy(p->it->guest_addr, got, sizeof(got));
	p->it->t_restored = svff_now();
	return NULL;
}

/* Every hot-plug at once, the journal naming the step first. The step is
 * taken with nothing to plug too, so that every unpause has the same
 * steps in its record. */
static void plug(struct svff_session *s, struct svff_virt *v, struct svff_pause_item *items,
		 struct svff_vm *vms, size_t n)
{
	struct plug *p = calloc(n + 1, sizeof(*p));
	bool *go = calloc(n + 1, sizeof(*go));
	struct svff_error e = { 0 };

	if (!p || !go)
		fail_mine(s, items, vms, n, svff_err(&e, -ENOMEM, "out of memory"), &e);
	else if (svff_op_step(s, SVFF_STEP_HOTPLUG, &e) < 0)
		fail_mine(s, items, vms, n, -EIO, &e);
	for (size_t i = 0; p && go && !e.code && i < n; i++) {
		go[i] = mine(s, &items[i], &vms[i]);
		p[i] = (struct plug){ .v = v, .vm = &vms[i], .it = &items[i],
				      .vf_addr = go[i] ? svff_session_vf(s, items[i].vf)->addr : NULL };
	}
	if (p && go && !e.code)
		svff_run_all(plug_one, p, sizeof(*p), n, go, s->ctx->dry_run);
	free(p);
	free(go);
}

const struct svff_pause_ops svff_pause_hotplug = {
	.mech = SVFF_PAUSE_HOTPLUG,
	.pause = unplug,
	.unpause = plug,
};
