/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system log (svff(8), LOGGING): every change a command makes, one
 * line each through syslog(3), ident "svff", facility daemon, as
 *
 *   verb=attach pf=0000:01:00.0 vf=vf3 vm=vm1 op=5f0c2a91d4e7: <change>
 *
 * then "done: N changes" after the last (with the VF and VM when every
 * change named the same), or "failed: <message>" (priority err) when the
 * command fails. <change> is the step that -v prints (the
 * sysfs write, the libvirt call, the admin command); PF, VF and VM are
 * those it concerns ("-" for none), op the id of the command's run,
 * random, the same on each of its lines. Under -n nothing is logged.
 * The library never logs: it reports each step (svff_ctx.on_step) and
 * the command layer logs it here.
 */
#ifndef SVFF_CMD_LOG_H
#define SVFF_CMD_LOG_H

#include <stdbool.h>

#include "pf.h"

struct svff_inv;
struct svff_error;
struct svff_session;

struct svff_log {
	bool on;                  /* a verb that changes the host, not under -n */
	char op[13];              /* the run's id: 12 hex digits */
	struct svff_pf_info pf;   /* the PF being changed (addr "" when none
	                           * yet): its address and VF routing only */
	unsigned int changes;     /* lines logged */
	/* the VF and VM every change named, for the last line: -1 and "-"
	 * when none, or once two changes differ */
	int vf;
	char vm[SVFF_VM_NAME_LEN];
};

/* From here on, log the command's changes and its failure (svff_cmd_steps
 * calls it: the verbs that change the host). */
void svff_log_start(struct svff_inv *inv);
/* The PF the command works on now (a session opened). */
void svff_log_pf(struct svff_inv *inv, const struct svff_session *s);
/* One change, as the step's words say it; VF and VM are read from them. */
void svff_log_change(struct svff_inv *inv, const char *what);
/* A line a command svff runs wrote (reprogram's): priority warning for
 * its stderr. */
void svff_log_output(struct svff_inv *inv, bool on_err, const char *line);
/* main, after the command: "failed: ..." or "done: N changes". */
void svff_log_end(struct svff_inv *inv, int rc, const struct svff_error *err);

#endif
