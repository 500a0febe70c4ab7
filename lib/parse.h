/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parsers for what users type. Everything that ends up in a sysfs
 * path or a libvirt call passes through here first.
 */
#ifndef SVFF_PARSE_H
#define SVFF_PARSE_H

#include <stdbool.h>

#include "state.h"
#include "svff.h"

struct svff_pci_addr {
	unsigned int domain, bus, dev, fn;
};

/* Accepts "0000:3b:00.0" and "3b:00.0" (domain 0), hex digits in either
 * case; writes the canonical lower-case form to canon (may be NULL). */
int svff_parse_pci_addr(const char *s, struct svff_pci_addr *a,
			char canon[SVFF_ADDR_LEN], struct svff_error *err);
void svff_format_pci_addr(const struct svff_pci_addr *a, char out[SVFF_ADDR_LEN]);

/* A VF as the user names it: "vf3", "3", or a PCI address. */
struct svff_vf_ref {
	bool by_addr;
	unsigned int index;               /* when !by_addr */
	char addr[SVFF_ADDR_LEN];         /* canonical, when by_addr */
};
bool svff_looks_like_vf(const char *s);
int svff_parse_vf(const char *s, struct svff_vf_ref *ref, struct svff_error *err);

/* A decimal count or index in [0, max]: no sign, no spaces, no suffix. */
int svff_parse_uint(const char *s, unsigned int max, const char *what,
		    unsigned int *out, struct svff_error *err);

/* VF network settings as typed: a unicast MAC "52:54:00:12:34:56", a
 * VLAN id 0..4094 (0: none), "on"/"off", a rate in Mbit/s. */
int svff_parse_mac(const char *s, unsigned char mac[6], struct svff_error *err);
int svff_parse_onoff(const char *s, const char *what, bool *out, struct svff_error *err);
void svff_format_mac(const unsigned char mac[6], char out[18]);
/* The settings in n->set, as "mac M vlan V spoofchk on ...": for steps,
 * messages and list. */
void svff_net_format(const struct svff_net *n, char *out, size_t len);

/* A libvirt domain name, UUID or id as given on the command line:
 * non-empty, at most SVFF_VM_NAME_LEN-1 bytes, no '/', no control chars. */
int svff_check_vm_name(const char *s, struct svff_error *err);

#endif
