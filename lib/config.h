/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The declarative configuration (/etc/svff/svff.xml and the drop-ins of
 * *.xml files of /etc/svff/svff.d), read with libxml2 as libvirt reads its own:
 *
 *   <svff>
 *     <pf addr="0000:3b:00.0" vfs="8">
 *       <resources queues="2" vectors="1"/>     every VF (optional)
 *       <vf index="3" queues="4"/>              one VF (optional)
 *       <claim vm="vm1" vf="3" guest="0000:07:00.0"/>   a VM's persistent
 *                                               claim (guest: optional;
 *                                               NIC PFs: mac, vlan, spoofchk,
 *                                               trust, max-rate, min-rate)
 *     </pf>
 *   </svff>
 *
 * What the file cannot mean is refused with its name and line, before
 * anything is looked up on the host: malformed XML, an unknown element or
 * attribute, a malformed value, a PF given twice, a VF claimed twice or
 * beyond the count. What needs the host (a PF that does not exist, a
 * count above its TotalVFs) is svff apply's to check.
 */
#ifndef SVFF_CONFIG_H
#define SVFF_CONFIG_H

#include <stddef.h>

#include "state.h"
#include "svff.h"

#define SVFF_DEFAULT_CONFIG "/etc/svff/svff.xml"
#define SVFF_CONFIG_DIR "/etc/svff/svff.d"

struct svff_config_claim {
	char vm[SVFF_VM_NAME_LEN];
	unsigned int vf;
	char guest_addr[SVFF_ADDR_LEN];  /* "" when not given */
	struct svff_net net;             /* network settings (attach's options) */
	int line;
};

struct svff_config_pf {
	char addr[SVFF_ADDR_LEN];
	unsigned int numvfs;
	struct svff_res res_default;
	struct svff_vf_res *res;         /* sorted by VF */
	size_t n_res;
	struct svff_config_claim *claims;
	size_t n_claims;
	char file[256];                  /* where it is said, for messages */
	int line;
};

struct svff_config {
	struct svff_config_pf *pfs;
	size_t n_pfs;
};

/* Read path (a file), or with path NULL the default file and the
 * drop-ins, in name order (a missing default file with no drop-ins is
 * -ENOENT). Messages are "FILE:LINE: what". */
int svff_config_read(const char *path, struct svff_config **out, struct svff_error *err);
void svff_config_free(struct svff_config *c);

/* The state's PFs as configuration (svff save): counts, resources, and
 * the claims that survive a reboot (those in VMs' persistent
 * configuration), in a malloc'd string. */
int svff_config_write(const struct svff_state *st, char **out, struct svff_error *err);

#endif
