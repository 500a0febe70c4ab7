/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "config.h"
#include "parse.h"

#define MAX_CONFIG_BYTES (1 << 20)
#define MAX_DROPINS 64

struct reader {
	const char *file;
	struct svff_config *c;
	struct svff_error *err;
};

static int fail(struct reader *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct reader *r, int line, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* the file's fault, not the command line's: exit status 1 */
	return svff_err(r->err, -EINVAL, "%s:%d: %s", r->file, line, what);
}

static int line_of(xmlNodePtr n)
{
	return (int)xmlGetLineNo(n);
}

/* Only the attributes an element may have. */
static int check_attrs(struct reader *r, xmlNodePtr n, const char *const *allowed)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		bool ok = false;
		for (const char *const *k = allowed; *k && !ok; k++)
			ok = !strcmp((const char *)a->name, *k);
		if (!ok)
			return fail(r, line_of(n), "<%s> has no attribute '%.40s'",
				    (const char *)n->name, (const char *)a->name);
	}
	return 0;
}

/* Attribute name of n as a count in [min, max]; *out untouched when it is
 * absent and not required. */
static int get_uint(struct reader *r, xmlNodePtr n, const char *name, bool required,
		    unsigned int min, unsigned int max, unsigned int *out)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	struct svff_error e = { 0 };
	unsigned int u;
	int rc = 0;

	if (!v)
		return required ? fail(r, line_of(n), "<%s> needs the attribute '%s'",
				       (const char *)n->name, name) : 0;
	if (svff_parse_uint((const char *)v, max, name, &u, &e) < 0 || u < min)
		rc = fail(r, line_of(n), "<%s %s='%.20s'>: expected a number from %u to %u",
			  (const char *)n->name, name, (const char *)v, min, max);
	else
		*out = u;
	xmlFree(v);
	return rc;
}

static int get_res(struct reader *r, xmlNodePtr n, struct svff_res *res)
{
	int rc = get_uint(r, n, "queues", false, 1, 65535, &res->queues);
	return rc < 0 ? rc : get_uint(r, n, "vectors", false, 1, 65535, &res->vectors);
}

/* A claim's VF network settings: the attributes of attach's options. */
static int get_net(struct reader *r, xmlNodePtr n, struct svff_net *net)
{
	static const struct { const char *name; unsigned int bit; } onoff[] = {
		{ "spoofchk", SVFF_NET_SPOOFCHK }, { "trust", SVFF_NET_TRUST },
	};
	static const struct { const char *name; unsigned int bit, max; } nums[] = {
		{ "vlan", SVFF_NET_VLAN, 4094 },
		{ "max-rate", SVFF_NET_MAX_RATE, SVFF_NET_RATE_MAX },
		{ "min-rate", SVFF_NET_MIN_RATE, SVFF_NET_RATE_MAX },
	};
	struct svff_error e = { 0 };
	int rc = 0;

	xmlChar *mac = xmlGetProp(n, (const xmlChar *)"mac");
	if (mac && svff_parse_mac((const char *)mac, net->mac, &e) < 0)
		rc = fail(r, line_of(n), "<claim mac=...>: %s", e.msg);
	net->set |= mac ? SVFF_NET_MAC : 0;
	xmlFree(mac);
	for (size_t i = 0; rc == 0 && i < sizeof(nums) / sizeof(nums[0]); i++) {
		unsigned int *to = nums[i].bit == SVFF_NET_VLAN ? &net->vlan
				 : nums[i].bit == SVFF_NET_MAX_RATE ? &net->max_rate : &net->min_rate;
		if (!xmlHasProp(n, (const xmlChar *)nums[i].name))
			continue;
		rc = get_uint(r, n, nums[i].name, true, 0, nums[i].max, to);
		net->set |= nums[i].bit;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(onoff) / sizeof(onoff[0]); i++) {
		xmlChar *v = xmlGetProp(n, (const xmlChar *)onoff[i].name);
		bool b = false;
		if (v && svff_parse_onoff((const char *)v, onoff[i].name, &b, &e) < 0)
			rc = fail(r, line_of(n), "<claim %s=...>: %s", onoff[i].name, e.msg);
		if (v && onoff[i].bit == SVFF_NET_SPOOFCHK)
			net->spoofchk = b;
		else if (v)
			net->trust = b;
		net->set |= v ? onoff[i].bit : 0;
		xmlFree(v);
	}
	if (rc == 0 && (net->set & SVFF_NET_MIN_RATE) && (net->set & SVFF_NET_MAX_RATE) &&
	    net->max_rate && net->min_rate > net->max_rate)
		rc = fail(r, line_of(n), "<claim>: min-rate %u is above max-rate %u", net->min_rate,
			  net->max_rate);
	return rc;
}

/* elem (about vf, from line; rc: its checks so far) appended to the
 * array *arrp of pf holding *n, once vf is known to be one of pf's. */
static int add(struct reader *r, const struct svff_config_pf *pf, int rc, unsigned int vf,
	       int line, void *arrp, size_t *n, const void *elem, size_t size)
{
	void *p = NULL;

	if (rc == 0 && vf >= pf->numvfs)
		rc = fail(r, line, "vf%u is beyond the %u VFs of %s", vf, pf->numvfs, pf->addr);
	if (rc == 0 && !(p = svff_append(arrp, n, size)))
		rc = svff_err(r->err, -ENOMEM, "out of memory");
	if (p)
		memcpy(p, elem, size);
	return rc;
}

static int add_claim(struct reader *r, struct svff_config_pf *pf, xmlNodePtr n)
{
	static const char *const attrs[] = { "vm", "vf", "guest", "mac", "vlan", "spoofchk",
					     "trust", "max-rate", "min-rate", NULL };
	struct svff_config_claim cl = { .line = line_of(n) };
	struct svff_error e = { 0 };
	int rc = check_attrs(r, n, attrs);

	if (rc == 0)
		rc = get_uint(r, n, "vf", true, 0, 65534, &cl.vf);
	if (rc < 0)
		return rc;
	xmlChar *vm = xmlGetProp(n, (const xmlChar *)"vm");
	if (!vm)
		return fail(r, cl.line, "<claim> needs the attribute 'vm'");
	if (svff_check_vm_name((const char *)vm, &e) < 0)
		rc = fail(r, cl.line, "<claim vm=...>: %s", e.msg);
	else
		snprintf(cl.vm, sizeof(cl.vm), "%s", (const char *)vm);
	xmlFree(vm);
	xmlChar *guest = rc == 0 ? xmlGetProp(n, (const xmlChar *)"guest") : NULL;
	if (guest && svff_parse_pci_addr((const char *)guest, NULL, cl.guest_addr, &e) < 0)
		rc = fail(r, cl.line, "<claim guest=...>: %s", e.msg);
	xmlFree(guest);
	if (rc == 0)
		rc = get_net(r, n, &cl.net);
	for (size_t i = 0; rc == 0 && i < pf->n_claims; i++)
		if (pf->claims[i].vf == cl.vf)
			rc = fail(r, cl.line, "vf%u of %s is claimed twice (also by '%s' at line %d)",
				  cl.vf, pf->addr, pf->claims[i].vm, pf->claims[i].line);
	return add(r, pf, rc, cl.vf, cl.line, &pf->claims, &pf->n_claims, &cl, sizeof(cl));
}

static int add_vf(struct reader *r, struct svff_config_pf *pf, xmlNodePtr n)
{
	static const char *const attrs[] = { "index", "queues", "vectors", NULL };
	struct svff_vf_res e = { 0 };
	int rc = check_attrs(r, n, attrs);

	if (rc == 0)
		rc = get_uint(r, n, "index", true, 0, 65534, &e.vf);
	if (rc == 0)
		rc = get_res(r, n, &e.r);
	for (size_t i = 0; rc == 0 && i < pf->n_res; i++)
		if (pf->res[i].vf == e.vf)
			rc = fail(r, line_of(n), "vf%u of %s is given twice", e.vf, pf->addr);
	return add(r, pf, rc, e.vf, line_of(n), &pf->res, &pf->n_res, &e, sizeof(e));
}

static int add_pf(struct reader *r, xmlNodePtr n)
{
	static const char *const attrs[] = { "addr", "vfs", NULL };
	struct svff_config_pf pf = { .line = line_of(n) };
	struct svff_error e = { 0 };
	int rc = check_attrs(r, n, attrs);

	snprintf(pf.file, sizeof(pf.file), "%s", r->file);
	xmlChar *addr = rc == 0 ? xmlGetProp(n, (const xmlChar *)"addr") : NULL;
	if (rc == 0 && !addr)
		rc = fail(r, pf.line, "<pf> needs the attribute 'addr'");
	if (rc == 0 && svff_parse_pci_addr((const char *)addr, NULL, pf.addr, &e) < 0)
		rc = fail(r, pf.line, "<pf addr=...>: %s", e.msg);
	xmlFree(addr);
	if (rc == 0)
		rc = get_uint(r, n, "vfs", true, 1, 65535, &pf.numvfs);
	for (size_t i = 0; rc == 0 && i < r->c->n_pfs; i++)
		if (!strcmp(r->c->pfs[i].addr, pf.addr))
			rc = fail(r, pf.line, "PF %s is configured twice (also at %s:%d)", pf.addr,
				  r->c->pfs[i].file, r->c->pfs[i].line);
	for (xmlNodePtr k = n->children; rc == 0 && k; k = k->next) {
		static const char *const res_attrs[] = { "queues", "vectors", NULL };
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)k->name, "resources")) {
			rc = check_attrs(r, k, res_attrs);
			if (rc == 0)
				rc = get_res(r, k, &pf.res_default);
		} else if (!strcmp((const char *)k->name, "vf")) {
			rc = add_vf(r, &pf, k);
		} else if (!strcmp((const char *)k->name, "claim")) {
			rc = add_claim(r, &pf, k);
		} else {
			rc = fail(r, line_of(k), "unknown element <%.40s> in <pf>", (const char *)k->name);
		}
	}
	struct svff_config_pf *p = rc == 0 ? svff_append(&r->c->pfs, &r->c->n_pfs, sizeof(*p))
					   : NULL;
	if (rc == 0 && !p)
		rc = svff_err(r->err, -ENOMEM, "out of memory");
	if (rc < 0) {
		free(pf.res);
		free(pf.claims);
		return rc;
	}
	*p = pf;
	return 0;
}

static int read_file(struct reader *r)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	int rc = 0;

	if (!ctxt)
		return svff_err(r->err, -ENOMEM, "out of memory");
	FILE *f = fopen(r->file, "re");
	if (!f) {
		rc = -errno;
		xmlFreeParserCtxt(ctxt);
		return svff_err_errno(r->err, rc, "cannot read %s", r->file);
	}
	char *buf = malloc(MAX_CONFIG_BYTES + 1);
	size_t len = buf ? fread(buf, 1, MAX_CONFIG_BYTES + 1, f) : 0;
	fclose(f);
	if (!buf || len > MAX_CONFIG_BYTES) {
		free(buf);
		xmlFreeParserCtxt(ctxt);
		return buf ? fail(r, 0, "larger than %d bytes", MAX_CONFIG_BYTES)
			   : svff_err(r->err, -ENOMEM, "out of memory");
	}
	/* no network, no entities, and no word on stderr: the message is ours */
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, r->file, "UTF-8",
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(buf);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		char what[200] = "not XML";
		if (e && e->message) {
			snprintf(what, sizeof(what), "%s", e->message);
			what[strcspn(what, "\n")] = '\0';
		}
		rc = fail(r, e ? e->line : 0, "%s", what);
		xmlFreeParserCtxt(ctxt);
		return rc;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "svff"))
		rc = fail(r, root ? line_of(root) : 1, "the top element must be <svff>");
	for (xmlNodePtr n = root ? root->children : NULL; rc == 0 && n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "pf"))
			rc = fail(r, line_of(n), "unknown element <%.40s> in <svff>", (const char *)n->name);
		else
			rc = add_pf(r, n);
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The drop-ins: *.xml in the directory, in name order. */
static int dropins(char names[][256], size_t *n, struct svff_error *err)
{
	struct dirent *e;
	DIR *d = opendir(SVFF_CONFIG_DIR);

	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : svff_err_errno(err, -errno, "cannot read %s",
							    SVFF_CONFIG_DIR);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") || e->d_name[0] == '.')
			continue;
		if (*n == MAX_DROPINS) {
			closedir(d);
			return svff_err(err, -E2BIG, "more than %d files in %s", MAX_DROPINS,
					SVFF_CONFIG_DIR);
		}
		snprintf(names[(*n)++], 256, "%s/%s", SVFF_CONFIG_DIR, e->d_name);
	}
	closedir(d);
	qsort(names, *n, sizeof(names[0]), cmp_name);
	return 0;
}

int svff_config_read(const char *path, struct svff_config **out, struct svff_error *err)
{
	static char names[MAX_DROPINS + 1][256];
	struct reader r = { .err = err };
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	r.c = calloc(1, sizeof(*r.c));
	if (!r.c)
		return svff_err(err, -ENOMEM, "out of memory");
	if (path) {
		snprintf(names[0], sizeof(names[0]), "%s", path);
		n = 1;
	} else {
		FILE *f = fopen(SVFF_DEFAULT_CONFIG, "re");
		if (f)
			fclose(f);
		rc = dropins(names + (f ? 1 : 0), &n, err);
		if (f) {
			snprintf(names[0], sizeof(names[0]), "%s", SVFF_DEFAULT_CONFIG);
			n++;
		} else if (rc == 0 && !n) {
			rc = svff_err(err, -ENOENT, "no configuration: neither %s nor %s/*.xml",
				      SVFF_DEFAULT_CONFIG, SVFF_CONFIG_DIR);
		}
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		r.file = names[i];
		rc = read_file(&r);
	}
	if (rc < 0) {
		svff_config_free(r.c);
		return rc;
	}
	*out = r.c;
	return 0;
}

void svff_config_free(struct svff_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_pfs; i++) {
		free(c->pfs[i].res);
		free(c->pfs[i].claims);
	}
	free(c->pfs);
	free(c);
}

static void net_attrs(xmlNodePtr n, const struct svff_net *net)
{
	char v[24];
	if (net->set & SVFF_NET_MAC) {
		svff_format_mac(net->mac, v);
		xmlNewProp(n, (const xmlChar *)"mac", (const xmlChar *)v);
	}
	if (net->set & SVFF_NET_VLAN) {
		snprintf(v, sizeof(v), "%u", net->vlan);
		xmlNewProp(n, (const xmlChar *)"vlan", (const xmlChar *)v);
	}
	if (net->set & SVFF_NET_SPOOFCHK)
		xmlNewProp(n, (const xmlChar *)"spoofchk", (const xmlChar *)(net->spoofchk ? "on" : "off"));
	if (net->set & SVFF_NET_TRUST)
		xmlNewProp(n, (const xmlChar *)"trust", (const xmlChar *)(net->trust ? "on" : "off"));
	if (net->set & SVFF_NET_MAX_RATE) {
		snprintf(v, sizeof(v), "%u", net->max_rate);
		xmlNewProp(n, (const xmlChar *)"max-rate", (const xmlChar *)v);
	}
	if (net->set & SVFF_NET_MIN_RATE) {
		snprintf(v, sizeof(v), "%u", net->min_rate);
		xmlNewProp(n, (const xmlChar *)"min-rate", (const xmlChar *)v);
	}
}

static void res_attrs(xmlNodePtr n, const struct svff_res *r)
{
	char v[16];
	if (r->queues) {
		snprintf(v, sizeof(v), "%u", r->queues);
		xmlNewProp(n, (const xmlChar *)"queues", (const xmlChar *)v);
	}
	if (r->vectors) {
		snprintf(v, sizeof(v), "%u", r->vectors);
		xmlNewProp(n, (const xmlChar *)"vectors", (const xmlChar *)v);
	}
}

int svff_config_write(const struct svff_state *st, char **out, struct svff_error *err)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = doc ? xmlNewNode(NULL, (const xmlChar *)"svff") : NULL;
	char v[32];

	if (!root) {
		xmlFreeDoc(doc);
		return svff_err(err, -ENOMEM, "out of memory");
	}
	xmlDocSetRootElement(doc, root);
	for (size_t i = 0; i < st->n_pfs; i++) {
		const struct svff_pf_state *pf = &st->pfs[i];
		xmlNodePtr p = xmlNewChild(root, NULL, (const xmlChar *)"pf", NULL);
		xmlNewProp(p, (const xmlChar *)"addr", (const xmlChar *)pf->addr);
		snprintf(v, sizeof(v), "%u", pf->numvfs);
		xmlNewProp(p, (const xmlChar *)"vfs", (const xmlChar *)v);
		if (pf->res_default.queues || pf->res_default.vectors)
			res_attrs(xmlNewChild(p, NULL, (const xmlChar *)"resources", NULL),
				  &pf->res_default);
		for (size_t j = 0; j < pf->n_res; j++) {
			if (pf->res[j].vf >= pf->numvfs)
				continue;
			xmlNodePtr e = xmlNewChild(p, NULL, (const xmlChar *)"vf", NULL);
			snprintf(v, sizeof(v), "%u", pf->res[j].vf);
			xmlNewProp(e, (const xmlChar *)"index", (const xmlChar *)v);
			res_attrs(e, &pf->res[j].r);
		}
		/* what survives a reboot: the claims in VMs' persistent configuration */
		for (size_t j = 0; j < pf->n_claims; j++) {
			const struct svff_claim *c = pf->claims[j];
			if (!c->persistent || c->vf >= pf->numvfs)
				continue;
			xmlNodePtr e = xmlNewChild(p, NULL, (const xmlChar *)"claim", NULL);
			xmlNewProp(e, (const xmlChar *)"vm", (const xmlChar *)c->vm_name);
			snprintf(v, sizeof(v), "%u", c->vf);
			xmlNewProp(e, (const xmlChar *)"vf", (const xmlChar *)v);
			if (c->guest_addr[0])
				xmlNewProp(e, (const xmlChar *)"guest", (const xmlChar *)c->guest_addr);
			net_attrs(e, &c->net);
		}
	}
	xmlChar *mem = NULL;
	int len = 0;
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	xmlFreeDoc(doc);
	*out = mem ? strdup((const char *)mem) : NULL;
	xmlFree(mem);
	return *out ? 0 : svff_err(err, -ENOMEM, "out of memory");
}
