/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What attach and list share about VF network settings: the options and
 * how they print. */
#ifndef SVFF_CMD_NET_CMD_H
#define SVFF_CMD_NET_CMD_H

#include "cmd.h"

/* The options --mac, --vlan, --spoofchk, --trust, --max-rate and
 * --min-rate, in that order from inv->cmd->opts[first], into out; a usage
 * error for a malformed one. */
int svff_net_opts(struct svff_inv *inv, int first, struct svff_net *out, struct svff_error *err);

/* The options' entries, for a command's opts table from index first. */
#define SVFF_NET_OPTS(first)                                                                  \
	[(first)] = { "mac", 0, "MAC", "the VF's MAC address (NIC PFs)" },                    \
	[(first) + 1] = { "vlan", 0, "ID", "its VLAN, 1 to 4094, 0 for none (NIC PFs)" },     \
	[(first) + 2] = { "spoofchk", 0, "on|off", "its MAC/VLAN spoof checking (NIC PFs)" }, \
	[(first) + 3] = { "trust", 0, "on|off", "whether the PF trusts it (NIC PFs)" },       \
	[(first) + 4] = { "max-rate", 0, "MBPS", "its transmit limit in Mbit/s, 0 for none" }, \
	[(first) + 5] = { "min-rate", 0, "MBPS", "its guaranteed transmit rate in Mbit/s" }

/* {"mac": ..., ...}, the keys of n->set, under key; null when n is NULL. */
void svff_print_net(struct svff_inv *inv, const char *key, const struct svff_net *n);

#endif
