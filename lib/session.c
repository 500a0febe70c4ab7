/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "sysfs.h"

/* recover of an operation that took its PF off the bus (reprogram
 * --remove): the PF may be absent, and the verb's prepare brings it
 * back; until then s->info holds its address only. */
static bool removed_by_op(struct svff_session *s, const char *device, unsigned int flags)
{
	const struct svff_op *op = s->st->op;
	char canon[SVFF_ADDR_LEN];

	if (!(flags & SVFF_SESSION_RECOVER) || !op || !op->removed.vendor || !device ||
	    svff_parse_pci_addr(device, NULL, canon, NULL) < 0 || strcmp(canon, op->pf) ||
	    svff_dev_exists(s->ctx, op->pf) > 0)
		return false;
	snprintf(s->pf, sizeof(s->pf), "%s", op->pf);
	snprintf(s->info.addr, sizeof(s->info.addr), "%s", op->pf);
	s->info.autoprobe = -1;
	s->info.iommu_group = -1;
	return true;
}

int svff_session_open(struct svff_ctx *ctx, const char *device, unsigned int flags,
		      struct svff_session *s, struct svff_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	/* Refuse a PF that is malformed, absent or ambiguous before creating
	 * or locking anything; resolved again below under the lock. */
	struct svff_state *peek = NULL;
	rc = svff_state_read(ctx->state_dir, &peek, err);
	if (rc == 0 && !peek->op)
		rc = svff_pf_resolve(ctx, device, peek, s->pf, err);
	svff_state_free(peek);
	if (rc < 0)
		return rc;
	rc = svff_store_open(ctx->state_dir, ctx->lock_wait_s, !ctx->dry_run, &s->store, err);
	if (rc == -ENOENT && ctx->dry_run) {
		/* dry run on a host svff never touched: nothing to lock */
		s->st = svff_state_new();
		if (!s->st)
			return svff_err(err, -ENOMEM, "out of memory");
	} else if (rc < 0) {
		return rc;
	} else {
		rc = svff_store_load(s->store, &s->st, err);
		if (rc < 0)
			goto fail;
	}
	if (s->st->op && !(flags & SVFF_SESSION_RECOVER)) {
		svff_err(err, -EINPROGRESS,
			 "operation '%s' on %s was interrupted at step %u (%s): run 'svff recover' "
			 "first", s->st->op->verb, s->st->op->pf, s->st->op->step,
			 s->st->op->step_name);
		rc = svff_err_kind(err, SVFF_ERR_RECOVER, -EINPROGRESS);
		goto fail;
	}
	if (!device && s->st->op) /* recover works on the PF of the operation */
		device = s->st->op->pf;
	if (removed_by_op(s, device, flags))
		return 0;
	rc = svff_pf_resolve(ctx, device, s->st, s->pf, err);
	if (rc < 0)
		goto fail;
	if ((flags & SVFF_SESSION_MANAGED) && !svff_session_pf(s)) {
		rc = svff_err(err, -ENOENT, "svff does not manage %s: run 'svff init' first", s->pf);
		goto fail;
	}
	rc = svff_pf_get(ctx, s->pf, &s->info, err);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	svff_session_close(s);
	return rc;
}

void svff_session_close(struct svff_session *s)
{
	if (!s)
		return;
	svff_pf_info_clear(&s->info);
	svff_state_free(s->st);
	s->st = NULL;
	svff_store_close(s->store);
	s->store = NULL;
}

struct svff_pf_state *svff_session_pf(struct svff_session *s)
{
	return svff_state_pf(s->st, s->pf);
}

int svff_session_save(struct svff_session *s, struct svff_error *err)
{
	/* not a change to the host: not worth a line of a dry run */
	if (s->ctx->dry_run)
		return 0;
	svff_step(s->ctx, "save state to %s/%s", s->ctx->state_dir, SVFF_STATE_FILE);
	return svff_store_save(s->store, s->st, err);
}
