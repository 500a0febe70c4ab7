/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * svff — manage SR-IOV virtual functions passed to libvirt/QEMU VMs.
 * This file is only the global options and the table of commands; each
 * command lives in cmd/<verb>.c with its descriptor.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "parse.h"
#include "session.h"

extern const struct svff_cmd svff_cmd_init, svff_cmd_deinit, svff_cmd_attach,
	svff_cmd_detach, svff_cmd_pause, svff_cmd_unpause, svff_cmd_reconf, svff_cmd_reprogram,
	svff_cmd_recover, svff_cmd_list, svff_cmd_resources,
	svff_cmd_apply, svff_cmd_save, svff_cmd_help_desc;

const struct svff_cmd *const svff_cmds[] = {
	&svff_cmd_init,
	&svff_cmd_deinit,
	&svff_cmd_attach,
	&svff_cmd_detach,
	&svff_cmd_pause,
	&svff_cmd_unpause,
	&svff_cmd_reconf,
	&svff_cmd_reprogram,
	&svff_cmd_recover,
	&svff_cmd_list,
	&svff_cmd_resources,
	&svff_cmd_apply,
	&svff_cmd_save,
	&svff_cmd_help_desc,
	NULL,
};

/* Global options; also accepted after the verb (svff list -j). */
static const struct option global_opts[] = {
	{ "device",  required_argument, NULL, 'd' },
	{ "connect", required_argument, NULL, 'c' },
	{ "json",    no_argument,       NULL, 'j' },
	{ "dry-run", no_argument,       NULL, 'n' },
	{ "wait",    required_argument, NULL, 'w' },
	{ "timeout", required_argument, NULL, 't' },
	{ "quiet",   no_argument,       NULL, 'q' },
	{ "verbose", no_argument,       NULL, 'v' },
	{ "help",    no_argument,       NULL, 'h' },
	{ "version", no_argument,       NULL, 'V' },
	{ 0 }   /* getopt_long reads up to here */
};
/* Without the end entry: parse_cmd appends the verb's options after these. */
#define N_GLOBAL (sizeof(global_opts) / sizeof(global_opts[0]) - 1)
static const char global_short[] = "d:c:jnw:t:qvhV";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: svff [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Manage SR-IOV virtual functions passed to libvirt/QEMU virtual machines.\n"
		"\n"
		"Options:\n"
		"  -d, --device PF      the physical function (DDDD:BB:DD.F or BB:DD.F)\n"
		"  -c, --connect URI    libvirt URI (default $SVFF_CONNECT, $LIBVIRT_DEFAULT_URI,\n"
		"                       then qemu:///system)\n"
		"  -j, --json           print results as JSON\n"
		"  -n, --dry-run        print the steps, change nothing\n"
		"  -w, --wait SECONDS   wait this long for the state lock (default 30)\n"
		"  -t, --timeout SECONDS  bound on each waiting step (default 60)\n"
		"  -q, --quiet          print only errors\n"
		"  -v, --verbose        print each step\n"
		"  -h, --help           show this help, or a command's with COMMAND --help\n"
		"  -V, --version        show the version\n"
		"\n"
		"Commands:\n");
	for (const struct svff_cmd *const *c = svff_cmds; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\nSee 'svff help COMMAND' and svff(8).\n");
}

const struct svff_cmd *svff_cmd_find(const char *name)
{
	for (const struct svff_cmd *const *c = svff_cmds; *c; c++)
		if (!strcmp((*c)->name, name) || ((*c)->alias && !strcmp((*c)->alias, name)))
			return *c;
	return NULL;
}

void svff_cmd_help(const struct svff_cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: svff [OPTIONS] %s%s%s\n\n%s\n", cmd->name,
		cmd->args[0] ? " " : "", cmd->args, cmd->summary);
	if (cmd->desc)
		fprintf(out, "\n%s\n", cmd->desc);
	if (cmd->alias)
		fprintf(out, "\nAlias: %s\n", cmd->alias);
	if (cmd->opts[0].name) {
		fputs("\nOptions:\n", out);
		for (const struct svff_cmd_opt *o = cmd->opts; o->name; o++) {
			char left[64];
			snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
				 o->short_name ? "-" : "", o->short_name ? o->short_name : ' ',
				 o->short_name ? ", " : "  ", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			const char *l = left + (o->short_name ? 0 : 1);
			/* a long one on its own line, the help under the others' */
			if (strlen(l) > 22)
				fprintf(out, "  %s\n  %-22s %s\n", l, "", o->help);
			else
				fprintf(out, "  %-22s %s\n", l, o->help);
		}
	}
	fputs("\nGlobal options: see 'svff --help'.\n", out);
}

static int seconds_arg(const char *opt, const char *s, int *out, struct svff_error *err)
{
	unsigned int v;
	if (svff_parse_uint(s, 86400, opt, &v, err) < 0)
		return svff_err_kind(err, SVFF_ERR_USAGE, -EINVAL);
	*out = (int)v;
	return 0;
}

/* Handle one global option: 0 to go on, 1 when it did all there is to do
 * (--help, --version), or a negative errno. */
static int global_opt(int c, struct svff_inv *inv, struct svff_error *err)
{
	struct svff_global *g = inv->g;
	switch (c) {
	case 'd': g->device = optarg; return 0;
	case 'c':
		if (svff_ctx_set(&inv->ctx->uri, optarg) < 0)
			return svff_err(err, -ENOMEM, "out of memory");
		return 0;
	case 'j': g->json = true; return 0;
	case 'n': inv->ctx->dry_run = true; return 0;
	case 'w': return seconds_arg("--wait", optarg, &inv->ctx->lock_wait_s, err);
	case 't': return seconds_arg("--timeout", optarg, &inv->ctx->timeout_s, err);
	case 'q': g->quiet = true; return 0;
	case 'v': g->verbose++; return 0;
	case 'h':
		if (inv->cmd)
			svff_cmd_help(inv->cmd, stdout);
		else
			usage(stdout);
		return 1;
	case 'V': printf("svff %s\n", SVFF_VERSION); return 1;
	default:
		/* getopt already said what is wrong */
		return svff_usage_err(err, "invalid command line");
	}
}

/* An option getopt refused: unknown, or missing its argument. */
static int bad_opt(int c, struct svff_inv *inv, char **argv, struct svff_error *err)
{
	const char *bad = argv[optind - 1];
	if (c == ':')
		return svff_usage_err(err, "option '%s' needs an argument", bad);
	if (inv->cmd)
		return svff_usage_err(err, "unknown option '%s' for '%s'", bad, inv->cmd->name);
	return svff_usage_err(err, "unknown option '%s'", bad);
}

/* The options getopt_long takes for cmd: the global ones, then its own
 * (codes 256+i). */
static void cmd_opts(const struct svff_cmd *cmd, struct option *lopts, char *sopts)
{
	size_t n = N_GLOBAL;

	memcpy(lopts, global_opts, sizeof(global_opts));
	strcpy(sopts, ":");   /* so that a missing argument is reported as ':' */
	strcat(sopts, global_short);
	for (int i = 0; cmd->opts[i].name; i++) {
		const struct svff_cmd_opt *o = &cmd->opts[i];
		lopts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					      NULL, 256 + i };
		if (o->short_name) {
			char s[3] = { (char)o->short_name, o->arg ? ':' : '\0', '\0' };
			strcat(sopts, s);
		}
	}
	lopts[n] = (struct option){ 0 };
}

static int cmd_opt_index(const struct svff_cmd *cmd, int c)
{
	if (c >= 256)
		return c - 256;
	for (int i = 0; cmd->opts[i].name; i++)
		if (cmd->opts[i].short_name == c)
			return i;
	return -1;
}

/* Parse the verb's own arguments: its options, the global ones, and
 * positional arguments (getopt permutes them to the end). 0 to run it,
 * 1 when an option did all there is to do, or a negative errno. */
static int parse_cmd(int argc, char **argv, struct svff_inv *inv, struct svff_error *err)
{
	const struct svff_cmd *cmd = inv->cmd;
	struct option lopts[N_GLOBAL + SVFF_MAX_CMD_OPTS + 1];
	char sopts[sizeof(global_short) + 3 * SVFF_MAX_CMD_OPTS + 2];
	int c, rc;

	cmd_opts(cmd, lopts, sopts);
	/* getopt moves the positional arguments to the end, in order; those
	 * after a "--" stay last */
	inv->after_dashdash = -1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			inv->after_dashdash = argc - i - 1;
			break;
		}
	optind = 0;   /* 0, not 1: glibc then re-reads the optstring, so options may follow arguments */
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		int idx = cmd_opt_index(cmd, c);
		if (idx >= 0) {
			inv->set[idx] = true;
			inv->val[idx] = optarg;
			continue;
		}
		rc = c == '?' || c == ':' ? bad_opt(c, inv, argv, err) : global_opt(c, inv, err);
		if (rc != 0)
			return rc;
	}
	inv->argc = argc - optind;
	inv->argv = argv + optind;
	if (inv->argc < cmd->min_args)
		return svff_usage_err(err, "'%s' needs %s%s", cmd->name, cmd->min_args == 1 ?
				      "an argument: " : "arguments: ", cmd->args);
	if (cmd->max_args >= 0 && inv->argc > cmd->max_args)
		return svff_usage_err(err, "too many arguments for '%s' ('%.64s' is one too many)",
				      cmd->name, inv->argv[cmd->max_args]);
	return 0;
}

/* The options before the command, and the command: 0 with inv->cmd set,
 * 1 when done, or a negative errno. */
static int parse_global(int argc, char **argv, struct svff_inv *inv, struct svff_error *err)
{
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:c:jnw:t:qvhV", global_opts, NULL)) != -1) {
		rc = c == '?' || c == ':' ? bad_opt(c, inv, argv, err) : global_opt(c, inv, err);
		if (rc != 0)
			return rc;
	}
	if (optind >= argc) {
		usage(stderr);
		return svff_err_kind(err, SVFF_ERR_USAGE, -EINVAL);
	}
	inv->cmd = svff_cmd_find(argv[optind]);
	if (!inv->cmd)
		return svff_usage_err(err, "unknown command '%.64s'", argv[optind]);
	return 0;
}

/* The error and, for a usage error, where to read more. */
static void report(const struct svff_inv *inv, int rc, const struct svff_error *err)
{
	if (rc >= 0 || !err->msg[0])
		return;
	svff_print_err(err);
	if (err->kind != SVFF_ERR_USAGE)
		return;
	/* help's own usage errors are about the list of commands */
	if (inv->cmd && inv->cmd != &svff_cmd_help_desc)
		fprintf(stderr, "Try 'svff help %s'.\n", inv->cmd->name);
	else
		fputs("Try 'svff --help'.\n", stderr);
}

/* Checks, the session the descriptor asks for, the command. */
static int run_cmd(struct svff_inv *inv, struct svff_error *err)
{
	const struct svff_cmd *cmd = inv->cmd;
	struct svff_session s;
	int rc = svff_targets_parse(cmd->targets, inv->argc, inv->argv, &inv->tg, err);

	if (rc == 0 && cmd->check)
		rc = cmd->check(inv, err);
	if (rc < 0 || !(cmd->session & SVFF_CMD_LOCKS))
		return rc < 0 ? rc : cmd->run(inv, err);
	rc = svff_cmd_session(inv, inv->g->device, cmd->session & ~SVFF_CMD_LOCKS, &s, err);
	if (rc < 0)
		return rc;
	inv->s = &s;
	rc = cmd->run(inv, err);
	inv->s = NULL;
	svff_session_close(&s);
	return rc;
}

/* SIGINT, SIGTERM, SIGHUP (man SIGNALS): while a journalled operation
 * runs, the first is kept for the engine, which stops at the next step
 * boundary and undoes what it can; a second one, or one outside an
 * operation, does what it always does (the record stays for recover). */
static struct svff_ctx *sig_ctx;

static void on_stop_signal(int sig)
{
	if (!sig_ctx || !sig_ctx->in_op || sig_ctx->interrupt) {
		signal(sig, SIG_DFL);
		raise(sig);   /* delivered once this handler returns */
		return;
	}
	sig_ctx->interrupt = sig;
}

static void catch_stop_signals(struct svff_ctx *ctx)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };

	sig_ctx = ctx;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int main(int argc, char **argv)
{
	struct svff_error err = { 0 };
	struct svff_global g = { 0 };
	struct svff_inv inv = { .g = &g };
	int rc;

	/* libvirtd may close our connection (a restart, a dropped keepalive):
	 * the write that finds it closed must fail with a message, and the
	 * journal stay for recover, not kill svff silently. */
	signal(SIGPIPE, SIG_IGN);
	if (svff_ctx_new(&inv.ctx) < 0) {
		fputs("svff: out of memory\n", stderr);
		return SVFF_EXIT_FAIL;
	}
	catch_stop_signals(inv.ctx);
	rc = parse_global(argc, argv, &inv, &err);
	if (rc == 0)
		rc = parse_cmd(argc - optind, argv + optind, &inv, &err);
	/* under -j, a command prints its document whether it fails or not */
	svff_out_begin(&inv.out, g.json && inv.cmd && inv.cmd != &svff_cmd_help_desc && rc <= 0,
		       g.quiet);
	if (rc == 0)
		rc = run_cmd(&inv, &err);
	svff_log_end(&inv, rc, &err);
	svff_out_end(&inv.out, inv.ctx->dry_run, rc, &err);
	report(&inv, rc, &err);
	svff_targets_clear(&inv.tg);
	sig_ctx = NULL;
	svff_ctx_free(inv.ctx);
	if (fflush(stdout) != 0 && rc >= 0)
		rc = svff_err(&err, -EIO, "cannot write output"), svff_print_err(&err);
	return svff_exit_status(rc, &err);
}
