/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "domxml.h"
#include "fakevirt.h"
#include "libvirt-dl.h"

#define FV_MAX_DOMS 8
#define FV_MAX_DEVS 16
#define FV_MAX_CBS 8
#define FV_MAX_EVENTS 32
#define FV_N_SLOW 8         /* slow_cmds */

struct fv_dev {
	char host[SVFF_ADDR_LEN];       /* libvirt's XML: the address attached */
	char qemu_host[SVFF_ADDR_LEN];  /* what QEMU holds (x-vfio-resume moves it) */
	char guest[SVFF_ADDR_LEN];
	char alias[SVFF_ALIAS_LEN];
	bool released;
	unsigned int notified;          /* x-vfio-notify calls since it was attached */
};

struct fv_dom {
	char name[64], uuid[SVFF_UUID_LEN];
	int id;
	bool active, persistent, paused;
	unsigned int flags;
	struct fv_dev live[FV_MAX_DEVS], cfg[FV_MAX_DEVS];
	size_t n_live, n_cfg;
	int next_alias, next_slot;
};

struct _virConnect { int unused; };
struct _virDomain { struct fv_dom *d; };

struct fv_cb {
	bool used;
	pid_t pid;     /* the process that registered it (a killed child's stay) */
	int event;
	virConnectDomainEventGenericCallback cb;
	void *opaque;
	virFreeCallback freecb;
};

struct fv_event {
	int event;
	struct fv_dom *d;
	char alias[SVFF_ALIAS_LEN];
};

/* In a shared mapping, so that a child process that runs a verb and is
 * killed in the middle (the unit tests' crash sweep) leaves its VMs as it
 * left them, for the parent's recover. */
static struct fv_model {
	pthread_mutex_t lock;
	struct fv_dom doms[FV_MAX_DOMS];
	size_t n_doms;
	int next_id;
	struct fv_cb cbs[FV_MAX_CBS];
	struct fv_event events[FV_MAX_EVENTS];
	size_t n_events;
	bool down;            /* libvirtd is gone: every call fails */
	bool closing;         /* the close callbacks are due */
	struct { bool used; pid_t pid; virConnectCloseFunc cb; void *opaque; } close_cbs[FV_MAX_CBS];
	unsigned int calls[FV_NCALLS];
	unsigned int in_flight[FV_N_SLOW], max_in_flight[FV_N_SLOW];   /* by slow_cmds[] */
} *model;
#define fv (*model)

/* A robust lock: a child killed while it held it leaves it usable. */
static void fv_lock(void)
{
	if (pthread_mutex_lock(&fv.lock) == EOWNERDEAD)
		pthread_mutex_consistent(&fv.lock);
}
static void fv_unlock(void) { pthread_mutex_unlock(&fv.lock); }

static struct _virConnect the_conn;
static __thread virError last_error;
static __thread char last_msg[256];

static void set_error(int code, const char *msg)
{
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
	memset(&last_error, 0, sizeof(last_error));
	last_error.code = code;
	last_error.message = last_msg;
}

static virDomainPtr ref(struct fv_dom *d)
{
	virDomainPtr p = calloc(1, sizeof(*p));
	if (p)
		p->d = d;
	return p;
}

/* libvirt's <address> of a canonical PCI address */
static void xml_addr(char *out, size_t len, const char *type, const char *a)
{
	unsigned int dom = 0, bus = 0, slot = 0, fn = 0;
	sscanf(a, "%x:%x:%x.%x", &dom, &bus, &slot, &fn);
	snprintf(out, len, "<address%s domain='0x%04x' bus='0x%02x' slot='0x%02x' "
		 "function='0x%x'/>", type, dom, bus, slot, fn);
}

static void add_dev(struct fv_dom *d, bool live, const char *host, const char *guest)
{
	struct fv_dev *list = live ? d->live : d->cfg;
	size_t *n = live ? &d->n_live : &d->n_cfg;
	struct fv_dev *x = &list[(*n)++];
	memset(x, 0, sizeof(*x));
	snprintf(x->host, sizeof(x->host), "%s", host);
	snprintf(x->qemu_host, sizeof(x->qemu_host), "%s", host);
	if (guest && *guest)
		snprintf(x->guest, sizeof(x->guest), "%s", guest);
	else
		snprintf(x->guest, sizeof(x->guest), "0000:%02x:00.0", 7 + d->next_slot++);
	if (live)
		snprintf(x->alias, sizeof(x->alias), "hostdev%d", d->next_alias++);
}

static struct fv_dev *find_dev(struct fv_dom *d, bool live, const char *host, const char *alias)
{
	struct fv_dev *list = live ? d->live : d->cfg;
	size_t n = live ? d->n_live : d->n_cfg;
	for (size_t i = 0; i < n; i++)
		if ((host && !strcmp(list[i].host, host)) || (alias && !strcmp(list[i].alias, alias)))
			return &list[i];
	return NULL;
}

static void drop_dev(struct fv_dom *d, bool live, struct fv_dev *x)
{
	struct fv_dev *list = live ? d->live : d->cfg;
	size_t *n = live ? &d->n_live : &d->n_cfg;
	size_t i = (size_t)(x - list);
	memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*x));
	(*n)--;
}

static void queue_event(int event, struct fv_dom *d, const char *alias)
{
	if (fv.n_events == FV_MAX_EVENTS)
		return;
	struct fv_event *e = &fv.events[fv.n_events++];
	e->event = event;
	e->d = d;
	snprintf(e->alias, sizeof(e->alias), "%s", alias);
}

/* --- the connection and the event loop --- */

static int fv_virInitialize(void) { return 0; }
static void fv_virSetErrorFunc(void *u, virErrorFunc f) { (void)u; (void)f; }
static void fv_virConnSetErrorFunc(virConnectPtr c, void *u, virErrorFunc f)
{
	(void)c; (void)u; (void)f;
}
static int fv_virEventRegisterDefaultImpl(void) { return 0; }
static int fv_virEventAddTimeout(int freq, virEventTimeoutCallback cb, void *o, virFreeCallback ff)
{
	(void)freq; (void)cb; (void)o; (void)ff;
	return 1;
}
static int fv_virEventRemoveTimeout(int t) { (void)t; return 0; }

/* Deliver the queued events in this thread, as libvirt's loop does;
 * and a connection's end, to those who asked to hear of it. */
static int fv_virEventRunDefaultImpl(void)
{
	fv_lock();
	for (size_t i = 0; fv.closing && i < FV_MAX_CBS; i++) {
		if (!fv.close_cbs[i].used || fv.close_cbs[i].pid != getpid())
			continue;
		virConnectCloseFunc cb = fv.close_cbs[i].cb;
		void *o = fv.close_cbs[i].opaque;
		fv.close_cbs[i].used = false;
		fv_unlock();
		cb(&the_conn, VIR_CONNECT_CLOSE_REASON_EOF, o);
		fv_lock();
	}
	while (fv.n_events) {
		struct fv_event e = fv.events[0];
		memmove(&fv.events[0], &fv.events[1], --fv.n_events * sizeof(e));
		for (size_t i = 0; i < FV_MAX_CBS; i++) {
			struct fv_cb c = fv.cbs[i];
			if (!c.used || c.event != e.event || c.pid != getpid())
				continue;
			virDomainPtr dom = ref(e.d);
			fv_unlock();
			if (e.event == VIR_DOMAIN_EVENT_ID_LIFECYCLE)
				((virConnectDomainEventCallback)(void (*)(void))c.cb)(
					&the_conn, dom, VIR_DOMAIN_EVENT_STOPPED,
					VIR_DOMAIN_EVENT_STOPPED_FAILED, c.opaque);
			else
				((virConnectDomainEventDeviceRemovedCallback)(void (*)(void))c.cb)(
					&the_conn, dom, e.alias, c.opaque);
			free(dom);
			fv_lock();
		}
	}
	fv_unlock();
	usleep(2000);
	return 0;
}

/* libvirtd is gone: the call fails as libvirt's client library fails it */
static bool gone(void)
{
	if (!fv.down)
		return false;
	set_error(VIR_ERR_SYSTEM_ERROR, "Cannot write data: Broken pipe");
	return true;
}

static virConnectPtr fv_virConnectOpen(const char *uri)
{
	(void)uri;
	if (fv.down) {
		set_error(VIR_ERR_SYSTEM_ERROR, "Failed to connect socket to "
			  "'/var/run/libvirt/virtqemud-sock': Connection refused");
		return NULL;
	}
	return &the_conn;
}

static int fv_virConnectRegisterCloseCallback(virConnectPtr c, virConnectCloseFunc cb,
					      void *opaque, virFreeCallback freecb)
{
	(void)c; (void)freecb;
	fv_lock();
	for (size_t i = 0; i < FV_MAX_CBS; i++)
		if (!fv.close_cbs[i].used || kill(fv.close_cbs[i].pid, 0) < 0) {
			fv.close_cbs[i].used = true;
			fv.close_cbs[i].pid = getpid();
			fv.close_cbs[i].cb = cb;
			fv.close_cbs[i].opaque = opaque;
			break;
		}
	fv_unlock();
	return 0;
}

static int fv_virConnectUnregisterCloseCallback(virConnectPtr c, virConnectCloseFunc cb)
{
	(void)c;
	fv_lock();
	for (size_t i = 0; i < FV_MAX_CBS; i++)
		if (fv.close_cbs[i].used && fv.close_cbs[i].pid == getpid() &&
		    fv.close_cbs[i].cb == cb) {
			fv.close_cbs[i].used = false;
			break;
		}
	fv_unlock();
	return 0;
}

static int fv_virConnectClose(virConnectPtr c) { (void)c; return 0; }

static int fv_virConnectDomainEventRegisterAny(virConnectPtr c, virDomainPtr dom, int event,
					       virConnectDomainEventGenericCallback cb,
					       void *opaque, virFreeCallback freecb)
{
	(void)c; (void)dom;
	fv_lock();
	for (int i = 0; i < FV_MAX_CBS; i++)
		if (!fv.cbs[i].used || (fv.cbs[i].pid != getpid() && kill(fv.cbs[i].pid, 0) < 0)) {
			fv.cbs[i] = (struct fv_cb){ true, getpid(), event, cb, opaque, freecb };
			fv_unlock();
			return i;
		}
	fv_unlock();
	set_error(VIR_ERR_INTERNAL_ERROR, "too many callbacks");
	return -1;
}

static int fv_virConnectDomainEventDeregisterAny(virConnectPtr c, int id)
{
	(void)c;
	fv_lock();
	struct fv_cb cb = fv.cbs[id];
	fv.cbs[id].used = false;
	fv_unlock();
	if (cb.used && cb.freecb)
		cb.freecb(cb.opaque);
	return 0;
}

/* --- domains --- */

static int fv_virConnectListAllDomains(virConnectPtr c, virDomainPtr **out, unsigned int flags)
{
	if (gone())
		return -1;
	(void)c; (void)flags;
	fv_lock();
	*out = calloc(fv.n_doms + 1, sizeof(**out));
	for (size_t i = 0; i < fv.n_doms; i++)
		(*out)[i] = ref(&fv.doms[i]);
	int n = (int)fv.n_doms;
	fv_unlock();
	return n;
}

static void slow_call(const struct fv_dom *d, const char *cmd);

static virDomainPtr lookup(bool (*match)(const struct fv_dom *, const void *), const void *key)
{
	if (gone())
		return NULL;
	fv_lock();
	for (size_t i = 0; i < fv.n_doms; i++)
		if ((fv.doms[i].active || fv.doms[i].persistent) && match(&fv.doms[i], key)) {
			virDomainPtr p = ref(&fv.doms[i]);
			fv_unlock();
			if (p)
				slow_call(p->d, "lookup");
			return p;
		}
	fv_unlock();
	set_error(VIR_ERR_NO_DOMAIN, "Domain not found");
	return NULL;
}

static bool by_name(const struct fv_dom *d, const void *k) { return !strcmp(d->name, k); }
static bool by_uuid(const struct fv_dom *d, const void *k) { return !strcmp(d->uuid, k); }
static bool by_id(const struct fv_dom *d, const void *k)
{
	return d->active && d->id == *(const int *)k;
}

static virDomainPtr fv_virDomainLookupByName(virConnectPtr c, const char *n)
{
	(void)c;
	return lookup(by_name, n);
}
static virDomainPtr fv_virDomainLookupByUUIDString(virConnectPtr c, const char *u)
{
	(void)c;
	return lookup(by_uuid, u);
}
static virDomainPtr fv_virDomainLookupByID(virConnectPtr c, int id)
{
	(void)c;
	return lookup(by_id, &id);
}
static int fv_virDomainFree(virDomainPtr d) { free(d); return 0; }
static const char *fv_virDomainGetName(virDomainPtr d) { return d->d->name; }
static int fv_virDomainGetUUIDString(virDomainPtr d, char *buf)
{
	memcpy(buf, d->d->uuid, SVFF_UUID_LEN);
	return 0;
}
static int fv_virDomainIsActive(virDomainPtr d) { return d->d->active; }
static int fv_virDomainIsPersistent(virDomainPtr d) { return d->d->persistent; }

static int fv_virDomainGetState(virDomainPtr d, int *state, int *reason, unsigned int flags)
{
	if (gone())
		return -1;
	(void)flags;
	fv_lock();
	*state = !d->d->active ? VIR_DOMAIN_SHUTOFF : d->d->paused ? VIR_DOMAIN_PAUSED
								    : VIR_DOMAIN_RUNNING;
	fv_unlock();
	if (reason)
		*reason = 0;
	return 0;
}

/* What a slow VM takes its time over, and counts in flight: its QEMU's
 * commands, and libvirt's suspend, resume, hot-unplug request and lookup. */
static const char *const slow_cmds[FV_N_SLOW] = { "x-vfio-pause", "x-vfio-resume",
						  "x-vfio-notify", "suspend", "resume",
						  "query-commands", "detach", "lookup" };

static int slow_index(const char *cmd)
{
	for (int i = 0; i < FV_N_SLOW; i++)
		if (!strcmp(cmd, slow_cmds[i]))
			return i;
	return -1;
}

/* A slow VM's time for one of slow_cmds, outside the lock, so that
 * calls made at once for several VMs are seen in flight together. */
static void slow_call(const struct fv_dom *d, const char *cmd)
{
	int k = slow_index(cmd);

	if (!(d->flags & FV_SLOW_QMP) || k < 0)
		return;
	unsigned int now = __atomic_add_fetch(&fv.in_flight[k], 1, __ATOMIC_SEQ_CST);
	unsigned int max = __atomic_load_n(&fv.max_in_flight[k], __ATOMIC_SEQ_CST);
	while (now > max && !__atomic_compare_exchange_n(&fv.max_in_flight[k], &max, now, false,
							  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	usleep(50000);
	__atomic_sub_fetch(&fv.in_flight[k], 1, __ATOMIC_SEQ_CST);
}

static int run_state(virDomainPtr d, bool paused, enum fv_call c)
{
	if (gone())
		return -1;
	slow_call(d->d, paused ? "suspend" : "resume");
	fv_lock();
	fv.calls[c]++;
	int rc = 0;
	if (!d->d->active) {
		set_error(VIR_ERR_OPERATION_INVALID, "domain is not running");
		rc = -1;
	} else {
		d->d->paused = paused;
	}
	fv_unlock();
	return rc;
}
static int fv_virDomainSuspend(virDomainPtr d) { return run_state(d, true, FV_SUSPEND); }
static int fv_virDomainResume(virDomainPtr d) { return run_state(d, false, FV_RESUME); }

static char *fv_virDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
	if (gone())
		return NULL;
	struct fv_dom *d = dom->d;
	bool live = d->active && !(flags & VIR_DOMAIN_XML_INACTIVE);
	size_t len = 4096 + FV_MAX_DEVS * 512;
	char *xml = malloc(len), src[160], ga[160];
	size_t at;

	fv_lock();
	at = (size_t)snprintf(xml, len, "<domain type='kvm'%s><name>%s</name><uuid>%s</uuid>"
			      "<devices>", "", d->name, d->uuid);
	const struct fv_dev *list = live ? d->live : d->cfg;
	size_t n = live ? d->n_live : d->n_cfg;
	for (size_t i = 0; i < n; i++) {
		char alias[96] = "";
		xml_addr(src, sizeof(src), "", list[i].host);
		xml_addr(ga, sizeof(ga), " type='pci'", list[i].guest);
		if (live)
			snprintf(alias, sizeof(alias), "<alias name='%s'/>", list[i].alias);
		at += (size_t)snprintf(xml + at, len - at, "<hostdev mode='subsystem' type='pci' "
				       "managed='no'><driver name='vfio'/><source>%s</source>%s%s"
				       "</hostdev>", src, alias, ga);
	}
	snprintf(xml + at, len - at, "</devices></domain>");
	fv_unlock();
	return xml;
}

/* the hostdev of svff's XML: its source and the guest address asked */
static int parse_hostdev(const char *xml, struct svff_hostdev *out)
{
	size_t len = strlen(xml) + 64, n = 0;
	char *doc = malloc(len);
	struct svff_hostdev *hds = NULL;
	snprintf(doc, len, "<domain><devices>%s</devices></domain>", xml);
	int rc = svff_domxml_hostdevs(doc, &hds, &n, NULL);
	free(doc);
	if (rc == 0 && n == 1)
		*out = hds[0];
	free(hds);
	return rc == 0 && n == 1 ? 0 : -1;
}

/* The test's look at the host as a VM gets its VF back (this process
 * only), or NULL. */
static void (*on_give)(void);

void fakevirt_on_give_back(void (*fn)(void)) { on_give = fn; }

static int fv_virDomainAttachDeviceFlags(virDomainPtr dom, const char *xml, unsigned int flags)
{
	if (gone())
		return -1;
	struct fv_dom *d = dom->d;
	struct svff_hostdev hd;

	if (on_give && (flags & VIR_DOMAIN_AFFECT_LIVE))
		on_give();
	if (parse_hostdev(xml, &hd) < 0) {
		set_error(VIR_ERR_XML_ERROR, "cannot parse the device XML");
		return -1;
	}
	fv_lock();
	fv.calls[FV_ATTACH]++;
	int rc = 0;
	if ((flags & VIR_DOMAIN_AFFECT_LIVE) && !d->active) {
		set_error(VIR_ERR_OPERATION_INVALID, "domain is not running");
		rc = -1;
	} else if ((flags & VIR_DOMAIN_AFFECT_LIVE) && (d->flags & FV_NO_HOTPLUG)) {
		set_error(VIR_ERR_OPERATION_FAILED, "No more available PCI slots");
		rc = -1;
	} else if ((flags & VIR_DOMAIN_AFFECT_LIVE) && find_dev(d, true, hd.host_addr, NULL)) {
		set_error(VIR_ERR_OPERATION_FAILED, "device is already in the domain");
		rc = -1;
	} else {
		if (flags & VIR_DOMAIN_AFFECT_LIVE)
			add_dev(d, true, hd.host_addr, hd.guest_addr);
		if ((flags & VIR_DOMAIN_AFFECT_CONFIG) && !find_dev(d, false, hd.host_addr, NULL))
			add_dev(d, false, hd.host_addr, hd.guest_addr[0] ? hd.guest_addr :
				(flags & VIR_DOMAIN_AFFECT_LIVE) ? d->live[d->n_live - 1].guest : "");
	}
	fv_unlock();
	return rc;
}

/* Asynchronous, as with QEMU: the guest's answer comes as an event. */
/* with fv's lock held */
static void qemu_dies(struct fv_dom *d)
{
	d->active = d->paused = false;
	d->n_live = 0;
	d->id = -1;
	queue_event(VIR_DOMAIN_EVENT_ID_LIFECYCLE, d, "");
}

static int fv_virDomainDetachDeviceAlias(virDomainPtr dom, const char *alias, unsigned int flags)
{
	if (gone())
		return -1;
	struct fv_dom *d = dom->d;
	(void)flags;
	slow_call(d, "detach");
	fv_lock();
	fv.calls[FV_DETACH]++;
	struct fv_dev *x = find_dev(d, true, NULL, alias);
	int rc = 0;
	if (!x) {
		set_error(VIR_ERR_DEVICE_MISSING, "no device with that alias");
		rc = -1;
	} else if (d->flags & FV_REFUSE_UNPLUG) {
		queue_event(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, d, alias);
	} else if (d->flags & FV_DROP_ON_UNPLUG) {
		if (!(d->flags & FV_NO_UNPLUG))
			drop_dev(d, true, x);   /* the guest lets go, but libvirtd dies first */
		fv.down = fv.closing = true;
	} else if (d->flags & FV_DIES_ON_UNPLUG) {
		qemu_dies(d);
	} else if (!(d->flags & FV_NO_UNPLUG) && !d->paused) {
		drop_dev(d, true, x);
		queue_event(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, d, alias);
	}
	fv_unlock();
	return rc;
}

static int fv_virDomainDetachDeviceFlags(virDomainPtr dom, const char *xml, unsigned int flags)
{
	if (gone())
		return -1;
	struct fv_dom *d = dom->d;
	struct svff_hostdev hd;
	if (parse_hostdev(xml, &hd) < 0) {
		set_error(VIR_ERR_XML_ERROR, "cannot parse the device XML");
		return -1;
	}
	fv_lock();
	fv.calls[FV_DETACH]++;
	struct fv_dev *x = (flags & VIR_DOMAIN_AFFECT_CONFIG) ? find_dev(d, false, hd.host_addr,
									  NULL) : NULL;
	if (x)
		drop_dev(d, false, x);
	fv_unlock();
	if (!x)
		set_error(VIR_ERR_DEVICE_MISSING, "device not found");
	return x ? 0 : -1;
}

static virErrorPtr fv_virGetLastError(void) { return last_error.code ? &last_error : NULL; }
static const char *fv_virGetLastErrorMessage(void) { return last_msg; }

/* --- the QEMU monitor: query-commands and the VFIO pause of qemu/patches --- */

static char *qmp_error(const char *cls, const char *desc)
{
	char *r;
	if (asprintf(&r, "{\"error\":{\"class\":\"%s\",\"desc\":\"%s\"}}", cls, desc) < 0)
		return NULL;
	return r;
}

static char *qmp_vfio(struct fv_dom *d, const char *cmd, json_object *args)
{
	json_object *f;
	const char *id = args && json_object_object_get_ex(args, "id", &f) ? json_object_get_string(f)
									   : "";
	const char *host = args && json_object_object_get_ex(args, "host", &f) ?
				   json_object_get_string(f) : NULL;
	struct fv_dev *x = find_dev(d, true, NULL, id);

	if (!strcmp(cmd, "x-query-vfio")) {
		json_object *ret = json_object_new_array();
		for (size_t i = 0; i < d->n_live; i++) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "host", json_object_new_string(d->live[i].qemu_host));
			json_object_object_add(o, "released", json_object_new_boolean(d->live[i].released));
			json_object_object_add(o, "id", json_object_new_string(d->live[i].alias));
			json_object_array_add(ret, o);
		}
		json_object *r = json_object_new_object();
		json_object_object_add(r, "return", ret);
		char *s = strdup(json_object_to_json_string(r));
		json_object_put(r);
		return s;
	}
	if (!x)
		return qmp_error("DeviceNotFound", "Device not found");
	if (!strcmp(cmd, "x-vfio-notify")) {
		if (d->flags & FV_NO_NOTIFY)
			return qmp_error("CommandNotFound", "The command has not been found");
		if (x->released)
			return qmp_error("GenericError", "the device has released its host device");
		x->notified++;
	} else if (!strcmp(cmd, "x-vfio-pause")) {
		if (!d->paused)
			return qmp_error("GenericError", "the VM must be paused first");
		if (x->released)
			return qmp_error("GenericError", "the device is released already");
		x->released = true;
	} else {
		if (!x->released)
			return qmp_error("GenericError", "the device has not released its host device");
		x->released = false;
		snprintf(x->qemu_host, sizeof(x->qemu_host), "%s", host ? host : x->host);
	}
	return strdup("{\"return\":{}}");
}

static int fv_virDomainQemuMonitorCommand(virDomainPtr dom, const char *cmd, char **result,
					  unsigned int flags)
{
	if (gone())
		return -1;
	struct fv_dom *d = dom->d;
	json_object *req = json_tokener_parse(cmd), *f, *args = NULL;
	const char *ex = req && json_object_object_get_ex(req, "execute", &f) ?
				 json_object_get_string(f) : "";
	(void)flags;
	if (req)
		json_object_object_get_ex(req, "arguments", &args);
	slow_call(d, ex);
	if (on_give && !strcmp(ex, "x-vfio-resume"))
		on_give();
	fv_lock();
	fv.calls[FV_QMP]++;
	if (!d->active) {
		set_error(VIR_ERR_OPERATION_INVALID, "domain is not running");
		fv_unlock();
		json_object_put(req);
		return -1;
	}
	if (!strcmp(ex, "query-commands"))
		*result = strdup(d->flags & FV_VFIO_PAUSE ?
				 "{\"return\":[{\"name\":\"query-status\"},{\"name\":\"x-vfio-pause\"},"
				 "{\"name\":\"x-vfio-resume\"},{\"name\":\"x-query-vfio\"}]}" :
				 "{\"return\":[{\"name\":\"query-status\"},{\"name\":\"cont\"}]}");
	else if (!(d->flags & FV_VFIO_PAUSE) || strncmp(ex, "x-", 2))
		*result = qmp_error("CommandNotFound", "The command has not been found");
	else
		*result = qmp_vfio(d, ex, args);
	fv_unlock();
	json_object_put(req);
	return 0;
}

/* --- the tests' side --- */

void fakevirt_install(void)
{
	if (!model) {
		pthread_mutexattr_t a;
		model = mmap(NULL, sizeof(*model), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (model == MAP_FAILED)
			abort();
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
		pthread_mutex_init(&model->lock, &a);
		pthread_mutexattr_destroy(&a);
	}
	fv_lock();
	memset(fv.doms, 0, sizeof(fv.doms));
	fv.n_doms = 0;
	fv.next_id = 1;
	fv.n_events = 0;
	memset(fv.cbs, 0, sizeof(fv.cbs));
	memset(fv.close_cbs, 0, sizeof(fv.close_cbs));
	fv.down = fv.closing = false;
	memset(fv.calls, 0, sizeof(fv.calls));
	memset(fv.in_flight, 0, sizeof(fv.in_flight));
	memset(fv.max_in_flight, 0, sizeof(fv.max_in_flight));
	fv_unlock();
#define FV_SET(f) sym_##f = fv_##f;
	SVFF_LIBVIRT_SYMS(FV_SET)
	SVFF_LIBVIRT_QEMU_SYMS(FV_SET)
#undef FV_SET
	svff_libvirt_preloaded();
}

struct fv_dom *fakevirt_add(const char *name, bool running, bool persistent, unsigned int flags)
{
	fv_lock();
	struct fv_dom *d = &fv.doms[fv.n_doms++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->uuid, sizeof(d->uuid), "00000000-0000-4000-8000-%012zx", fv.n_doms);
	d->active = running;
	d->id = running ? fv.next_id++ : -1;
	d->persistent = persistent;
	d->flags = flags;
	fv_unlock();
	return d;
}

void fakevirt_flags(struct fv_dom *d, unsigned int flags)
{
	fv_lock();
	d->flags = flags;
	fv_unlock();
}

const char *fakevirt_uuid(const struct fv_dom *d) { return d->uuid; }

void fakevirt_plug(struct fv_dom *d, const char *host, const char *guest, bool live, bool config)
{
	fv_lock();
	if (live)
		add_dev(d, true, host, guest);
	if (config)
		add_dev(d, false, host, live ? d->live[d->n_live - 1].guest : guest);
	fv_unlock();
}

void fakevirt_unplug(struct fv_dom *d, const char *host)
{
	fv_lock();
	struct fv_dev *x = find_dev(d, true, host, NULL);
	if (x)
		drop_dev(d, true, x);
	fv_unlock();
}

bool fakevirt_holds(const struct fv_dom *d, const char *host, char *guest)
{
	fv_lock();
	const struct fv_dev *x = find_dev((struct fv_dom *)d, true, host, NULL);
	if (x && guest)
		memcpy(guest, x->guest, SVFF_ADDR_LEN);
	fv_unlock();
	return x != NULL;
}

bool fakevirt_paused(const struct fv_dom *d) { return d->paused; }

bool fakevirt_released(const struct fv_dom *d, const char *host)
{
	const struct fv_dev *x = find_dev((struct fv_dom *)d, true, host, NULL);
	return x && x->released;
}

unsigned int fakevirt_notified(const struct fv_dom *d, const char *host)
{
	const struct fv_dev *x = find_dev((struct fv_dom *)d, true, host, NULL);
	return x ? x->notified : 0;
}

const char *fakevirt_qemu_host(const struct fv_dom *d, const char *host)
{
	const struct fv_dev *x = find_dev((struct fv_dom *)d, true, host, NULL);
	return x ? x->qemu_host : "";
}

unsigned int fakevirt_calls(enum fv_call c) { return fv.calls[c]; }
void fakevirt_clear_in_flight(void)
{
	memset(fv.max_in_flight, 0, sizeof(fv.max_in_flight));
}

unsigned int fakevirt_max_in_flight(const char *cmd)
{
	int k = slow_index(cmd);
	return k < 0 ? 0 : __atomic_load_n(&fv.max_in_flight[k], __ATOMIC_SEQ_CST);
}

void fakevirt_qemu_dies(struct fv_dom *d)
{
	fv_lock();
	qemu_dies(d);
	fv_unlock();
}

void fakevirt_libvirtd(bool up)
{
	fv_lock();
	fv.down = !up;
	fv.closing = !up;
	fv_unlock();
}
