/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The system log: one line per change, and the command's end (log.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "parse.h"
#include "session.h"

/* The state file is svff's own record, saved before and after each
 * journalled step: not a change of the host, and not logged. */
#define STATE_SAVE "save state to "

/* Steps come from several threads at once (unpause hot-plugs each VM's VF
 * from its own): one line at a time, and the counts kept under it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void svff_log_start(struct svff_inv *inv)
{
	struct svff_log *l = &inv->log;
	unsigned char r[6];

	if (l->on || inv->ctx->dry_run)
		return;
	l->on = true;
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* no entropy yet (early boot): pid and time, unique enough */
		unsigned long long v = (unsigned long long)getpid() << 32 ^ (unsigned long long)time(NULL);
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(v >> (8 * i));
	}
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(l->op + 2 * i, 3, "%02x", r[i]);
}

void svff_log_pf(struct svff_inv *inv, const struct svff_session *s)
{
	/* the address and the routing of its VFs; not its VF list */
	inv->log.pf = s->info;
	inv->log.pf.vfs = NULL;
	inv->log.pf.n_vfs = 0;
	snprintf(inv->log.pf.addr, sizeof(inv->log.pf.addr), "%s", s->pf);
}

/* A PCI address at p (DDDD:BB:DD.F, hex): its domain and routing ID. */
static bool pci_at(const char *p, unsigned int *dom, unsigned int *rid)
{
	unsigned int d, b, s, f;
	int n = 0;

	for (int i = 0; i < 12; i++)
		if (i == 4 || i == 7 ? p[i] != ':' : i == 10 ? p[i] != '.' : !isxdigit((unsigned char)p[i]))
			return false;
	if (sscanf(p, "%4x:%2x:%2x.%1x%n", &d, &b, &s, &f, &n) != 4 || n != 12 || s > 31 || f > 7)
		return false;
	*dom = d;
	*rid = b << 8 | s << 3 | f;
	return true;
}

/* The VF of the PF that what names: "vfN", else the first PCI address
 * that is one of its VFs (First VF Offset and VF Stride); -1 for none. */
static int vf_of(const struct svff_pf_info *pf, const char *what)
{
	unsigned int pdom, prid, dom, rid;

	for (const char *p = what; (p = strstr(p, "vf")); p++)
		if ((p == what || !isalnum((unsigned char)p[-1])) && isdigit((unsigned char)p[2])) {
			int n = 0;
			unsigned int i;
			if (sscanf(p + 2, "%u%n", &i, &n) == 1 && !isalnum((unsigned char)p[2 + n]))
				return (int)i;
		}
	if (!pf->addr[0] || !pf->vf_stride || !pci_at(pf->addr, &pdom, &prid))
		return -1;
	for (const char *p = what; *p; p++) {
		if (!pci_at(p, &dom, &rid))
			continue;
		unsigned int first = prid + pf->vf_offset;
		if (dom == pdom && rid >= first && (rid - first) % pf->vf_stride == 0 &&
		    (rid - first) / pf->vf_stride < (pf->cap_totalvfs ? pf->cap_totalvfs : pf->totalvfs))
			return (int)((rid - first) / pf->vf_stride);
		p += 11;
	}
	return -1;
}

/* The VM that what names (libvirt steps say VM '<name>'); "" for none. */
static void vm_of(const char *what, char *vm, size_t size)
{
	const char *p = strstr(what, "VM '"), *e = p ? strchr(p + 4, '\'') : NULL;
	if (e)
		snprintf(vm, size, "%.*s", (int)(e - p - 4), p + 4);
	else
		snprintf(vm, size, "-");
}

/* A field's value as it goes in the line: as it is when it has nothing
 * a reader of key=value would trip on, else quoted. */
static void field(char *out, size_t size, const char *v)
{
	size_t n = 0;
	bool quote = !*v || strpbrk(v, " \t\"\\=") != NULL;

	if (!quote || size < 3) {
		snprintf(out, size, "%s", v);
		return;
	}
	out[n++] = '"';
	for (; *v && n + 3 < size; v++) {
		if (*v == '"' || *v == '\\')
			out[n++] = '\\';
		out[n++] = *v;
	}
	out[n++] = '"';
	out[n] = '\0';
}

/* A change's VF and VM; the run's: the same for every change, else none. */
static void common(struct svff_log *l, int vf, const char *vm)
{
	if (l->changes == 1) {
		l->vf = vf;
		snprintf(l->vm, sizeof(l->vm), "%s", vm);
		return;
	}
	if (l->vf != vf)
		l->vf = -1;
	if (strcmp(l->vm, vm))
		snprintf(l->vm, sizeof(l->vm), "-");
}

/* One line; the VF and VM from what, else (the last line) the run's. */
static void log_line(struct svff_inv *inv, int prio, const char *prefix, const char *what,
		     bool change)
{
	static bool opened;
	struct svff_log *l = &inv->log;
	char vm[SVFF_VM_NAME_LEN], vmf[2 * SVFF_VM_NAME_LEN + 3], vf[16] = "-", pff[160];
	int i = vf_of(&l->pf, what);

	vm_of(what, vm, sizeof(vm));
	if (change)
		common(l, i, vm);
	else if (l->changes && i < 0 && !strcmp(vm, "-")) {
		i = l->vf;
		snprintf(vm, sizeof(vm), "%s", l->vm);
	}
	if (i >= 0)
		snprintf(vf, sizeof(vf), "vf%d", i);
	if (strcmp(vm, "-"))
		field(vmf, sizeof(vmf), vm);
	else
		strcpy(vmf, "-");
	if (!opened) {
		openlog("svff", LOG_PID, LOG_DAEMON);
		opened = true;
	}
	/* before a session: the PF of -d, canonical, else as given */
	if (!l->pf.addr[0] && inv->g->device &&
	    svff_parse_pci_addr(inv->g->device, NULL, pff, NULL) < 0)
		field(pff, sizeof(pff), inv->g->device);
	syslog(prio, "verb=%s pf=%s vf=%s vm=%s op=%s: %s%s", inv->cmd->name,
	       l->pf.addr[0] ? l->pf.addr : inv->g->device ? pff : "-", vf, vmf, l->op, prefix,
	       what);
}

void svff_log_change(struct svff_inv *inv, const char *what)
{
	if (!inv->log.on || inv->ctx->dry_run || !strncmp(what, STATE_SAVE, strlen(STATE_SAVE)))
		return;
	pthread_mutex_lock(&lock);
	inv->log.changes++;
	log_line(inv, LOG_INFO, "", what, true);
	pthread_mutex_unlock(&lock);
}

void svff_log_output(struct svff_inv *inv, bool on_err, const char *line)
{
	if (!inv->log.on || inv->ctx->dry_run)
		return;
	pthread_mutex_lock(&lock);
	log_line(inv, on_err ? LOG_WARNING : LOG_INFO, on_err ? "command stderr: " : "command: ",
		 line, false);
	pthread_mutex_unlock(&lock);
}

void svff_log_end(struct svff_inv *inv, int rc, const struct svff_error *err)
{
	char what[64];

	if (!inv->log.on || inv->ctx->dry_run)
		return;
	if (rc < 0) {
		log_line(inv, LOG_ERR, "failed: ", err->msg[0] ? err->msg : "unknown error", false);
		return;
	}
	if (inv->log.changes) {
		snprintf(what, sizeof(what), "done: %u change%s", inv->log.changes,
			 inv->log.changes == 1 ? "" : "s");
		log_line(inv, LOG_INFO, "", what, false);
	}
}
