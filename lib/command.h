/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operator's own command, run by svff (reprogram's programming tool):
 * executed directly, never through a shell, in a process group of its
 * own (a ^C at the terminal reaches svff, which lets the command finish:
 * a flash cut in half can leave a card that does not boot), its output
 * handed over line by line, bounded in time.
 */
#ifndef SVFF_COMMAND_H
#define SVFF_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "svff.h"

/* Seconds between SIGTERM and SIGKILL for a command past its time. */
#define SVFF_COMMAND_GRACE_S 5

struct svff_command {
	char *const *argv;          /* argv[0]: as svff_command_find resolved it */
	const char *const *env;     /* "NAME=value" entries added, NULL-ended */
	int timeout_s;
	/* each line it writes, without the newline; on_err: on its stderr */
	void (*on_line)(void *opaque, bool on_err, const char *line);
	void *opaque;
	/* what became of it */
	int status;                 /* its exit status; -1 when it did not exit */
	int sig;                    /* the signal that ended it, 0 when none */
	bool timed_out;
	double seconds;             /* from its start to its end */
};

/* The executable name stands for: name itself when it holds a '/', else
 * the first match in $PATH (as execvp finds it). -ENOENT when there is
 * none, -EACCES when it is not executable, with err saying so. */
int svff_command_find(const char *name, char *path, size_t size, struct svff_error *err);

/* Run it (not under dry run: then the step is only reported) and wait
 * for its end. Returns 0 when it exited 0; -ECHILD (failed), -ETIME
 * (timed out) or -EINTR (killed by a signal), err saying which; or
 * another -errno when it could not be started. */
int svff_command_run(const struct svff_ctx *ctx, struct svff_command *c, struct svff_error *err);

/* "exited 3", "killed by signal 9 (Killed)", "timed out after 60 s". */
void svff_command_outcome(const struct svff_command *c, char *buf, size_t size);

#endif
