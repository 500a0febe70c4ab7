/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define MAX_ARG_SHOWN 64   /* quote at most this much of bad input */

/* Parse exactly n hex digits from *p into *v. */
static bool hexn(const char **p, int n, unsigned int *v)
{
	unsigned int x = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (!isxdigit((unsigned char)c))
			return false;
		x = x * 16 + (unsigned int)(isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10));
	}
	*p += n;
	*v = x;
	return true;
}

void svff_format_pci_addr(const struct svff_pci_addr *a, char out[SVFF_ADDR_LEN])
{
	snprintf(out, SVFF_ADDR_LEN, "%04x:%02x:%02x.%x",
		 a->domain & 0xffff, a->bus & 0xff, a->dev & 0x1f, a->fn & 0x7);
}

int svff_parse_pci_addr(const char *s, struct svff_pci_addr *a,
			char canon[SVFF_ADDR_LEN], struct svff_error *err)
{
	struct svff_pci_addr r = { 0 };
	const char *p = s;
	size_t len = strlen(s);

	if (len == 12) {
		if (!hexn(&p, 4, &r.domain) || *p++ != ':')
			goto bad;
	} else if (len != 7) {
		goto bad;
	}
	if (!hexn(&p, 2, &r.bus) || *p++ != ':' || !hexn(&p, 2, &r.dev) ||
	    *p++ != '.' || !hexn(&p, 1, &r.fn) || *p)
		goto bad;
	if (r.dev > 0x1f || r.fn > 7)
		goto bad;
	if (a)
		*a = r;
	if (canon)
		svff_format_pci_addr(&r, canon);
	return 0;
bad:
	return svff_err(err, -EINVAL,
			"invalid PCI address '%.*s%s': expected DDDD:BB:DD.F or BB:DD.F",
			MAX_ARG_SHOWN, s, len > MAX_ARG_SHOWN ? "..." : "");
}

int svff_parse_uint(const char *s, unsigned int max, const char *what,
		    unsigned int *out, struct svff_error *err)
{
	unsigned long v = 0;
	size_t len = strlen(s);

	if (len == 0 || len > 10)
		goto bad;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > max)
		return svff_err(err, -ERANGE, "%s '%s' is out of range: at most %u",
				what, s, max);
	*out = (unsigned int)v;
	return 0;
bad:
	return svff_err(err, -EINVAL, "invalid %s '%.*s%s': expected a number from 0 to %u",
			what, MAX_ARG_SHOWN, s, len > MAX_ARG_SHOWN ? "..." : "", max);
}

bool svff_looks_like_vf(const char *s)
{
	/* "vf" prefixes an index only: "vf3", not "vf3b:00.0" */
	if (!strncmp(s, "vf", 2))
		return s[2] && strspn(s + 2, "0123456789") == strlen(s + 2);
	if (*s && strspn(s, "0123456789") == strlen(s))
		return true;
	return svff_parse_pci_addr(s, NULL, NULL, NULL) == 0;
}

int svff_parse_vf(const char *s, struct svff_vf_ref *ref, struct svff_error *err)
{
	struct svff_vf_ref r = { 0 };
	const char *num = strncmp(s, "vf", 2) ? s : s + 2;

	if (*num && strspn(num, "0123456789") == strlen(num)) {
		int rc = svff_parse_uint(num, 65535, "VF index", &r.index, err);
		if (rc < 0)
			return rc;
	} else if (svff_parse_pci_addr(s, NULL, r.addr, NULL) == 0) {
		r.by_addr = true;
	} else {
		size_t len = strlen(s);
		return svff_err(err, -EINVAL,
				"invalid VF '%.*s%s': expected vfN, N or a PCI address",
				MAX_ARG_SHOWN, s, len > MAX_ARG_SHOWN ? "..." : "");
	}
	*ref = r;
	return 0;
}

int svff_check_vm_name(const char *s, struct svff_error *err)
{
	size_t len = strlen(s);

	if (len == 0)
		return svff_err(err, -EINVAL, "invalid VM name: it is empty");
	if (len >= SVFF_VM_NAME_LEN)
		return svff_err(err, -ENAMETOOLONG,
				"invalid VM name '%.*s...': longer than %d bytes",
				MAX_ARG_SHOWN, s, SVFF_VM_NAME_LEN - 1);
	for (const char *p = s; *p; p++)
		if (*p == '/' || iscntrl((unsigned char)*p))
			return svff_err(err, -EINVAL,
					"invalid VM name: it contains '/' or a control character");
	return 0;
}

int svff_parse_mac(const char *s, unsigned char mac[6], struct svff_error *err)
{
	size_t len = strlen(s);
	unsigned char m[6];

	if (len != 17)
		goto bad;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != ':'))
			goto bad;
		char hex[3] = { p[0], p[1], '\0' };
		m[i] = (unsigned char)strtoul(hex, NULL, 16);
	}
	/* what the PF drivers refuse (is_valid_ether_addr) */
	if (m[0] & 1)
		return svff_err(err, -EINVAL, "MAC address '%s' is a multicast or broadcast "
				"address: a VF needs a unicast one", s);
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return svff_err(err, -EINVAL, "MAC address '%s' is all zeros: a VF needs a "
				"unicast one", s);
	memcpy(mac, m, 6);
	return 0;
bad:
	return svff_err(err, -EINVAL, "invalid MAC address '%.*s%s': expected six hex bytes "
			"separated by ':', e.g. 52:54:00:12:34:56", MAX_ARG_SHOWN, s,
			len > MAX_ARG_SHOWN ? "..." : "");
}

int svff_parse_onoff(const char *s, const char *what, bool *out, struct svff_error *err)
{
	if (!strcmp(s, "on") || !strcmp(s, "off")) {
		*out = !strcmp(s, "on");
		return 0;
	}
	return svff_err(err, -EINVAL, "invalid %s '%.*s%s': expected 'on' or 'off'", what,
			MAX_ARG_SHOWN, s, strlen(s) > MAX_ARG_SHOWN ? "..." : "");
}

void svff_format_mac(const unsigned char mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

void svff_net_format(const struct svff_net *n, char *out, size_t len)
{
	size_t at = 0;
	char mac[18];

	out[0] = '\0';
#define PUT(...) \
	do { \
		int k = snprintf(out + at, len - at, "%s", at ? " " : ""); \
		at += k > 0 && (size_t)k < len - at ? (size_t)k : 0; \
		k = snprintf(out + at, len - at, __VA_ARGS__); \
		at += k > 0 && (size_t)k < len - at ? (size_t)k : 0; \
	} while (0)
	if (n->set & SVFF_NET_MAC) {
		svff_format_mac(n->mac, mac);
		PUT("mac %s", mac);
	}
	if (n->set & SVFF_NET_VLAN)
		PUT("vlan %u", n->vlan);
	if (n->set & SVFF_NET_SPOOFCHK)
		PUT("spoofchk %s", n->spoofchk ? "on" : "off");
	if (n->set & SVFF_NET_TRUST)
		PUT("trust %s", n->trust ? "on" : "off");
	if (n->set & SVFF_NET_MAX_RATE)
		PUT("max-rate %u", n->max_rate);
	if (n->set & SVFF_NET_MIN_RATE)
		PUT("min-rate %u", n->min_rate);
#undef PUT
}
