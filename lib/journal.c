/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

/* Test builds only: die by SIGKILL right after recording step N of a
 * verb, or the step of that name (SVFF_TEST_KILL_AT=verb:N or
 * verb:name), to prove that recover finishes what was interrupted at any
 * step; or sleep there for S seconds, holding the lock
 * (SVFF_TEST_STALL_AT=verb:N:S or verb:name:S), to prove that waiters
 * are bounded and to send signals at a known step. */
static void test_kill_hook(const struct svff_op *op)
{
#ifdef SVFF_TEST_HOOKS
	const char *at = getenv("SVFF_TEST_KILL_AT");
	const char *stall = getenv("SVFF_TEST_STALL_AT");
	char want[64], named[64];
	int n = snprintf(want, sizeof(want), "%s:%u", op->verb, op->step);
	int nn = snprintf(named, sizeof(named), "%s:%s", op->verb, op->step_name);
	if (at && (!strcmp(at, want) || !strcmp(at, named)))
		raise(SIGKILL);
	/* a signal ends the sleep early: the run goes on from there */
	if (stall && !strncmp(stall, want, (size_t)n) && stall[n] == ':')
		sleep((unsigned int)atoi(stall + n + 1));
	else if (stall && !strncmp(stall, named, (size_t)nn) && stall[nn] == ':')
		sleep((unsigned int)atoi(stall + nn + 1));
#else
	(void)op;
#endif
}

int svff_op_begin(struct svff_session *s, const char *verb, int count_from,
		  int count_to, struct svff_error *err)
{
	struct svff_op *op = calloc(1, sizeof(*op));
	if (!op)
		return svff_err(err, -ENOMEM, "out of memory");
	snprintf(op->verb, sizeof(op->verb), "%s", verb);
	memcpy(op->pf, s->pf, sizeof(op->pf));
	op->pid = (long)getpid();
	op->started = (long long)time(NULL);
	op->count_from = count_from;
	op->count_to = count_to;
	snprintf(op->step_name, sizeof(op->step_name), "%s", SVFF_STEP_BEGIN);
	free(s->st->op);
	s->st->op = op;
	int rc = svff_session_save(s, err);
	if (rc == 0)
		test_kill_hook(op);
	return rc;
}

int svff_op_step(struct svff_session *s, const char *name, struct svff_error *err)
{
	struct svff_op *op = s->st->op;
	if (!op)
		return svff_err(err, -EINVAL, "internal error: no operation in flight");
	op->step++;
	snprintf(op->step_name, sizeof(op->step_name), "%s", name);
	int rc = svff_session_save(s, err);
	if (rc == 0)
		test_kill_hook(op);
	return rc;
}

int svff_op_end(struct svff_session *s, struct svff_error *err)
{
	free(s->st->op);
	s->st->op = NULL;
	return svff_session_save(s, err);
}

void svff_run_say(struct svff_run *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!r->say)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->say(r->say_opaque, buf);
}

/* Steps 0..last undone, last first, down to a step past the point of no
 * return (nothing before it is undone). The first undo that fails stops
 * the ladder: what is left is recover's, from the record. */
static int unwind(const struct svff_verb *verb, struct svff_run *r, unsigned int last,
		  struct svff_error *err)
{
	for (unsigned int i = last + 1; i-- > 0;) {
		const struct svff_step *st = &verb->steps[i];
		if (st->flags & SVFF_STEP_KEEP)
			break;
		if (!st->undo)
			continue;
		struct svff_error e2 = { 0 };
		int rc = st->undo(r, &e2);
		if (rc < 0) {
			char first[sizeof(err->msg)];
			snprintf(first, sizeof(first), "%s", err->msg);
			svff_err(err, -EINPROGRESS, "%s; undoing it failed too: %s; run 'svff "
				 "recover'", first, e2.msg);
			return svff_err_kind(err, SVFF_ERR_RECOVER, -EINPROGRESS);
		}
	}
	return 0;
}

/* Stopped by a signal before step `next` (the number of steps begun and
 * done): those undone where they can be, and the error says which. */
static int interrupted(const struct svff_verb *verb, struct svff_run *r, unsigned int next,
		       struct svff_error *err)
{
	const char *sig = strsignal(r->s->ctx->interrupt);
	bool undo = false;

	for (unsigned int i = 0; i < next; i++)
		undo |= verb->steps[i].undo != NULL;
	if (undo)
		svff_err(err, -EINTR, "interrupted by a signal (%s): what '%s' had done is undone",
			 sig, verb->name);
	else
		svff_err(err, -EINTR, "interrupted by a signal (%s): '%s' stopped after its step "
			 "%u; what it did stays, and the state file says so", sig, verb->name, next);
	return next ? unwind(verb, r, next - 1, err) : 0;
}

/* The record ended; on failure rc says what failed. */
static int end(struct svff_run *r, bool rec, int rc, struct svff_error *err)
{
	struct svff_error e2 = { 0 };
	if (!rec)
		return rc;
	if (rc < 0) {
		svff_op_end(r->s, &e2);
		return rc;
	}
	return svff_op_end(r->s, err);
}

int svff_journal_run(const struct svff_verb *verb, struct svff_run *r, struct svff_error *err)
{
	struct svff_session *s = r->s;
	struct svff_ctx *ctx = s->ctx;
	bool rec = !r->unrecorded;
	int rc = rec ? svff_op_begin(s, verb->name, r->from, r->to, err) : 0;
	unsigned int i;

	if (rc < 0)
		return rc;
	ctx->in_op = 1;
	for (i = 0; verb->steps[i].run; i++) {
		const struct svff_step *st = &verb->steps[i];
		if (ctx->interrupt && !(st->flags & SVFF_STEP_KEEP))
			break;
		rc = st->name && rec ? svff_op_step(s, st->name, err) : 0;
		if (rc == 0)
			rc = st->run(r, err);
		if (rc >= 0)
			continue;
		r->failed_at = i;
		/* a step that only recover can finish (the PF is not back) */
		if (err->kind == SVFF_ERR_RECOVER)
			goto left;
		if (!(st->flags & SVFF_STEP_KEEP) && unwind(verb, r, i, err) < 0)
			goto left;   /* the record stays for recover */
		ctx->in_op = 0;
		return end(r, rec, rc, err);
	}
	rc = 0;
	if (ctx->interrupt && verb->steps[i].run) {
		rc = interrupted(verb, r, i, err);
		if (rc == -EINPROGRESS)
			goto left;
		rc = -EINTR;
	} else if (ctx->interrupt) {
		rc = svff_err(err, -EINTR, "interrupted by a signal (%s): '%s' was finished, the "
			      "signal having come where it could no longer stop",
			      strsignal(ctx->interrupt), verb->name);
	}
	ctx->in_op = 0;
	return end(r, rec, rc, err);
left:
	ctx->in_op = 0;
	return err->code;
}

const struct svff_verb *svff_verb_find(const char *name)
{
	static const struct svff_verb *const verbs[] = {
		&svff_verb_init, &svff_verb_deinit, &svff_verb_reconf, &svff_verb_resources,
		&svff_verb_apply, &svff_verb_attach, &svff_verb_detach, &svff_verb_pause,
		&svff_verb_unpause, &svff_verb_reprogram,
	};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i]->name, name))
			return verbs[i];
	return NULL;
}
