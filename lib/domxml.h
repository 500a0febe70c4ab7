/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt domain XML, built and read with libxml2: the <hostdev> svff
 * attaches, and the guest addresses libvirt gave hostdevs.
 */
#ifndef SVFF_DOMXML_H
#define SVFF_DOMXML_H

#include <stddef.h>

#include "state.h"
#include "svff.h"

/* libxml2 made ready for the threads that read domain XML at once (the
 * parallel hot-unplug requests and hot-plugs): once, before any. */
void svff_domxml_init(void);

/* <hostdev mode='subsystem' type='pci' managed='no'> for host address
 * vf_addr; with guest_addr (may be NULL or "") pinned at that guest PCI
 * address, so unpause puts the VF back where the guest had it. */
int svff_hostdev_xml(const char *vf_addr, const char *guest_addr, char **out,
		     struct svff_error *err);

/* One PCI hostdev of a domain. */
struct svff_hostdev {
	char host_addr[SVFF_ADDR_LEN];
	char guest_addr[SVFF_ADDR_LEN];   /* "" when libvirt gave none */
	char alias[SVFF_ALIAS_LEN];       /* libvirt's device alias, "" if none */
};

/* Every PCI hostdev in a domain's XML. */
int svff_domxml_hostdevs(const char *xml, struct svff_hostdev **out, size_t *n,
			 struct svff_error *err);

/* The hostdev of host address vf_addr: 1 and its guest address when it is
 * there, 0 when it is not. */
int svff_domxml_find(const char *xml, const char *vf_addr,
		     char guest_addr[SVFF_ADDR_LEN], struct svff_error *err);

#endif
