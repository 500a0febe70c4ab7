/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "claim.h"
#include "pause.h"
#include "sriov.h"

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
		if (s && strstr(s, "vfio") && (strstr(s, "pause") || strstr(s, "suspend"))) {
			snprintf(out->vfio_cmd, sizeof(out->vfio_cmd), "%s", s);
			break;
		}
	}
	json_object_put(o);
	return 0;
}

size_t svff_claims_pause(struct svff_session *s, struct svff_virt *v,
			 struct svff_pause_item *items, size_t n, bool by_op)
{
	struct svff_pf_state *ps = svff_session_pf(s);
	struct svff_vm *vms = calloc(n ? n : 1, sizeof(*vms));
	struct svff_unplug *u = calloc(n ? n : 1, sizeof(*u));
	size_t *of = calloc(n ? n : 1, sizeof(*of)), nu = 0, failed = 0;
	struct svff_error e = { 0 };

	if (!vms || !u || !of) {
		for (size_t i = 0; i < n; i++)
			items[i].rc = svff_err(&items[i].err, -ENOMEM, "out of memory");
		failed = n;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct svff_pause_item *it = &items[i];
		struct svff_claim *c = svff_state_claim(ps, it->vf);
		const struct svff_vf_info *info = svff_session_vf(s, it->vf);
		it->rc = 0;
		if (!c) {
			it->rc = svff_err(&it->err, -ENOENT, "vf%u of %s is not attached to any VM",
					  it->vf, s->pf);
			continue;
		}
		snprintf(it->vm, sizeof(it->vm), "%s", c->vm_name);
		snprintf(it->guest_addr, sizeof(it->guest_addr), "%s", c->guest_addr);
		if (c->state == SVFF_VF_PAUSED) {
			it->already = true;
			continue;
		}
		it->mech = SVFF_PAUSE_NONE;
		int rc = svff_vm_lookup(v, c->vm_uuid[0] ? c->vm_uuid : c->vm_name, &vms[i], &it->err);
		if (rc == -ENOENT || !info)
			continue;     /* no VM, or no VF: nothing holds it */
		if (rc < 0) {
			it->rc = rc;
			continue;
		}
		if (!vms[i].active)
			continue;
		it->mech = SVFF_PAUSE_HOTPLUG;
		/* one monitor query per VM, however many of its VFs */
		const struct svff_pause_item *same = NULL;
		for (size_t j = 0; j < i && !same; j++)
			if (vms[j].dom && !strcmp(vms[j].uuid, vms[i].uuid) && items[j].rc == 0)
				same = &items[j];
		if (same) {
			it->probe = same->probe;
		} else if ((rc = svff_qemu_probe(s->ctx, &vms[i], &it->probe, &it->err)) < 0) {
			it->rc = rc;
			continue;
		}
		u[nu] = (struct svff_unplug){ .vm = &vms[i], .vf_addr = info->addr };
		of[nu++] = i;
		/* journal first: a kill during the unplug leaves a claim that
		 * recover knows this operation took away */
		c->op_paused = by_op;
	}
	/* the journal step saves the claims marked above */
	if (nu && svff_op_step(s, "unplug", &e) < 0) {
		for (size_t i = 0; i < n; i++)
			if (!items[i].rc)
				items[i].rc = -EIO, items[i].err = e;
		failed = n;
		goto out;
	}
	double t = svff_now();
	svff_vm_unplug_many(v, u, nu, s->ctx->timeout_s);
	for (size_t k = 0; k < nu; k++) {
		items[of[k]].rc = u[k].rc;
		items[of[k]].err = u[k].err;
		items[of[k]].t_released = t;
	}
	for (size_t i = 0; i < n; i++) {
		struct svff_pause_item *it = &items[i];
		struct svff_claim *c = svff_state_claim(ps, it->vf);
		if (it->rc < 0) {
			if (c)
				c->op_paused = false;
			failed++;
			continue;
		}
		if (it->already)
			continue;
		c->state = SVFF_VF_PAUSED;
		c->op_paused = by_op;
		if (!it->t_released)
			it->t_released = t;
	}
	/* one save for all: each claim is right whichever way it went */
	if (svff_op_step(s, "record pause", &e) < 0) {
		for (size_t i = 0; i < n; i++)
			if (!items[i].rc)
				items[i].rc = -EIO, items[i].err = e, failed++;
	}
out:
	for (size_t i = 0; vms && i < n; i++)
		svff_vm_clear(&vms[i]);
	free(vms);
	free(u);
	free(of);
	return failed;
}

/* One hot-plug of the parallel unpause: the VM, the VF, the address. */
struct plug {
	struct svff_virt *v;
	struct svff_vm vm;
	char vf_addr[SVFF_ADDR_LEN];
	char want[SVFF_ADDR_LEN];
	char got[SVFF_ADDR_LEN];
	struct svff_pause_item *it;
	bool run;
};

static void *plug_thread(void *opaque)
{
	struct plug *p = opaque;
	/* libvirt connections are thread-safe; each call waits only for
	 * its own QEMU's device_add */
	p->it->rc = svff_vm_attach(p->v, &p->vm, p->vf_addr, p->want[0] ? p->want : NULL,
				   true, false, p->got, &p->it->err);
	p->it->t_restored = svff_now();
	return NULL;
}

/* Check a paused claim can be given back and look its VM up; 1 when a
 * hot-plug is needed, 0 when not (nothing to do, or a shut-off VM), or
 * a negative errno with it->err set. */
static int unpause_prepare(struct svff_session *s, struct svff_virt *v,
			   struct svff_pause_item *it, struct plug *p)
{
	struct svff_claim *c = svff_state_claim(svff_session_pf(s), it->vf);
	int rc;

	it->rc = 0;
	if (!c)
		return it->rc = svff_err(&it->err, -ENOENT, "vf%u of %s is not claimed by any VM",
					 it->vf, s->pf);
	snprintf(it->vm, sizeof(it->vm), "%s", c->vm_name);
	snprintf(it->guest_addr, sizeof(it->guest_addr), "%s", c->guest_addr);
	if (c->state != SVFF_VF_PAUSED) {
		it->already = true;
		return 0;
	}
	const struct svff_vf_info *info = svff_session_vf(s, it->vf);
	if (!info)
		return it->rc = svff_err(&it->err, -ENODEV, "cannot unpause vf%u for VM '%s': %s has "
					 "only %zu VFs now ('svff reconf %u' re-creates it, 'svff "
					 "detach vf%u' drops the claim)", it->vf, c->vm_name, s->pf,
					 s->info.n_vfs, it->vf + 1, it->vf);
	rc = svff_vm_lookup(v, c->vm_uuid[0] ? c->vm_uuid : c->vm_name, &p->vm, &it->err);
	if (rc == -ENOENT)
		return it->rc = svff_err(&it->err, -ENOENT, "cannot unpause vf%u: VM '%s' no longer "
					 "exists ('svff detach vf%u' drops the claim)", it->vf,
					 c->vm_name, it->vf);
	if (rc < 0)
		return it->rc = rc;
	it->mech = p->vm.active ? SVFF_PAUSE_HOTPLUG : SVFF_PAUSE_NONE;
	if (!p->vm.active && !c->persistent)
		return it->rc = svff_err(&it->err, -ESRCH, "cannot unpause vf%u: VM '%s' is shut off "
					 "and its claim was live only: start the VM and unpause, or "
					 "'svff detach vf%u'", it->vf, c->vm_name, it->vf);
	if (!p->vm.active)
		return 0;    /* its persistent configuration kept the hostdev */
	rc = svff_vf_usable(s, info, &it->err);
	if (rc < 0)
		return it->rc = rc;
	p->v = v;
	p->it = it;
	memcpy(p->vf_addr, info->addr, sizeof(p->vf_addr));
	memcpy(p->want, c->guest_addr, sizeof(p->want));
	return 1;
}

size_t svff_claims_unpause(struct svff_session *s, struct svff_virt *v,
			   struct svff_pause_item *items, size_t n)
{
	struct plug *p = calloc(n ? n : 1, sizeof(*p));
	pthread_t *tid = calloc(n ? n : 1, sizeof(*tid));
	struct svff_pf_state *ps = svff_session_pf(s);
	size_t failed = 0;
	struct svff_error e = { 0 };

	if (!p || !tid) {
		free(p);
		free(tid);
		for (size_t i = 0; i < n; i++)
			items[i].rc = svff_err(&items[i].err, -ENOMEM, "out of memory");
		return n;
	}
	if (svff_op_step(s, "hot-plug", &e) < 0) {
		for (size_t i = 0; i < n; i++)
			items[i].rc = -EIO, items[i].err = e;
		free(p);
		free(tid);
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = unpause_prepare(s, v, &items[i], &p[i]);
		if (rc > 0 && pthread_create(&tid[i], NULL, plug_thread, &p[i]) == 0)
			p[i].run = true;
		else if (rc > 0)
			plug_thread(&p[i]);   /* no thread: do it here */
		else if (rc == 0 && !items[i].already)
			items[i].t_restored = svff_now();
	}
	for (size_t i = 0; i < n; i++) {
		struct svff_pause_item *it = &items[i];
		struct svff_claim *c = svff_state_claim(ps, it->vf);
		if (p[i].run)
			pthread_join(tid[i], NULL);
		svff_vm_clear(&p[i].vm);
		if (it->rc < 0) {
			failed++;
			continue;
		}
		if (it->already || !c)
			continue;
		if (p[i].got[0])
			snprintf(c->guest_addr, sizeof(c->guest_addr), "%s", p[i].got);
		snprintf(it->guest_addr, sizeof(it->guest_addr), "%s", c->guest_addr);
		c->state = SVFF_VF_ATTACHED;
		c->op_paused = false;
	}
	free(p);
	free(tid);
	if (svff_op_step(s, "record unpause", &e) < 0)
		for (size_t i = 0; i < n; i++)
			if (!items[i].rc)
				items[i].rc = -EIO, items[i].err = e, failed++;
	return failed;
}
