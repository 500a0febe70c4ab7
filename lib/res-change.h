/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A change of the resources recorded for a PF's VFs, given to the VFs:
 * the verbs 'resources' and 'apply' of the journal (lib/journal.h). The
 * record changes first, then the device; on failure the old record is
 * given back to the VFs.
 */
#ifndef SVFF_RES_CHANGE_H
#define SVFF_RES_CHANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

/* resources: asked (its non-zero fields) for the VFs marked (mark[i] for
 * VF i below the PF's count), or with mark NULL as the PF's default for
 * every VF (their own settings of the same kinds dropped). *changed: how
 * many VFs the device changed. */
int svff_res_change(struct svff_session *s, const bool *mark, const struct svff_res *asked,
		    unsigned int *changed, struct svff_error *err);

/* apply: the whole record replaced by the configuration file's. */
int svff_res_replace(struct svff_session *s, const struct svff_res *def,
		     const struct svff_vf_res *res, size_t n_res, unsigned int *changed,
		     struct svff_error *err);

#endif
