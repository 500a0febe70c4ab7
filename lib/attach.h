/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * attach and detach of several VFs at once: verbs of the journal
 * (lib/journal.h), a claim saved as each VF goes (lib/claim.h).
 */
#ifndef SVFF_ATTACH_H
#define SVFF_ATTACH_H

#include "journal.h"
#include "virt.h"

struct svff_attach {
	/* in */
	struct svff_vm *vm;
	const unsigned int *vfs;
	size_t n;
	bool config;                     /* also the persistent configuration */
	const struct svff_net *net;      /* NULL: none */
	svff_step_fn say;                /* each VF attached, as it goes */
	void *say_opaque;
	/* out: the VFs this call attached and their claims (none on failure) */
	unsigned int *done;              /* n entries, the caller's */
	const struct svff_claim **claims;
	size_t n_done;
	/* an undo that failed: that VF stays attached and claimed */
	struct svff_error undo_err;
};

/* Attach each VF that the VM does not hold already; when one fails, the
 * ones this call attached are released, newest first. Journalled when
 * there are several (one VF: its claim's own save is the record). */
int svff_attach_run(struct svff_session *s, struct svff_virt *v, struct svff_attach *a,
		    struct svff_error *err);

/* Release each claimed VF (hot-unplug, then the claim forgotten); a VF
 * that will not let go stays claimed, and those before it are free.
 * done(opaque, vf, vm) after each. */
typedef void (*svff_detached_fn)(void *opaque, unsigned int vf, const char *vm);
int svff_detach_run(struct svff_session *s, struct svff_virt *v, const unsigned int *vfs,
		    size_t n, svff_detached_fn done, void *opaque, struct svff_error *err);

#endif
