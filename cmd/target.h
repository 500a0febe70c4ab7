/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMs and VFs (or the count) a command line names: parsed once, by main, before any
 * lock is taken (a malformed one is a usage error that changes nothing),
 * then resolved against the session's PF by the same few functions in
 * every verb.
 */
#ifndef SVFF_CMD_TARGET_H
#define SVFF_CMD_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

struct svff_session;
struct svff_inv;

/* The form of a verb's positional arguments (its descriptor says). */
enum svff_targets_form {
	SVFF_TARGETS_NONE = 0,     /* not VMs or VFs (counts, commands) */
	SVFF_TARGETS_VM_VFS,       /* VM [VF...] */
	SVFF_TARGETS_VM_VFS_OR_VF, /* VM [VF...] | VF */
	SVFF_TARGETS_ANY,          /* VM|VF... */
	SVFF_TARGETS_VFS,          /* VF...: VFs only */
	SVFF_TARGETS_COUNT,        /* [COUNT]: a VF count */
};

struct svff_target {
	const char *arg;           /* as typed */
	bool is_vf;
	struct svff_vf_ref vf;     /* when is_vf */
};

struct svff_targets {
	const char *vm;            /* VM [VF...]: the VM; else NULL */
	struct svff_target *t;     /* the other arguments, in order */
	size_t n;
	bool has_count;            /* [COUNT]: given, and its value */
	unsigned int count;
};

int svff_targets_parse(enum svff_targets_form form, int argc, char **argv,
		       struct svff_targets *out, struct svff_error *err);
void svff_targets_clear(struct svff_targets *t);

/* The index of the VF t names on the session's PF. An address is looked
 * up in sysfs; an index is checked there only with live (attach). */
int svff_target_index(struct svff_session *s, const struct svff_target *t, bool live,
		      unsigned int *out, struct svff_error *err);

/* The claimed VFs the targets name, each once, in the order named (a
 * malloc'd array): a VF, which must be claimed ("vf3 of PF is not
 * <unclaimed> any VM"), by the VM named first if there is one; or every
 * VF a VM has claimed, and a VM named alone stands for all of its. */
int svff_targets_claimed(const struct svff_targets *tg, struct svff_session *s,
			 const char *unclaimed, unsigned int **vfs, size_t *n,
			 struct svff_error *err);

#endif
