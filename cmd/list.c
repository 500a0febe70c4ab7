/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svff list [VM|VF]: VFs of the managed PFs, their state and owners. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "net_cmd.h"
#include "parse.h"
#include "pf.h"
#include "res_cmd.h"
#include "state.h"
#include "view.h"

static bool row_matches(const struct svff_row *r, const struct svff_target *f)
{
	if (f && f->is_vf)
		return f->vf.by_addr ? r->live && !strcmp(r->live->addr, f->vf.addr)
				     : r->vf == f->vf.index;
	return !f || (r->claim && svff_claim_of(r->claim, f->arg));
}

static const char *row_state(const struct svff_row *r)
{
	return svff_vf_state_name(r->claim ? r->claim->state : SVFF_VF_DETACHED);
}

/* A row: the table's columns, and under -j its object in "vfs". */
/* The table's variable columns, each as wide as its longest cell. */
struct widths {
	char driver[16], vm[16];
};

static void size_columns(const struct svff_view *v, struct widths *w)
{
	int dw = (int)strlen("DRIVER"), vmw = (int)strlen("VM");

	for (size_t i = 0; i < v->n_rows; i++) {
		const struct svff_row *r = &v->rows[i];
		if (r->live && (int)strlen(r->live->driver) > dw)
			dw = (int)strlen(r->live->driver);
		if (r->claim && (int)strlen(r->claim->vm_name) > vmw)
			vmw = (int)strlen(r->claim->vm_name);
	}
	snprintf(w->driver, sizeof(w->driver), "%%-%ds ", dw);
	snprintf(w->vm, sizeof(w->vm), "%%-%ds ", vmw);
}

/* "net": what the kernel reports and what the claim gives, null on a PF
 * without a netdev; text: the MAC and VLAN columns. */
static void print_vf_net(struct svff_inv *inv, const struct svff_view *v,
			 const struct svff_row *r)
{
	char mac[18] = "-", vlan[12] = "-";

	if (!v->has_net) {
		svff_print_null(inv, "net");
		return;
	}
	svff_out_open_object(inv, "net");
	svff_print_net(inv, "has", r->live ? &r->net : NULL);
	svff_print_net(inv, "gives", r->claim && r->claim->net.set ? &r->claim->net : NULL);
	svff_out_close(inv);
	if (r->live && (r->net.set & SVFF_NET_MAC))
		svff_format_mac(r->net.mac, mac);
	if (r->live && (r->net.set & SVFF_NET_VLAN) && r->net.vlan)
		snprintf(vlan, sizeof(vlan), "%u", r->net.vlan);
	svff_text(inv, "%-17s %-4s ", mac, vlan);
}

static void print_row(struct svff_inv *inv, const struct svff_view *v, const struct svff_row *r,
		      const struct widths *w)
{
	const struct svff_vf_info *live = r->live;
	const struct svff_claim *c = r->claim;

	svff_out_open_object(inv, NULL);
	svff_print_uint(inv, "vf", "  %-4u ", r->vf);
	svff_print_str(inv, "addr", "%-13s ", live ? live->addr : NULL);
	svff_print_str(inv, "driver", w->driver, live ? live->driver : NULL);
	if (live && live->iommu_group >= 0) {
		svff_print_int(inv, "iommu_group", "%-6d ", live->iommu_group);
	} else {
		svff_print_null(inv, "iommu_group");
		svff_text(inv, "%-6s ", "-");
	}
	bool released = c && c->state == SVFF_VF_PAUSED && c->rel.alias[0];
	svff_print_str(inv, "state", NULL, row_state(r));
	svff_text(inv, "%-9s ", released ? "released" : row_state(r));
	svff_print_str(inv, "pause_mechanism", NULL, c && c->state == SVFF_VF_PAUSED ?
		       (released ? "release" : "hot-unplug") : NULL);
	svff_print_bool(inv, "vm_suspended", NULL, released && c->rel.suspended);
	svff_print_str(inv, "vm", w->vm, c ? c->vm_name : NULL);
	svff_print_str(inv, "vm_uuid", NULL, c ? c->vm_uuid : NULL);
	svff_print_str(inv, "guest_addr", "%-13s ", c ? c->guest_addr : NULL);
	svff_print_vf_res(inv, v, r, "%-10s ");
	print_vf_net(inv, v, r);
	svff_print_note(inv, "problem", "%s", r->problem);
	svff_text(inv, "\n");
	svff_out_close(inv);
}

static void print_pf(struct svff_inv *inv, const struct svff_view *v)
{
	char vendor[8], device[8];

	snprintf(vendor, sizeof(vendor), "%04x", v->pf.vendor);
	snprintf(device, sizeof(device), "%04x", v->pf.device);
	svff_print_str(inv, "pf", "PF %s  ", v->pf.addr);
	svff_print_str(inv, "vendor", "%s:", vendor);
	svff_print_str(inv, "device", "%s  ", device);
	svff_print_str(inv, "driver", "driver %s  ", v->pf.driver);
	svff_print_uint(inv, "numvfs", "%u of ", v->pf.numvfs);
	svff_print_uint(inv, "totalvfs", "%u VFs", v->pf.totalvfs);
	svff_print_bool(inv, "managed", "  managed", v->managed != NULL);
	svff_text(inv, "\n");
	if (v->managed)
		svff_print_uint(inv, "configured_vfs", NULL, v->managed->numvfs);
	else
		svff_print_null(inv, "configured_vfs");
	if (v->pf.autoprobe >= 0)
		svff_print_bool(inv, "autoprobe", NULL, v->pf.autoprobe);
	else
		svff_print_null(inv, "autoprobe");
	svff_print_note(inv, "problem", "  ! %s\n", v->problem);
	svff_print_pool(inv, v, true);
}

/* The PF and the rows the filter f (NULL: none) lets through; whether
 * one did. */
static bool print_view(struct svff_inv *inv, const struct svff_view *v,
		       const struct svff_target *f)
{
	struct widths w;
	bool any = false;

	svff_out_open_object(inv, NULL);
	print_pf(inv, v);
	size_columns(v, &w);
	svff_text(inv, "  %-4s %-13s ", "VF", "ADDRESS");
	svff_text(inv, w.driver, "DRIVER");
	svff_text(inv, "%-6s %-9s ", "GROUP", "STATE");
	svff_text(inv, w.vm, "VM");
	svff_text(inv, "%-13s ", "GUEST");
	if (v->has_res)
		svff_text(inv, "%-10s ", "RESOURCES");
	if (v->has_net)
		svff_text(inv, "%-17s %-4s ", "MAC", "VLAN");
	svff_text(inv, "%s\n", "NOTE");
	svff_out_open_array(inv, "vfs");
	for (size_t i = 0; i < v->n_rows; i++) {
		if (!row_matches(&v->rows[i], f))
			continue;
		any = true;
		print_row(inv, v, &v->rows[i], &w);
	}
	svff_out_close(inv);
	svff_out_close(inv);
	return any;
}

/* The PFs to show: -d, else those svff manages, else every SR-IOV PF. */
static int pick_pfs(struct svff_inv *inv, const struct svff_state *st,
		    char (**out)[SVFF_ADDR_LEN], size_t *n, struct svff_error *err)
{
	struct svff_pf_info *pfs = NULL;
	size_t count = 0;
	int rc = 0;

	if (!inv->g->device && !st->n_pfs) {
		rc = svff_pf_scan(inv->ctx, &pfs, &count, err);
		if (rc == 0 && !count)
			rc = svff_err(err, -ENODEV, "no SR-IOV capable PCI device found");
	}
	*n = inv->g->device ? 1 : st->n_pfs ? st->n_pfs : count;
	*out = rc == 0 ? calloc(*n + 1, sizeof(**out)) : NULL;
	if (rc == 0 && !*out)
		rc = svff_err(err, -ENOMEM, "out of memory");
	if (rc == 0 && inv->g->device)
		rc = svff_pf_resolve(inv->ctx, inv->g->device, st, (*out)[0], err);
	for (size_t i = 0; rc == 0 && !inv->g->device && i < *n; i++)
		memcpy((*out)[i], st->n_pfs ? st->pfs[i].addr : pfs[i].addr, SVFF_ADDR_LEN);
	svff_pf_list_free(pfs, count);
	return rc;
}

/* Under the writers' lock, what list shows is never a change half made (a
 * VF hot-plugged and not yet recorded). A writer holding it past --wait
 * does not hold list up: it shows the state as it stands and says who is
 * changing it. Other lock errors (no state directory yet) are
 * svff_state_read's to report. */
static int read_state(struct svff_inv *inv, struct svff_store **lock, struct svff_state **st,
		      struct svff_error *err)
{
	if (svff_store_open(inv->ctx->state_dir, inv->ctx->lock_wait_s, false, lock, err) == -EBUSY)
		fprintf(stderr, "svff: warning: %s; listing the state as it stands\n", err->msg);
	*err = (struct svff_error){ 0 };
	return svff_state_read(inv->ctx->state_dir, st, err);
}

static int run(struct svff_inv *inv, struct svff_error *err)
{
	const struct svff_target *f = inv->tg.n ? &inv->tg.t[0] : NULL;
	struct svff_store *lock = NULL;
	struct svff_state *st = NULL;
	char (*addrs)[SVFF_ADDR_LEN] = NULL;
	size_t n = 0;
	bool found = false;
	int rc = read_state(inv, &lock, &st, err);

	if (rc == 0)
		rc = pick_pfs(inv, st, &addrs, &n, err);
	svff_out_open_array(inv, "pfs");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct svff_view v;
		struct svff_error e = { 0 };
		if (svff_view_build(inv->ctx, st, addrs[i], &v, &e) < 0) {
			svff_err_keep(&rc, err, e.code, &e);
			continue;
		}
		found |= print_view(inv, &v, f);
		svff_view_clear(&v);
	}
	svff_out_close(inv);
	if (rc == 0 && f && f->is_vf && !found)
		rc = svff_err(err, -ENODEV, "no VF '%s' on %s", f->arg,
			      n == 1 ? addrs[0] : "the listed PFs");
	free(addrs);
	svff_store_close(lock);
	svff_state_free(st);
	return rc;
}

const struct svff_cmd svff_cmd_list = {
	.name = "list", .alias = "status", .args = "[VM|VF]", .min_args = 0, .max_args = 1,
	.targets = SVFF_TARGETS_ANY, .run = run,
	.summary = "show the VFs, their state and the VMs that hold them",
	.desc = "Lists each PF that svff manages (or the one -d names; with neither,\n"
		"every SR-IOV PF on the host) with its VFs: index, PCI address, driver,\n"
		"IOMMU group, state (detached, attached, paused; released: paused by\n"
		"its VM's QEMU while svff keeps the VM suspended), VM and guest address.\n"
		"A VM name, UUID or id limits the rows to that VM's VFs; a VF (vfN, N or\n"
		"a PCI address) to that VF. NOTE says where the state file and the host\n"
		"disagree: what 'svff recover' mends, by the same rules. With -j the\n"
		"same as JSON (\"schema\": 1).\n"
		"It reads under the state lock; when another svff holds it past --wait,\n"
		"it warns, naming the holder, and lists the state as it stands.",
};
