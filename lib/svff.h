/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * svff library: the context every call takes, and the error record.
 *
 * Conventions (systemd/libvirt style): functions return 0 or a negative
 * errno; output parameters go last; destructors accept NULL. The library
 * never prints and never exits: a failing call fills the caller's
 * struct svff_error with a one-line message in svff's error format
 * (failure first, lower case, user input quoted, no final full stop).
 */
#ifndef SVFF_H
#define SVFF_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>

#define SVFF_VERSION "0.1.0"

#define SVFF_DEFAULT_SYSFS "/sys"
#define SVFF_DEFAULT_DEV "/dev"
#define SVFF_DEFAULT_STATE_DIR "/run/svff"
#define SVFF_DEFAULT_URI "qemu:///system"

/* What the caller can do about a failure; errno alone cannot say it
 * (EBUSY is a held lock, a busy device or a guest that refuses). */
enum svff_err_kind {
	SVFF_ERR_FAILED = 0,    /* the operation failed */
	SVFF_ERR_USAGE,         /* what the user typed is malformed or ambiguous */
	SVFF_ERR_LOCKED,        /* another svff holds the state lock */
	SVFF_ERR_RECOVER,       /* an interrupted operation needs 'svff recover' */
};

struct svff_error {
	int code;        /* negative errno, 0 when unset */
	enum svff_err_kind kind;
	char msg[512];
};

/* Record a failure; returns code (negative errno) so callers can write
 * `return svff_err(err, -EINVAL, "...")`. err may be NULL. with_errno
 * appends ": <strerror(-code)>". */
int svff_errf(struct svff_error *err, int code, bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define svff_err(err, code, ...) svff_errf(err, code, false, __VA_ARGS__)

/* Set the kind of the failure just recorded; returns code. */
int svff_err_kind(struct svff_error *err, enum svff_err_kind kind, int code);

/* Like svff_err, with ": <strerror(-code)>" appended. */
#define svff_err_errno(err, code, ...) svff_errf(err, code, true, __VA_ARGS__)

/* One more zeroed element of size at the end of the array *arrp (a
 * pointer to the array's pointer) holding *n: its address, *n counting
 * it; NULL when out of memory (the array as it was). */
void *svff_append(void *arrp, size_t *n, size_t size);

/* Called with a description of each change as it is made (or, with
 * dry_run, instead of making it): "write 4 to .../sriov_numvfs". */
typedef void (*svff_step_fn)(void *opaque, const char *what);

struct svff_ctx {
	char *sysfs_root;  /* "/sys"; tests point it at a fake tree */
	char *dev_root;    /* "/dev" (device nodes: /dev/nvmeN) */
	char *state_dir;   /* "/run/svff" */
	char *uri;         /* libvirt connection URI */
	int lock_wait_s;   /* how long to wait for the state lock */
	int timeout_s;     /* bound on each waiting step */
	bool dry_run;
	svff_step_fn on_step;
	void *step_opaque;
	/* Signals (svff.c, man SIGNALS): the journal engine sets in_op while
	 * an operation runs; the first SIGINT, SIGTERM or SIGHUP meanwhile is
	 * kept in interrupt, and the engine stops at the next step boundary. */
	volatile sig_atomic_t in_op;
	volatile sig_atomic_t interrupt;
};

/* Report a change about to be made; returns true when it must really be
 * made (false under dry_run). Every mutating call in lib/ goes through it. */
bool svff_step(const struct svff_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Seconds on the monotonic clock: for timeouts and downtimes. */
double svff_now(void);

/* Defaults from the environment: SVFF_SYSFS_ROOT, SVFF_DEV_ROOT, SVFF_STATE_DIR,
 * SVFF_CONNECT then LIBVIRT_DEFAULT_URI. */
int svff_ctx_new(struct svff_ctx **out);
void svff_ctx_free(struct svff_ctx *ctx);
int svff_ctx_set(char **field, const char *value);

#endif
