/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What init, list and 'svff resources' share about resources: the
 * options and how they print. */
#ifndef SVFF_CMD_RES_CMD_H
#define SVFF_CMD_RES_CMD_H

#include "cmd.h"
#include "view.h"

/* --queues and --vectors (the options opt_q and opt_v of inv->cmd) into
 * out, 0 for one not given; a usage error for a malformed one. */
int svff_res_opts(struct svff_inv *inv, int opt_q, int opt_v, struct svff_res *out,
		  struct svff_error *err);

/* {"queues": N, "vectors": N} under key, null for a kind the backend
 * does not manage; no text. */
void svff_print_res(struct svff_inv *inv, const char *key, const struct svff_res *r,
		    unsigned int kinds);
/* The PF's "resources": backend and pool (null without a backend), and
 * with text a line saying what is free. */
void svff_print_pool(struct svff_inv *inv, const struct svff_view *v, bool text);
/* A VF's "resources" (null without a backend): as the device has them,
 * whether live, and what svff gives it; text "2q 1v" (or "-") through
 * fmt, none when fmt is NULL. */
void svff_print_vf_res(struct svff_inv *inv, const struct svff_view *v,
		       const struct svff_row *r, const char *fmt);

#endif
