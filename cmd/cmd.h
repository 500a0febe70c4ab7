/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every command file shares: its descriptor (kmod style: each
 * cmd/<verb>.c ends with one), the parsed invocation, exit statuses and
 * the one error format.
 */
#ifndef SVFF_CMD_H
#define SVFF_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "log.h"
#include "out.h"
#include "svff.h"
#include "target.h"

/* Exit statuses; man/svff.8 EXIT STATUS documents each. */
enum {
	SVFF_EXIT_OK = 0,
	SVFF_EXIT_FAIL = 1,     /* failed; nothing changed, or rolled back */
	SVFF_EXIT_USAGE = 2,    /* bad command line */
	SVFF_EXIT_BUSY = 3,     /* state lock held by another svff too long */
	SVFF_EXIT_RECOVER = 4,  /* an interrupted operation needs 'svff recover' */
};

#define SVFF_MAX_CMD_OPTS 8
#define SVFF_CMD_LOCKS 0x100    /* svff_cmd.session: main opens one */

/* A command-specific option, e.g. --force. */
struct svff_cmd_opt {
	const char *name;
	int short_name;         /* 0 for none */
	const char *arg;        /* NULL when it takes no argument */
	const char *help;
};

struct svff_global {
	const char *device;     /* -d */
	bool json, quiet;
	int verbose;
};

struct svff_inv {
	const struct svff_cmd *cmd;
	struct svff_ctx *ctx;
	struct svff_global *g;
	int argc;               /* positional arguments only */
	char **argv;
	/* the arguments after a "--" (the last of argv), -1: no "--" */
	int after_dashdash;
	bool set[SVFF_MAX_CMD_OPTS];        /* indexed like cmd->opts */
	const char *val[SVFF_MAX_CMD_OPTS];
	unsigned int num[SVFF_MAX_CMD_OPTS]; /* numbers among them, as check parsed them */
	struct svff_targets tg; /* the VMs and VFs named, as cmd->targets says */
	struct svff_session *s; /* the session main opened (cmd->session) */
	struct svff_out out;    /* what the command prints */
	struct svff_log log;    /* what it logs (cmd/log.c) */
};

struct svff_cmd {
	const char *name;
	const char *alias;      /* NULL when none */
	const char *args;       /* synopsis of the positional arguments */
	const char *summary;    /* one line, for 'svff help' */
	const char *desc;       /* paragraph for 'svff help CMD' */
	int min_args, max_args; /* max -1: unbounded */
	enum svff_targets_form targets; /* how main parses the arguments */
	/* SVFF_CMD_LOCKS: main opens inv->s before run, with the other bits
	 * as svff_session_open's flags, and closes it after */
	unsigned int session;
	/* checks of the command line, before anything is locked (or NULL) */
	int (*check)(struct svff_inv *inv, struct svff_error *err);
	struct svff_cmd_opt opts[SVFF_MAX_CMD_OPTS]; /* ends at name NULL */
	/* 0, or a negative errno with err filled (lib's convention); main
	 * turns it into the exit status and prints the error */
	int (*run)(struct svff_inv *inv, struct svff_error *err);
};

extern const struct svff_cmd *const svff_cmds[];
const struct svff_cmd *svff_cmd_find(const char *name);
void svff_cmd_help(const struct svff_cmd *cmd, FILE *out);

/* cmd/exit.c: the one way a command's failure reaches the user. */
/* The exit status of a command's result (man/svff.8 EXIT STATUS). */
int svff_exit_status(int rc, const struct svff_error *err);
/* A malformed or ambiguous command line: -EINVAL, of kind usage. */
int svff_usage_err(struct svff_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "svff: <message>" on stderr. */
void svff_print_err(const struct svff_error *err);
/* Keep the latest of several failures in (*rc, err), printing the one it
 * replaces: a command that goes on after a failure returns the last one,
 * and each is said once, in order. Returns *rc. */
int svff_err_keep(int *rc, struct svff_error *err, int rc2, const struct svff_error *e2);

/* cmd/reconf.c: the claims a reconf or reprogram paused and gave back,
 * and those it displaced ("restored", "displaced") */
struct svff_reconf;
void svff_reconf_report(struct svff_inv *inv, const struct svff_reconf *r);

/* cmd/common.c */
struct svff_session;
/* Print each step under -v ("+ ...") and -n ("would: ..."): to stdout,
 * to stderr under -j; log each change made (cmd/log.h). */
void svff_cmd_steps(struct svff_inv *inv);
/* Open a session for the command (main does, for cmd->session; recover,
 * for each PF); but for recover, which names its PFs, add "pf" to the
 * output. */
int svff_cmd_session(struct svff_inv *inv, const char *device, unsigned int flags,
		     struct svff_session *s, struct svff_error *err);

#endif
