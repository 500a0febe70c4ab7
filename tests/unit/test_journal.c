/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The operations engine (lib/journal.h): each step recorded before it
 * runs, the undos of the steps begun run last first on a failure, a
 * failed undo leaves the record for recover, a step past the point of no
 * return is not unwound; a signal stops the run at its next step
 * boundary; every verb found by its record's name; and
 * init's and resources' undo on fake sysfs trees. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakesys.h"
#include "init.h"
#include "journal.h"
#include "res-change.h"

#define PF "0000:01:00.0"

static char *root;
static char sdir[256];
static struct svff_ctx *ctx;
static struct svff_session s;

static void setup(void)
{
	root = fakesys_new();
	snprintf(sdir, sizeof(sdir), "%s/state", root);
	fakesys_add_dev(root, PF, 0x8086, 0x10fb, 8, "ixgbe", 1);
	ck_assert_int_eq(svff_ctx_new(&ctx), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->sysfs_root, root), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->state_dir, sdir), 0);
	ctx->lock_wait_s = 1;
}

static void teardown(void)
{
	svff_session_close(&s);
	svff_ctx_free(ctx);
	fakesys_free(root);
}

static void open_session(void)
{
	struct svff_error err = { 0 };
	ck_assert_msg(svff_session_open(ctx, PF, 0, &s, &err) == 0, "%s", err.msg);
}

/* A PF attribute without its newline. */
static const char *attr(const char *name)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "%s", fakesys_read(root, PF, name));
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The record as a reader of the file sees it: "" when there is none. */
static const char *on_disk(void)
{
	static char name[64];
	struct svff_state *st = NULL;
	struct svff_error err = { 0 };
	ck_assert_msg(svff_state_read(sdir, &st, &err) == 0, "%s", err.msg);
	snprintf(name, sizeof(name), "%s%s%s", st->op ? st->op->verb : "",
		 st->op ? ":" : "", st->op ? st->op->step_name : "");
	svff_state_free(st);
	return name;
}

/* A verb of three steps that logs what ran and what the file held then. */
static char trace[512];
static int fail_at = -1, undo_fails_at = -1;

static void log_it(const char *what, unsigned int i)
{
	snprintf(trace + strlen(trace), sizeof(trace) - strlen(trace), "%s%s%u",
		 trace[0] ? " " : "", what, i);
}

static int run_n(struct svff_run *r, unsigned int i, struct svff_error *err)
{
	log_it("run", i);
	snprintf(trace + strlen(trace), sizeof(trace) - strlen(trace), "[%s]", on_disk());
	if ((int)i == fail_at)
		return svff_err(err, -EIO, "step %u failed", i);
	return 0;
}

static int undo_n(struct svff_run *r, unsigned int i, struct svff_error *err)
{
	log_it("undo", i);
	if ((int)i == undo_fails_at)
		return svff_err(err, -EBUSY, "undo %u failed", i);
	return 0;
}

#define STEP_FNS(i) \
	static int run##i(struct svff_run *r, struct svff_error *e) { return run_n(r, i, e); } \
	static int undo##i(struct svff_run *r, struct svff_error *e) { return undo_n(r, i, e); }
STEP_FNS(0)
STEP_FNS(1)
STEP_FNS(2)

static const struct svff_step three[] = {
	{ .name = "first", .run = run0, .undo = undo0 },
	{ .name = "second", .run = run1, .undo = undo1 },
	{ .name = "third", .run = run2, .undo = undo2 },
	{ 0 }
};
static const struct svff_verb fake = { .name = "fake", .steps = three };

static const struct svff_step kept[] = {
	{ .name = "first", .run = run0, .undo = undo0 },
	{ .name = "give back", .run = run1, .flags = SVFF_STEP_KEEP },
	{ 0 }
};
static const struct svff_verb fake_kept = { .name = "fake", .steps = kept };

static int run_fake(const struct svff_verb *verb, bool unrecorded, struct svff_error *err)
{
	struct svff_run r = { .s = &s, .from = -1, .to = -1, .unrecorded = unrecorded };
	trace[0] = 0;
	return svff_journal_run(verb, &r, err);
}

START_TEST(each_step_recorded_before_it_runs)
{
	struct svff_error err = { 0 };
	open_session();
	fail_at = undo_fails_at = -1;
	ck_assert_int_eq(run_fake(&fake, false, &err), 0);
	ck_assert_str_eq(trace, "run0[fake:first] run1[fake:second] run2[fake:third]");
	ck_assert_str_eq(on_disk(), "");
}
END_TEST

/* A failure at step _i: the undos of steps _i..0, last first; the
 * record ended; the step's own error returned. */
START_TEST(failure_unwinds_the_steps_begun_last_first)
{
	static const char *const want[] = {
		"run0[fake:first] undo0",
		"run0[fake:first] run1[fake:second] undo1 undo0",
		"run0[fake:first] run1[fake:second] run2[fake:third] undo2 undo1 undo0",
	};
	struct svff_error err = { 0 };
	char msg[32];
	open_session();
	fail_at = _i;
	undo_fails_at = -1;
	ck_assert_int_eq(run_fake(&fake, false, &err), -EIO);
	ck_assert_str_eq(trace, want[_i]);
	snprintf(msg, sizeof(msg), "step %d failed", _i);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_str_eq(on_disk(), "");
}
END_TEST

START_TEST(failed_undo_leaves_the_record_for_recover)
{
	struct svff_error err = { 0 };
	open_session();
	fail_at = 2;
	undo_fails_at = 1;
	ck_assert_int_eq(run_fake(&fake, false, &err), -EINPROGRESS);
	ck_assert_int_eq(err.kind, SVFF_ERR_RECOVER);
	ck_assert_str_eq(trace, "run0[fake:first] run1[fake:second] run2[fake:third] undo2 undo1");
	ck_assert_str_eq(err.msg, "step 2 failed; undoing it failed too: undo 1 failed; run "
			 "'svff recover'");
	ck_assert_str_eq(on_disk(), "fake:third");
}
END_TEST

START_TEST(step_past_the_point_of_no_return_is_not_unwound)
{
	struct svff_error err = { 0 };
	open_session();
	fail_at = 1;
	undo_fails_at = -1;
	ck_assert_int_eq(run_fake(&fake_kept, false, &err), -EIO);
	ck_assert_str_eq(trace, "run0[fake:first] run1[fake:give back]");
	ck_assert_str_eq(on_disk(), "");
}
END_TEST

/* A signal kept while step 1 runs (as svff.c's handler keeps it): step 2
 * is not run, steps 1 and 0 are undone, -EINTR, no record; with the next
 * step past the point of no return, that step runs and the run is
 * finished, -EINTR all the same. */
static int run1_signalled(struct svff_run *r, struct svff_error *e)
{
	r->s->ctx->interrupt = SIGTERM;
	return run_n(r, 1, e);
}
static const struct svff_step signalled[] = {
	{ .name = "first", .run = run0, .undo = undo0 },
	{ .name = "second", .run = run1_signalled, .undo = undo1 },
	{ .name = "third", .run = run2, .undo = undo2 },
	{ 0 }
};
static const struct svff_verb fake_signalled = { .name = "fake", .steps = signalled };
static const struct svff_step signalled_kept[] = {
	{ .name = "first", .run = run0, .undo = undo0 },
	{ .name = "second", .run = run1_signalled, .undo = undo1 },
	{ .name = "give back", .run = run2, .flags = SVFF_STEP_KEEP },
	{ 0 }
};
static const struct svff_verb fake_signalled_kept = { .name = "fake", .steps = signalled_kept };

START_TEST(signal_stops_at_the_next_step_boundary)
{
	struct svff_error err = { 0 };
	open_session();
	fail_at = undo_fails_at = -1;
	ctx->in_op = 0;
	ck_assert_int_eq(run_fake(&fake_signalled, false, &err), -EINTR);
	ck_assert_str_eq(trace, "run0[fake:first] run1[fake:second] undo1 undo0");
	ck_assert_msg(strstr(err.msg, "interrupted by a signal (Terminated): what 'fake' had "
			     "done is undone"), "%s", err.msg);
	ck_assert_str_eq(on_disk(), "");
	ck_assert_int_eq(ctx->in_op, 0);

	ctx->interrupt = 0;
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(run_fake(&fake_signalled_kept, false, &err), -EINTR);
	ck_assert_str_eq(trace, "run0[fake:first] run1[fake:second] run2[fake:give back]");
	ck_assert_msg(strstr(err.msg, "'fake' was finished"), "%s", err.msg);
	ck_assert_str_eq(on_disk(), "");
}
END_TEST

START_TEST(unrecorded_run_writes_no_record)
{
	struct svff_error err = { 0 };
	open_session();
	fail_at = 1;
	undo_fails_at = -1;
	ck_assert_int_eq(run_fake(&fake, true, &err), -EIO);
	ck_assert_str_eq(trace, "run0[] run1[] undo1 undo0");
	ck_assert_int_eq(access(sdir, F_OK) == 0 ? (int)strlen(on_disk()) : 0, 0);
}
END_TEST

START_TEST(every_verb_found_by_its_record_name)
{
	static const char *const names[] = { "init", "deinit", "reconf", "resources", "apply",
					     "attach", "detach", "pause", "unpause" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct svff_verb *v = svff_verb_find(names[i]);
		ck_assert_ptr_nonnull(v);
		ck_assert_str_eq(v->name, names[i]);
		ck_assert_ptr_nonnull(v->steps);
		ck_assert_ptr_nonnull(v->steps[0].run);
		/* recover either finishes it or says what reconcile did */
		ck_assert(v->finish || v->recovered);
		bool counts = !strcmp(names[i], "init") || !strcmp(names[i], "reconf") ||
			      !strcmp(names[i], "deinit");
		ck_assert_int_eq(v->sets_count, counts);
	}
	ck_assert_ptr_null(svff_verb_find("reprogram-from-the-future"));
}
END_TEST

/* init on a PF whose kernel (the fake tree) makes the VFs: a VF the
 * kernel left on another driver cannot be bound (the fake tree does not
 * rebind), so init fails at its bind and is undone: no VFs, autoprobe
 * as it was, the PF not managed, no record. */
START_TEST(init_undone_when_a_vf_cannot_be_bound)
{
	struct svff_error err = { 0 };
	struct svff_res none = { 0 };
	fakesys_set_vfs(root, PF, 2, "vfio-pci", 10);
	fakesys_bind(root, "0000:01:00.2", "ixgbevf");
	fakesys_write(root, PF, "sriov_numvfs", "0");   /* made at init's write */
	open_session();
	ck_assert_int_lt(svff_init_run(&s, 2, &none, false, &err), 0);
	ck_assert_msg(strstr(err.msg, "0000:01:00.2"), "%s", err.msg);
	ck_assert_str_eq(attr("sriov_numvfs"), "0");
	ck_assert_str_eq(attr("sriov_drivers_autoprobe"), "1");
	struct svff_state *st = NULL;
	ck_assert_int_eq(svff_state_read(sdir, &st, &err), 0);
	ck_assert_ptr_null(st->op);
	ck_assert_ptr_null(svff_state_pf(st, PF));
	svff_state_free(st);
}
END_TEST

START_TEST(init_recorded_and_done)
{
	struct svff_error err = { 0 };
	struct svff_res none = { 0 };
	fakesys_set_vfs(root, PF, 2, "vfio-pci", 10);
	fakesys_write(root, PF, "sriov_numvfs", "0");
	open_session();
	ck_assert_msg(svff_init_run(&s, 2, &none, false, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(attr("sriov_numvfs"), "2");
	ck_assert_str_eq(attr("sriov_drivers_autoprobe"), "0");
	struct svff_state *st = NULL;
	ck_assert_int_eq(svff_state_read(sdir, &st, &err), 0);
	ck_assert_ptr_null(st->op);
	ck_assert_ptr_nonnull(svff_state_pf(st, PF));
	ck_assert_uint_eq(svff_state_pf(st, PF)->numvfs, 2);
	ck_assert_int_eq(svff_state_pf(st, PF)->saved_autoprobe, 1);
	svff_state_free(st);
}
END_TEST

/* resources on the msix backend's PF (fakesys_msix_pf: 4 VFs with 2
 * vectors each, vf1 attached): the device refuses (vfio-pci's unbind
 * cannot be written), so the change is undone: the old record back on
 * disk, no VF changed, no record of an operation. */
static void msix_setup(void)
{
	root = fakesys_new();
	snprintf(sdir, sizeof(sdir), "%s/state", root);
	fakesys_msix_pf(root, sdir);
	ck_assert_int_eq(svff_ctx_new(&ctx), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->sysfs_root, root), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->state_dir, sdir), 0);
	ctx->lock_wait_s = 1;
}

START_TEST(resources_undone_when_the_device_refuses)
{
	struct svff_error err = { 0 };
	struct svff_res asked = { .vectors = 3 };
	struct svff_state *before = NULL, *after = NULL;
	char unbind[512], *want, *got;
	unsigned int changed = 99;

	snprintf(unbind, sizeof(unbind), "%s/bus/pci/drivers/vfio-pci/unbind", root);
	unlink(unbind);
	ck_assert_int_eq(mkdir(unbind, 0755), 0);   /* a write to it fails */
	open_session();
	ck_assert_int_eq(svff_state_read(sdir, &before, &err), 0);
	ck_assert_int_lt(svff_res_change(&s, NULL, &asked, &changed, &err), 0);
	ck_assert_msg(strstr(err.msg, "cannot unbind"), "%s", err.msg);
	ck_assert_int_eq(svff_state_read(sdir, &after, &err), 0);
	ck_assert_ptr_null(after->op);
	ck_assert_int_eq(svff_state_format(before, &want), 0);
	ck_assert_int_eq(svff_state_format(after, &got), 0);
	ck_assert_str_eq(got, want);
	for (unsigned int i = 1; i <= 4; i++) {
		char vf[16];
		snprintf(vf, sizeof(vf), "0000:01:00.%u", i);
		ck_assert_str_eq(fakesys_read(root, vf, "sriov_vf_msix_count"), "2");
	}
	/* and the same change goes through once the device takes it */
	ck_assert_int_eq(rmdir(unbind), 0);
	write_file(unbind, "");
	ck_assert_msg(svff_res_change(&s, NULL, &asked, &changed, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(svff_session_pf(&s)->res_default.vectors, 3);
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.3", "sriov_vf_msix_count"), "3");
	free(want);
	free(got);
	svff_state_free(before);
	svff_state_free(after);
}
END_TEST

/* apply: the whole record replaced by the file's (here none before):
 * given to every VF but the attached one, the new record on disk. */
START_TEST(apply_replaces_the_record_and_gives_it)
{
	struct svff_error err = { 0 };
	struct svff_res def = { .vectors = 3 };
	unsigned int changed = 0;

	open_session();
	struct svff_pf_state *ps = svff_session_pf(&s);
	free(ps->res);
	ps->res = NULL;
	ps->n_res = 0;
	ck_assert_msg(svff_res_replace(&s, &def, NULL, 0, &changed, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(changed, 3);   /* vf1 is attached: never changed under its guest */
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.1", "sriov_vf_msix_count"), "3");
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.2", "sriov_vf_msix_count"), "2");
	struct svff_state *st = NULL;
	ck_assert_int_eq(svff_state_read(sdir, &st, &err), 0);
	ck_assert_uint_eq(svff_state_pf(st, PF)->res_default.vectors, 3);
	ck_assert_ptr_null(st->op);
	svff_state_free(st);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("journal");
	TCase *tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, each_step_recorded_before_it_runs);
	tcase_add_loop_test(tc, failure_unwinds_the_steps_begun_last_first, 0, 3);
	tcase_add_test(tc, failed_undo_leaves_the_record_for_recover);
	tcase_add_test(tc, step_past_the_point_of_no_return_is_not_unwound);
	tcase_add_test(tc, unrecorded_run_writes_no_record);
	tcase_add_test(tc, signal_stops_at_the_next_step_boundary);
	tcase_add_test(tc, every_verb_found_by_its_record_name);
	suite_add_tcase(su, tc);
	TCase *ti = tcase_create("init");
	tcase_add_checked_fixture(ti, setup, teardown);
	tcase_add_test(ti, init_recorded_and_done);
	tcase_add_test(ti, init_undone_when_a_vf_cannot_be_bound);
	suite_add_tcase(su, ti);
	TCase *tr = tcase_create("resources");
	tcase_add_checked_fixture(tr, msix_setup, teardown);
	tcase_add_test(tr, resources_undone_when_the_device_refuses);
	tcase_add_test(tr, apply_replaces_the_record_and_gives_it);
	suite_add_tcase(su, tr);
	return fakesys_run_suite(su);
}
