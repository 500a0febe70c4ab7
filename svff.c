/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * svff — manage SR-IOV virtual functions passed to libvirt/QEMU VMs.
 * This file is only the global options and the table of commands; each
 * command lives in cmd/<verb>.c with its descriptor.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "parse.h"

extern const struct svff_cmd svff_cmd_init, svff_cmd_deinit, svff_cmd_attach,
	svff_cmd_detach, svff_cmd_pause, svff_cmd_unpause, svff_cmd_reconf, svff_cmd_recover, svff_cmd_list, svff_cmd_help_desc;

const struct svff_cmd *const svff_cmds[] = {
	&svff_cmd_init,
	&svff_cmd_deinit,
	&svff_cmd_attach,
	&svff_cmd_detach,
	&svff_cmd_pause,
	&svff_cmd_unpause,
	&svff_cmd_reconf,
	&svff_cmd_recover,
	&svff_cmd_list,
	&svff_cmd_help_desc,
	NULL,
};

enum { OPT_HELP = 'h' };

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

int svff_fail(int status, const char *fmt, ...)
{
	va_list ap;
	fputs("svff: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int svff_fail_err(int status, const struct svff_error *err)
{
	return svff_fail(status, "%s", err->msg[0] ? err->msg : "unknown error");
}

int svff_usage(const struct svff_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("svff: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 'svff help %s'.\n", cmd->name);
	else
		fputs("\nTry 'svff --help'.\n", stderr);
	return SVFF_EXIT_USAGE;
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
			fprintf(out, "  %-22s %s\n", left + (o->short_name ? 0 : 1), o->help);
		}
	}
	fputs("\nGlobal options: see 'svff --help'.\n", out);
}

static int seconds_arg(const char *opt, const char *s, int *out)
{
	struct svff_error err = { 0 };
	unsigned int v;
	if (svff_parse_uint(s, 86400, opt, &v, &err) < 0)
		return svff_usage(NULL, "%s", err.msg);
	*out = (int)v;
	return 0;
}

/* Handle one global option; returns -1 to go on, else an exit status. */
static int global_opt(int c, struct svff_ctx *ctx, struct svff_global *g,
		      const struct svff_cmd *cmd)
{
	switch (c) {
	case 'd': g->device = optarg; return -1;
	case 'c':
		if (svff_ctx_set(&ctx->uri, optarg) < 0)
			return svff_fail(SVFF_EXIT_FAIL, "out of memory");
		return -1;
	case 'j': g->json = true; return -1;
	case 'n': ctx->dry_run = true; return -1;
	case 'w': return seconds_arg("--wait", optarg, &ctx->lock_wait_s) ?: -1;
	case 't': return seconds_arg("--timeout", optarg, &ctx->timeout_s) ?: -1;
	case 'q': g->quiet = true; return -1;
	case 'v': g->verbose++; return -1;
	case 'h':
		if (cmd)
			svff_cmd_help(cmd, stdout);
		else
			usage(stdout);
		return SVFF_EXIT_OK;
	case 'V': printf("svff %s\n", SVFF_VERSION); return SVFF_EXIT_OK;
	default:
		/* getopt already said what is wrong */
		return svff_usage(cmd, "invalid command line");
	}
}

/* Parse the verb's own arguments: its options, the global ones, and
 * positional arguments (getopt permutes them to the end). */
static int parse_cmd(const struct svff_cmd *cmd, int argc, char **argv,
		     struct svff_inv *inv)
{
	struct option lopts[N_GLOBAL + SVFF_MAX_CMD_OPTS + 1];
	char sopts[sizeof(global_short) + 3 * SVFF_MAX_CMD_OPTS + 2] = "";
	size_t n = 0;
	int c, rc;

	memcpy(lopts, global_opts, sizeof(global_opts));
	n = N_GLOBAL;
	strcat(sopts, ":");   /* so that a missing argument is reported as ':' */
	strcat(sopts, global_short);
	for (int i = 0; cmd->opts[i].name; i++) {
		const struct svff_cmd_opt *o = &cmd->opts[i];
		/* codes 256+i are this command's options */
		lopts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					      NULL, 256 + i };
		if (o->short_name) {
			char s[3] = { (char)o->short_name, o->arg ? ':' : '\0', '\0' };
			strcat(sopts, s);
		}
	}
	lopts[n] = (struct option){ 0 };

	optind = 0;   /* 0, not 1: glibc then re-reads the optstring, so options may follow arguments */
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		int idx = -1;
		if (c >= 256) {
			idx = c - 256;
		} else {
			for (int i = 0; cmd->opts[i].name; i++)
				if (cmd->opts[i].short_name == c)
					idx = i;
		}
		if (idx >= 0) {
			inv->set[idx] = true;
			inv->val[idx] = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			return svff_usage(cmd, c == ':' ? "option '%s' needs an argument"
					: "unknown option '%s' for '%s'", bad, cmd->name);
		}
		rc = global_opt(c, inv->ctx, inv->g, cmd);
		if (rc >= 0)
			return rc;
	}
	inv->argc = argc - optind;
	inv->argv = argv + optind;
	if (inv->argc < cmd->min_args)
		return svff_usage(cmd, "'%s' needs %s%s", cmd->name,
				  cmd->min_args == 1 ? "an argument: " : "arguments: ", cmd->args);
	if (cmd->max_args >= 0 && inv->argc > cmd->max_args)
		return svff_usage(cmd, "too many arguments for '%s' ('%.64s' is one too many)",
				  cmd->name, inv->argv[cmd->max_args]);
	return -1;
}

int main(int argc, char **argv)
{
	struct svff_ctx *ctx = NULL;
	struct svff_global g = { 0 };
	struct svff_inv inv = { 0 };
	const struct svff_cmd *cmd;
	int c, rc;

	if (svff_ctx_new(&ctx) < 0)
		return svff_fail(SVFF_EXIT_FAIL, "out of memory");

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:c:jnw:t:qvhV", global_opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			rc = svff_usage(NULL, c == ':' ? "option '%s' needs an argument"
					: "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
		rc = global_opt(c, ctx, &g, NULL);
		if (rc >= 0)
			goto out;
	}
	if (optind >= argc) {
		usage(stderr);
		rc = SVFF_EXIT_USAGE;
		goto out;
	}
	cmd = svff_cmd_find(argv[optind]);
	if (!cmd) {
		rc = svff_usage(NULL, "unknown command '%.64s'", argv[optind]);
		goto out;
	}
	inv.ctx = ctx;
	inv.g = &g;
	rc = parse_cmd(cmd, argc - optind, argv + optind, &inv);
	if (rc < 0)
		rc = cmd->run(&inv);
out:
	svff_ctx_free(ctx);
	if (fflush(stdout) != 0 && rc == SVFF_EXIT_OK)
		rc = svff_fail(SVFF_EXIT_FAIL, "cannot write output");
	return rc;
}
