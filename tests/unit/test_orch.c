/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Orchestration with VMs, in milliseconds: pause and unpause through
 * both mechanisms, a guest that does not answer, attach undone, and
 * recover's reconcile, on a fake sysfs tree (tests/unit/fakesys.h) and
 * the unit tests' libvirt (tests/unit/fakevirt.h). The end-to-end suite
 * runs the same verbs against the real kernel, libvirtd and QEMU. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply.h"
#include "attach.h"
#include "claim.h"
#include "fakesys.h"
#include "fakevirt.h"
#include "pause.h"
#include "reconf.h"
#include "reprogram.h"
#include "recover.h"
#include "view.h"

#define PF "0000:01:00.0"
#define VF1 "0000:01:00.2"   /* vf1 */
#define VF2 "0000:01:00.3"
#define VF3 "0000:01:00.4"
#define GUEST "0000:07:00.0"

static char *root;
static char sdir[512];
static struct svff_ctx *ctx;
static struct svff_session s;
static struct svff_virt *v;
static struct fv_dom *vm1;
static struct fakesys_kernel kernel;

/* PF with 4 VFs on vfio-pci, managed; vm1 runs, holding vf1 at GUEST,
 * with its claim recorded. */
static void setup(void)
{
	struct svff_error err = { 0 };
	root = fakesys_new();
	snprintf(sdir, sizeof(sdir), "%s/state", root);
	fakesys_add_dev(root, PF, 0x8086, 0x10fb, 8, "ixgbe", 1);
	fakesys_set_vfs(root, PF, 4, "vfio-pci", 10);
	fakesys_write(root, PF, "sriov_drivers_autoprobe", "0");
	ck_assert_int_eq(svff_ctx_new(&ctx), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->sysfs_root, root), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->state_dir, sdir), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->uri, "fake:///"), 0);
	ctx->lock_wait_s = 1;
	ctx->timeout_s = 20;   /* the fake guests answer at once; memcheck is slow */
	kernel = (struct fakesys_kernel){ .root = root, .rescan_driver = "ixgbe" };
	ctx->on_step = fakesys_kernel;
	ctx->step_opaque = &kernel;
	fakevirt_install();
	vm1 = fakevirt_add("vm1", true, true, 0);
	fakevirt_plug(vm1, VF1, GUEST, true, false);

	ck_assert_msg(svff_session_open(ctx, PF, 0, &s, &err) == 0, "%s", err.msg);
	struct svff_pf_state *ps = svff_state_pf_add(s.st, PF);
	ps->numvfs = 4;
	ps->saved_autoprobe = 1;
	struct svff_claim *c = svff_state_claim_add(ps, 1);
	c->state = SVFF_VF_ATTACHED;
	snprintf(c->vm_name, sizeof(c->vm_name), "vm1");
	snprintf(c->vm_uuid, sizeof(c->vm_uuid), "%s", fakevirt_uuid(vm1));
	snprintf(c->guest_addr, sizeof(c->guest_addr), GUEST);
	ck_assert_msg(svff_session_save(&s, &err) == 0, "%s", err.msg);
	ck_assert_msg(svff_virt_open(ctx, &v, &err) == 0, "%s", err.msg);
}

static void teardown(void)
{
	svff_virt_close(v);
	svff_session_close(&s);
	svff_ctx_free(ctx);
	fakesys_free(root);
}

/* The claim as the state file on disk has it: "vm:state" or "". */
static const char *claim_on_disk(unsigned int vf)
{
	static char out[300];
	struct svff_state *st = NULL;
	struct svff_error err = { 0 };
	ck_assert_msg(svff_state_read(sdir, &st, &err) == 0, "%s", err.msg);
	ck_assert_ptr_null(st->op);   /* no operation left behind */
	const struct svff_claim *c = svff_state_claim(svff_state_pf(st, PF), vf);
	snprintf(out, sizeof(out), "%s%s%s", c ? c->vm_name : "", c ? ":" : "",
		 c ? svff_vf_state_name(c->state) : "");
	svff_state_free(st);
	return out;
}

static const char *pf_now(void);
static const char *op_on_disk(void);

START_TEST(pause_hot_unplugs_and_unpause_plugs_back_at_the_guest_address)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1 };
	char guest[SVFF_ADDR_LEN];

	ck_assert_msg(svff_pause_run(&s, v, &it, 1, &err) == 0, "%s", err.msg);
	ck_assert_msg(it.rc == 0, "%s", it.err.msg);
	ck_assert_int_eq(it.mech, SVFF_PAUSE_HOTPLUG);
	ck_assert(it.probe.asked);
	ck_assert(!fakevirt_holds(vm1, VF1, NULL));
	ck_assert(!fakevirt_paused(vm1));   /* the VM runs on without it */
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");

	struct svff_pause_item back = { .vf = 1 };
	ck_assert_msg(svff_unpause_run(&s, v, &back, 1, &err) == 0, "%s", err.msg);
	ck_assert_msg(back.rc == 0, "%s", back.err.msg);
	ck_assert(fakevirt_holds(vm1, VF1, guest));
	ck_assert_str_eq(guest, GUEST);
	ck_assert_str_eq(back.guest_addr, GUEST);
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
}
END_TEST

/* _i 1: a patched QEMU without x-vfio-notify: the guest is not told,
 * and the unpause succeeds all the same. */
START_TEST(pause_releases_where_qemu_offers_it)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1 };

	fakevirt_flags(vm1, FV_VFIO_PAUSE | (_i ? FV_NO_NOTIFY : 0));
	ck_assert_msg(svff_pause_run(&s, v, &it, 1, &err) == 0, "%s", err.msg);
	ck_assert_msg(it.rc == 0, "%s", it.err.msg);
	ck_assert_int_eq(it.mech, SVFF_PAUSE_RELEASE);
	ck_assert_str_eq(it.probe.vfio_cmd, "x-vfio-pause");
	ck_assert(it.vm_suspended);
	ck_assert(fakevirt_paused(vm1));
	ck_assert(fakevirt_holds(vm1, VF1, NULL));   /* the guest keeps its device */
	ck_assert(fakevirt_released(vm1, VF1));
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
	ck_assert_str_ne(svff_state_claim(svff_session_pf(&s), 1)->rel.alias, "");

	struct svff_pause_item back = { .vf = 1 };
	ck_assert_msg(svff_unpause_run(&s, v, &back, 1, &err) == 0, "%s", err.msg);
	ck_assert_msg(back.rc == 0, "%s", back.err.msg);
	ck_assert_int_eq(back.mech, SVFF_PAUSE_RELEASE);
	ck_assert(back.vm_resumed);
	/* told after the re-acquire (fakevirt refuses a released device) */
	ck_assert_int_eq(back.told, !_i);
	ck_assert_uint_eq(fakevirt_notified(vm1, VF1), _i ? 0 : 1);
	ck_assert_int_eq(back.tell_err.code, _i ? -EOPNOTSUPP : 0);
	ck_assert(!fakevirt_paused(vm1));
	ck_assert(!fakevirt_released(vm1, VF1));
	ck_assert_str_eq(fakevirt_qemu_host(vm1, VF1), VF1);
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert_str_eq(svff_state_claim(svff_session_pf(&s), 1)->rel.alias, "");
}
END_TEST

/* --mechanism hot-unplug never asks QEMU; release refuses a QEMU that
 * does not offer it, changing nothing. */
START_TEST(mechanism_asked_for_is_kept)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1, .want = SVFF_WANT_RELEASE };

	svff_pause_run(&s, v, &it, 1, &err);
	ck_assert_int_lt(it.rc, 0);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert(!fakevirt_paused(vm1));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");

	fakevirt_flags(vm1, FV_VFIO_PAUSE);
	unsigned int qmp = fakevirt_calls(FV_QMP);
	struct svff_pause_item hp = { .vf = 1, .want = SVFF_WANT_HOTPLUG };
	ck_assert_msg(svff_pause_run(&s, v, &hp, 1, &err) == 0, "%s", err.msg);
	ck_assert_msg(hp.rc == 0, "%s", hp.err.msg);
	ck_assert_int_eq(hp.mech, SVFF_PAUSE_HOTPLUG);
	ck_assert_uint_eq(fakevirt_calls(FV_QMP), qmp);
	ck_assert(!fakevirt_holds(vm1, VF1, NULL));
}
END_TEST

/* A guest that never answers, or refuses: the VF stays in the VM and its
 * claim attached, the item says why, and no record is left. */
START_TEST(guest_that_does_not_let_go_keeps_its_vf)
{
	static const unsigned int flags[] = { FV_NO_UNPLUG, FV_REFUSE_UNPLUG };
	static const int codes[] = { -ETIMEDOUT, -EBUSY };
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1 };

	fakevirt_flags(vm1, flags[_i]);
	ctx->timeout_s = 1;
	svff_pause_run(&s, v, &it, 1, &err);
	ck_assert_int_eq(it.rc, codes[_i]);
	ck_assert_msg(strstr(it.err.msg, "vm1"), "%s", it.err.msg);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
}
END_TEST

/* attach vf2 vf3 to vm2: vf2 goes, vf3 cannot (its IOMMU group holds a
 * device on another driver), so vf2 is taken back: nothing attached, no
 * claim, no record. Then with a VM that has no hot-plug slot left. */
START_TEST(attach_of_several_undone_when_one_fails)
{
	struct svff_error err = { 0 };
	struct fv_dom *vm2 = fakevirt_add("vm2", true, true, 0);
	struct svff_vm vm = { 0 };
	unsigned int vfs[] = { 2, 3 }, done[2];
	const struct svff_claim *claims[2];

	fakesys_add_dev(root, "0000:02:00.0", 0x8086, 0x10d3, 0, "e1000e", 13);
	ck_assert_int_eq(svff_vm_lookup(v, "vm2", &vm, &err), 0);
	struct svff_attach a = { .vm = &vm, .vfs = vfs, .n = 2, .done = done, .claims = claims };
	ck_assert_int_lt(svff_attach_run(&s, v, &a, &err), 0);
	ck_assert_msg(strstr(err.msg, "0000:02:00.0"), "%s", err.msg);
	ck_assert_uint_eq(fakevirt_calls(FV_ATTACH), 1);   /* vf2 went in ... */
	ck_assert(!fakevirt_holds(vm2, VF2, NULL));         /* ... and came out */
	ck_assert_uint_eq(a.n_done, 0);
	ck_assert_int_eq(a.undo_err.code, 0);
	ck_assert_str_eq(claim_on_disk(2), "");
	ck_assert_str_eq(claim_on_disk(3), "");

	fakesys_bind(root, "0000:02:00.0", "vfio-pci");
	fakevirt_flags(vm2, FV_NO_HOTPLUG);
	struct svff_attach full = { .vm = &vm, .vfs = vfs, .n = 2, .done = done, .claims = claims };
	ck_assert_int_lt(svff_attach_run(&s, v, &full, &err), 0);
	ck_assert_msg(strstr(err.msg, "hot-plug slot"), "%s", err.msg);
	ck_assert_str_eq(claim_on_disk(2), "");

	/* with a slot, both go, each claim recorded */
	fakevirt_flags(vm2, 0);
	struct svff_attach ok = { .vm = &vm, .vfs = vfs, .n = 2, .done = done, .claims = claims };
	ck_assert_msg(svff_attach_run(&s, v, &ok, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ok.n_done, 2);
	ck_assert(fakevirt_holds(vm2, VF2, NULL) && fakevirt_holds(vm2, VF3, NULL));
	ck_assert_str_eq(claim_on_disk(3), "vm2:attached");
	svff_vm_clear(&vm);
}
END_TEST

static char fixes[2048];
static void on_fix(void *opaque, const char *what)
{
	(void)opaque;
	snprintf(fixes + strlen(fixes), sizeof(fixes) - strlen(fixes), "%s\n", what);
}

/* vm1's QEMU stops 50 ms after svff asked its guest to let go. */
static void *stop_vm1_while_asked(void *arg)
{
	(void)arg;
	while (fakevirt_calls(FV_DETACH) == 0)
		usleep(1000);
	usleep(50000);
	fakevirt_qemu_dies(vm1);
	return NULL;
}

/* A QEMU that stops while its guest is asked to let go (a guest that does
 * not answer) ends the wait as its stop event comes, not at the next
 * read of the VM a second later: nothing holds the VF, the claim is kept
 * paused. */
START_TEST(qemu_that_stops_during_an_unplug_ends_the_wait_at_once)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1 };
	pthread_t t;

	fakevirt_flags(vm1, FV_NO_UNPLUG);
	ck_assert_int_eq(pthread_create(&t, NULL, stop_vm1_while_asked, NULL), 0);
	double t0 = svff_now();
	ck_assert_msg(svff_pause_run(&s, v, &it, 1, &err) == 0, "%s", err.msg);
	double took = svff_now() - t0;
	pthread_join(t, NULL);
	ck_assert_msg(took < 0.9, "took %.2f s: the stop event did not end the wait", took);
	ck_assert_msg(it.rc == 0, "%s", it.err.msg);
	ck_assert(it.vm_stopped);
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
}
END_TEST

/* What an operator did by hand, mended: vf1 removed from vm1 (its claim
 * kept, paused), vf2 plugged into vm2 (adopted); a second run finds
 * nothing. */
START_TEST(recover_reconciles_and_a_second_run_changes_nothing)
{
	struct svff_error err = { 0 };
	struct fv_dom *vm2 = fakevirt_add("vm2", true, true, 0);

	fakevirt_unplug(vm1, VF1);
	fakevirt_plug(vm2, VF2, "", true, false);
	fixes[0] = 0;
	int n = svff_recover(&s, v, on_fix, NULL, &err);
	ck_assert_msg(n == 2, "%d: %s / %s", n, err.msg, fixes);
	ck_assert_msg(strstr(fixes, "vf1 is no longer in VM 'vm1'"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "vf2 is in VM 'vm2' with no claim"), "%s", fixes);
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
	ck_assert_str_eq(claim_on_disk(2), "vm2:attached");
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_str_eq(fixes, "");
}
END_TEST

/* The kinds of list's plan (lib/view.c), row by row, or the PF's (-1). */
static unsigned int plan_of(int vf)
{
	struct svff_error err = { 0 };
	struct svff_view view;
	unsigned int dis = 0;

	ck_assert_msg(svff_view_build(ctx, s.st, PF, &view, &err) == 0, "%s", err.msg);
	if (vf < 0)
		dis = view.dis;
	for (size_t i = 0; vf >= 0 && i < view.n_rows; i++)
		if (view.rows[i].vf == (unsigned int)vf)
			dis = view.rows[i].dis;
	svff_view_clear(&view);
	return dis;
}

/* What list's plan shows is what recover mends, each kind at once: the
 * count, autoprobe, a VF on another driver, one with none, one with
 * other resources (the msix backend), a claim an operation could not give
 * back. Then the plan is empty, and a second recover finds nothing. */
START_TEST(recover_mends_what_the_plan_shows)
{
	static const char *const vfs[] = { "0000:01:00.1", VF1, VF2, VF3 };
	struct svff_error err = { 0 };
	struct svff_pf_state *ps = svff_session_pf(&s);
	char path[512];

	fakesys_write(root, PF, "sriov_vf_total_msix", "16");
	ps->res_default.vectors = 2;
	for (int i = 0; i < 4; i++)
		fakesys_write(root, vfs[i], "sriov_vf_msix_count", i == 2 ? "5" : "2");
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/unbind", root);
	write_file(path, "");
	fakesys_write(root, PF, "sriov_drivers_autoprobe", "1");
	fakesys_bind(root, vfs[0], "ixgbevf");
	fakesys_bind(root, vfs[3], NULL);
	ps->numvfs = 5;
	fakevirt_unplug(vm1, VF1);
	svff_state_claim(ps, 1)->state = SVFF_VF_PAUSED;
	svff_state_claim(ps, 1)->op_paused = true;
	ck_assert_int_eq(svff_session_save(&s, &err), 0);

	ck_assert_uint_eq(plan_of(-1), SVFF_DIS_COUNT | SVFF_DIS_AUTOPROBE);
	ck_assert_uint_eq(plan_of(0), SVFF_DIS_DRIVER);
	ck_assert_uint_eq(plan_of(1), SVFF_DIS_GIVE_BACK);
	ck_assert_uint_eq(plan_of(2), SVFF_DIS_RES);
	ck_assert_uint_eq(plan_of(3), SVFF_DIS_DRIVER);
	fixes[0] = 0;
	int n = svff_recover(&s, v, on_fix, NULL, &err);
	/* the six, and vf2 bound again after its vectors changed */
	ck_assert_msg(n == 7, "%d: %s / %s", n, err.msg, fixes);
	ck_assert_msg(strstr(fixes, "has 4 VFs, the state file said 5"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "autoprobe of native VF drivers was on"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "vf0 (0000:01:00.1) was bound to 'ixgbevf'"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "vf3 (0000:01:00.4) was bound to 'no driver'"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "1 VF(s) did not have the resources"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "vf1 given back to VM 'vm1'"), "%s", fixes);
	ck_assert_str_eq(fakesys_read(root, VF2, "sriov_vf_msix_count"), "2");
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	for (int vf = -1; vf < 4; vf++)
		ck_assert_msg(plan_of(vf) == 0, "%d: %#x", vf, plan_of(vf));
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_str_eq(fixes, "");
}
END_TEST

/* A pause killed after its unplug, before its record: the VF is out of
 * the VM, the claim says attached; recover keeps it paused and ends the
 * record, and unpause then gives it back. */
START_TEST(recover_finishes_an_interrupted_pause)
{
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_op_begin(&s, "pause", -1, -1, &err), 0);
	ck_assert_int_eq(svff_op_step(&s, SVFF_STEP_UNPLUG, &err), 0);
	fakevirt_unplug(vm1, VF1);
	fixes[0] = 0;
	int n = svff_recover(&s, v, on_fix, NULL, &err);
	ck_assert_msg(n > 0, "%d: %s", n, err.msg);
	ck_assert_msg(strstr(fixes, "interrupted 'pause'"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "pause: each VF is now as libvirt has it"), "%s", fixes);
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
	struct svff_pause_item back = { .vf = 1 };
	ck_assert_msg(svff_unpause_run(&s, v, &back, 1, &err) == 0, "%s", err.msg);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
}
END_TEST

/* A deinit killed at its first step, with no claim left: recover
 * finishes it (no VFs, autoprobe as before init, the PF forgotten), and
 * its own end finds the PF no longer managed. */
START_TEST(recover_finishes_an_interrupted_deinit)
{
	struct svff_error err = { 0 };
	fakevirt_unplug(vm1, VF1);
	svff_state_claim_remove(svff_session_pf(&s), 1);
	ck_assert_int_eq(svff_op_begin(&s, "deinit", 4, 0, &err), 0);
	fixes[0] = 0;
	ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) > 0, "%s", err.msg);
	ck_assert_msg(strstr(fixes, "deinit finished"), "%s", fixes);
	ck_assert_str_eq(op_on_disk(), "");
	ck_assert_str_eq(pf_now(), "0:");
	ck_assert_int_eq(fakesys_read(root, PF, "sriov_drivers_autoprobe")[0], '1');
	struct svff_state *st = NULL;
	ck_assert_int_eq(svff_state_read(sdir, &st, &err), 0);
	ck_assert_ptr_null(svff_state_pf(st, PF));
	svff_state_free(st);
}
END_TEST

/* A release killed after the suspend and the release, before its
 * record: QEMU is the truth (x-query-vfio): the claim is paused, the VM
 * stays suspended, and unpause re-acquires and resumes. */
START_TEST(recover_takes_qemu_as_the_truth_for_a_release)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1 };

	fakevirt_flags(vm1, FV_VFIO_PAUSE);
	ck_assert_int_eq(svff_pause_run(&s, v, &it, 1, &err), 0);
	/* as if the record pause step had not been saved */
	struct svff_claim *c = svff_state_claim(svff_session_pf(&s), 1);
	c->state = SVFF_VF_ATTACHED;
	ck_assert_int_eq(svff_op_begin(&s, "pause", -1, -1, &err), 0);
	fixes[0] = 0;
	ck_assert_int_gt(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_msg(strstr(fixes, "released by the QEMU of VM 'vm1'"), "%s", fixes);
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
	ck_assert(fakevirt_paused(vm1));
	struct svff_pause_item back = { .vf = 1 };
	ck_assert_int_eq(svff_unpause_run(&s, v, &back, 1, &err), 0);
	ck_assert_msg(back.rc == 0, "%s", back.err.msg);
	ck_assert(!fakevirt_paused(vm1));
	ck_assert(!fakevirt_released(vm1, VF1));
}
END_TEST

/* The PF as the kernel has it: "count:vfio,vfio,..." (each VF's driver). */
static const char *pf_now(void)
{
	static char out[256];
	char path[1200], target[256];
	unsigned int n = (unsigned int)atoi(fakesys_read(root, PF, "sriov_numvfs"));
	int at = snprintf(out, sizeof(out), "%u:", n);
	for (unsigned int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/devices/pci0000:00/0000:01:00.%u/driver", root, i + 1);
		ssize_t k = readlink(path, target, sizeof(target) - 1);
		char vf[300];
		snprintf(vf, sizeof(vf), "%s/devices/pci0000:00/%s/virtfn%u", root, PF, i);
		if (access(vf, F_OK) != 0)
			break;
		target[k > 0 ? k : 0] = 0;
		at += snprintf(out + at, sizeof(out) - (size_t)at, "%s%s", i ? "," : "",
			       k > 0 ? strrchr(target, '/') + 1 : "none");
	}
	return out;
}

/* The operation recorded on disk: "verb" or "". */
static const char *op_on_disk(void)
{
	static char out[32];
	struct svff_state *st = NULL;
	struct svff_error err = { 0 };
	ck_assert_msg(svff_state_read(sdir, &st, &err) == 0, "%s", err.msg);
	snprintf(out, sizeof(out), "%s", st->op ? st->op->verb : "");
	svff_state_free(st);
	return out;
}

#define SIX "6:vfio-pci,vfio-pci,vfio-pci,vfio-pci,vfio-pci,vfio-pci"
#define FOUR "4:vfio-pci,vfio-pci,vfio-pci,vfio-pci"

/* reconf 4 -> 6 under vm1, by hot-unplug (_i 0) or the release (_i 1):
 * the count through 0, every VF on vfio-pci, vf1 back at its guest
 * address, the VM running, the claim attached, no record. */
/* What the host looked like as the VM got its VF back. */
static char at_give_back[256];
static void look_at_give_back(void)
{
	snprintf(at_give_back, sizeof(at_give_back), "%s", pf_now());
}

START_TEST(reconf_gives_every_claim_back_at_the_new_count)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;
	char guest[SVFF_ADDR_LEN];

	if (_i)
		fakevirt_flags(vm1, FV_VFIO_PAUSE);
	ck_assert_str_eq(pf_now(), FOUR);
	fakevirt_on_give_back(look_at_give_back);
	ck_assert_msg(svff_reconf_run(&s, 6, false, &r, &err) == 0, "%s", err.msg);
	fakevirt_on_give_back(NULL);
	/* vf1 back before the VFs no VM waits for were bound */
	ck_assert_str_eq(at_give_back, "6:none,vfio-pci,none,none,none,none");
	ck_assert_str_eq(pf_now(), SIX);
	ck_assert_uint_eq(kernel.numvfs_writes, 2);   /* 0, then 6 */
	ck_assert_uint_eq(r.n_items, 1);
	ck_assert_msg(r.items[0].rc == 0, "%s", r.items[0].err.msg);
	ck_assert_int_eq(r.items[0].mech, _i ? SVFF_PAUSE_RELEASE : SVFF_PAUSE_HOTPLUG);
	ck_assert(fakevirt_holds(vm1, VF1, guest));
	ck_assert_str_eq(guest, GUEST);
	ck_assert(!fakevirt_paused(vm1));
	ck_assert(!fakevirt_released(vm1, VF1));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert_uint_eq(svff_session_pf(&s)->numvfs, 6);
	svff_reconf_clear(&r);
}
END_TEST

static const char *const vf3[] = { VF1, VF2, VF3 };
static const char *const at3[] = { GUEST, "0000:08:00.0", "0000:09:00.0" };

/* vm1 and two more VMs, p1 and p2, holding vf1, vf2 and vf3 at at3[],
 * all with flags. */
static void three_vms(unsigned int flags, struct fv_dom *d[3])
{
	struct svff_error err = { 0 };
	const char *const *vf = vf3, *const *at = at3;

	d[0] = vm1;
	fakevirt_flags(vm1, flags);
	for (unsigned int i = 1; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof(name), "p%u", i);
		d[i] = fakevirt_add(name, true, true, flags);
		fakevirt_plug(d[i], vf[i], at[i], true, false);
		struct svff_claim *c = svff_state_claim_add(svff_session_pf(&s), i + 1);
		c->state = SVFF_VF_ATTACHED;
		snprintf(c->vm_name, sizeof(c->vm_name), "%s", name);
		snprintf(c->vm_uuid, sizeof(c->vm_uuid), "%s", fakevirt_uuid(d[i]));
		snprintf(c->guest_addr, sizeof(c->guest_addr), "%s", at[i]);
	}
	ck_assert_msg(svff_session_save(&s, &err) == 0, "%s", err.msg);
}

/* reconf under three VMs whose QEMUs and libvirt take 50 ms an answer,
 * by hot-unplug (_i 0) and by the release (_i 1): svff asks every VM at
 * once at each step (the QEMUs' probes; the unplug requests, or the
 * suspends, releases, re-acquires, notices and resumes), so that the
 * last VM does not wait for the others; each VF is back at its guest
 * address, each VM running (and, released, each guest told). */
START_TEST(reconf_acts_on_every_vm_at_once)
{
	static const char *const rel[] = { "x-vfio-pause", "x-vfio-resume", "x-vfio-notify",
					   "suspend", "resume" };
	const char *const *vf = vf3, *const *at = at3;
	struct svff_error err = { 0 };
	struct svff_reconf r;
	struct fv_dom *d[3];
	char guest[SVFF_ADDR_LEN];

	three_vms(FV_SLOW_QMP | (_i ? FV_VFIO_PAUSE : 0), d);
	ck_assert_msg(svff_reconf_run(&s, 6, false, &r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(fakevirt_max_in_flight("query-commands"), 3);
	ck_assert_uint_eq(fakevirt_max_in_flight("detach"), _i ? 0 : 3);
	for (unsigned int k = 0; k < 5; k++)
		ck_assert_msg(fakevirt_max_in_flight(rel[k]) == (_i ? 3 : 0), "%s: %u in flight",
			      rel[k], fakevirt_max_in_flight(rel[k]));
	ck_assert_uint_eq(r.n_items, 3);
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_msg(r.items[i].rc == 0, "%s", r.items[i].err.msg);
		ck_assert_int_eq(r.items[i].mech, _i ? SVFF_PAUSE_RELEASE : SVFF_PAUSE_HOTPLUG);
		ck_assert(r.items[i].told == (_i == 1));
	}
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert(fakevirt_holds(d[i], vf[i], guest));
		ck_assert_str_eq(guest, at[i]);
		ck_assert(!fakevirt_paused(d[i]));
		ck_assert(!fakevirt_released(d[i], vf[i]));
		ck_assert_uint_eq(fakevirt_notified(d[i], vf[i]), _i ? 1 : 0);
	}
	ck_assert_str_eq(claim_on_disk(3), "p2:attached");
	svff_reconf_clear(&r);
}
END_TEST

/* unpause looks every VM up at once, as pause does (VMs whose libvirt
 * takes 50 ms an answer), and gives each its VF back at its address. */
START_TEST(unpause_looks_every_vm_up_at_once)
{
	struct svff_pause_item items[3] = { { .vf = 1 }, { .vf = 2 }, { .vf = 3 } };
	struct svff_pause_item back[3] = { { .vf = 1 }, { .vf = 2 }, { .vf = 3 } };
	struct svff_error err = { 0 };
	struct fv_dom *d[3];
	char guest[SVFF_ADDR_LEN];

	three_vms(FV_SLOW_QMP, d);
	ck_assert_msg(svff_pause_run(&s, v, items, 3, &err) == 0, "%s", err.msg);
	fakevirt_clear_in_flight();
	ck_assert_msg(svff_unpause_run(&s, v, back, 3, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(fakevirt_max_in_flight("lookup"), 3);
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_msg(items[i].rc == 0 && back[i].rc == 0, "%s %s", items[i].err.msg,
			      back[i].err.msg);
		ck_assert_int_eq(back[i].mech, SVFF_PAUSE_HOTPLUG);
		ck_assert(fakevirt_holds(d[i], vf3[i], guest));
		ck_assert_str_eq(guest, at3[i]);
	}
	ck_assert_str_eq(claim_on_disk(3), "p2:attached");
}
END_TEST

static char changes[1024];
static void on_change(void *opaque, const char *pf, const char *what)
{
	(void)opaque;
	snprintf(changes + strlen(changes), sizeof(changes) - strlen(changes), "%s: %s\n", pf,
		 what);
}

/* apply on a PF: the file's count (a reconf, vm1 keeping vf1), a claim of
 * vf2 for vm2 that does not hold it (attached, persistent too), each
 * change told; a second run changes nothing; a claim of a VF another VM
 * holds is refused at its file and line, and nothing changes. */
START_TEST(apply_makes_the_pf_what_the_file_says)
{
	struct svff_error err = { 0 };
	struct fv_dom *vm2 = fakevirt_add("vm2", true, true, 0);
	struct svff_config_claim cl[2] = { { .vm = "vm1", .vf = 1, .line = 3 },
					   { .vm = "vm2", .vf = 2, .line = 4 } };
	struct svff_config_pf p = { .addr = PF, .numvfs = 6, .claims = cl, .n_claims = 2,
				    .file = "svff.xml", .line = 2 };

	changes[0] = 0;
	int n = svff_apply_pf(&s, v, &p, on_change, NULL, &err);
	ck_assert_msg(n == 2, "%d: %s / %s", n, err.msg, changes);
	ck_assert_str_eq(changes, PF ": reconf 4 -> 6\n" PF ": vf2 to VM 'vm2' (persistent "
			 "configuration)\n");
	ck_assert_str_eq(pf_now(), SIX);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert(fakevirt_holds(vm2, VF2, NULL));
	ck_assert_str_eq(claim_on_disk(2), "vm2:attached");
	changes[0] = 0;
	ck_assert_int_eq(svff_apply_pf(&s, v, &p, on_change, NULL, &err), 0);
	ck_assert_str_eq(changes, "");
	snprintf(cl[1].vm, sizeof(cl[1].vm), "vm1");
	ck_assert_int_lt(svff_apply_pf(&s, v, &p, on_change, NULL, &err), 0);
	ck_assert_str_eq(err.msg, "svff.xml:4: vf2 is held by VM 'vm2', the file gives it to "
			 "'vm1'");
	ck_assert(fakevirt_holds(vm2, VF2, NULL));
	ck_assert_str_eq(claim_on_disk(2), "vm2:attached");
}
END_TEST

/* The PF driver enables 5 VFs for 6: reconf says so, goes back to 4 and
 * gives vf1 back there; no record. */
START_TEST(reconf_that_fails_puts_the_old_count_back)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;

	kernel.refuse_numvfs = 1;
	ck_assert_int_lt(svff_reconf_run(&s, 6, false, &r, &err), 0);
	ck_assert_msg(strstr(err.msg, "(5 present) instead of 6"), "%s",
		      err.msg);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert_uint_eq(svff_session_pf(&s)->numvfs, 4);
	svff_reconf_clear(&r);
}
END_TEST

/* ... and when going back fails too, the record stays (exit 4), every
 * other verb is refused, and recover finishes the reconf: 6 VFs, vf1
 * back; a second recover does nothing. */
START_TEST(reconf_whose_undo_fails_is_finished_by_recover)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;

	kernel.refuse_numvfs = 2;
	ck_assert_int_eq(svff_reconf_run(&s, 6, false, &r, &err), -EINPROGRESS);
	ck_assert_int_eq(err.kind, SVFF_ERR_RECOVER);
	ck_assert_msg(strstr(err.msg, "undoing it failed too: going back to 4 VFs"), "%s", err.msg);
	ck_assert_str_eq(op_on_disk(), "reconf");
	ck_assert(!fakevirt_holds(vm1, VF1, NULL));
	svff_reconf_clear(&r);
	svff_session_close(&s);
	struct svff_error e2 = { 0 };
	ck_assert_int_eq(svff_session_open(ctx, PF, 0, &s, &e2), -EINPROGRESS);
	ck_assert_int_eq(svff_session_open(ctx, PF, SVFF_SESSION_RECOVER, &s, &e2), 0);
	fixes[0] = 0;
	ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) > 0, "%s", err.msg);
	ck_assert_msg(strstr(fixes, "reconf finished: 6 VFs"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "vf1 given back to VM 'vm1' at " GUEST), "%s", fixes);
	ck_assert_str_eq(pf_now(), SIX);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_str_eq(fixes, "");
}
END_TEST

/* The give-back fails (libvirt refuses the hot-plug, as when libvirtd is
 * gone): reconf exits with the count changed and the claim paused, no
 * record; recover gives it back once it can, and a second finds nothing.
 * An operator's own pause is never given back by recover. */
START_TEST(recover_gives_back_what_an_operation_could_not)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;

	fakevirt_flags(vm1, FV_NO_HOTPLUG);
	ck_assert_int_eq(svff_reconf_run(&s, 6, false, &r, &err), -EIO);
	ck_assert_msg(strstr(err.msg, "'svff recover' gives them back"), "%s", err.msg);
	svff_reconf_clear(&r);
	ck_assert_str_eq(pf_now(), SIX);
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
	struct svff_view view;
	ck_assert_int_eq(svff_view_build(ctx, s.st, PF, &view, &err), 0);
	bool said = false;
	for (size_t i = 0; i < view.n_rows; i++)
		said |= view.rows[i].vf == 1 && strstr(view.rows[i].problem, "'svff recover' gives "
						       "it back");
	svff_view_clear(&view);
	ck_assert_msg(said, "list does not say that recover gives vf1 back");
	fixes[0] = 0;
	ck_assert_int_lt(svff_recover(&s, v, on_fix, NULL, &err), 0);   /* still refused */
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
	fakevirt_flags(vm1, 0);
	fixes[0] = 0;
	ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) == 1, "%s / %s", err.msg, fixes);
	ck_assert_msg(strstr(fixes, "vf1 given back to VM 'vm1' at " GUEST), "%s", fixes);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);

	struct svff_pause_item it = { .vf = 1 };
	ck_assert_int_eq(svff_pause_run(&s, v, &it, 1, &err), 0);
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_str_eq(claim_on_disk(1), "vm1:paused");
}
END_TEST

/* libvirtd dies as reconf asks the guest to let go (the guest does,
 * unheard): the lost connection is seen at once and named, not waited
 * out and blamed on the guest; nothing can be given back, so the record
 * stays; once libvirtd is back, recover finishes the reconf and gives the
 * VM its VF back. */
START_TEST(reconf_when_libvirtd_dies_during_the_unplug)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;
	char guest[SVFF_ADDR_LEN];

	fakevirt_flags(vm1, FV_DROP_ON_UNPLUG);
	double t0 = svff_now();
	ck_assert_int_eq(svff_reconf_run(&s, 6, false, &r, &err), -EINPROGRESS);
	double waited = svff_now() - t0;
	svff_reconf_clear(&r);
	ck_assert_msg(waited < 5, "waited %.1f s for a connection that was gone", waited);
	ck_assert_msg(strstr(err.msg, "lost the connection to libvirt"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "run 'svff recover'"), "%s", err.msg);
	ck_assert_str_eq(op_on_disk(), "reconf");
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert(!fakevirt_holds(vm1, VF1, NULL));

	fakevirt_libvirtd(true);
	fakevirt_flags(vm1, 0);
	svff_virt_close(v);
	ck_assert_msg(svff_virt_open(ctx, &v, &err) == 0, "%s", err.msg);
	svff_session_close(&s);
	ck_assert_int_eq(svff_session_open(ctx, PF, SVFF_SESSION_RECOVER, &s, &err), 0);
	fixes[0] = 0;
	ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) > 0, "%s", err.msg);
	ck_assert_msg(strstr(fixes, "the interrupted operation took it"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "reconf finished: 6 VFs"), "%s", fixes);
	ck_assert(fakevirt_holds(vm1, VF1, guest));
	ck_assert_str_eq(guest, GUEST);
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
}
END_TEST

/* A second VM, p1, holding vf2 at its guest address: persistent with the
 * hostdev in its configuration too (_i 0), or transient (_i 1). */
static struct fv_dom *second_vm(bool persistent, unsigned int flags)
{
	struct svff_error err = { 0 };
	struct fv_dom *d = fakevirt_add("p1", true, persistent, flags);
	fakevirt_plug(d, VF2, "0000:08:00.0", true, persistent);
	struct svff_claim *c = svff_state_claim_add(svff_session_pf(&s), 2);
	c->state = SVFF_VF_ATTACHED;
	c->persistent = persistent;
	snprintf(c->vm_name, sizeof(c->vm_name), "p1");
	snprintf(c->vm_uuid, sizeof(c->vm_uuid), "%s", fakevirt_uuid(d));
	snprintf(c->guest_addr, sizeof(c->guest_addr), "0000:08:00.0");
	ck_assert_msg(svff_session_save(&s, &err) == 0, "%s", err.msg);
	return d;
}

/* p1's QEMU dies as reconf asks its guest to let vf2 go: seen at once
 * (not waited out and blamed on the guest), and the reconf goes on for
 * vm1. A persistent p1 keeps its claim, attached in its configuration
 * (_i 0); a transient p1 is gone with its QEMU, so its claim stays
 * paused, no longer the operation's (_i 1). No record is left. */
START_TEST(reconf_when_a_qemu_dies_goes_on_for_the_others)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;
	char guest[SVFF_ADDR_LEN];

	struct fv_dom *p1 = second_vm(_i == 0, FV_DIES_ON_UNPLUG);
	double t0 = svff_now();
	int rc = svff_reconf_run(&s, 6, false, &r, &err);
	double took = svff_now() - t0;
	ck_assert_msg(took < 5, "took %.1f s: a dead QEMU was waited for", took);
	ck_assert_msg(rc == 0, "%d %s", rc, err.msg);
	ck_assert_str_eq(pf_now(), SIX);
	ck_assert(fakevirt_holds(vm1, VF1, guest));
	ck_assert_str_eq(guest, GUEST);
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert(!fakevirt_holds(p1, VF2, NULL));
	size_t k = r.items[0].vf == 2 ? 0 : 1;
	ck_assert_uint_eq(r.items[k].vf, 2);
	ck_assert(r.items[k].vm_stopped);
	if (_i == 0) {
		ck_assert_int_eq(r.items[k].rc, 0);
		ck_assert_str_eq(claim_on_disk(2), "p1:attached");
	} else {
		ck_assert_int_eq(r.items[k].rc, -ENOENT);
		ck_assert_msg(strstr(r.items[k].err.msg, "no longer exists"), "%s", r.items[k].err.msg);
		ck_assert_str_eq(claim_on_disk(2), "p1:paused");
	}
	svff_reconf_clear(&r);
	fixes[0] = 0;
	svff_session_close(&s);
	ck_assert_int_eq(svff_session_open(ctx, PF, SVFF_SESSION_RECOVER, &s, &err), 0);
	rc = svff_recover(&s, v, on_fix, NULL, &err);
	if (_i == 0) {
		ck_assert_msg(rc == 0 && !fixes[0], "recover: %d %s", rc, fixes);
		return;
	}
	/* a claim of a VM that no longer exists is list's problem, which
	 * recover mends as for any VM undefined under svff */
	ck_assert_msg(rc == 1 && strstr(fixes, "vf2: VM 'p1' no longer exists: claim dropped"),
		      "recover: %d %s", rc, fixes);
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_str_eq(fixes, "");
}
END_TEST

/* p1's QEMU dies while its VF is paused, by hot-unplug (_i 0) or the
 * release (_i 1; p1 was suspended): unpause finds it shut off and its
 * persistent configuration holding the VF, so the claim is attached
 * again with nothing to plug; recover finds nothing to mend. */
START_TEST(qemu_that_dies_while_paused_keeps_its_persistent_claim)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 2 }, back = { .vf = 2 };

	struct fv_dom *p1 = second_vm(true, _i ? FV_VFIO_PAUSE : 0);
	ck_assert_msg(svff_pause_run(&s, v, &it, 1, &err) == 0, "%s", err.msg);
	ck_assert_msg(it.rc == 0, "%s", it.err.msg);
	ck_assert_int_eq(it.mech, _i ? SVFF_PAUSE_RELEASE : SVFF_PAUSE_HOTPLUG);
	ck_assert(fakevirt_paused(p1) == (_i == 1));
	fakevirt_qemu_dies(p1);
	ck_assert_msg(svff_unpause_run(&s, v, &back, 1, &err) == 0, "%s", err.msg);
	ck_assert_msg(back.rc == 0, "%s", back.err.msg);
	ck_assert(back.vm_stopped);
	ck_assert_int_eq(back.mech, SVFF_PAUSE_NONE);
	ck_assert_str_eq(claim_on_disk(2), "p1:attached");
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	svff_session_close(&s);
	ck_assert_int_eq(svff_session_open(ctx, PF, SVFF_SESSION_RECOVER, &s, &err), 0);
	fixes[0] = 0;
	int rc = svff_recover(&s, v, on_fix, NULL, &err);
	ck_assert_msg(rc == 0 && !fixes[0], "recover: %d %s", rc, fixes);
}
END_TEST

/* The same, with a guest that never lets go: recover cannot pause it,
 * and since the count never changed it undoes the reconf instead of
 * waiting for the guest at every run; a second recover does nothing. */
START_TEST(recover_undoes_a_reconf_whose_guest_does_not_let_go)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;

	fakevirt_flags(vm1, FV_DROP_ON_UNPLUG | FV_NO_UNPLUG);
	ck_assert_int_eq(svff_reconf_run(&s, 6, false, &r, &err), -EINPROGRESS);
	svff_reconf_clear(&r);
	fakevirt_libvirtd(true);
	fakevirt_flags(vm1, FV_NO_UNPLUG);
	svff_virt_close(v);
	ck_assert_msg(svff_virt_open(ctx, &v, &err) == 0, "%s", err.msg);
	svff_session_close(&s);
	ck_assert_int_eq(svff_session_open(ctx, PF, SVFF_SESSION_RECOVER, &s, &err), 0);
	ctx->timeout_s = 1;
	fixes[0] = 0;
	ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) > 0, "%s", err.msg);
	ck_assert_msg(strstr(fixes, "reconf undone, 4 VFs kept: VM 'vm1' did not release"), "%s",
		      fixes);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert_uint_eq(kernel.numvfs_writes, 0);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
}
END_TEST

/* A guest that does not let its VF go: nothing changes, the count is
 * never written. */
START_TEST(reconf_under_a_guest_that_does_not_answer_changes_nothing)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;

	fakevirt_flags(vm1, FV_NO_UNPLUG);
	ctx->timeout_s = 1;
	ck_assert_int_eq(svff_reconf_run(&s, 6, false, &r, &err), -ETIMEDOUT);
	ck_assert_uint_eq(kernel.numvfs_writes, 0);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	svff_reconf_clear(&r);
}
END_TEST

/* --- reprogram: the card reloaded under vm1. The command is a script
 * that checks what it must find while it runs (no VF; with --remove no
 * PF either) and leaves a line in a mark file for each run. --- */

static char mark[600], script[600];

/* The script, and argv for it: MODE remove|keep, exit STATUS ("sleep":
 * sleeps 30 s, "kill": killed by SIGKILL). */
static char **command(const char *mode, const char *status)
{
	static char *argv[8];
	static char m[16], st[16];
	snprintf(mark, sizeof(mark), "%s/mark", root);
	snprintf(script, sizeof(script), "%s/program.sh", root);
	write_file(script,
		   "#!/bin/sh\n"
		   "echo \"$SVFF_PF $SVFF_VFS $SVFF_OP\" >>\"$2\"\n"
		   "[ ! -e \"$1/bus/pci/devices/0000:01:00.1\" ] || exit 10\n"
		   "if [ \"$3\" = remove ]; then [ ! -e \"$1/bus/pci/devices/$SVFF_PF\" ] || exit 11\n"
		   "else [ \"$(cat \"$1/bus/pci/devices/$SVFF_PF/sriov_numvfs\")\" = 0 ] || exit 12; fi\n"
		   "echo programmed; echo warned >&2\n"
		   "case $4 in sleep) exec sleep 30;; kill) kill -9 $$;; nap) sleep 2; exit 0;; esac\n"
		   "exit $4\n");
	chmod(script, 0755);
	snprintf(m, sizeof(m), "%s", mode);
	snprintf(st, sizeof(st), "%s", status);
	argv[0] = script;
	argv[1] = root;
	argv[2] = mark;
	argv[3] = m;
	argv[4] = st;
	argv[5] = NULL;
	return argv;
}

static char lines[8192];
static void on_line(void *opaque, bool on_err, const char *line)
{
	(void)opaque;
	snprintf(lines + strlen(lines), sizeof(lines) - strlen(lines), "%s%s\n",
		 on_err ? "E:" : "O:", line);
}

/* How many times the command ran (lines in the mark file). */
static int runs(void)
{
	char *m = slurp(mark);
	int n = 0;
	for (char *p = m; p && *p; p++)
		n += *p == '\n';
	free(m);
	return n;
}

static int cmd_timeout = 30;   /* the command's bound (--command-timeout) */
static bool new_ids;          /* --new-ids */

static int reprogram(bool remove, unsigned int count, const char *status,
		     struct svff_reprogram *p, struct svff_error *err)
{
	*p = (struct svff_reprogram){ .remove = remove, .count = count, .op_id = "0123456789ab",
				      .cmd_timeout_s = cmd_timeout, .new_ids = new_ids };
	p->cmd = (struct svff_command){ .argv = command(remove ? "remove" : "keep", status),
					.on_line = on_line };
	lines[0] = 0;
	return svff_reprogram_run(&s, p, err);
}

/* _i: bit 0 the VFIO pause, bit 1 --remove. vf1 back in vm1 at its guest
 * address on a PF with the new count, the command run once with its
 * environment, its lines handed over; no record. */
START_TEST(reprogram_gives_every_claim_back)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;
	char guest[SVFF_ADDR_LEN], want[64];
	bool remove = _i & 2;

	if (_i & 1)
		fakevirt_flags(vm1, FV_VFIO_PAUSE);
	ck_assert_msg(reprogram(remove, remove ? 6 : 4, "0", &p, &err) == 0, "%s", err.msg);
	ck_assert(p.ran && p.done);
	ck_assert_int_eq(p.cmd.status, 0);
	ck_assert_str_eq(pf_now(), remove ? SIX : FOUR);
	ck_assert_uint_eq(kernel.rescans, remove ? 1 : 0);
	ck_assert_int_eq(runs(), 1);
	snprintf(want, sizeof(want), PF " %u 0123456789ab\n", remove ? 6 : 4);
	char *m = slurp(mark);
	ck_assert_str_eq(m, want);
	free(m);
	ck_assert_str_eq(lines, "O:programmed\nE:warned\n");
	ck_assert_uint_eq(p.rc.n_items, 1);
	ck_assert_int_eq(p.rc.items[0].mech, _i & 1 ? SVFF_PAUSE_RELEASE : SVFF_PAUSE_HOTPLUG);
	ck_assert(fakevirt_holds(vm1, VF1, guest));
	ck_assert_str_eq(guest, GUEST);
	ck_assert(!fakevirt_paused(vm1) && !fakevirt_released(vm1, VF1));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert_str_eq(fakesys_read(root, PF, "sriov_drivers_autoprobe"), "0");
	svff_reprogram_clear(&p);
}
END_TEST

/* A command that fails (_i 0: exit 3; 1: killed; 2: timed out; 3: exit 3
 * with --remove): the old count back (the PF found again first), vf1
 * back in vm1, the command's failure returned, no record. */
START_TEST(reprogram_whose_command_fails_goes_back)
{
	static const char *const how[] = { "3", "kill", "sleep", "3" };
	static const char *const said[] = { "exited 3", "was killed by signal 9",
					    "timed out after 1 s", "exited 3" };
	struct svff_error err = { 0 };
	struct svff_reprogram p;

	cmd_timeout = _i == 2 ? 1 : cmd_timeout;
	double t0 = svff_now();
	int rc = reprogram(_i == 3, 6, how[_i], &p, &err);
	cmd_timeout = 30;
	ck_assert_int_eq(rc, _i == 0 || _i == 3 ? -ECHILD : _i == 1 ? -EINTR : -ETIME);
	ck_assert_msg(strstr(err.msg, said[_i]), "%s", err.msg);
	if (_i == 2)   /* SIGTERM ended the sleep: no grace needed */
		ck_assert_double_lt(svff_now() - t0, 1 + SVFF_COMMAND_GRACE_S);
	ck_assert(p.ran && !p.done);
	ck_assert_int_eq(runs(), 1);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert_uint_eq(svff_session_pf(&s)->numvfs, 4);
	svff_reprogram_clear(&p);
}
END_TEST

/* The PF does not come back after the rescan (_i 0), or comes back as
 * another device (_i 1): the record stays (exit 4), vf1's claim stays
 * paused, other verbs are refused; recover fails while the PF is not
 * back as it was, and once it is, finishes without running the command
 * again; a second recover does nothing. */
START_TEST(reprogram_whose_pf_does_not_come_back_is_left_for_recover)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;
	struct svff_session s2;

	kernel.rescan_lost = _i == 0;
	kernel.rescan_device = _i == 1 ? 0x1234 : 0;
	ctx->timeout_s = 1;   /* the wait for a PF that never comes back */
	ck_assert_int_eq(reprogram(true, 4, "0", &p, &err), -EINPROGRESS);
	ck_assert_int_eq(err.kind, SVFF_ERR_RECOVER);
	ck_assert_msg(strstr(err.msg, _i ? "came back as another device: device 0x1234 (was 0x10fb)"
				     : "did not come back to the PCI bus"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "every claim stays paused"), "%s", err.msg);
	ck_assert_str_eq(op_on_disk(), "reprogram");
	ck_assert(!fakevirt_holds(vm1, VF1, NULL));
	svff_reprogram_clear(&p);
	svff_session_close(&s);
	ck_assert_int_eq(svff_session_open(ctx, PF, 0, &s2, &err), -EINPROGRESS);
	ck_assert_msg(svff_session_open(ctx, NULL, SVFF_SESSION_RECOVER, &s, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_lt(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_str_eq(op_on_disk(), "reprogram");
	/* the card is right again */
	kernel.rescan_lost = false;
	kernel.rescan_device = 0;
	if (_i == 1)
		fakesys_write(root, PF, "device", "0x10fb\n");
	svff_session_close(&s);
	ck_assert_msg(svff_session_open(ctx, NULL, SVFF_SESSION_RECOVER, &s, &err) == 0, "%s",
		      err.msg);
	fixes[0] = 0;
	ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) > 0, "%s", err.msg);
	ck_assert_msg(strstr(fixes, "its command had been started: it is not run again"), "%s", fixes);
	ck_assert_msg(strstr(fixes, "vf1 given back to VM 'vm1' at " GUEST), "%s", fixes);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_int_eq(runs(), 1);
	fixes[0] = 0;
	ck_assert_int_eq(svff_recover(&s, v, on_fix, NULL, &err), 0);
	ck_assert_str_eq(fixes, "");
}
END_TEST

/* The new count fails after the command (the PF driver enables one VF
 * short): the record and vf1's paused claim stay for recover, which
 * makes the count and gives vf1 back without running the command. */
START_TEST(reprogram_whose_new_count_fails_is_left_for_recover)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;

	kernel.refuse_numvfs = 1;
	ck_assert_int_eq(reprogram(false, 4, "0", &p, &err), -EINPROGRESS);
	ck_assert_int_eq(err.kind, SVFF_ERR_RECOVER);
	ck_assert_msg(strstr(err.msg, "every claim stays paused"), "%s", err.msg);
	ck_assert(p.ran && !p.done);
	ck_assert_uint_eq(p.rc.n_items, 1);
	ck_assert_int_lt(p.rc.items[0].rc, 0);   /* not given back */
	ck_assert_str_eq(op_on_disk(), "reprogram");
	ck_assert(!fakevirt_holds(vm1, VF1, NULL));
	svff_reprogram_clear(&p);
	svff_session_close(&s);
	ck_assert_msg(svff_session_open(ctx, NULL, SVFF_SESSION_RECOVER, &s, &err) == 0, "%s",
		      err.msg);
	fixes[0] = 0;
	ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) > 0, "%s [%s] %s", err.msg, fixes, pf_now());
	ck_assert_msg(strstr(fixes, "vf1 given back to VM 'vm1' at " GUEST), "%s", fixes);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert_int_eq(runs(), 1);
}
END_TEST

/* The command's bound is its own: -t (the waits for guests, here 1 s)
 * does not cut a 2 s command short, and --command-timeout 0 bounds
 * nothing (_i 1). */
START_TEST(reprogram_command_has_its_own_bound)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;

	ctx->timeout_s = 1;
	cmd_timeout = _i ? 0 : 30;
	int rc = reprogram(false, 4, "nap", &p, &err);
	cmd_timeout = 30;
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert(p.done && !p.cmd.timed_out);
	ck_assert_double_ge(p.cmd.seconds, 2);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	svff_reprogram_clear(&p);
}
END_TEST

/* --new-ids: a PF back with another device ID is taken (_i 0); the
 * record keeps the word for recover, which takes it too once the PF is
 * back after a rescan that found nothing (_i 1). The driver must still
 * be the same, and the command is not run again. */
START_TEST(reprogram_with_new_ids_takes_a_pf_with_other_ids)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;

	new_ids = true;
	kernel.rescan_device = 0x1234;
	kernel.rescan_lost = _i == 1;
	ctx->timeout_s = 1;
	int rc = reprogram(true, 4, "0", &p, &err);
	new_ids = false;
	svff_reprogram_clear(&p);
	if (_i == 0) {
		ck_assert_msg(rc == 0, "%s", err.msg);
	} else {
		ck_assert_int_eq(rc, -EINPROGRESS);
		struct svff_state *st = NULL;
		ck_assert_msg(svff_state_read(sdir, &st, &err) == 0, "%s", err.msg);
		ck_assert(st->op && st->op->removed.new_ids);
		svff_state_free(st);
		kernel.rescan_lost = false;
		svff_session_close(&s);
		ck_assert_msg(svff_session_open(ctx, NULL, SVFF_SESSION_RECOVER, &s, &err) == 0,
			      "%s", err.msg);
		ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) > 0, "%s", err.msg);
	}
	ck_assert_str_eq(fakesys_read(root, PF, "device"), "0x1234\n");
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ck_assert_int_eq(runs(), 1);
	kernel.rescan_device = 0;
}
END_TEST

/* --new-ids without --remove is refused before anything changes. */
START_TEST(reprogram_new_ids_needs_remove)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;

	new_ids = true;
	ck_assert_int_eq(reprogram(false, 4, "0", &p, &err), -EINVAL);
	new_ids = false;
	ck_assert_int_eq(err.kind, SVFF_ERR_USAGE);
	ck_assert_msg(strstr(err.msg, "--new-ids needs --remove"), "%s", err.msg);
	ck_assert_int_eq(runs(), 0);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	svff_reprogram_clear(&p);
}
END_TEST

/* A signal before the command: undone, the command never run; during
 * it: the command finishes, and so does the reprogram. */
static char signal_when[32];
static void signal_on(void *opaque, const char *what)
{
	fakesys_kernel(opaque, what);
	if (strstr(what, signal_when))
		ctx->interrupt = SIGTERM;
}

START_TEST(reprogram_signalled_before_or_during_its_command)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;

	snprintf(signal_when, sizeof(signal_when), "%s", _i ? "run '" : "sriov_numvfs");
	ctx->on_step = signal_on;
	ck_assert_int_eq(reprogram(true, 4, "0", &p, &err), -EINTR);
	ctx->on_step = fakesys_kernel;
	ck_assert_msg(strstr(err.msg, _i ? "'reprogram' was finished" : "what 'reprogram' had "
			     "done is undone"), "%s", err.msg);
	ck_assert_int_eq(runs(), _i ? 1 : 0);
	ck_assert_int_eq(p.done, _i == 1);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	ctx->interrupt = 0;
	svff_reprogram_clear(&p);
}
END_TEST

/* -n: the plan, the command line included; nothing changes, nothing runs. */
static void plan(void *opaque, const char *what)
{
	(void)opaque;
	snprintf(lines + strlen(lines), sizeof(lines) - strlen(lines), "%s\n", what);
}

START_TEST(reprogram_dry_run_runs_nothing)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p = { .remove = true, .count = 4 };

	p.cmd = (struct svff_command){ .argv = command("remove", "it's") };
	lines[0] = 0;
	ctx->dry_run = true;
	ctx->on_step = plan;
	ck_assert_msg(svff_reprogram_run(&s, &p, &err) == 0, "%s", err.msg);
	ctx->dry_run = false;
	ctx->on_step = fakesys_kernel;
	ck_assert_msg(strstr(lines, "/remove\n"), "%s", lines);
	ck_assert_msg(strstr(lines, "bus/pci/rescan\n"), "%s", lines);
	char want[2048];
	snprintf(want, sizeof(want), "run '%s' '%s' '%s' 'remove' 'it'\\''s'", script, root,
		 mark);
	ck_assert_msg(strstr(lines, want), "%s", lines);
	/* the same count after the command: planned from none */
	const char *after = strstr(lines, "bus/pci/rescan\n");
	char made[600];
	snprintf(made, sizeof(made), "write '4' to %s/bus/pci/devices/" PF "/sriov_numvfs", root);
	ck_assert_msg(after && strstr(after, made) && strstr(after, "drivers_probe"), "%s", lines);
	ck_assert_int_eq(runs(), 0);
	ck_assert_str_eq(pf_now(), FOUR);
	ck_assert(fakevirt_holds(vm1, VF1, NULL));
	ck_assert_str_eq(claim_on_disk(1), "vm1:attached");
	svff_reprogram_clear(&p);
}
END_TEST

/* --- the crash sweep: a verb run in a child process that dies just
 * before its Nth save of the state file (after the host changes that
 * the save would record), for N = 1, 2, ... until it runs to the end;
 * after each death, recover in this process (the fake kernel's files
 * and the fake VMs are shared) must leave vm1's claim and VF whole, and
 * a second recover must find nothing. --- */

static int kill_at, saves;
static int result_fd = -1;   /* the child's end of the pipe to the parent */

/* A child ends by SIGKILL whatever happened (the kill -9 of the sweep,
 * or its verb's end), its result written first: no exit handler of its
 * own runs (memcheck's would judge the leaks of a process cut short). */
static void __attribute__((noreturn)) child_end(int code)
{
	unsigned char c = (unsigned char)code;
	if (write(result_fd, &c, 1) != 1)
		abort();
	raise(SIGKILL);
	abort();
}

static void killer(void *opaque, const char *what)
{
	fakesys_kernel(opaque, what);
	if (!strncmp(what, "save state to ", 14) && ++saves == kill_at)
		child_end(137);
}

/* fork: in the child, 0; in the parent, the child's pid, and the pipe
 * its result comes through in *fd */
static pid_t fork_child(int *fd)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		result_fd = p[1];
		return 0;
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

/* The child's result, once it is gone. */
static int child_result(pid_t pid, int fd)
{
	unsigned char c = 255;
	int st = 0;
	ck_assert_int_eq(read(fd, &c, 1), 1);
	close(fd);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return c;
}

static int verb_pause(void)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1 };
	struct svff_virt *cv = NULL;
	int rc = svff_virt_open(ctx, &cv, &err);
	if (rc == 0)
		rc = svff_pause_run(&s, cv, &it, 1, &err);
	return rc < 0 ? rc : it.rc;
}

static int verb_unpause(void)
{
	struct svff_error err = { 0 };
	struct svff_pause_item it = { .vf = 1 };
	struct svff_virt *cv = NULL;
	int rc = svff_virt_open(ctx, &cv, &err);
	if (rc == 0)
		rc = svff_unpause_run(&s, cv, &it, 1, &err);
	return rc < 0 ? rc : it.rc;
}

static int verb_reconf(void)
{
	struct svff_error err = { 0 };
	struct svff_reconf r;
	return svff_reconf_run(&s, 6, false, &r, &err);
}

static int verb_attach2(void)
{
	struct svff_error err = { 0 };
	struct svff_virt *cv = NULL;
	struct svff_vm vm = { 0 };
	unsigned int vfs[] = { 2, 3 }, done[2];
	const struct svff_claim *claims[2];
	int rc = svff_virt_open(ctx, &cv, &err);
	if (rc == 0)
		rc = svff_vm_lookup(cv, "vm1", &vm, &err);
	struct svff_attach a = { .vm = &vm, .vfs = vfs, .n = 2, .done = done, .claims = claims };
	return rc < 0 ? rc : svff_attach_run(&s, cv, &a, &err);
}

static int verb_detach2(void)
{
	struct svff_error err = { 0 };
	struct svff_virt *cv = NULL;
	unsigned int vfs[] = { 1, 2 };
	int rc = svff_virt_open(ctx, &cv, &err);
	return rc < 0 ? rc : svff_detach_run(&s, cv, vfs, 2, NULL, NULL, &err);
}

/* reprogram to 6 VFs (the script checks what it must find, exit 0) */
static int verb_reprogram(bool remove)
{
	struct svff_error err = { 0 };
	struct svff_reprogram p;
	int rc = reprogram(remove, 6, "0", &p, &err);
	svff_reprogram_clear(&p);
	return rc;
}

static int verb_reprogram_remove(void)
{
	return verb_reprogram(true);
}

/* vm1 holds vf2 too, claimed */
static int attached_vf2(void)
{
	struct svff_error err = { 0 };
	struct svff_vm vm = { 0 };
	int rc = svff_vm_lookup(v, "vm1", &vm, &err);
	if (rc == 0)
		rc = svff_claim_attach(&s, v, &vm, 2, NULL, false, NULL, NULL, &err);
	svff_vm_clear(&vm);
	return rc;
}

/* 137 when killed, else 0 (the verb ran to its end) or 1 (it failed) */
static int run_killed(int (*verb)(void), int at)
{
	struct svff_error err = { 0 };
	/* no thread of this process may hold a lock (ASan's allocator's)
	 * across the fork: libvirt's event loop stops first */
	svff_virt_close(v);
	v = NULL;
	int fd;
	pid_t pid = fork_child(&fd);
	if (pid == 0) {
		saves = 0;
		kill_at = at;
		ctx->on_step = killer;
		int rc = verb();
		if (rc < 0)
			fprintf(stderr, "the verb failed: %s\n", strerror(-rc));
		child_end(rc == 0 ? 0 : 1);
	}
	int rc = child_result(pid, fd);
	ck_assert_msg(svff_virt_open(ctx, &v, &err) == 0, "%s", err.msg);
	return rc;
}

/* After recover: no record; vm1 keeps its claim; attached exactly when
 * it holds vf1 with QEMU holding it, paused exactly when not (or QEMU
 * holds it released); suspended only while released; every VF of the
 * kernel's count on vfio-pci and that count recorded. */
static bool keeps_vf1;   /* the verb never drops vf1's claim */

static void consistent(const char *what)
{
	char c[300];
	bool held = fakevirt_holds(vm1, VF1, NULL), rel = fakevirt_released(vm1, VF1);
	struct svff_pf_state *ps = svff_session_pf(&s);
	char want[16];

	snprintf(c, sizeof(c), "%s", claim_on_disk(1));
	snprintf(want, sizeof(want), "%u:", ps->numvfs);
	ck_assert_msg(!strncmp(pf_now(), want, strlen(want)) && !strstr(pf_now(), "none"),
		      "%s: the PF has %s, the state says %u", what, pf_now(), ps->numvfs);

	for (unsigned int i = 0; i < ps->numvfs; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "0000:01:00.%u", i + 1);
		const char *ci = claim_on_disk(i);
		if (fakevirt_holds(vm1, addr, NULL) && !fakevirt_released(vm1, addr))
			ck_assert_msg(!strcmp(ci, "vm1:attached"), "%s: vm1 holds vf%u, its claim "
				      "is '%s'", what, i, ci);
		else
			ck_assert_msg(strcmp(ci, "vm1:attached"), "%s: vf%u claimed attached, not in "
				      "vm1", what, i);
	}
	if (!keeps_vf1)
		return;
	ck_assert_msg(!strcmp(c, "vm1:attached") || !strcmp(c, "vm1:paused"), "%s: claim '%s'",
		      what, c);
	if (!strcmp(c, "vm1:attached"))
		ck_assert_msg(held && !rel && !fakevirt_paused(vm1), "%s: attached, but held %d "
			      "released %d paused %d", what, held, rel, fakevirt_paused(vm1));
	else
		ck_assert_msg(!held || rel, "%s: paused, but vm1 holds vf1", what);
	if (fakevirt_paused(vm1))
		ck_assert_msg(rel, "%s: vm1 left suspended with nothing released", what);
	snprintf(want, sizeof(want), "%u:", ps->numvfs);
}

/* must_attach: recover finishes the verb, claims given back (reconf) */
static void sweep(const char *name, int (*prep)(void), int (*verb)(void), unsigned int flags,
		  bool must_attach)
{
	int kills = 0;
	keeps_vf1 = verb != verb_detach2;
	for (int at = 1; at < 40; at++) {
		struct svff_error err = { 0 };
		char what[64];
		fakevirt_flags(vm1, flags);
		ck_assert_int_eq(prep ? prep() : 0, 0);
		int rc = run_killed(verb, at);
		snprintf(what, sizeof(what), "killed before save %d", at);
		if (rc != 137) {
			ck_assert_msg(rc == 0, "the verb failed when not killed (save %d)", at);
			break;
		}
		kills++;
		svff_session_close(&s);
		ck_assert_msg(svff_session_open(ctx, PF, SVFF_SESSION_RECOVER, &s, &err) == 0, "%s",
			      err.msg);
		ck_assert_msg(svff_recover(&s, v, NULL, NULL, &err) >= 0, "%s: %s", what, err.msg);
		consistent(what);
		if (must_attach)
			ck_assert_msg(!strcmp(claim_on_disk(1), "vm1:attached"), "%s: recover left "
				      "vm1's claim %s", what, claim_on_disk(1));
		fixes[0] = 0;
		ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) == 0, "%s: a second recover "
			      "fixed: %s", what, fixes);
		/* recover never runs reprogram's command */
		ck_assert_msg(runs() <= 1, "%s: the command ran %d times", what, runs());
		/* and the claim can be given back whole */
		if (!keeps_vf1) {
			teardown();
			setup();
			continue;
		}
		if (!strcmp(claim_on_disk(1), "vm1:paused")) {
			struct svff_pause_item back = { .vf = 1 };
			ck_assert_int_eq(svff_unpause_run(&s, v, &back, 1, &err), 0);
			ck_assert_msg(back.rc == 0, "%s: unpause: %s", what, back.err.msg);
		}
		ck_assert(fakevirt_holds(vm1, VF1, NULL) && !fakevirt_paused(vm1));
		teardown();
		setup();
	}
	ck_assert_int_ge(kills, 2);
	printf("crash sweep: %s (%s): %d kills, each recovered consistent\n", name,
	       flags ? "QEMU with the VFIO pause" : "stock QEMU", kills);
}

static int paused_first(void)
{
	return verb_pause();
}

START_TEST(crash_sweep_pause)
{
	sweep("pause", NULL, verb_pause, _i ? FV_VFIO_PAUSE : 0, false);
}
END_TEST

START_TEST(crash_sweep_unpause)
{
	sweep("unpause", paused_first, verb_unpause, _i ? FV_VFIO_PAUSE : 0, false);
}
END_TEST

START_TEST(crash_sweep_reconf)
{
	sweep("reconf", NULL, verb_reconf, _i ? FV_VFIO_PAUSE : 0, true);
}
END_TEST

/* _i: the VFIO pause. With --remove: its steps are those without and
 * three more (remove, the rescan, the pool made ready). */
START_TEST(crash_sweep_reprogram)
{
	sweep("reprogram --remove", NULL, verb_reprogram_remove, _i ? FV_VFIO_PAUSE : 0, true);
}
END_TEST

START_TEST(crash_sweep_attach_and_detach)
{
	if (_i)
		sweep("detach vf1 vf2", attached_vf2, verb_detach2, 0, false);
	else
		sweep("attach vf2 vf3", NULL, verb_attach2, 0, false);
}
END_TEST

/* --- signals: the first SIGTERM that svff.c's handler keeps (here set
 * as the handler would, just before the Nth save) stops the verb at its
 * next step boundary; it undoes what it can, or finishes past its point
 * of no return, and leaves no record: no recover is needed. --- */

static int signal_at;

static void signaller(void *opaque, const char *what)
{
	fakesys_kernel(opaque, what);
	if (!strncmp(what, "save state to ", 14) && ++saves == signal_at && ctx->in_op)
		ctx->interrupt = SIGTERM;
}

/* 0 ran to the end before save at, 5 that save came outside the
 * operation, 1 stopped (-EINTR: undone or finished), 3 said it succeeded
 * though signalled, 2 failed otherwise, 4 left for recover */
static int run_signalled(int (*verb)(void), int at)
{
	struct svff_error err = { 0 };
	/* no thread of this process may hold a lock (ASan's allocator's)
	 * across the fork: libvirt's event loop stops first */
	svff_virt_close(v);
	v = NULL;
	int fd;
	pid_t pid = fork_child(&fd);
	if (pid == 0) {
		saves = 0;
		signal_at = at;
		ctx->on_step = signaller;
		int rc = verb();
		if (saves < at)
			child_end(0);   /* ran to the end before that save */
		if (!ctx->interrupt)
			child_end(5);   /* that save was not within an operation */
		child_end(rc == 0 ? 3 : rc == -EINTR ? 1 : rc == -EINPROGRESS ? 4 : 2);
	}
	int rc = child_result(pid, fd);
	ck_assert_msg(svff_virt_open(ctx, &v, &err) == 0, "%s", err.msg);
	return rc;
}

static void signal_sweep(const char *name, int (*prep)(void), int (*verb)(void),
			 unsigned int flags)
{
	int stops = 0, undone = 0;
	keeps_vf1 = true;
	for (int at = 1; at < 40; at++) {
		struct svff_error err = { 0 };
		char what[64];
		fakevirt_flags(vm1, flags);
		ck_assert_int_eq(prep ? prep() : 0, 0);
		int rc = run_signalled(verb, at);
		snprintf(what, sizeof(what), "SIGTERM before save %d", at);
		ck_assert_msg(rc != 3, "%s: the verb said it succeeded", what);
		ck_assert_msg(rc != 2 && rc != 4, "%s: exit %d", what, rc);
		if (rc == 0)
			break;
		if (rc == 5) {
			teardown();
			setup();
			continue;
		}
		stops++;
		svff_session_close(&s);
		ck_assert_msg(svff_session_open(ctx, PF, 0, &s, &err) == 0, "%s: %s", what, err.msg);
		ck_assert_str_eq(op_on_disk(), "");
		consistent(what);
		undone += !strcmp(claim_on_disk(1), "vm1:attached");
		fixes[0] = 0;
		ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) == 0, "%s: recover fixed: %s",
			      what, fixes);
		teardown();
		setup();
	}
	ck_assert_int_ge(stops, 1);
	printf("signals: %s (%s): stopped at %d boundaries, vm1 holding vf1 after %d, no recover "
	       "needed\n", name, flags ? "QEMU with the VFIO pause" : "stock QEMU", stops, undone);
}

/* _i: the verb (pause, reconf, reprogram --remove, unpause of a paused
 * claim) and, in bit 0, the VFIO pause */
START_TEST(signal_stops_pause_and_reconf_at_a_step_boundary)
{
	unsigned int flags = _i & 1 ? FV_VFIO_PAUSE : 0;
	if (_i < 2)
		signal_sweep("pause", NULL, verb_pause, flags);
	else if (_i < 4)
		signal_sweep("reconf", NULL, verb_reconf, flags);
	else if (_i < 6)
		signal_sweep("reprogram --remove", NULL, verb_reprogram_remove, flags);
	else
		signal_sweep("unpause", paused_first, verb_unpause, flags);
}
END_TEST

/* --- a full /run: the state directory on a small tmpfs that fills up
 * just before the Nth save. The save fails whole (the previous state file
 * stays, whole), the verb fails saying why, and once there is room
 * recover leaves every claim as the VMs hold it. --- */

static char filler[512];
static int fill_at;

static void fill(const char *path)
{
	static const char zero[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	ck_assert_int_ge(fd, 0);
	while (write(fd, zero, sizeof(zero)) > 0)
		;
	while (write(fd, zero, 1) > 0)   /* the last bytes too */
		;
	close(fd);
}

static void filling(void *opaque, const char *what)
{
	fakesys_kernel(opaque, what);
	if (!strncmp(what, "save state to ", 14) && ++saves == fill_at)
		fill(filler);
}

/* The state directory moved onto a 256 KiB tmpfs of a mount namespace
 * of this test's own. */
static void state_on_tmpfs(void)
{
	struct svff_error err = { 0 };
	char dir[300], cmd[1100];
	snprintf(dir, sizeof(dir), "%s/run", root);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", dir, "tmpfs", 0, "size=256k,mode=0755"), 0);
	svff_session_close(&s);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s/svff'", sdir, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(sdir, sizeof(sdir), "%s/svff", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	ck_assert_int_eq(svff_ctx_set(&ctx->state_dir, sdir), 0);
	ck_assert_msg(svff_session_open(ctx, PF, 0, &s, &err) == 0, "%s", err.msg);
}

static void unmount_state(void)
{
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/run", root);
	umount2(dir, MNT_DETACH);
}

static int full_reconf(struct svff_error *err)
{
	struct svff_reconf r;
	int rc = svff_reconf_run(&s, 6, false, &r, err);
	svff_reconf_clear(&r);
	return rc;
}

static int full_pause(struct svff_error *err)
{
	struct svff_pause_item it = { .vf = 1 };
	int rc = svff_pause_run(&s, v, &it, 1, err);
	if (rc == 0 && it.rc < 0)
		*err = it.err;
	return rc < 0 ? rc : it.rc;
}

/* A read-only /run cannot happen here: the kernel refuses to remount
 * the tmpfs read-only while svff holds its lock file open for writing
 * (EBUSY), so a read-only state directory refuses the verb before it
 * begins (test_badinput). */
START_TEST(full_run_at_every_save_loses_nothing)
{
	int (*verb)(struct svff_error *) = _i ? full_pause : full_reconf;
	int fails = 0;
	keeps_vf1 = true;
	for (int at = 1; at < 40; at++) {
		struct svff_error err = { 0 };
		char what[64];
		state_on_tmpfs();
		saves = 0;
		fill_at = at;
		ctx->on_step = filling;
		int rc = verb(&err);
		ctx->on_step = fakesys_kernel;
		snprintf(what, sizeof(what), "/run full before save %d", at);
		if (saves < at) {
			ck_assert_msg(rc == 0, "%s: %s", what, err.msg);
			unmount_state();
			break;
		}
		fails++;
		ck_assert_msg(rc < 0 && strstr(err.msg, "No space left on device"), "%s: %d %s",
			      what, rc, err.msg);
		struct svff_state *st = NULL;   /* the file on disk is whole */
		ck_assert_msg(svff_state_read(sdir, &st, &err) == 0, "%s: %s", what, err.msg);
		svff_state_free(st);
		ck_assert_int_eq(unlink(filler), 0);
		svff_session_close(&s);
		ck_assert_msg(svff_session_open(ctx, PF, SVFF_SESSION_RECOVER, &s, &err) == 0, "%s",
			      err.msg);
		ck_assert_msg(svff_recover(&s, v, NULL, NULL, &err) >= 0, "%s: %s", what, err.msg);
		consistent(what);
		fixes[0] = 0;
		ck_assert_msg(svff_recover(&s, v, on_fix, NULL, &err) == 0, "%s: a second recover "
			      "fixed: %s", what, fixes);
		if (!strcmp(claim_on_disk(1), "vm1:paused")) {
			struct svff_pause_item back = { .vf = 1 };
			ck_assert_int_eq(svff_unpause_run(&s, v, &back, 1, &err), 0);
		}
		ck_assert(fakevirt_holds(vm1, VF1, NULL));
		unmount_state();
		teardown();
		setup();
	}
	ck_assert_int_ge(fails, 2);
	printf("full /run: %s: the save failed at %d points, nothing lost\n",
	       _i ? "pause" : "reconf", fails);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("orchestration");
	TCase *tc = tcase_create("pause");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pause_hot_unplugs_and_unpause_plugs_back_at_the_guest_address);
	tcase_add_loop_test(tc, pause_releases_where_qemu_offers_it, 0, 2);
	tcase_add_test(tc, mechanism_asked_for_is_kept);
	tcase_add_loop_test(tc, guest_that_does_not_let_go_keeps_its_vf, 0, 2);
	tcase_add_test(tc, attach_of_several_undone_when_one_fails);
	tcase_add_test(tc, qemu_that_stops_during_an_unplug_ends_the_wait_at_once);
	suite_add_tcase(su, tc);
	TCase *tr = tcase_create("recover");
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_set_timeout(tr, 30);
	tcase_add_test(tr, recover_reconciles_and_a_second_run_changes_nothing);
	tcase_add_test(tr, recover_mends_what_the_plan_shows);
	tcase_add_test(tr, recover_finishes_an_interrupted_pause);
	tcase_add_test(tr, recover_takes_qemu_as_the_truth_for_a_release);
	tcase_add_test(tr, recover_finishes_an_interrupted_deinit);
	suite_add_tcase(su, tr);
	TCase *tf = tcase_create("reconf");
	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_set_timeout(tf, 30);
	tcase_add_loop_test(tf, reconf_gives_every_claim_back_at_the_new_count, 0, 2);
	tcase_add_loop_test(tf, reconf_acts_on_every_vm_at_once, 0, 2);
	tcase_add_test(tf, unpause_looks_every_vm_up_at_once);
	tcase_add_test(tf, apply_makes_the_pf_what_the_file_says);
	tcase_add_test(tf, reconf_that_fails_puts_the_old_count_back);
	tcase_add_test(tf, reconf_whose_undo_fails_is_finished_by_recover);
	tcase_add_test(tf, reconf_under_a_guest_that_does_not_answer_changes_nothing);
	tcase_add_test(tf, recover_gives_back_what_an_operation_could_not);
	tcase_add_test(tf, reconf_when_libvirtd_dies_during_the_unplug);
	tcase_add_loop_test(tf, reconf_when_a_qemu_dies_goes_on_for_the_others, 0, 2);
	tcase_add_test(tf, recover_undoes_a_reconf_whose_guest_does_not_let_go);
	tcase_add_loop_test(tf, qemu_that_dies_while_paused_keeps_its_persistent_claim, 0, 2);
	suite_add_tcase(su, tf);
	TCase *tp = tcase_create("reprogram");
	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_set_timeout(tp, 60);
	tcase_add_loop_test(tp, reprogram_gives_every_claim_back, 0, 4);
	tcase_add_loop_test(tp, reprogram_whose_command_fails_goes_back, 0, 4);
	tcase_add_loop_test(tp, reprogram_whose_pf_does_not_come_back_is_left_for_recover, 0, 2);
	tcase_add_test(tp, reprogram_whose_new_count_fails_is_left_for_recover);
	tcase_add_loop_test(tp, reprogram_signalled_before_or_during_its_command, 0, 2);
	tcase_add_test(tp, reprogram_dry_run_runs_nothing);
	tcase_add_loop_test(tp, reprogram_command_has_its_own_bound, 0, 2);
	tcase_add_loop_test(tp, reprogram_with_new_ids_takes_a_pf_with_other_ids, 0, 2);
	tcase_add_test(tp, reprogram_new_ids_needs_remove);
	suite_add_tcase(su, tp);
	TCase *tk = tcase_create("crash");
	tcase_add_checked_fixture(tk, setup, teardown);
	tcase_set_timeout(tk, 120);
	tcase_add_loop_test(tk, crash_sweep_pause, 0, 2);
	tcase_add_loop_test(tk, crash_sweep_unpause, 0, 2);
	tcase_add_loop_test(tk, crash_sweep_reconf, 0, 2);
	tcase_add_loop_test(tk, crash_sweep_attach_and_detach, 0, 2);
	tcase_add_loop_test(tk, crash_sweep_reprogram, 0, 2);
	tcase_add_loop_test(tk, signal_stops_pause_and_reconf_at_a_step_boundary, 0, 8);
	tcase_add_loop_test(tk, full_run_at_every_save_loses_nothing, 0, 2);
	suite_add_tcase(su, tk);
	return fakesys_run_suite(su);
}
