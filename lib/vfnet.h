/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VF's network settings (MAC, VLAN, spoof checking, trust, rates), set
 * and read on its PF's netdev through rtnetlink (libnl-route-3), as
 * `ip link set PF vf N ...` does. Only NIC PFs have a netdev; a re-created
 * VF starts without its settings, so svff gives them again.
 */
#ifndef SVFF_VFNET_H
#define SVFF_VFNET_H

#include <net/if.h>

#include "state.h"
#include "svff.h"

/* The netdev of PF (sysfs net/), or -ENODEV naming the PF's driver. */
int svff_vfnet_netdev(const struct svff_ctx *ctx, const char *pf, char name[IF_NAMESIZE],
		      struct svff_error *err);

/* What the kernel reports of VF index vf (all of SVFF_NET_ALL that the
 * driver reports). */
int svff_vfnet_get(const struct svff_ctx *ctx, const char *pf, unsigned int vf,
		   struct svff_net *out, struct svff_error *err);

/* The same for n VFs at once, one netlink request: out[i] for vfs[i];
 * a VF the kernel does not report is left with set == 0. */
int svff_vfnet_get_many(const struct svff_ctx *ctx, const char *pf, const unsigned int *vfs,
			struct svff_net *out, size_t n, struct svff_error *err);

/* Give VF index vf the settings of want that it lacks, one request (and
 * one step) each, so that a refusal names the setting; returns how many
 * it changed, or -errno. */
int svff_vfnet_set(const struct svff_ctx *ctx, const char *pf, unsigned int vf,
		   const struct svff_net *want, struct svff_error *err);

/* The PF's link, read once, for svff_vfnet_apply on many of its VFs: one
 * netlink dump of the PF (its VF list) instead of one per VF, which on
 * some drivers (mlx5) means a firmware query per VF for its statistics. */
struct svff_vfnet;
int svff_vfnet_open(const struct svff_ctx *ctx, const char *pf, struct svff_vfnet **out,
		    struct svff_error *err);
/* svff_vfnet_set's work through an open PF link */
int svff_vfnet_apply(struct svff_vfnet *h, unsigned int vf, const struct svff_net *want,
		     struct svff_error *err);
void svff_vfnet_close(struct svff_vfnet *h);

/* The settings of want that have differs from (as SVFF_NET_* bits). */
unsigned int svff_vfnet_differ(const struct svff_net *want, const struct svff_net *have);

#endif
