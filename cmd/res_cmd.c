/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "parse.h"
#include "res_cmd.h"

static int opt(struct svff_inv *inv, int i, const char *what, unsigned int *out,
	       struct svff_error *err)
{
	int rc;

	*out = 0;
	if (!inv->set[i])
		return 0;
	rc = svff_parse_uint(inv->val[i], 65535, what, out, err);
	if (rc < 0)
		return svff_err_kind(err, SVFF_ERR_USAGE, rc);
	if (*out == 0)
		rc = svff_usage_err(err, "%s must be at least 1", what);
	return rc;
}

int svff_res_opts(struct svff_inv *inv, int opt_q, int opt_v, struct svff_res *out,
		  struct svff_error *err)
{
	int rc = opt(inv, opt_q, "--queues", &out->queues, err);
	return rc < 0 ? rc : opt(inv, opt_v, "--vectors", &out->vectors, err);
}

void svff_print_res(struct svff_inv *inv, const char *key, const struct svff_res *r,
		    unsigned int kinds)
{
	svff_out_open_object(inv, key);
	if (kinds & SVFF_RES_QUEUES)
		svff_print_uint(inv, "queues", NULL, r->queues);
	else
		svff_print_null(inv, "queues");
	if (kinds & SVFF_RES_VECTORS)
		svff_print_uint(inv, "vectors", NULL, r->vectors);
	else
		svff_print_null(inv, "vectors");
	svff_out_close(inv);
}

static void text_kind(struct svff_inv *inv, const char *what, unsigned int free_,
		      unsigned int total)
{
	svff_text(inv, "%u of %u %s free", free_, total, what);
}

void svff_print_pool(struct svff_inv *inv, const struct svff_view *v, bool text)
{
	const struct svff_res_pool *p = &v->pool;

	if (!v->has_res) {
		svff_print_null(inv, "resources");
		return;
	}
	svff_out_open_object(inv, "resources");
	svff_print_str(inv, "backend", text ? "  resources (%s): " : NULL, v->res_backend);
	svff_print_res(inv, "total", &p->total, p->kinds);
	svff_print_res(inv, "free", &p->free, p->kinds);
	svff_print_res(inv, "min", &p->min, p->kinds);
	svff_print_res(inv, "max", &p->max, p->kinds);
	svff_print_res(inv, "default", &p->def, p->kinds);
	svff_out_close(inv);
	if (!text)
		return;
	if (p->kinds & SVFF_RES_QUEUES)
		text_kind(inv, "queues", p->free.queues, p->total.queues);
	if ((p->kinds & SVFF_RES_QUEUES) && (p->kinds & SVFF_RES_VECTORS))
		svff_text(inv, ", ");
	if (p->kinds & SVFF_RES_VECTORS)
		text_kind(inv, "vectors", p->free.vectors, p->total.vectors);
	svff_text(inv, "\n");
}

void svff_print_vf_res(struct svff_inv *inv, const struct svff_view *v,
		       const struct svff_row *r, const char *fmt)
{
	char cell[32] = "-";
	unsigned int k = v->pool.kinds;

	if (!v->has_res) {
		svff_print_null(inv, "resources");
		return;
	}
	svff_out_open_object(inv, "resources");
	if (r->live && r->res.known) {
		svff_print_res(inv, "has", &r->res.r, k);
		svff_print_bool(inv, "live", NULL, r->res.live);
		int n = 0;
		if (k & SVFF_RES_QUEUES)
			n += snprintf(cell + n, sizeof(cell) - (size_t)n, "%uq", r->res.r.queues);
		if (k & SVFF_RES_VECTORS)
			n += snprintf(cell + n, sizeof(cell) - (size_t)n, "%s%uv", n ? " " : "",
				      r->res.r.vectors);
		if (!r->res.live)
			snprintf(cell + n, sizeof(cell) - (size_t)n, " off");
	} else {
		svff_print_null(inv, "has");
		svff_print_null(inv, "live");
	}
	if (v->managed && !v->managed->res_off)
		svff_print_res(inv, "gives", &r->want, k);
	else
		svff_print_null(inv, "gives");
	svff_out_close(inv);
	if (fmt)
		svff_text(inv, fmt, cell);
}
