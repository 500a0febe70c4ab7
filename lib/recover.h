/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recover: finish (or roll back) an interrupted operation from its record
 * in the state file, then make the state file agree with sysfs and
 * libvirt, which are the truth. Never drops the claim of a VM that still
 * exists: a claim whose VF the VM no longer holds is kept as paused.
 * Running it twice changes nothing the second time.
 */
#ifndef SVFF_RECOVER_H
#define SVFF_RECOVER_H

#include "session.h"
#include "virt.h"

/* Each correction is reported through fix (a sentence, as list would
 * say it); returns how many were made, or a negative errno. */
int svff_recover(struct svff_session *s, struct svff_virt *v, svff_step_fn fix,
		 void *opaque, struct svff_error *err);

#endif
