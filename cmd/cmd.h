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

#include "svff.h"

/* Exit statuses; man/svff.8 EXIT STATUS documents each. */
enum {
	SVFF_EXIT_OK = 0,
	SVFF_EXIT_FAIL = 1,     /* failed; nothing changed, or rolled back */
	SVFF_EXIT_USAGE = 2,    /* bad command line */
	SVFF_EXIT_BUSY = 3,     /* state lock held by another svff too long */
	SVFF_EXIT_RECOVER = 4,  /* an interrupted operation needs 'svff recover' */
};

#define SVFF_MAX_CMD_OPTS 8

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
	struct svff_ctx *ctx;
	struct svff_global *g;
	int argc;               /* positional arguments only */
	char **argv;
	bool set[SVFF_MAX_CMD_OPTS];        /* indexed like cmd->opts */
	const char *val[SVFF_MAX_CMD_OPTS];
};

struct svff_cmd {
	const char *name;
	const char *alias;      /* NULL when none */
	const char *args;       /* synopsis of the positional arguments */
	const char *summary;    /* one line, for 'svff help' */
	const char *desc;       /* paragraph for 'svff help CMD' */
	int min_args, max_args; /* max -1: unbounded */
	struct svff_cmd_opt opts[SVFF_MAX_CMD_OPTS]; /* ends at name NULL */
	int (*run)(struct svff_inv *inv);
};

extern const struct svff_cmd *const svff_cmds[];
const struct svff_cmd *svff_cmd_find(const char *name);
void svff_cmd_help(const struct svff_cmd *cmd, FILE *out);

/* "svff: <message>" on stderr; returns status for `return svff_fail(...)`. */
int svff_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int svff_fail_err(int status, const struct svff_error *err);
/* Usage error with a pointer to the command's help. */
int svff_usage(const struct svff_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* cmd/common.c */
struct svff_session;
/* Print each step to stdout under -v ("+ ...") and -n ("would: ..."). */
void svff_cmd_steps(struct svff_inv *inv);
/* Open a session for the command; on failure print the error and return
 * the exit status, else return -1. */
int svff_cmd_session(struct svff_inv *inv, unsigned int flags, struct svff_session *s);
/* Informational output, unless -q or -j. */
void svff_say(const struct svff_inv *inv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
