/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>

#include "parse.h"
#include "sysfs.h"
#include "vfnet.h"

int svff_vfnet_netdev(const struct svff_ctx *ctx, const char *pf, char name[IF_NAMESIZE],
		      struct svff_error *err)
{
	char path[SVFF_PATH_MAX], driver[64] = "";
	struct dirent *e;
	DIR *d;
	int rc = svff_dev_path(ctx, pf, "net", path);

	if (rc < 0)
		return svff_err(err, rc, "no PCI device '%s'", pf);
	name[0] = '\0';
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strlen(e->d_name) < IF_NAMESIZE) {
			snprintf(name, IF_NAMESIZE, "%s", e->d_name);
			break;
		}
	if (d)
		closedir(d);
	if (name[0])
		return 0;
	if (svff_dev_link(ctx, pf, "driver", driver, sizeof(driver)) < 0)
		snprintf(driver, sizeof(driver), "no driver");
	return svff_err(err, -ENODEV, "%s (driver %s) has no network interface: VF network "
			"settings need a NIC PF whose driver takes them (e.g. igb, ixgbe, i40e, "
			"ice, mlx5_core)", pf, driver);
}

static const char *nl_msg(int nlerr)
{
	return nl_geterror(nlerr);
}

/* The PF's link, with its VF list (libnl asks with RTEXT_FILTER_VF). */
static int pf_link(const struct svff_ctx *ctx, const char *pf, struct nl_sock **sock,
		   struct rtnl_link **link, char ifname[IF_NAMESIZE], struct svff_error *err)
{
	int rc = svff_vfnet_netdev(ctx, pf, ifname, err), e;

	*sock = NULL;
	*link = NULL;
	if (rc < 0)
		return rc;
	*sock = nl_socket_alloc();
	if (!*sock)
		return svff_err(err, -ENOMEM, "out of memory");
	if ((e = nl_connect(*sock, NETLINK_ROUTE)) < 0 ||
	    (e = rtnl_link_get_kernel(*sock, 0, ifname, link)) < 0) {
		nl_socket_free(*sock);
		*sock = NULL;
		return svff_err(err, -EIO, "cannot read the link %s of %s: %s", ifname, pf,
				nl_msg(e));
	}
	return 0;
}

static void pf_link_close(struct nl_sock *sock, struct rtnl_link *link)
{
	if (link)
		rtnl_link_put(link);
	if (sock)
		nl_socket_free(sock);
}

static int vf_read(struct rtnl_link *link, const char *pf, const char *ifname, unsigned int vf,
		   struct svff_net *out, struct svff_error *err)
{
	uint32_t n = 0, v;
	struct nl_addr *a = NULL;
	nl_vf_vlans_t *vl = NULL;
	struct nl_vf_rate rate = { .api = RTNL_LINK_VF_RATE_API_NEW };
	struct rtnl_link_vf *x;

	memset(out, 0, sizeof(*out));
	/* without VFs the kernel sends no list, and libnl has none to search */
	if (rtnl_link_get_num_vf(link, &n) < 0 || vf >= n || !rtnl_link_has_vf_list(link) ||
	    !(x = rtnl_link_vf_get(link, vf)))
		return svff_err(err, -ENODEV, "%s (%s) reports no VF %u (it reports %u)", ifname,
				pf, vf, n);
	if (rtnl_link_vf_get_addr(x, &a) == 0 && a && nl_addr_get_len(a) == 6) {
		memcpy(out->mac, nl_addr_get_binary_addr(a), 6);
		out->set |= SVFF_NET_MAC;
	}
	out->set |= SVFF_NET_VLAN;   /* libnl reports no VLAN list for VLAN 0 */
	if (rtnl_link_vf_get_vlans(x, &vl) == 0 && vl) {
		if (vl->size > 0)
			out->vlan = vl->vlans[0].vf_vlan;
		rtnl_link_vf_vlan_put(vl);   /* get_vlans took a reference */
	}
	if (rtnl_link_vf_get_spoofchk(x, &v) == 0 && v != (uint32_t)-1) {
		out->spoofchk = v;
		out->set |= SVFF_NET_SPOOFCHK;
	}
	if (rtnl_link_vf_get_trust(x, &v) == 0 && v != (uint32_t)-1) {
		out->trust = v;
		out->set |= SVFF_NET_TRUST;
	}
	if (rtnl_link_vf_get_rate(x, &rate) == 0) {
		out->max_rate = rate.max_tx_rate;
		out->min_rate = rate.min_tx_rate;
		out->set |= SVFF_NET_MAX_RATE | SVFF_NET_MIN_RATE;
	}
	rtnl_link_vf_put(x);
	return 0;
}

int svff_vfnet_get(const struct svff_ctx *ctx, const char *pf, unsigned int vf,
		   struct svff_net *out, struct svff_error *err)
{
	struct nl_sock *sock;
	struct rtnl_link *link;
	char ifname[IF_NAMESIZE];
	int rc = pf_link(ctx, pf, &sock, &link, ifname, err);

	if (rc == 0)
		rc = vf_read(link, pf, ifname, vf, out, err);
	pf_link_close(sock, link);
	return rc;
}

int svff_vfnet_get_many(const struct svff_ctx *ctx, const char *pf, const unsigned int *vfs,
			struct svff_net *out, size_t n, struct svff_error *err)
{
	struct nl_sock *sock;
	struct rtnl_link *link;
	char ifname[IF_NAMESIZE];
	int rc = pf_link(ctx, pf, &sock, &link, ifname, err);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct svff_error e = { 0 };
		if (vf_read(link, pf, ifname, vfs[i], &out[i], &e) < 0)
			out[i].set = 0;
	}
	pf_link_close(sock, link);
	return rc;
}

unsigned int svff_vfnet_differ(const struct svff_net *want, const struct svff_net *have)
{
	unsigned int d = 0, both = want->set & have->set;

	d |= want->set & ~have->set;
	if (both & SVFF_NET_MAC && memcmp(want->mac, have->mac, 6))
		d |= SVFF_NET_MAC;
	if (both & SVFF_NET_VLAN && want->vlan != have->vlan)
		d |= SVFF_NET_VLAN;
	if (both & SVFF_NET_SPOOFCHK && want->spoofchk != have->spoofchk)
		d |= SVFF_NET_SPOOFCHK;
	if (both & SVFF_NET_TRUST && want->trust != have->trust)
		d |= SVFF_NET_TRUST;
	if (both & SVFF_NET_MAX_RATE && want->max_rate != have->max_rate)
		d |= SVFF_NET_MAX_RATE;
	if (both & SVFF_NET_MIN_RATE && want->min_rate != have->min_rate)
		d |= SVFF_NET_MIN_RATE;
	return d;
}

/* One setting (bit) of want on VF vf: an RTM_SETLINK with one IFLA_VF_INFO. */
static int vf_write(struct nl_sock *sock, struct rtnl_link *link, unsigned int vf,
		    const struct svff_net *want, unsigned int bit)
{
	struct rtnl_link *chg = rtnl_link_alloc();
	struct rtnl_link_vf *x = rtnl_link_vf_alloc();
	struct nl_addr *a = NULL;
	nl_vf_vlans_t *vl = NULL;
	int e = chg && x ? 0 : -NLE_NOMEM;

	if (e == 0) {
		rtnl_link_set_ifindex(chg, rtnl_link_get_ifindex(link));
		rtnl_link_vf_set_index(x, vf);
	}
	if (e == 0 && bit == SVFF_NET_MAC) {
		a = nl_addr_build(AF_LLC, want->mac, 6);
		if (a)
			rtnl_link_vf_set_addr(x, a);
		else
			e = -NLE_NOMEM;
	} else if (e == 0 && bit == SVFF_NET_VLAN) {
		e = rtnl_link_vf_vlan_alloc(&vl, 1);
		if (e == 0) {
			vl->vlans[0].vf_vlan = want->vlan;
			vl->vlans[0].vf_vlan_qos = 0;
			vl->vlans[0].vf_vlan_proto = ETH_P_8021Q;
			rtnl_link_vf_set_vlans(x, vl);
		}
	} else if (e == 0 && bit == SVFF_NET_SPOOFCHK) {
		rtnl_link_vf_set_spoofchk(x, want->spoofchk);
	} else if (e == 0 && bit == SVFF_NET_TRUST) {
		rtnl_link_vf_set_trust(x, want->trust);
	} else if (e == 0) {
		/* min and max travel together in IFLA_VF_RATE: send both */
		struct nl_vf_rate r = { .api = RTNL_LINK_VF_RATE_API_NEW,
					.max_tx_rate = want->max_rate,
					.min_tx_rate = want->min_rate };
		rtnl_link_vf_set_rate(x, &r);
	}
	if (e == 0)
		e = rtnl_link_vf_add(chg, x);
	if (e == 0)
		e = rtnl_link_change(sock, link, chg, 0);
	if (a)
		nl_addr_put(a);
	if (vl)
		rtnl_link_vf_vlan_put(vl);
	if (x)
		rtnl_link_vf_put(x);
	if (chg)
		rtnl_link_put(chg);
	return e;
}

static const char *bit_name(unsigned int bit)
{
	switch (bit) {
	case SVFF_NET_MAC: return "mac";
	case SVFF_NET_VLAN: return "vlan";
	case SVFF_NET_SPOOFCHK: return "spoofchk";
	case SVFF_NET_TRUST: return "trust";
	default: return "rate";
	}
}

struct svff_vfnet {
	const struct svff_ctx *ctx;
	char pf[SVFF_ADDR_LEN];
	char ifname[IF_NAMESIZE];
	struct nl_sock *sock;
	struct rtnl_link *link;   /* the PF's link and its VF list, read at open */
};

int svff_vfnet_open(const struct svff_ctx *ctx, const char *pf, struct svff_vfnet **out,
		    struct svff_error *err)
{
	struct svff_vfnet *h = calloc(1, sizeof(*h));
	int rc;

	*out = NULL;
	if (!h)
		return svff_err(err, -ENOMEM, "out of memory");
	h->ctx = ctx;
	snprintf(h->pf, sizeof(h->pf), "%s", pf);
	rc = pf_link(ctx, pf, &h->sock, &h->link, h->ifname, err);
	if (rc < 0) {
		free(h);
		return rc;
	}
	*out = h;
	return 0;
}

void svff_vfnet_close(struct svff_vfnet *h)
{
	if (!h)
		return;
	pf_link_close(h->sock, h->link);
	free(h);
}

int svff_vfnet_apply(struct svff_vfnet *h, unsigned int vf, const struct svff_net *want,
		     struct svff_error *err)
{
	struct svff_net have;
	int rc, changed = 0;

	if (!want->set)
		return 0;
	/* the VF list read at open: a write to one VF changes no other */
	rc = vf_read(h->link, h->pf, h->ifname, vf, &have, err);
	unsigned int todo = rc == 0 ? svff_vfnet_differ(want, &have) : 0;
	/* the rate's two halves are one request */
	if (todo & SVFF_NET_MIN_RATE)
		todo = (todo & ~SVFF_NET_MIN_RATE) | SVFF_NET_MAX_RATE;
	for (unsigned int bit = 1; rc == 0 && bit <= SVFF_NET_MAX_RATE; bit <<= 1) {
		if (!(todo & bit))
			continue;
		struct svff_net one = *want;
		char what[96];
		one.set = bit == SVFF_NET_MAX_RATE ? bit | SVFF_NET_MIN_RATE : bit;
		if (bit == SVFF_NET_MAX_RATE) {
			if (!(want->set & SVFF_NET_MAX_RATE))
				one.max_rate = have.max_rate;
			if (!(want->set & SVFF_NET_MIN_RATE))
				one.min_rate = have.min_rate;
		}
		svff_net_format(&one, what, sizeof(what));
		if (!svff_step(h->ctx, "netlink: set vf%u of %s: %s", vf, h->ifname, what))
			continue;
		int e = vf_write(h->sock, h->link, vf, &one, bit);
		if (e < 0)
			rc = svff_err(err, -EIO, "%s (%s) refused %s for vf%u: %s", h->ifname, h->pf,
				      bit_name(bit), vf, nl_msg(e));
		else
			changed++;
	}
	return rc < 0 ? rc : changed;
}

int svff_vfnet_set(const struct svff_ctx *ctx, const char *pf, unsigned int vf,
		   const struct svff_net *want, struct svff_error *err)
{
	struct svff_vfnet *h;
	int rc;

	if (!want->set)
		return 0;
	rc = svff_vfnet_open(ctx, pf, &h, err);
	if (rc == 0)
		rc = svff_vfnet_apply(h, vf, want, err);
	svff_vfnet_close(h);
	return rc;
}
