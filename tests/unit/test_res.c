/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resource backends on fake sysfs trees: msix (sriov_vf_total_msix /
 * sriov_vf_msix_count) and qdma (qdma/qmax), through the library and
 * through the svff binary (resources, list -j). The nvme backend needs a
 * device: the emulated host proves it (tests/e2e/cases/45-guest-io.sh). */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakesys.h"
#include "pf.h"
#include "res.h"
#include "state.h"

static char *root;
static char state_dir[300];
static struct svff_ctx *ctx;

static void setup(void)
{
	char dev[300];
	root = fakesys_new();
	snprintf(state_dir, sizeof(state_dir), "%s/run-svff", root);
	snprintf(dev, sizeof(dev), "%s/dev", root);
	setenv("SVFF_DEV_ROOT", dev, 1);
	ck_assert_int_eq(svff_ctx_new(&ctx), 0);
	ck_assert_int_eq(svff_ctx_set(&ctx->sysfs_root, root), 0);
}

static void teardown(void)
{
	svff_ctx_free(ctx);
	fakesys_free(root);
}

/* fakesys_msix_pf: the msix backend's PF, managed, vf1 attached to vm1 */
static void msix_pf(void)
{
	fakesys_msix_pf(root, state_dir);
}

static struct json_object *key(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no key '%s'", k);
	return v;
}

START_TEST(msix_pool_and_backend_chosen_by_driver)
{
	struct svff_pf_info pf;
	struct svff_res_dev *d = NULL;
	struct svff_res_pool pool;
	struct svff_res_vf now;
	struct svff_error err = { 0 };

	msix_pf();
	ck_assert_int_eq(svff_pf_get(ctx, "0000:01:00.0", &pf, &err), 0);
	ck_assert(svff_res_supported(ctx, &pf));
	ck_assert_int_eq(svff_res_open(ctx, &pf, &d, &err), 0);
	ck_assert_str_eq(svff_res_backend(d), "msix");
	ck_assert(svff_res_unbound(d));
	ck_assert_int_eq(svff_res_pool(d, &pf, &pool, &err), 0);
	ck_assert_uint_eq(pool.kinds, SVFF_RES_VECTORS);
	ck_assert_uint_eq(pool.total.vectors, 16);
	ck_assert_uint_eq(pool.free.vectors, 8);
	ck_assert_int_eq(svff_res_get(d, &pf.vfs[2], &now, &err), 0);
	ck_assert(now.known && now.live);
	ck_assert_uint_eq(now.r.vectors, 2);
	/* apply writes the count; a second apply with the same is nothing */
	ck_assert_int_eq(svff_res_apply(d, &pf.vfs[2], &(struct svff_res){ 0, 5 }, &err), 0);
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.3", "sriov_vf_msix_count"), "5");
	ck_assert_int_eq(svff_res_pool(d, &pf, &pool, &err), 0);
	ck_assert_uint_eq(pool.free.vectors, 5);
	svff_res_close(d);
	svff_pf_info_clear(&pf);
}
END_TEST

START_TEST(no_backend_names_the_driver)
{
	struct svff_pf_info pf;
	struct svff_res_dev *d = (void *)1;
	struct svff_error err = { 0 };

	fakesys_add_dev(root, "0000:04:00.0", 0x8086, 0x1521, 7, "igb", 1);
	ck_assert_int_eq(svff_pf_get(ctx, "0000:04:00.0", &pf, &err), 0);
	ck_assert(!svff_res_supported(ctx, &pf));
	ck_assert_int_eq(svff_res_open(ctx, &pf, &d, &err), -EOPNOTSUPP);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(err.msg, "0000:04:00.0 has no resource backend for its "
					     "driver 'igb'"));
	svff_pf_info_clear(&pf);
}
END_TEST

/* QDMA: the device's 2048 queues, less what its other PFs keep; the PF's
 * own qmax is lowered to leave room for the VFs' budgets, never raised. */
START_TEST(qdma_pool_and_reserve_lowers_pf_qmax)
{
	struct svff_pf_info pf;
	struct svff_res_dev *d = NULL;
	struct svff_res_pool pool;
	struct svff_res_vf now;
	struct svff_error err = { 0 };

	fakesys_add_dev(root, "0000:05:00.0", 0x10ee, 0x903f, 252, "qdma-pf", 1);
	fakesys_add_dev(root, "0000:05:00.1", 0x10ee, 0x913f, 0, "qdma-pf", 2);
	fakesys_write(root, "0000:05:00.0", "qdma/qmax", "2000");
	fakesys_write(root, "0000:05:00.1", "qdma/qmax", "40");
	fakesys_set_vfs(root, "0000:05:00.0", 2, "vfio-pci", 10);
	ck_assert_int_eq(svff_pf_get(ctx, "0000:05:00.0", &pf, &err), 0);
	ck_assert_int_eq(svff_res_open(ctx, &pf, &d, &err), 0);
	ck_assert_str_eq(svff_res_backend(d), "qdma");
	ck_assert(!svff_res_unbound(d));
	ck_assert_int_eq(svff_res_pool(d, &pf, &pool, &err), 0);
	ck_assert_uint_eq(pool.kinds, SVFF_RES_QUEUES);
	ck_assert_uint_eq(pool.total.queues, 2008);
	ck_assert_uint_eq(pool.free.queues, 8);
	/* the host cannot see a VF's queues: they are its guest driver's */
	ck_assert_int_eq(svff_res_get(d, &pf.vfs[0], &now, &err), 0);
	ck_assert(!now.known);
	/* room for 8: nothing to do; for 100: the PF keeps 1908 */
	ck_assert_int_eq(svff_res_reserve(d, &pf, &(struct svff_res){ 8, 0 }, &err), 0);
	ck_assert_str_eq(fakesys_read(root, "0000:05:00.0", "qdma/qmax"), "2000");
	ck_assert_int_eq(svff_res_reserve(d, &pf, &(struct svff_res){ 100, 0 }, &err), 0);
	ck_assert_str_eq(fakesys_read(root, "0000:05:00.0", "qdma/qmax"), "1908");
	/* more than the device leaves is refused, naming both figures */
	ck_assert_int_eq(svff_res_reserve(d, &pf, &(struct svff_res){ 2009, 0 }, &err), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err.msg, "2009 queues, more than the 2008"));
	ck_assert_str_eq(fakesys_read(root, "0000:05:00.0", "qdma/qmax"), "1908");
	svff_res_close(d);
	svff_pf_info_clear(&pf);
}
END_TEST

/* The verb: vf2 gets 5 vectors (unbound first, as the kernel demands),
 * the state records it, resources -j and list -j report it. */
START_TEST(resources_verb_changes_records_and_reports)
{
	char *out = NULL, *err = NULL, path[400];

	msix_pf();
	ck_assert_int_eq(run_svff(root, state_dir, &out, &err, "resources", "vf2", "--vectors",
				  "5", NULL), 0);
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.3", "sriov_vf_msix_count"), "5");
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/unbind", root);
	char *unbound = slurp(path);
	ck_assert_str_eq(unbound, "0000:01:00.3");
	free(unbound);
	free(out);
	free(err);

	snprintf(path, sizeof(path), "%s/state", state_dir);
	char *state = slurp(path);
	struct svff_state *st = NULL;
	ck_assert_int_eq(svff_state_parse(state, strlen(state), &st, NULL), 0);
	ck_assert_uint_eq(svff_state_res(&st->pfs[0], 2).vectors, 5);
	ck_assert_uint_eq(svff_state_res(&st->pfs[0], 0).vectors, 0);
	svff_state_free(st);
	free(state);

	ck_assert_int_eq(run_svff(root, state_dir, &out, &err, "resources", "-j", NULL), 0);
	struct json_object *doc = json_tokener_parse(out);
	ck_assert_ptr_nonnull(doc);
	struct json_object *res = key(doc, "resources");
	ck_assert_str_eq(json_object_get_string(key(res, "backend")), "msix");
	ck_assert_int_eq(json_object_get_int(key(key(res, "free"), "vectors")), 5);
	ck_assert(json_object_is_type(key(key(res, "free"), "queues"), json_type_null));
	struct json_object *vfs = key(doc, "vfs");
	ck_assert_uint_eq(json_object_array_length(vfs), 4);
	struct json_object *v2 = key(json_object_array_get_idx(vfs, 2), "resources");
	ck_assert_int_eq(json_object_get_int(key(key(v2, "has"), "vectors")), 5);
	ck_assert_int_eq(json_object_get_int(key(key(v2, "gives"), "vectors")), 5);
	json_object_put(doc);
	free(out);
	free(err);

	/* list -j: the same, and no problem where the device and the record agree */
	ck_assert_int_eq(run_svff(root, state_dir, &out, &err, "list", "-j", NULL), 0);
	doc = json_tokener_parse(out);
	struct json_object *pf = json_object_array_get_idx(key(doc, "pfs"), 0);
	ck_assert_str_eq(json_object_get_string(key(key(pf, "resources"), "backend")), "msix");
	v2 = json_object_array_get_idx(key(pf, "vfs"), 2);
	ck_assert_int_eq(json_object_get_int(key(key(key(v2, "resources"), "has"), "vectors")), 5);
	ck_assert(json_object_is_type(key(v2, "problem"), json_type_null));
	json_object_put(doc);
	free(out);
	free(err);

	/* changed behind svff's back: list names it */
	fakesys_write(root, "0000:01:00.3", "sriov_vf_msix_count", "3");
	ck_assert_int_eq(run_svff(root, state_dir, &out, &err, "list", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "has 0 queues, 3 vectors; svff gives it 0, 5: run "
					  "'svff recover'"));
	free(out);
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("res");
	TCase *tc = tcase_create("backends");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, msix_pool_and_backend_chosen_by_driver);
	tcase_add_test(tc, no_backend_names_the_driver);
	tcase_add_test(tc, qdma_pool_and_reserve_lowers_pf_qmax);
	tcase_add_test(tc, resources_verb_changes_records_and_reports);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
