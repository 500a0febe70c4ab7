/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "domxml.h"
#include "parse.h"

void svff_domxml_init(void)
{
	xmlInitParser();
}

#define MAX_DOMXML (16 << 20)

/* The four attributes of a libvirt <address>, as a canonical address. */
static int address_of(xmlNodePtr node, char out[SVFF_ADDR_LEN])
{
	static const char *const names[] = { "domain", "bus", "slot", "function" };
	unsigned long v[4];

	for (int i = 0; i < 4; i++) {
		xmlChar *s = xmlGetProp(node, (const xmlChar *)names[i]);
		char *end;
		if (!s)
			return -EINVAL;
		errno = 0;
		v[i] = strtoul((const char *)s, &end, 0);
		bool bad = errno || end == (char *)s || *end;
		xmlFree(s);
		if (bad)
			return -EINVAL;
	}
	if (v[0] > 0xffff || v[1] > 0xff || v[2] > 0x1f || v[3] > 7)
		return -EINVAL;
	snprintf(out, SVFF_ADDR_LEN, "%04lx:%02lx:%02lx.%lx", v[0], v[1], v[2], v[3]);
	return 0;
}

static xmlNodePtr child(xmlNodePtr node, const char *name)
{
	for (xmlNodePtr c = node->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, (const xmlChar *)name))
			return c;
	return NULL;
}

static void set_address(xmlNodePtr addr, const struct svff_pci_addr *a)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "0x%04x", a->domain);
	xmlNewProp(addr, (const xmlChar *)"domain", (const xmlChar *)buf);
	snprintf(buf, sizeof(buf), "0x%02x", a->bus);
	xmlNewProp(addr, (const xmlChar *)"bus", (const xmlChar *)buf);
	snprintf(buf, sizeof(buf), "0x%02x", a->dev);
	xmlNewProp(addr, (const xmlChar *)"slot", (const xmlChar *)buf);
	snprintf(buf, sizeof(buf), "0x%x", a->fn);
	xmlNewProp(addr, (const xmlChar *)"function", (const xmlChar *)buf);
}

int svff_hostdev_xml(const char *vf_addr, const char *guest_addr, char **out,
		     struct svff_error *err)
{
	struct svff_pci_addr host, guest;
	xmlChar *mem = NULL;
	int len = 0, rc;

	rc = svff_parse_pci_addr(vf_addr, &host, NULL, err);
	if (rc < 0)
		return rc;
	if (guest_addr && *guest_addr) {
		rc = svff_parse_pci_addr(guest_addr, &guest, NULL, err);
		if (rc < 0)
			return rc;
	}
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr hd = xmlNewNode(NULL, (const xmlChar *)"hostdev");
	xmlDocSetRootElement(doc, hd);
	xmlNewProp(hd, (const xmlChar *)"mode", (const xmlChar *)"subsystem");
	xmlNewProp(hd, (const xmlChar *)"type", (const xmlChar *)"pci");
	/* svff binds VFs to vfio-pci itself: libvirt must not rebind them */
	xmlNewProp(hd, (const xmlChar *)"managed", (const xmlChar *)"no");
	xmlNodePtr src = xmlNewChild(hd, NULL, (const xmlChar *)"source", NULL);
	set_address(xmlNewChild(src, NULL, (const xmlChar *)"address", NULL), &host);
	if (guest_addr && *guest_addr) {
		xmlNodePtr ga = xmlNewChild(hd, NULL, (const xmlChar *)"address", NULL);
		xmlNewProp(ga, (const xmlChar *)"type", (const xmlChar *)"pci");
		set_address(ga, &guest);
	}
	xmlDocDumpFormatMemory(doc, &mem, &len, 1);
	xmlFreeDoc(doc);
	if (!mem)
		return svff_err(err, -ENOMEM, "cannot build hostdev XML: out of memory");
	/* drop the <?xml ...?> declaration: libvirt wants the element alone */
	const char *start = strstr((const char *)mem, "<hostdev");
	*out = strdup(start ? start : (const char *)mem);
	xmlFree(mem);
	return *out ? 0 : svff_err(err, -ENOMEM, "out of memory");
}

int svff_domxml_hostdevs(const char *xml, struct svff_hostdev **out, size_t *n,
			 struct svff_error *err)
{
	size_t len = strlen(xml), count = 0;
	struct svff_hostdev *list = NULL;
	int rc = 0;

	if (len > MAX_DOMXML)
		return svff_err(err, -EFBIG, "domain XML is larger than %d bytes", MAX_DOMXML);
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, "domain.xml", "UTF-8",
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return svff_err(err, -EBADMSG, "cannot parse domain XML");
	xmlXPathContextPtr xp = xmlXPathNewContext(doc);
	xmlXPathObjectPtr res = xp ? xmlXPathEvalExpression(
		(const xmlChar *)"/domain/devices/hostdev[@type='pci']", xp) : NULL;
	if (!res) {
		rc = svff_err(err, -ENOMEM, "cannot search domain XML");
		goto out;
	}
	size_t total = res->nodesetval ? (size_t)res->nodesetval->nodeNr : 0;
	list = calloc(total ? total : 1, sizeof(*list));
	if (!list) {
		rc = svff_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < total; i++) {
		xmlNodePtr hd = res->nodesetval->nodeTab[i];
		xmlNodePtr src = child(hd, "source");
		xmlNodePtr saddr = src ? child(src, "address") : NULL;
		if (!saddr || address_of(saddr, list[count].host_addr) < 0)
			continue; /* not a PCI address we understand: not ours */
		xmlNodePtr gaddr = child(hd, "address");
		if (!gaddr || address_of(gaddr, list[count].guest_addr) < 0)
			list[count].guest_addr[0] = '\0';
		xmlNodePtr alias = child(hd, "alias");
		xmlChar *name = alias ? xmlGetProp(alias, (const xmlChar *)"name") : NULL;
		if (name && xmlStrlen(name) < (int)sizeof(list[count].alias))
			strcpy(list[count].alias, (const char *)name);
		xmlFree(name);
		count++;
	}
out:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	if (rc < 0) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return 0;
}

int svff_domxml_find(const char *xml, const char *vf_addr,
		     char guest_addr[SVFF_ADDR_LEN], struct svff_error *err)
{
	struct svff_hostdev *hds;
	size_t n;
	int rc = svff_domxml_hostdevs(xml, &hds, &n, err);
	if (rc < 0)
		return rc;
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (!strcmp(hds[i].host_addr, vf_addr)) {
			if (guest_addr)
				memcpy(guest_addr, hds[i].guest_addr, SVFF_ADDR_LEN);
			rc = 1;
		}
	free(hds);
	return rc;
}
