/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal and the one engine that runs every multi-step verb.
 *
 * A verb is data (struct svff_verb): its steps in order, each a run and
 * an undo, and a finish for recover. svff_journal_run records the
 * operation in the state file, records each step before it runs, and on
 * a failure runs the undos of the steps begun, last first (libvirt's
 * hostdev rollback ladder, as a table); when even an undo fails the
 * record stays for 'svff recover', which calls the verb's own finish.
 * The record is what a kill leaves: recover finds the verb by the name
 * it holds (svff_verb_find), never by a chain of its own.
 */
#ifndef SVFF_JOURNAL_H
#define SVFF_JOURNAL_H

#include <stdbool.h>

#include "session.h"

struct svff_virt;

/* Journal step names. A step's name is what the record holds while it
 * runs, what 'list' and the refusal of other verbs show, and what the
 * test builds' SVFF_TEST_KILL_AT=verb:name matches: keep them stable. */
#define SVFF_STEP_BEGIN "begin"
#define SVFF_STEP_AUTOPROBE_OFF "autoprobe off"
#define SVFF_STEP_NUMVFS_0 "set numvfs 0"
#define SVFF_STEP_NUMVFS "set numvfs %u"
#define SVFF_STEP_PREPARE_RES "prepare resources"
#define SVFF_STEP_RESOURCES "resources"
#define SVFF_STEP_RELEASE_RES "release resources"
#define SVFF_STEP_NET "network settings"
#define SVFF_STEP_BIND "bind"
#define SVFF_STEP_RESTORE_AUTOPROBE "restore autoprobe"
#define SVFF_STEP_DROP_CLAIM "release vf%u"
#define SVFF_STEP_ATTACH "attach vf%u"
#define SVFF_STEP_DETACH "detach vf%u"
#define SVFF_STEP_PAUSE "pause"
#define SVFF_STEP_UNPAUSE "unpause"
#define SVFF_STEP_UNPLUG "unplug"
#define SVFF_STEP_HOTPLUG "hot-plug"
#define SVFF_STEP_RECORD_PAUSE "record pause"
#define SVFF_STEP_RECORD_UNPAUSE "record unpause"
#define SVFF_STEP_SUSPEND "suspend"
#define SVFF_STEP_RELEASE "release"
#define SVFF_STEP_REACQUIRE "re-acquire"
#define SVFF_STEP_TELL "tell guest"
#define SVFF_STEP_RESUME "resume"
#define SVFF_STEP_REMOVE_PF "remove pf"
#define SVFF_STEP_COMMAND "run command"
#define SVFF_STEP_RESCAN "rescan"

struct svff_run;

enum {
	/* Past the point of no return: a failure of this step, or of one
	 * after it, is reported and the operation ends; nothing before it is
	 * undone. A signal does not stop the run before it. */
	SVFF_STEP_KEEP = 1,
};

struct svff_step {
	/* Recorded before run; NULL when run records its own sub-steps
	 * (those that are needed: "set numvfs 0" only from another count). */
	const char *name;
	/* 0, or a negative errno with err filled; an error of kind
	 * SVFF_ERR_RECOVER leaves the record as it is, for recover, and
	 * nothing is undone (the PF is not back on the bus). */
	int (*run)(struct svff_run *r, struct svff_error *err);
	/* Put back what run did, even when it failed half-way; NULL when it
	 * changes nothing that must be put back. */
	int (*undo)(struct svff_run *r, struct svff_error *err);
	unsigned int flags;
};

struct svff_verb {
	const char *name;              /* the record's "verb" */
	const struct svff_step *steps; /* ends at run NULL */
	/* The verb sets the VF count itself: recover's reconcile takes the
	 * kernel's count as the truth only for the other verbs. */
	bool sets_count;
	/* The verb pauses claims only to give them back (reconf): recover
	 * gives back a claim whose VF left its VM while the verb ran. */
	bool gives_back;
	/* recover: finish (or roll back) a run interrupted anywhere, from
	 * the record op and the state as the kill left it (reconciled with
	 * sysfs and libvirt first). NULL: reconcile is enough. */
	int (*finish)(struct svff_run *r, const struct svff_op *op, struct svff_error *err);
	/* recover, before its reconcile: bring back what reconcile must see
	 * (a PF the verb took off the bus). NULL: nothing. */
	int (*prepare)(struct svff_run *r, const struct svff_op *op, struct svff_error *err);
	/* What the report says of an interrupted run that needed no finish. */
	const char *recovered;
};

/* One run of a verb. */
struct svff_run {
	struct svff_session *s;
	struct svff_virt *v;    /* NULL when no VM is involved */
	void *data;             /* the verb's own */
	int from, to;           /* VF counts for the record, -1: not relevant */
	/* recover's report of what finish did (NULL: none) */
	svff_step_fn say;
	void *say_opaque;
	/* Not recorded: a run of one step whose own save is the record
	 * (attach of one VF); a kill leaves nothing for recover to finish. */
	bool unrecorded;
	unsigned int failed_at; /* the step that failed (svff_journal_run < 0) */
};

/* Record the operation, run verb's steps in order, end the record. On a
 * failure the undos of the steps begun run last first and the record is
 * ended: the step's error is returned. When an undo fails too, the record
 * stays and -EINPROGRESS (of kind SVFF_ERR_RECOVER) names both failures.
 * A signal kept in ctx->interrupt (svff.c) stops the run before its next
 * step as a failure would, or, past the point of no return, lets it
 * finish: -EINTR either way, saying which. */
int svff_journal_run(const struct svff_verb *verb, struct svff_run *r,
		     struct svff_error *err);

/* The verb of an operation record; NULL when svff has none of that name
 * (a record from another version). */
const struct svff_verb *svff_verb_find(const char *name);

/* Report a sentence through r->say (recover's fixes). */
void svff_run_say(struct svff_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The record itself, for steps that record sub-steps and for verbs that
 * journal VF by VF (attach, detach, pause): begin records the operation
 * before its first step, step records each later step before it runs,
 * end removes the record. Each saves the state file. */
int svff_op_begin(struct svff_session *s, const char *verb, int count_from,
		  int count_to, struct svff_error *err);
int svff_op_step(struct svff_session *s, const char *name, struct svff_error *err);
int svff_op_end(struct svff_session *s, struct svff_error *err);

/* The verbs (each beside its steps). */
extern const struct svff_verb svff_verb_init, svff_verb_deinit, svff_verb_reconf,
	svff_verb_resources, svff_verb_apply, svff_verb_attach, svff_verb_detach,
	svff_verb_pause, svff_verb_unpause, svff_verb_reprogram;

#endif
