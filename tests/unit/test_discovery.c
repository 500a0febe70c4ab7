/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Discovery against fake sysfs trees: what libpci and sysfs say of PFs. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakesys.h"
#include "pf.h"
#include "view.h"

static char *root;
static struct svff_ctx *ctx;

static void setup(void)
{
	root = fakesys_new();
	ck_assert_int_eq(svff_ctx_new(&ctx), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->sysfs_root, root), 0);
}

static void teardown(void)
{
	svff_ctx_free(ctx);
	fakesys_free(root);
}

START_TEST(scan_finds_only_sriov_pfs)
{
	struct svff_pf_info *pfs = NULL;
	size_t n = 0;
	struct svff_error err = { 0 };

	fakesys_add_dev(root, "0000:02:00.0", 0x1b36, 0x0010, 8, "nvme", 3);
	fakesys_add_dev(root, "0000:01:00.0", 0x10ee, 0x903f, 127, "qdma-pf", 2);
	fakesys_add_dev(root, "0000:03:00.0", 0x1b36, 0x0010, 0, "nvme", 4); /* no SR-IOV */
	fakesys_set_vfs(root, "0000:01:00.0", 3, "vfio-pci", 10);

	ck_assert_int_eq(svff_pf_scan(ctx, &pfs, &n, &err), 0);
	ck_assert_uint_eq(n, 2);               /* VFs and the plain device excluded */
	ck_assert_str_eq(pfs[0].addr, "0000:01:00.0"); /* sorted */
	ck_assert_str_eq(pfs[1].addr, "0000:02:00.0");
	ck_assert_uint_eq(pfs[0].vendor, 0x10ee);
	ck_assert_uint_eq(pfs[0].cap_totalvfs, 127);
	ck_assert_uint_eq(pfs[0].vf_offset, 1);
	ck_assert_uint_eq(pfs[0].vf_stride, 1);
	ck_assert_uint_eq(pfs[0].vf_device, 0x903f);
	ck_assert_uint_eq(pfs[0].totalvfs, 127);
	ck_assert_uint_eq(pfs[0].numvfs, 3);
	ck_assert_int_eq(pfs[0].autoprobe, 1);
	ck_assert_str_eq(pfs[0].driver, "qdma-pf");
	ck_assert_int_eq(pfs[0].iommu_group, 2);
	ck_assert_uint_eq(pfs[0].n_vfs, 3);
	ck_assert_str_eq(pfs[0].vfs[0].addr, "0000:01:00.1");
	ck_assert_str_eq(pfs[0].vfs[2].addr, "0000:01:00.3");
	ck_assert_str_eq(pfs[0].vfs[2].driver, "vfio-pci");
	ck_assert_int_eq(pfs[0].vfs[2].iommu_group, 12);
	ck_assert_uint_eq(pfs[1].n_vfs, 0);
	svff_pf_list_free(pfs, n);
}
END_TEST

START_TEST(vfs_sorted_numerically_and_past_function_7)
{
	struct svff_pf_info pf;
	struct svff_error err = { 0 };
	fakesys_add_dev(root, "0000:01:00.0", 0x1b36, 0x0010, 127, "nvme", 1);
	fakesys_set_vfs(root, "0000:01:00.0", 12, NULL, -1);
	ck_assert_int_eq(svff_pf_get(ctx, "0000:01:00.0", &pf, &err), 0);
	ck_assert_uint_eq(pf.n_vfs, 12);
	for (unsigned int i = 0; i < 12; i++)
		ck_assert_uint_eq(pf.vfs[i].index, i);   /* virtfn10 after virtfn9 */
	ck_assert_str_eq(pf.vfs[7].addr, "0000:01:01.0");
	ck_assert_str_eq(pf.vfs[11].addr, "0000:01:01.4");
	ck_assert_str_eq(pf.vfs[11].driver, "");      /* unbound */
	ck_assert_int_eq(pf.vfs[11].iommu_group, -1);
	struct svff_vf_ref ref = { .by_addr = true };
	strcpy(ref.addr, "0000:01:01.0");
	ck_assert_ptr_eq(svff_pf_vf(&pf, &ref), &pf.vfs[7]);
	ref = (struct svff_vf_ref){ .index = 12 };
	ck_assert_ptr_null(svff_pf_vf(&pf, &ref));
	svff_pf_info_clear(&pf);
}
END_TEST

START_TEST(get_errors)
{
	struct svff_pf_info pf;
	struct svff_error err = { 0 };
	fakesys_add_dev(root, "0000:03:00.0", 0x1b36, 0x0010, 0, "nvme", 4);
	ck_assert_int_eq(svff_pf_get(ctx, "0000:09:00.0", &pf, &err), -ENODEV);
	ck_assert_str_eq(err.msg, "no PCI device '0000:09:00.0'");
	ck_assert_int_eq(svff_pf_get(ctx, "0000:03:00.0", &pf, &err), -EOPNOTSUPP);
	ck_assert_str_eq(err.msg, "'0000:03:00.0' is not an SR-IOV physical function: "
			 "it has no SR-IOV capability");
	ck_assert_int_eq(svff_pf_get(ctx, "../../x", &pf, &err), -EINVAL);
}
END_TEST

START_TEST(resolve_default_pf)
{
	char out[SVFF_ADDR_LEN];
	struct svff_error err = { 0 };
	struct svff_state st = { .schema = 1 };
	struct svff_pf_state managed = { .addr = "0000:02:00.0" };

	ck_assert_int_eq(svff_pf_resolve(ctx, NULL, NULL, out, &err), -ENODEV);
	ck_assert_str_eq(err.msg, "no SR-IOV capable PCI device found");

	fakesys_add_dev(root, "0000:01:00.0", 0x1b36, 0x0010, 8, "nvme", 1);
	ck_assert_int_eq(svff_pf_resolve(ctx, NULL, NULL, out, &err), 0);
	ck_assert_str_eq(out, "0000:01:00.0");           /* the only one */

	fakesys_add_dev(root, "0000:02:00.0", 0x1b36, 0x0010, 8, "nvme", 2);
	ck_assert_int_eq(svff_pf_resolve(ctx, NULL, NULL, out, &err), -ENOTUNIQ);
	ck_assert_ptr_nonnull(strstr(err.msg, "0000:01:00.0, 0000:02:00.0"));
	ck_assert_ptr_nonnull(strstr(err.msg, "-d"));

	st.pfs = &managed;
	st.n_pfs = 1;
	ck_assert_int_eq(svff_pf_resolve(ctx, NULL, &st, out, &err), 0);
	ck_assert_str_eq(out, "0000:02:00.0");           /* the managed one */

	ck_assert_int_eq(svff_pf_resolve(ctx, "01:00.0", &st, out, &err), 0);
	ck_assert_str_eq(out, "0000:01:00.0");           /* -d wins, short form */
	ck_assert_int_eq(svff_pf_resolve(ctx, "01:00", &st, out, &err), -EINVAL);
}
END_TEST

START_TEST(view_reports_disagreements)
{
	struct svff_view v;
	struct svff_error err = { 0 };
	struct svff_claim claims[] = {
		{ .vf = 1, .state = SVFF_VF_ATTACHED, .vm_name = "vm1", .guest_addr = "0000:05:00.0" },
		{ .vf = 5, .state = SVFF_VF_ATTACHED, .vm_name = "vm2" },
		{ .vf = 6, .state = SVFF_VF_PAUSED, .vm_name = "vm3" },
	};
	struct svff_claim *sorted[] = { &claims[0], &claims[1], &claims[2] };
	struct svff_pf_state managed = { .addr = "0000:01:00.0", .numvfs = 4,
					 .claims = sorted, .n_claims = 3 };
	struct svff_state st = { .schema = 1, .pfs = &managed, .n_pfs = 1 };

	fakesys_add_dev(root, "0000:01:00.0", 0x1b36, 0x0010, 8, "nvme", 1);
	fakesys_set_vfs(root, "0000:01:00.0", 3, "vfio-pci", 10);
	fakesys_bind(root, "0000:01:00.3", "nvme");        /* vf2 grabbed by nvme */
	ck_assert_int_eq(svff_view_build(ctx, &st, "0000:01:00.0", &v, &err), 0);
	ck_assert_ptr_eq(v.managed, &managed);
	ck_assert_str_eq(v.problem, "svff configured 4 VFs, the PF has 3");
	ck_assert_uint_eq(v.n_rows, 5);                   /* vf0-2 live, 5 and 6 claimed */
	ck_assert_str_eq(v.rows[0].problem, "");
	ck_assert_ptr_eq(v.rows[1].claim, &claims[0]);
	ck_assert_str_eq(v.rows[2].problem, "bound to 'nvme', not vfio-pci");
	ck_assert_uint_eq(v.rows[3].vf, 5);
	ck_assert_ptr_null(v.rows[3].live);
	ck_assert_str_eq(v.rows[3].problem, "claimed, but the VF does not exist");
	ck_assert_str_eq(v.rows[4].problem, "VF does not exist now; unpause needs it re-created");
	svff_view_clear(&v);
}
END_TEST

/* A VF gone from the bus (the kernel has no 'remove' for a VF, but a
 * driver may make fewer): sriov_numvfs says 4, three are there; list
 * names it and the way back. */
START_TEST(view_reports_a_vf_removed_by_hand)
{
	struct svff_view v;
	struct svff_error err = { 0 };
	struct svff_pf_state managed = { .addr = "0000:01:00.0", .numvfs = 4 };
	struct svff_state st = { .schema = 1, .pfs = &managed, .n_pfs = 1 };
	char path[1200];

	fakesys_add_dev(root, "0000:01:00.0", 0x1b36, 0x0010, 8, "nvme", 1);
	fakesys_set_vfs(root, "0000:01:00.0", 4, "vfio-pci", 10);
	snprintf(path, sizeof(path), "%s/devices/pci0000:00/0000:01:00.0/virtfn2", root);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(svff_view_build(ctx, &st, "0000:01:00.0", &v, &err), 0);
	ck_assert_str_eq(v.problem, "only 3 of its 4 VFs are on the PCI bus: 'svff reconf 4' "
			 "makes them again, every VM keeping its VF");
	svff_view_clear(&v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("discovery");
	TCase *tc = tcase_create("fake sysfs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, scan_finds_only_sriov_pfs);
	tcase_add_test(tc, vfs_sorted_numerically_and_past_function_7);
	tcase_add_test(tc, get_errors);
	tcase_add_test(tc, resolve_default_pf);
	tcase_add_test(tc, view_reports_disagreements);
	tcase_add_test(tc, view_reports_a_vf_removed_by_hand);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
