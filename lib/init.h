/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * init and deinit: a PF taken under management with its VFs on vfio-pci,
 * and given back. Each is a verb of the journal (lib/journal.h).
 */
#ifndef SVFF_INIT_H
#define SVFF_INIT_H

#include <stdbool.h>

#include "session.h"

/* init: take the PF under management with count VFs, the resources
 * asked for every VF (0: the backend's default; res_off: none, another
 * tool's), bound to vfio-pci; on failure undone (the VFs it created,
 * autoprobe, the PF's record). */
int svff_init_run(struct svff_session *s, unsigned int count, const struct svff_res *asked,
		  bool res_off, struct svff_error *err);

/* What deinit says of each claim it drops (--force), as it goes. */
typedef void (*svff_deinit_fn)(void *opaque, unsigned int vf, const char *vm, bool paused);

/* deinit: every claim dropped (the VMs' VFs detached: the caller checked
 * that the user forced it), the resources back to the pool, no VFs,
 * autoprobe as before init, the PF forgotten. What was done before a
 * failure stays done: a dropped claim is not made again. */
int svff_deinit_run(struct svff_session *s, svff_deinit_fn dropped, void *opaque,
		    struct svff_error *err);

#endif
