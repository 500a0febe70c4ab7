/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state model and its JSON form (json-c), with strict validation:
 * a file svff cannot fully understand is an error, never a guess. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "parse.h"
#include "state.h"

#define MAX_VF 65535

static const char *const state_names[] = {
	[SVFF_VF_DETACHED] = "detached",
	[SVFF_VF_ATTACHED] = "attached",
	[SVFF_VF_PAUSED] = "paused",
};

const char *svff_vf_state_name(enum svff_vf_state s)
{
	return (unsigned int)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

static void pf_clear(struct svff_pf_state *pf)
{
	for (size_t i = 0; i < pf->n_claims; i++)
		free(pf->claims[i]);
	free(pf->claims);
	free(pf->res);
}

struct svff_state *svff_state_new(void)
{
	struct svff_state *st = calloc(1, sizeof(*st));
	if (st)
		st->schema = SVFF_STATE_SCHEMA;
	return st;
}

void svff_state_free(struct svff_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_pfs; i++)
		pf_clear(&st->pfs[i]);
	free(st->pfs);
	free(st->op);
	free(st);
}

/* ---- lookups and edits ---- */

struct svff_pf_state *svff_state_pf(const struct svff_state *st, const char *pf)
{
	for (size_t i = 0; st && i < st->n_pfs; i++)
		if (!strcmp(st->pfs[i].addr, pf))
			return &st->pfs[i];
	return NULL;
}

struct svff_pf_state *svff_state_pf_add(struct svff_state *st, const char *pf)
{
	struct svff_pf_state *p = svff_state_pf(st, pf);
	if (p)
		return p;
	if (strlen(pf) >= SVFF_ADDR_LEN)
		return NULL;
	p = svff_append(&st->pfs, &st->n_pfs, sizeof(*p));
	if (!p)
		return NULL;
	strcpy(p->addr, pf);
	p->saved_autoprobe = -1;
	return p;
}

int svff_state_pf_remove(struct svff_state *st, const char *pf)
{
	struct svff_pf_state *p = svff_state_pf(st, pf);
	if (!p)
		return -ENOENT;
	pf_clear(p);
	size_t i = (size_t)(p - st->pfs);
	memmove(p, p + 1, (st->n_pfs - i - 1) * sizeof(*p));
	st->n_pfs--;
	return 0;
}

struct svff_claim *svff_state_claim(const struct svff_pf_state *pf, unsigned int vf)
{
	for (size_t i = 0; pf && i < pf->n_claims; i++)
		if (pf->claims[i]->vf == vf)
			return pf->claims[i];
	return NULL;
}

static int cmp_claim(const void *a, const void *b)
{
	const struct svff_claim *x = *(struct svff_claim *const *)a, *y = *(struct svff_claim *const *)b;
	return (x->vf > y->vf) - (x->vf < y->vf);
}

struct svff_claim *svff_state_claim_add(struct svff_pf_state *pf, unsigned int vf)
{
	struct svff_claim *c = svff_state_claim(pf, vf);
	if (c)
		return c;
	struct svff_claim **all = realloc(pf->claims, (pf->n_claims + 1) * sizeof(*all));
	if (!all)
		return NULL;
	pf->claims = all;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->vf = vf;
	c->state = SVFF_VF_ATTACHED;
	/* kept sorted so the file is stable: shift the pointers, not the claims */
	size_t i = pf->n_claims;
	while (i > 0 && all[i - 1]->vf > vf) {
		all[i] = all[i - 1];
		i--;
	}
	all[i] = c;
	pf->n_claims++;
	return c;
}

int svff_state_claim_remove(struct svff_pf_state *pf, unsigned int vf)
{
	for (size_t i = 0; i < pf->n_claims; i++) {
		if (pf->claims[i]->vf != vf)
			continue;
		free(pf->claims[i]);
		memmove(&pf->claims[i], &pf->claims[i + 1], (pf->n_claims - i - 1) * sizeof(*pf->claims));
		pf->n_claims--;
		return 0;
	}
	return -ENOENT;
}

static struct svff_vf_res *res_entry(const struct svff_pf_state *pf, unsigned int vf)
{
	for (size_t i = 0; i < pf->n_res; i++)
		if (pf->res[i].vf == vf)
			return &pf->res[i];
	return NULL;
}

struct svff_res svff_state_res(const struct svff_pf_state *pf, unsigned int vf)
{
	const struct svff_vf_res *e = res_entry(pf, vf);
	struct svff_res r = pf->res_default;
	if (e && e->r.queues)
		r.queues = e->r.queues;
	if (e && e->r.vectors)
		r.vectors = e->r.vectors;
	return r;
}

static int cmp_res(const void *a, const void *b)
{
	const struct svff_vf_res *x = a, *y = b;
	return (x->vf > y->vf) - (x->vf < y->vf);
}

int svff_state_res_set(struct svff_pf_state *pf, unsigned int vf, const struct svff_res *r)
{
	struct svff_vf_res *e = res_entry(pf, vf);
	if (!e) {
		e = svff_append(&pf->res, &pf->n_res, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->vf = vf;
	}
	e->r = *r;
	qsort(pf->res, pf->n_res, sizeof(*pf->res), cmp_res);
	return 0;
}

void svff_state_res_trim(struct svff_pf_state *pf, unsigned int count)
{
	size_t n = 0;
	for (size_t i = 0; i < pf->n_res; i++)
		if (pf->res[i].vf < count && (pf->res[i].r.queues || pf->res[i].r.vectors))
			pf->res[n++] = pf->res[i];
	pf->n_res = n;
}

bool svff_claim_of(const struct svff_claim *c, const char *vm)
{
	return !strcmp(c->vm_name, vm) || !strcmp(c->vm_uuid, vm);
}

/* ---- parsing ---- */

struct parser {
	struct svff_error *err;
	char where[128];
	long long schema;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return svff_err(p->err, -EBADMSG, "%s", what);
}

static json_object *field(json_object *o, const char *key)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int get_int(struct parser *p, json_object *o, const char *key, long long min,
		   long long max, bool required, long long *out)
{
	json_object *v = field(o, key);
	if (!v) {
		if (required)
			return fail(p, "'%s.%s' is missing", p->where, key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return fail(p, "'%s.%s' is not an integer", p->where, key);
	errno = 0;
	long long x = json_object_get_int64(v);
	if (errno || x < min || x > max)
		return fail(p, "'%s.%s' is out of range (%lld to %lld)", p->where, key, min, max);
	*out = x;
	return 0;
}

/* get_int of a count from 0 to max, into the unsigned field it fills. */
static int get_uint(struct parser *p, json_object *o, const char *key, unsigned int max,
		    bool required, unsigned int *out)
{
	long long x = *out;
	int rc = get_int(p, o, key, 0, max, required, &x);

	*out = (unsigned int)x;
	return rc;
}

static int get_bool(struct parser *p, json_object *o, const char *key, bool *out)
{
	json_object *v = field(o, key);
	if (!v)
		return 0;   /* optional, false */
	if (!json_object_is_type(v, json_type_boolean))
		return fail(p, "'%s.%s' is not true or false", p->where, key);
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_str(struct parser *p, json_object *o, const char *key, bool required,
		   char *out, size_t size)
{
	json_object *v = field(o, key);
	if (!v || json_object_is_type(v, json_type_null)) {
		if (required)
			return fail(p, "'%s.%s' is missing", p->where, key);
		out[0] = '\0';
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(p, "'%s.%s' is not a string", p->where, key);
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	if (len >= size)
		return fail(p, "'%s.%s' is longer than %zu bytes", p->where, key, size - 1);
	if (memchr(s, '\0', len))
		return fail(p, "'%s.%s' contains a NUL byte", p->where, key);
	memcpy(out, s, len + 1);
	return 0;
}

static int get_addr(struct parser *p, json_object *o, const char *key, bool required,
		    char out[SVFF_ADDR_LEN])
{
	char canon[SVFF_ADDR_LEN];
	int rc = get_str(p, o, key, required, out, SVFF_ADDR_LEN);
	/* "" stands for "none" only where the field is optional */
	if (rc < 0 || (!out[0] && !required))
		return rc;
	if (svff_parse_pci_addr(out, NULL, canon, NULL) < 0 || strcmp(canon, out))
		return fail(p, "'%s.%s' is not a PCI address in the form 0000:3b:00.0", p->where, key);
	return 0;
}

static int get_array(struct parser *p, json_object *o, const char *key, json_object **out)
{
	json_object *v = field(o, key);
	*out = NULL;
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return fail(p, "'%s.%s' is not an array", p->where, key);
	*out = v;
	return 0;
}

/* A claim's VF network settings: each key optional, each one checked. */
static int parse_net(struct parser *p, json_object *o, struct svff_net *n)
{
	char mac[32] = "";
	bool b;
	int rc;
	size_t at = strlen(p->where);
	struct svff_error e = { 0 };

	if (!o || json_object_is_type(o, json_type_null))
		return 0;
	snprintf(p->where + at, sizeof(p->where) - at, ".net");
	if (!json_object_is_type(o, json_type_object))
		return fail(p, "'%s' is not an object", p->where);
	if ((rc = get_str(p, o, "mac", false, mac, sizeof(mac))) < 0)
		return rc;
	if (mac[0] && svff_parse_mac(mac, n->mac, &e) < 0)
		return fail(p, "'%s.mac': %s", p->where, e.msg);
	n->set |= mac[0] ? SVFF_NET_MAC : 0;
	if (field(o, "vlan")) {
		if ((rc = get_uint(p, o, "vlan", 4094, true, &n->vlan)) < 0)
			return rc;
		n->set |= SVFF_NET_VLAN;
	}
	if (field(o, "spoofchk")) {
		if ((rc = get_bool(p, o, "spoofchk", &b)) < 0)
			return rc;
		n->spoofchk = b;
		n->set |= SVFF_NET_SPOOFCHK;
	}
	if (field(o, "trust")) {
		if ((rc = get_bool(p, o, "trust", &b)) < 0)
			return rc;
		n->trust = b;
		n->set |= SVFF_NET_TRUST;
	}
	if (field(o, "max_rate")) {
		if ((rc = get_uint(p, o, "max_rate", SVFF_NET_RATE_MAX, true, &n->max_rate)) < 0)
			return rc;
		n->set |= SVFF_NET_MAX_RATE;
	}
	if (field(o, "min_rate")) {
		if ((rc = get_uint(p, o, "min_rate", SVFF_NET_RATE_MAX, true, &n->min_rate)) < 0)
			return rc;
		n->set |= SVFF_NET_MIN_RATE;
	}
	p->where[at] = '\0';
	return 0;
}

/* A libvirt device alias: what QEMU's QMP takes as the device's id. */
static bool alias_ok(const char *a)
{
	if (!*a)
		return false;
	for (; *a; a++)
		if (!isalnum((unsigned char)*a) && !strchr("-_.", *a))
			return false;
	return true;
}

/* A claim paused by the VFIO release: alias, host address, suspended. */
static int parse_release(struct parser *p, json_object *o, struct svff_release *r)
{
	size_t at = strlen(p->where);
	int rc;

	if (!o || json_object_is_type(o, json_type_null))
		return 0;
	snprintf(p->where + at, sizeof(p->where) - at, ".release");
	if (!json_object_is_type(o, json_type_object))
		return fail(p, "'%s' is not an object", p->where);
	if ((rc = get_str(p, o, "alias", true, r->alias, sizeof(r->alias))) < 0 ||
	    (rc = get_addr(p, o, "host", true, r->host)) < 0 ||
	    (rc = get_bool(p, o, "suspended", &r->suspended)) < 0)
		return rc;
	if (!alias_ok(r->alias))
		return fail(p, "'%s.alias' is not a device alias", p->where);
	p->where[at] = '\0';
	return 0;
}

static int parse_claim(struct parser *p, json_object *o, struct svff_claim *c)
{
	char state[16];
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return fail(p, "'%s' is not an object", p->where);
	if ((rc = get_uint(p, o, "vf", MAX_VF, true, &c->vf)) < 0 ||
	    (rc = get_str(p, o, "state", true, state, sizeof(state))) < 0 ||
	    (rc = get_str(p, o, "vm_name", true, c->vm_name, sizeof(c->vm_name))) < 0 ||
	    (rc = get_str(p, o, "vm_uuid", false, c->vm_uuid, sizeof(c->vm_uuid))) < 0 ||
	    (rc = get_addr(p, o, "guest_addr", false, c->guest_addr)) < 0 ||
	    (rc = get_bool(p, o, "persistent", &c->persistent)) < 0 ||
	    (rc = get_bool(p, o, "op_paused", &c->op_paused)) < 0 ||
	    (rc = parse_net(p, field(o, "net"), &c->net)) < 0 ||
	    (rc = parse_release(p, field(o, "release"), &c->rel)) < 0)
		return rc;
	if (!strcmp(state, "attached"))
		c->state = SVFF_VF_ATTACHED;
	else if (!strcmp(state, "paused"))
		c->state = SVFF_VF_PAUSED;
	else
		return fail(p, "'%s.state' is '%.16s', not 'attached' or 'paused'", p->where, state);
	if (!c->vm_name[0])
		return fail(p, "'%s.vm_name' is empty", p->where);
	return 0;
}

/* Queue and vector counts of a resource entry or the PF's default. */
static int parse_counts(struct parser *p, json_object *o, struct svff_res *r)
{
	*r = (struct svff_res){ 0 };
	if (!json_object_is_type(o, json_type_object))
		return fail(p, "'%s' is not an object", p->where);
	int rc = get_uint(p, o, "queues", 65535, false, &r->queues);
	return rc < 0 ? rc : get_uint(p, o, "vectors", 65535, false, &r->vectors);
}

/* Schema 1 had a queue count only, as "qmax". */
static int parse_res(struct parser *p, json_object *o, struct svff_vf_res *e)
{
	int rc = parse_counts(p, o, &e->r);

	if (rc == 0)
		rc = get_uint(p, o, "vf", MAX_VF, true, &e->vf);
	if (rc == 0 && p->schema < 2)
		rc = get_uint(p, o, "qmax", 65535, true, &e->r.queues);
	return rc;
}

static int parse_pf(struct parser *p, json_object *o, struct svff_pf_state *pf)
{
	json_object *claims, *res, *def = field(o, "res_default");
	long long numvfs = 0, autoprobe = -1;
	bool managed = true;
	char base[48];
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return fail(p, "'%s' is not an object", p->where);
	if ((rc = get_addr(p, o, "addr", true, pf->addr)) < 0 ||
	    (rc = get_int(p, o, "numvfs", 0, MAX_VF, true, &numvfs)) < 0 ||
	    (rc = get_int(p, o, "saved_autoprobe", -1, 1, false, &autoprobe)) < 0 ||
	    (rc = get_bool(p, o, "resources_managed", &managed)) < 0 ||
	    (rc = get_array(p, o, "claims", &claims)) < 0 ||
	    (rc = get_array(p, o, "resources", &res)) < 0)
		return rc;
	pf->numvfs = (unsigned int)numvfs;
	pf->saved_autoprobe = (int)autoprobe;
	pf->res_off = !managed;
	snprintf(base, sizeof(base), "%.40s", p->where);
	size_t nc = claims ? json_object_array_length(claims) : 0;
	pf->claims = calloc(nc ? nc : 1, sizeof(*pf->claims));
	size_t nr = res ? json_object_array_length(res) : 0;
	pf->res = calloc(nr ? nr : 1, sizeof(*pf->res));
	if (!pf->claims || !pf->res)
		return svff_err(p->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < nc; i++) {
		snprintf(p->where, sizeof(p->where), "%s.claims[%zu]", base, i);
		struct svff_claim *c = calloc(1, sizeof(*c));
		if (!c)
			return svff_err(p->err, -ENOMEM, "out of memory");
		rc = parse_claim(p, json_object_array_get_idx(claims, i), c);
		if (rc == 0 && svff_state_claim(pf, c->vf))
			rc = fail(p, "'%s.vf' %u is claimed twice", p->where, c->vf);
		if (rc < 0) {
			free(c);
			return rc;
		}
		pf->claims[pf->n_claims++] = c;
	}
	qsort(pf->claims, pf->n_claims, sizeof(*pf->claims), cmp_claim);
	for (size_t i = 0; i < nr; i++) {
		snprintf(p->where, sizeof(p->where), "%s.resources[%zu]", base, i);
		rc = parse_res(p, json_object_array_get_idx(res, i), &pf->res[pf->n_res]);
		if (rc == 0 && res_entry(pf, pf->res[pf->n_res].vf))
			rc = fail(p, "'%s.vf' %u has two resource entries", p->where,
				  pf->res[pf->n_res].vf);
		if (rc < 0)
			return rc;
		pf->n_res++;
	}
	qsort(pf->res, pf->n_res, sizeof(*pf->res), cmp_res);
	if (def && !json_object_is_type(def, json_type_null)) {
		snprintf(p->where, sizeof(p->where), "%s.res_default", base);
		if ((rc = parse_counts(p, def, &pf->res_default)) < 0)
			return rc;
	}
	return 0;
}

/* The identity of a PF an operation took off the bus (absent: none). */
static int parse_pf_id(struct parser *p, json_object *o, struct svff_pf_id *id)
{
	long long v[5] = { 0 };
	static const char *const keys[] = { "vendor", "device", "subsystem_vendor",
					    "subsystem_device", "totalvfs" };
	int rc = 0;

	if (!o || json_object_is_type(o, json_type_null))
		return 0;
	snprintf(p->where, sizeof(p->where), "op.removed");
	if (!json_object_is_type(o, json_type_object))
		return fail(p, "'op.removed' is not an object or null");
	for (size_t i = 0; i < 5 && rc == 0; i++)
		rc = get_int(p, o, keys[i], 0, i == 4 ? MAX_VF : 0xffff, i < 2, &v[i]);
	if (rc == 0)
		rc = get_str(p, o, "driver", false, id->driver, sizeof(id->driver));
	if (rc == 0)
		rc = get_bool(p, o, "new_ids", &id->new_ids);
	if (rc == 0 && !v[0])
		return fail(p, "'op.removed.vendor' is 0");
	id->vendor = (unsigned int)v[0];
	id->device = (unsigned int)v[1];
	id->sub_vendor = (unsigned int)v[2];
	id->sub_device = (unsigned int)v[3];
	id->totalvfs = (unsigned int)v[4];
	return rc;
}

static int parse_op(struct parser *p, json_object *o, struct svff_op *op)
{
	long long pid = 0, started = 0, from = -1, to = -1, step = 0;
	int rc;

	snprintf(p->where, sizeof(p->where), "op");
	if (!json_object_is_type(o, json_type_object))
		return fail(p, "'op' is not an object or null");
	if ((rc = get_str(p, o, "verb", true, op->verb, sizeof(op->verb))) < 0 ||
	    (rc = get_addr(p, o, "pf", true, op->pf)) < 0 ||
	    (rc = get_int(p, o, "pid", 0, 0x7fffffff, true, &pid)) < 0 ||
	    (rc = get_int(p, o, "started", 0, (1LL << 40), false, &started)) < 0 ||
	    (rc = get_int(p, o, "count_from", -1, MAX_VF, false, &from)) < 0 ||
	    (rc = get_int(p, o, "count_to", -1, MAX_VF, false, &to)) < 0 ||
	    (rc = get_int(p, o, "step", 0, 1 << 20, true, &step)) < 0 ||
	    (rc = get_str(p, o, "step_name", false, op->step_name, sizeof(op->step_name))) < 0 ||
	    (rc = get_bool(p, o, "ran", &op->ran)) < 0 ||
	    (rc = parse_pf_id(p, field(o, "removed"), &op->removed)) < 0)
		return rc;
	if (!op->verb[0])
		return fail(p, "'op.verb' is empty");
	op->pid = (long)pid;
	op->started = started;
	op->count_from = (int)from;
	op->count_to = (int)to;
	op->step = (unsigned int)step;
	return 0;
}

/* The bytes as one JSON document and nothing after it. */
static int parse_json(const char *buf, size_t len, json_object **out, struct svff_error *err)
{
	struct json_tokener *tok;

	if (len > SVFF_STATE_MAX_BYTES)
		return svff_err(err, -EFBIG, "it is larger than %d bytes", SVFF_STATE_MAX_BYTES);
	if (memchr(buf, '\0', len))
		return svff_err(err, -EBADMSG, "it contains a NUL byte");
	tok = json_tokener_new();
	if (!tok)
		return svff_err(err, -ENOMEM, "out of memory");
	json_object *root = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		return svff_err(err, -EBADMSG, "it is not valid JSON (%s, near byte %zu)",
				jerr == json_tokener_continue ? "unexpected end of file"
							      : json_tokener_error_desc(jerr), used);
	}
	for (size_t i = used; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\t' && buf[i] != '\r') {
			json_object_put(root);
			return svff_err(err, -EBADMSG, "it has data after the JSON document (byte %zu)", i);
		}
	*out = root;
	return 0;
}

/* The top object's schema: present, and one this svff understands. */
static int parse_schema(struct parser *p, json_object *root, long long *schema)
{
	int rc;

	snprintf(p->where, sizeof(p->where), "(top)");
	if (!json_object_is_type(root, json_type_object))
		return fail(p, "the document is not a JSON object");
	if (!field(root, "schema"))
		return fail(p, "'schema' is missing");
	if ((rc = get_int(p, root, "schema", 1, 0x7fffffff, true, schema)) < 0)
		return rc;
	if (*schema > SVFF_STATE_SCHEMA)
		return svff_err(p->err, -EPROTONOSUPPORT, "it has schema %lld, newer than this svff "
				"understands (%d): a newer svff wrote it", *schema, SVFF_STATE_SCHEMA);
	return 0;
}

static int parse_pfs(struct parser *p, json_object *root, struct svff_state *st)
{
	json_object *pfs;
	int rc = get_array(p, root, "pfs", &pfs);

	if (rc < 0)
		return rc;
	size_t np = pfs ? json_object_array_length(pfs) : 0;
	st->pfs = calloc(np ? np : 1, sizeof(*st->pfs));
	if (!st->pfs)
		return svff_err(p->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < np; i++) {
		snprintf(p->where, sizeof(p->where), "pfs[%zu]", i);
		struct svff_pf_state pf = { 0 };
		rc = parse_pf(p, json_object_array_get_idx(pfs, i), &pf);
		if (rc == 0 && svff_state_pf(st, pf.addr))
			rc = fail(p, "'%s.addr' %s appears twice", p->where, pf.addr);
		if (rc < 0) {
			pf_clear(&pf);
			return rc;
		}
		st->pfs[st->n_pfs++] = pf;
	}
	return 0;
}

static int parse_state(struct parser *p, json_object *root, struct svff_state *st)
{
	long long schema = 0;
	int rc = parse_schema(p, root, &schema);

	if (rc == 0) {
		st->schema = (int)schema;
		p->schema = schema;
		rc = parse_pfs(p, root, st);
	}
	json_object *op = rc == 0 ? field(root, "op") : NULL;
	if (!op || json_object_is_type(op, json_type_null))
		return rc;
	st->op = calloc(1, sizeof(*st->op));
	if (!st->op)
		return svff_err(p->err, -ENOMEM, "out of memory");
	return parse_op(p, op, st->op);
}

int svff_state_parse(const char *buf, size_t len, struct svff_state **out,
		     struct svff_error *err)
{
	struct parser p = { .err = err };
	json_object *root = NULL;
	struct svff_state *st = NULL;
	int rc = parse_json(buf, len, &root, err);

	if (rc < 0)
		return rc;
	st = svff_state_new();
	rc = st ? parse_state(&p, root, st) : svff_err(err, -ENOMEM, "out of memory");
	json_object_put(root);
	if (rc < 0) {
		svff_state_free(st);
		return rc;
	}
	*out = st;
	return 0;
}

/* ---- formatting ---- */

static json_object *release_json(const struct svff_release *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "alias", json_object_new_string(r->alias));
	json_object_object_add(o, "host", json_object_new_string(r->host));
	json_object_object_add(o, "suspended", json_object_new_boolean(r->suspended));
	return o;
}

json_object *svff_net_json(const struct svff_net *n)
{
	json_object *o = json_object_new_object();
	char mac[18];

	if (n->set & SVFF_NET_MAC) {
		svff_format_mac(n->mac, mac);
		json_object_object_add(o, "mac", json_object_new_string(mac));
	}
	if (n->set & SVFF_NET_VLAN)
		json_object_object_add(o, "vlan", json_object_new_int((int)n->vlan));
	if (n->set & SVFF_NET_SPOOFCHK)
		json_object_object_add(o, "spoofchk", json_object_new_boolean(n->spoofchk));
	if (n->set & SVFF_NET_TRUST)
		json_object_object_add(o, "trust", json_object_new_boolean(n->trust));
	if (n->set & SVFF_NET_MAX_RATE)
		json_object_object_add(o, "max_rate", json_object_new_int64(n->max_rate));
	if (n->set & SVFF_NET_MIN_RATE)
		json_object_object_add(o, "min_rate", json_object_new_int64(n->min_rate));
	return o;
}

static json_object *claim_json(const struct svff_claim *c)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "vf", json_object_new_int((int)c->vf));
	json_object_object_add(e, "state", json_object_new_string(svff_vf_state_name(c->state)));
	json_object_object_add(e, "vm_name", json_object_new_string(c->vm_name));
	json_object_object_add(e, "vm_uuid", json_object_new_string(c->vm_uuid));
	json_object_object_add(e, "guest_addr", json_object_new_string(c->guest_addr));
	json_object_object_add(e, "persistent", json_object_new_boolean(c->persistent));
	json_object_object_add(e, "op_paused", json_object_new_boolean(c->op_paused));
	if (c->net.set)
		json_object_object_add(e, "net", svff_net_json(&c->net));
	if (c->rel.alias[0])
		json_object_object_add(e, "release", release_json(&c->rel));
	return e;
}

/* A VF's resources (vf >= 0), or the PF's default (vf -1). */
static json_object *res_json(int vf, unsigned int queues, unsigned int vectors)
{
	json_object *d = json_object_new_object();
	if (vf >= 0)
		json_object_object_add(d, "vf", json_object_new_int(vf));
	json_object_object_add(d, "queues", json_object_new_int((int)queues));
	json_object_object_add(d, "vectors", json_object_new_int((int)vectors));
	return d;
}

static json_object *pf_json(const struct svff_pf_state *pf)
{
	json_object *o = json_object_new_object(), *cl = json_object_new_array(),
		    *rs = json_object_new_array();
	json_object_object_add(o, "addr", json_object_new_string(pf->addr));
	json_object_object_add(o, "numvfs", json_object_new_int((int)pf->numvfs));
	json_object_object_add(o, "saved_autoprobe", json_object_new_int(pf->saved_autoprobe));
	json_object_object_add(o, "resources_managed", json_object_new_boolean(!pf->res_off));
	for (size_t j = 0; j < pf->n_claims; j++)
		json_object_array_add(cl, claim_json(pf->claims[j]));
	for (size_t j = 0; j < pf->n_res; j++)
		json_object_array_add(rs, res_json((int)pf->res[j].vf, pf->res[j].r.queues,
						   pf->res[j].r.vectors));
	json_object_object_add(o, "res_default", res_json(-1, pf->res_default.queues,
							   pf->res_default.vectors));
	json_object_object_add(o, "claims", cl);
	json_object_object_add(o, "resources", rs);
	return o;
}

static json_object *op_json(const struct svff_op *op)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "verb", json_object_new_string(op->verb));
	json_object_object_add(o, "pf", json_object_new_string(op->pf));
	json_object_object_add(o, "pid", json_object_new_int64(op->pid));
	json_object_object_add(o, "started", json_object_new_int64(op->started));
	json_object_object_add(o, "count_from", json_object_new_int(op->count_from));
	json_object_object_add(o, "count_to", json_object_new_int(op->count_to));
	json_object_object_add(o, "step", json_object_new_int64(op->step));
	json_object_object_add(o, "step_name", json_object_new_string(op->step_name));
	if (op->ran)
		json_object_object_add(o, "ran", json_object_new_boolean(true));
	if (op->removed.vendor) {
		const struct svff_pf_id *id = &op->removed;
		json_object *r = json_object_new_object();
		json_object_object_add(r, "vendor", json_object_new_int((int)id->vendor));
		json_object_object_add(r, "device", json_object_new_int((int)id->device));
		json_object_object_add(r, "subsystem_vendor", json_object_new_int((int)id->sub_vendor));
		json_object_object_add(r, "subsystem_device", json_object_new_int((int)id->sub_device));
		json_object_object_add(r, "totalvfs", json_object_new_int((int)id->totalvfs));
		json_object_object_add(r, "driver", json_object_new_string(id->driver));
		if (id->new_ids)
			json_object_object_add(r, "new_ids", json_object_new_boolean(true));
		json_object_object_add(o, "removed", r);
	}
	return o;
}

int svff_state_format(const struct svff_state *st, char **out)
{
	json_object *root = json_object_new_object(), *pfs = json_object_new_array();
	if (!root || !pfs) {
		json_object_put(root);
		json_object_put(pfs);
		return -ENOMEM;
	}
	json_object_object_add(root, "schema", json_object_new_int(SVFF_STATE_SCHEMA));
	for (size_t i = 0; i < st->n_pfs; i++)
		json_object_array_add(pfs, pf_json(&st->pfs[i]));
	json_object_object_add(root, "pfs", pfs);
	json_object_object_add(root, "op", st->op ? op_json(st->op) : NULL);
	const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = s ? strlen(s) : 0;
	*out = s ? malloc(len + 2) : NULL;
	if (*out) {
		memcpy(*out, s, len);
		(*out)[len] = '\n';
		(*out)[len + 1] = '\0';
	}
	json_object_put(root);
	return *out ? 0 : -ENOMEM;
}
