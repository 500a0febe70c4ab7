/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domxml.h"
#include "libvirt-dl.h"
#include "parse.h"
#include "thread.h"
#include "virt.h"

struct svff_virt {
	const struct svff_ctx *ctx;
	virConnectPtr conn;
	pthread_t loop;         /* runs libvirt's event loop (loop_run) */
	bool loop_started;
	atomic_bool quit;
	atomic_bool lost;       /* libvirt closed the connection (on_close) */
};

/* libvirtd pings a client that can run events (keepalive: by default
 * every 5 s, and it drops one that has not answered 5 pings) and svff
 * needs events for DEVICE_REMOVED. So the loop runs for as long as the
 * connection is open, in its own thread, as in virsh: a verb that holds
 * the connection through long sysfs or NVMe work keeps it. */
static void *loop_run(void *opaque)
{
	struct svff_virt *v = opaque;
	while (!atomic_load(&v->quit))
		if (sym_virEventRunDefaultImpl() < 0)
			break;
	return NULL;
}

static void loop_wake(int timer, void *opaque) { (void)timer; (void)opaque; }

/* libvirtd stopped or restarted: the event loop says so at once, and
 * every wait ends with that reason rather than a guest's silence. */
static void on_close(virConnectPtr c, int reason, void *opaque)
{
	struct svff_virt *v = opaque;
	(void)c;
	(void)reason;
	atomic_store(&v->lost, true);
}

bool svff_virt_lost(const struct svff_virt *v)
{
	return v && atomic_load(&v->lost);
}

static void quiet(void *opaque, virErrorPtr e) { (void)opaque; (void)e; }

static const char *lv_msg(void)
{
	const char *m = sym_virGetLastErrorMessage();
	return m && *m ? m : "unknown libvirt error";
}

int svff_virt_open(const struct svff_ctx *ctx, struct svff_virt **out,
		   struct svff_error *err)
{
	static bool event_impl;
	const char *uri = ctx->uri;
	struct svff_virt *v;
	int rc = svff_libvirt_load(err);

	if (rc < 0)
		return rc;
	sym_virSetErrorFunc(NULL, quiet);
	svff_domxml_init();
	if (sym_virInitialize() < 0)
		return svff_err(err, -EIO, "cannot initialise libvirt: %s", lv_msg());
	/* needed before connecting, to receive DEVICE_REMOVED events */
	if (!event_impl && sym_virEventRegisterDefaultImpl() < 0)
		return svff_err(err, -EIO, "cannot set up libvirt events: %s", lv_msg());
	event_impl = true;
	v = calloc(1, sizeof(*v));
	if (!v)
		return svff_err(err, -ENOMEM, "out of memory");
	v->conn = sym_virConnectOpen(uri);
	if (!v->conn) {
		free(v);
		return svff_err(err, -ECONNREFUSED, "cannot connect to libvirt at '%s': %s",
				uri, lv_msg());
	}
	sym_virConnSetErrorFunc(v->conn, NULL, quiet);
	v->ctx = ctx;
	atomic_init(&v->quit, false);
	atomic_init(&v->lost, false);
	sym_virConnectRegisterCloseCallback(v->conn, on_close, v, NULL);
	rc = svff_thread_start(&v->loop, loop_run, v);
	if (rc != 0) {
		sym_virConnectClose(v->conn);
		free(v);
		return svff_err(err, -rc, "cannot start libvirt's event loop: %s", strerror(rc));
	}
	v->loop_started = true;
	*out = v;
	return 0;
}

void svff_virt_close(struct svff_virt *v)
{
	if (!v)
		return;
	if (v->conn) {
		sym_virConnectUnregisterCloseCallback(v->conn, on_close);
		sym_virConnectClose(v->conn);
	}
	if (v->loop_started) {
		/* a timer due now makes the loop return and see quit */
		atomic_store(&v->quit, true);
		int t = sym_virEventAddTimeout(0, loop_wake, NULL, NULL);
		pthread_join(v->loop, NULL);
		if (t >= 0)
			sym_virEventRemoveTimeout(t);
	}
	free(v);
}

static int vm_fill(virDomainPtr dom, struct svff_vm *out, struct svff_error *err)
{
	const char *name = sym_virDomainGetName(dom);
	memset(out, 0, sizeof(*out));
	out->dom = dom;
	snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
	if (sym_virDomainGetUUIDString(dom, out->uuid) < 0) {
		sym_virDomainFree(dom);
		out->dom = NULL;
		return svff_err(err, -EIO, "cannot read the UUID of VM '%s': %s", out->name, lv_msg());
	}
	out->active = sym_virDomainIsActive(dom) == 1;
	out->persistent = sym_virDomainIsPersistent(dom) == 1;
	return 0;
}

int svff_vm_lookup(struct svff_virt *v, const char *ref, struct svff_vm *out,
		   struct svff_error *err)
{
	unsigned int id;
	virDomainPtr dom;

	memset(out, 0, sizeof(*out));   /* safe to clear after a failure */
	/* a claim names its VM by UUID: asked that way first, one round
	 * trip to libvirtd fewer in every verb's prelude */
	bool uuid = strlen(ref) == SVFF_UUID_LEN - 1;
	dom = uuid ? sym_virDomainLookupByUUIDString(v->conn, ref) : NULL;
	if (!dom)
		dom = sym_virDomainLookupByName(v->conn, ref);
	if (!dom && svff_parse_uint(ref, 0x7fffffff, "id", &id, NULL) == 0)
		dom = sym_virDomainLookupByID(v->conn, (int)id);
	if (!dom) {
		virErrorPtr e = sym_virGetLastError();
		if (e && e->code != VIR_ERR_NO_DOMAIN)
			return svff_err(err, -EIO, "cannot look up VM '%s': %s", ref, lv_msg());
		return svff_err(err, -ENOENT, "no VM '%s'", ref);
	}
	return vm_fill(dom, out, err);
}

void svff_vm_clear(struct svff_vm *vm)
{
	if (vm && vm->dom) {
		sym_virDomainFree(vm->dom);
		vm->dom = NULL;
	}
}

int svff_vm_xml(struct svff_vm *vm, bool inactive, char **out, struct svff_error *err)
{
	char *xml = sym_virDomainGetXMLDesc(vm->dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (!xml)
		return svff_err(err, -EIO, "cannot read the configuration of VM '%s': %s",
				vm->name, lv_msg());
	*out = xml;
	return 0;
}

int svff_vm_qmp(struct svff_vm *vm, const char *cmd, char **reply, struct svff_error *err)
{
	if (sym_virDomainQemuMonitorCommand(vm->dom, cmd, reply, 0) < 0)
		return svff_err(err, -EIO, "cannot ask the QEMU of VM '%s': %s", vm->name, lv_msg());
	return 0;
}

/* libvirt's suspend (the vCPUs stop) or resume of a VM */
static int run_state(struct svff_virt *v, struct svff_vm *vm, bool run, struct svff_error *err)
{
	const char *what = run ? "resume" : "suspend";

	if (!svff_step(v->ctx, "libvirt: %s VM '%s'", what, vm->name))
		return 0;
	if ((run ? sym_virDomainResume : sym_virDomainSuspend)(vm->dom) < 0)
		return svff_err(err, -EIO, "cannot %s VM '%s': %s", what, vm->name, lv_msg());
	return 0;
}

int svff_vm_suspend(struct svff_virt *v, struct svff_vm *vm, struct svff_error *err)
{
	return run_state(v, vm, false, err);
}

int svff_vm_resume(struct svff_virt *v, struct svff_vm *vm, struct svff_error *err)
{
	return run_state(v, vm, true, err);
}

int svff_vm_paused(struct svff_vm *vm, bool *paused, struct svff_error *err)
{
	int state = 0, reason = 0;
	if (sym_virDomainGetState(vm->dom, &state, &reason, 0) < 0)
		return svff_err(err, -EIO, "cannot read the state of VM '%s': %s", vm->name,
				lv_msg());
	*paused = state == VIR_DOMAIN_PAUSED;
	return 0;
}

int svff_vm_attach(struct svff_virt *v, struct svff_vm *vm, const char *vf_addr,
		   const char *guest_addr, bool live, bool config,
		   char guest_out[SVFF_ADDR_LEN], struct svff_error *err)
{
	unsigned int flags = (live ? VIR_DOMAIN_AFFECT_LIVE : 0) |
			     (config ? VIR_DOMAIN_AFFECT_CONFIG : 0);
	char *xml = NULL, *dom_xml = NULL;
	int rc;

	rc = svff_hostdev_xml(vf_addr, guest_addr, &xml, err);
	if (rc < 0)
		return rc;
	if (guest_out)
		guest_out[0] = '\0';
	if (!svff_step(v->ctx, "libvirt: attach %s to VM '%s'%s%s (%s%s%s)", vf_addr, vm->name,
		       guest_addr && *guest_addr ? " at guest address " : "",
		       guest_addr ? guest_addr : "", live ? "live" : "",
		       live && config ? ", " : "", config ? "config" : "")) {
		free(xml);
		return 0;
	}
	if (sym_virDomainAttachDeviceFlags(vm->dom, xml, flags) < 0) {
		const char *m = lv_msg();
		bool slots = strstr(m, "slot") || strstr(m, "hotplug") || strstr(m, "hot-plug");
		rc = svff_err(err, -EIO, "cannot attach '%s' to VM '%s': %s%s", vf_addr, vm->name,
			      m, slots ? " (the VM needs a free PCIe hot-plug slot, for instance "
				   "an empty pcie-root-port)" : "");
		free(xml);
		return rc;
	}
	free(xml);
	if (!guest_out)
		return 0;
	/* the address libvirt gave it: live, or in the persistent
	 * configuration of a shut-off VM */
	rc = svff_vm_xml(vm, !live, &dom_xml, err);
	if (rc < 0)
		return rc;
	rc = svff_domxml_find(dom_xml, vf_addr, guest_out, err);
	free(dom_xml);
	if (rc == 0 && live)
		return svff_err(err, -EIO, "VM '%s' accepted '%s' but its live configuration "
				"does not show it", vm->name, vf_addr);
	return rc < 0 ? rc : 0;
}

/* One wait for many unplugs: the callbacks (in the loop's thread) and
 * the poll (in the caller's) see them all, under lock. A callback may
 * still be running when it is deregistered, so the wait is counted: the
 * caller and each registration hold it (wait_unref). */
struct wait_all {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct svff_unplug *u;  /* NULL once the caller is done */
	size_t n;
	int refs;
};

static struct wait_all *wait_new(struct svff_unplug *u, size_t n)
{
	struct wait_all *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->changed, &ca);
	pthread_condattr_destroy(&ca);
	w->u = u;
	w->n = n;
	w->refs = 1;
	return w;
}

static void wait_unref(void *opaque)
{
	struct wait_all *w = opaque;
	pthread_mutex_lock(&w->lock);
	int left = --w->refs;
	pthread_mutex_unlock(&w->lock);
	if (left)
		return;
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static int listen_for(struct svff_virt *v, int id, virConnectDomainEventGenericCallback cb,
		      struct wait_all *w)
{
	pthread_mutex_lock(&w->lock);
	w->refs++;
	pthread_mutex_unlock(&w->lock);
	int h = sym_virConnectDomainEventRegisterAny(v->conn, NULL, id, cb, w, wait_unref);
	if (h < 0)
		wait_unref(w);   /* libvirt keeps no reference on failure */
	return h;
}

static void mark(struct wait_all *w, virDomainPtr d, const char *alias, int done)
{
	char uuid[SVFF_UUID_LEN];
	if (!alias || sym_virDomainGetUUIDString(d, uuid) < 0)
		return;
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; w->u && i < w->n; i++)
		if (!w->u[i].done && !strcmp(w->u[i].alias, alias) && !strcmp(w->u[i].vm->uuid, uuid))
			w->u[i].done = done;
	pthread_cond_signal(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

static void on_removed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
	(void)c;
	mark(opaque, d, alias, 1);
}

static void on_failed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
	(void)c;
	mark(opaque, d, alias, -1);
}

/* A VM whose QEMU stopped (killed, crashed, shut down) holds nothing any
 * more: its unplugs are done, nothing was unplugged. */
static void on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
	struct wait_all *w = opaque;
	char uuid[SVFF_UUID_LEN];

	(void)c;
	(void)detail;
	if (event != VIR_DOMAIN_EVENT_STOPPED || sym_virDomainGetUUIDString(d, uuid) < 0)
		return;
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; w->u && i < w->n; i++)
		if (!w->u[i].done && w->u[i].rc == 0 && !strcmp(w->u[i].vm->uuid, uuid)) {
			w->u[i].done = 1;
			w->u[i].stopped = true;
		}
	pthread_cond_signal(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

/* The VM's QEMU is gone (the VM no longer runs), as opposed to libvirt
 * being gone, which says nothing of the VM. */
static bool qemu_gone(const struct svff_virt *v, const struct svff_vm *vm)
{
	return sym_virDomainIsActive(vm->dom) <= 0 && !svff_virt_lost(v);
}

/* Re-read the live XML of those still pending: an event may have fired
 * before we listened, or been lost with a libvirtd restart. A VM whose
 * QEMU stopped (killed, crashed; a transient VM is then gone) holds
 * nothing any more, though its inactive XML still names the VF. Called,
 * and returns, with w->lock held; drops it for libvirt's calls. */
static void poll_live(const struct svff_virt *v, struct wait_all *w)
{
	for (size_t i = 0; i < w->n; i++) {
		char *xml = NULL;
		struct svff_unplug *u = &w->u[i];
		if (u->done || u->rc < 0)
			continue;
		pthread_mutex_unlock(&w->lock);
		bool stopped = qemu_gone(v, u->vm);
		bool gone = stopped || (svff_vm_xml(u->vm, false, &xml, NULL) == 0 &&
					svff_domxml_find(xml, u->vf_addr, NULL, NULL) == 0);
		free(xml);
		pthread_mutex_lock(&w->lock);
		if (gone && !u->done) {
			u->done = 1;
			u->stopped = stopped;
		}
	}
}

int svff_vm_hostdevs(struct svff_vm *vm, struct svff_hostdev **out, size_t *n,
		     struct svff_error *err)
{
	char *xml = NULL;
	int rc = svff_vm_xml(vm, false, &xml, err);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	rc = svff_domxml_hostdevs(xml, out, n, err);
	free(xml);
	return rc;
}

int svff_hostdev_alias(const struct svff_hostdev *hds, size_t n, const struct svff_vm *vm,
		       const char *vf_addr, char alias[SVFF_ALIAS_LEN], struct svff_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(hds[i].host_addr, vf_addr))
			continue;
		if (!hds[i].alias[0])
			return svff_err(err, -EIO, "VM '%s' holds '%s' but libvirt gives it no alias",
					vm->name, vf_addr);
		memcpy(alias, hds[i].alias, SVFF_ALIAS_LEN);
		return 0;
	}
	return svff_err(err, -ENOENT, "VM '%s' does not hold %s", vm->name, vf_addr);
}

/* 1 and the alias when the live VM holds vf_addr, 0 when not, or a
 * negative errno */
static int live_alias(struct svff_vm *vm, const char *vf_addr, char alias[SVFF_ALIAS_LEN],
		      struct svff_error *err)
{
	struct svff_hostdev *hds;
	size_t n;
	int rc = svff_vm_hostdevs(vm, &hds, &n, err);

	if (rc == 0)
		rc = svff_hostdev_alias(hds, n, vm, vf_addr, alias, err);
	free(hds);
	return rc == -ENOENT ? 0 : rc < 0 ? rc : 1;
}

/* with w->lock held */
static bool pending(const struct wait_all *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (!w->u[i].done && w->u[i].rc == 0)
			return true;
	return false;
}

/* Until nothing is pending or the deadline: woken by each event (a
 * device removed or kept, a QEMU stopped). The live XML is read once
 * first (what happened before the listening), then each second, in case
 * an event is lost. */
static void wait_unplugs(const struct svff_virt *v, struct wait_all *w, int timeout_s)
{
	struct timespec now, end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_s;
	pthread_mutex_lock(&w->lock);
	poll_live(v, w);
	/* a signal does not cut it short: the guests were asked, and their
	 * answer is what the claims must record (man SIGNALS) */
	while (pending(w) && !svff_virt_lost(v)) {
		struct timespec at;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		at = now;
		at.tv_sec += 1;
		if (at.tv_sec > end.tv_sec || (at.tv_sec == end.tv_sec && at.tv_nsec > end.tv_nsec))
			at = end;
		if (pthread_cond_timedwait(&w->changed, &w->lock, &at) == ETIMEDOUT)
			poll_live(v, w);
	}
	pthread_mutex_unlock(&w->lock);
}

/* One guest asked to let its VF go. What the callbacks read (alias,
 * done) is set under the lock. */
struct ask {
	struct svff_virt *v;
	struct wait_all *w;
	struct svff_unplug *x;
	int timeout_s;
};

static void *ask_one(void *arg)
{
	struct ask *a = arg;
	struct svff_unplug *x = a->x;
	struct wait_all *w = a->w;
	char alias[SVFF_ALIAS_LEN] = "";
	int rc = x->vm->active ? live_alias(x->vm, x->vf_addr, alias, &x->err) : 0;

	pthread_mutex_lock(&w->lock);
	memcpy(x->alias, alias, sizeof(alias));
	if (rc <= 0) {
		x->rc = rc;
		x->done = rc == 0;   /* not in the VM: nothing to do */
	}
	pthread_mutex_unlock(&w->lock);
	if (rc <= 0)
		return NULL;
	if (!svff_step(a->v->ctx, "libvirt: detach %s (%s) from VM '%s' (live), wait up to %d s",
		       x->vf_addr, x->alias, x->vm->name, a->timeout_s)) {
		pthread_mutex_lock(&w->lock);
		x->done = 1;
		pthread_mutex_unlock(&w->lock);
		return NULL;
	}
	/* asynchronous: returns once QEMU has asked the guest */
	if (sym_virDomainDetachDeviceAlias(x->vm->dom, x->alias, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		struct svff_error e = { 0 };
		rc = svff_err(&e, -EIO, "cannot detach '%s' from VM '%s': %s",
			      x->vf_addr, x->vm->name, lv_msg());
		/* its QEMU stopped first: nothing holds the VF */
		bool stopped = qemu_gone(a->v, x->vm);
		pthread_mutex_lock(&w->lock);
		x->done = stopped;
		x->stopped = stopped;
		x->rc = stopped ? 0 : rc;
		x->err = stopped ? (struct svff_error){ 0 } : e;
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

/* Ask every guest first, all at once, then wait for them together: the
 * guests answer in parallel, so the longest wait bounds the whole. */
static void ask_unplugs(struct svff_virt *v, struct wait_all *w, int timeout_s)
{
	struct ask *a = calloc(w->n + 1, sizeof(*a));

	for (size_t i = 0; i < w->n; i++) {
		struct ask one = { .v = v, .w = w, .x = &w->u[i], .timeout_s = timeout_s };
		if (a)
			a[i] = one;
		else
			ask_one(&one);   /* no memory for the list: one by one */
	}
	if (a)
		svff_run_all(ask_one, a, sizeof(*a), w->n, NULL, v->ctx->dry_run);
	free(a);
}

/* What a guest that refused or did not answer means; how many failed. */
static int unplug_results(const struct svff_virt *v, struct svff_unplug *u, size_t n,
			  int timeout_s)
{
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct svff_unplug *x = &u[i];
		if (x->rc == 0 && x->done < 0)
			x->rc = svff_err(&x->err, -EBUSY, "the guest in VM '%s' refused to release '%s'",
					 x->vm->name, x->vf_addr);
		else if (x->rc == 0 && !x->done && svff_virt_lost(v))
			x->rc = svff_err(&x->err, -ECONNRESET, "lost the connection to libvirt while "
					 "VM '%s' was asked to release '%s' (libvirtd stopped or "
					 "restarted): once it is back, 'svff recover' records what the "
					 "VM holds", x->vm->name, x->vf_addr);
		else if (x->rc == 0 && !x->done)
			x->rc = svff_err(&x->err, -ETIMEDOUT,
					 "VM '%s' did not release '%s' within %d s: its guest did not "
					 "answer the hot-unplug request; the VF stays attached (retry, "
					 "raise --timeout, or stop the VM)", x->vm->name, x->vf_addr,
					 timeout_s);
		failed += x->rc < 0;
	}
	return failed;
}

int svff_vm_unplug_many(struct svff_virt *v, struct svff_unplug *u, size_t n, int timeout_s)
{
	struct wait_all *w;

	for (size_t i = 0; i < n; i++) {
		u[i].rc = 0;
		u[i].done = 0;
		u[i].stopped = false;
		u[i].alias[0] = '\0';
		memset(&u[i].err, 0, sizeof(u[i].err));
	}
	w = wait_new(u, n);
	if (!w) {
		for (size_t i = 0; i < n; i++)
			u[i].rc = svff_err(&u[i].err, -ENOMEM, "out of memory");
		return (int)n;
	}
	/* Listen before asking, for all VMs at once. */
	int cb1 = listen_for(v, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
			     VIR_DOMAIN_EVENT_CALLBACK(on_removed), w);
	int cb2 = listen_for(v, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
			     VIR_DOMAIN_EVENT_CALLBACK(on_failed), w);
	int cb3 = listen_for(v, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
			     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), w);
	ask_unplugs(v, w, timeout_s);
	wait_unplugs(v, w, timeout_s);
	if (cb1 >= 0)
		sym_virConnectDomainEventDeregisterAny(v->conn, cb1);
	if (cb2 >= 0)
		sym_virConnectDomainEventDeregisterAny(v->conn, cb2);
	if (cb3 >= 0)
		sym_virConnectDomainEventDeregisterAny(v->conn, cb3);
	/* a callback still under way finds nothing to mark */
	pthread_mutex_lock(&w->lock);
	w->u = NULL;
	pthread_mutex_unlock(&w->lock);
	wait_unref(w);
	return unplug_results(v, u, n, timeout_s);
}

int svff_vm_detach(struct svff_virt *v, struct svff_vm *vm, const char *vf_addr,
		   bool live, bool config, int timeout_s, struct svff_error *err)
{
	char *xml = NULL, *inactive = NULL;
	int rc = 0;

	if (live && vm->active) {
		struct svff_unplug u = { .vm = vm, .vf_addr = vf_addr };
		if (svff_vm_unplug_many(v, &u, 1, timeout_s)) {
			*err = u.err;
			return u.rc;
		}
	}
	if (!config || !vm->persistent)
		return 0;
	rc = svff_vm_xml(vm, true, &inactive, err);
	if (rc < 0)
		return rc;
	rc = svff_domxml_find(inactive, vf_addr, NULL, err);
	free(inactive);
	if (rc <= 0)
		return rc;
	rc = svff_hostdev_xml(vf_addr, NULL, &xml, err);
	if (rc == 0 && !svff_step(v->ctx, "libvirt: remove %s from VM '%s' (config)", vf_addr,
				  vm->name)) {
		free(xml);
		return 0;
	}
	if (rc == 0 && sym_virDomainDetachDeviceFlags(vm->dom, xml, VIR_DOMAIN_AFFECT_CONFIG) < 0)
		rc = svff_err(err, -EIO, "cannot remove '%s' from the persistent configuration "
			      "of VM '%s': %s", vf_addr, vm->name, lv_msg());
	free(xml);
	return rc;
}

int svff_virt_held(struct svff_virt *v, struct svff_held **out, size_t *n,
		   struct svff_error *err)
{
	virDomainPtr *doms = NULL;
	struct svff_held *held = NULL;
	size_t nh = 0;
	int nd = sym_virConnectListAllDomains(v->conn, &doms, 0), rc = 0;

	if (nd < 0)
		return svff_err(err, -EIO, "cannot list the VMs: %s", lv_msg());
	for (int i = 0; i < nd && rc == 0; i++) {
		struct svff_vm vm;
		struct svff_hostdev *hds = NULL;
		size_t nhd = 0;
		char *xml = NULL;
		rc = vm_fill(doms[i], &vm, err);   /* takes the reference */
		doms[i] = NULL;
		if (rc < 0)
			break;
		rc = svff_vm_xml(&vm, !vm.active, &xml, err);
		if (rc == 0)
			rc = svff_domxml_hostdevs(xml, &hds, &nhd, err);
		free(xml);
		if (rc == 0 && nhd) {
			struct svff_held *p = realloc(held, (nh + nhd) * sizeof(*p));
			if (!p)
				rc = svff_err(err, -ENOMEM, "out of memory");
			else
				held = p;
		}
		for (size_t j = 0; rc == 0 && j < nhd; j++) {
			struct svff_held *h = &held[nh++];
			memset(h, 0, sizeof(*h));
			memcpy(h->vm_name, vm.name, sizeof(h->vm_name));
			memcpy(h->vm_uuid, vm.uuid, sizeof(h->vm_uuid));
			h->active = vm.active;
			memcpy(h->host_addr, hds[j].host_addr, sizeof(h->host_addr));
			memcpy(h->guest_addr, hds[j].guest_addr, sizeof(h->guest_addr));
			memcpy(h->alias, hds[j].alias, sizeof(h->alias));
		}
		free(hds);
		svff_vm_clear(&vm);
	}
	for (int i = 0; i < nd; i++)
		if (doms[i])
			sym_virDomainFree(doms[i]);
	free(doms);
	if (rc < 0) {
		free(held);
		return rc;
	}
	*out = held;
	*n = nh;
	return 0;
}
