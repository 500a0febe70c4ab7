/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "net_cmd.h"
#include "parse.h"

static int usage(struct svff_error *err, int rc)
{
	return svff_err_kind(err, SVFF_ERR_USAGE, rc);
}

int svff_net_opts(struct svff_inv *inv, int first, struct svff_net *out, struct svff_error *err)
{
	int rc = 0;
	bool b = false;

	*out = (struct svff_net){ 0 };
	if (inv->set[first]) {
		rc = svff_parse_mac(inv->val[first], out->mac, err);
		out->set |= SVFF_NET_MAC;
	}
	if (rc == 0 && inv->set[first + 1]) {
		rc = svff_parse_uint(inv->val[first + 1], 4094, "--vlan", &out->vlan, err);
		out->set |= SVFF_NET_VLAN;
	}
	if (rc == 0 && inv->set[first + 2]) {
		rc = svff_parse_onoff(inv->val[first + 2], "--spoofchk", &b, err);
		out->spoofchk = b;
		out->set |= SVFF_NET_SPOOFCHK;
	}
	if (rc == 0 && inv->set[first + 3]) {
		rc = svff_parse_onoff(inv->val[first + 3], "--trust", &b, err);
		out->trust = b;
		out->set |= SVFF_NET_TRUST;
	}
	if (rc == 0 && inv->set[first + 4]) {
		rc = svff_parse_uint(inv->val[first + 4], SVFF_NET_RATE_MAX, "--max-rate",
				     &out->max_rate, err);
		out->set |= SVFF_NET_MAX_RATE;
	}
	if (rc == 0 && inv->set[first + 5]) {
		rc = svff_parse_uint(inv->val[first + 5], SVFF_NET_RATE_MAX, "--min-rate",
				     &out->min_rate, err);
		out->set |= SVFF_NET_MIN_RATE;
	}
	if (rc < 0)
		return usage(err, rc);
	/* the kernel's own rule (IFLA_VF_RATE) */
	if ((out->set & SVFF_NET_MAX_RATE) && (out->set & SVFF_NET_MIN_RATE) && out->max_rate &&
	    out->min_rate > out->max_rate)
		return svff_usage_err(err, "--min-rate %u is above --max-rate %u", out->min_rate,
				      out->max_rate);
	return 0;
}

void svff_print_net(struct svff_inv *inv, const char *key, const struct svff_net *n)
{
	char mac[18];

	if (!n) {
		svff_print_null(inv, key);
		return;
	}
	svff_out_open_object(inv, key);
	if (n->set & SVFF_NET_MAC) {
		svff_format_mac(n->mac, mac);
		svff_print_str(inv, "mac", NULL, mac);
	}
	if (n->set & SVFF_NET_VLAN)
		svff_print_uint(inv, "vlan", NULL, n->vlan);
	if (n->set & SVFF_NET_SPOOFCHK)
		svff_print_bool(inv, "spoofchk", NULL, n->spoofchk);
	if (n->set & SVFF_NET_TRUST)
		svff_print_bool(inv, "trust", NULL, n->trust);
	if (n->set & SVFF_NET_MAX_RATE)
		svff_print_uint(inv, "max_rate", NULL, n->max_rate);
	if (n->set & SVFF_NET_MIN_RATE)
		svff_print_uint(inv, "min_rate", NULL, n->min_rate);
	svff_out_close(inv);
}
