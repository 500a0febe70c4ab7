/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU's answers as libvirt's monitor passthrough hands them back (an
 * error reply is an answer, not a failure), and x-query-vfio's. The
 * commands themselves run against the patched QEMU in e2e 90-vfio-pause. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "qmp.h"
#include "fakesys.h"

START_TEST(return_is_taken)
{
	struct svff_error err = { 0 };
	json_object *r = svff_qmp_return("{\"return\": {}, \"id\": \"libvirt-7\"}", "x-vfio-pause",
					 "vm1", &err);
	ck_assert_ptr_nonnull(r);
	ck_assert(json_object_is_type(r, json_type_object));
	ck_assert_int_eq(err.code, 0);
	json_object_put(r);
}
END_TEST

START_TEST(error_is_a_refusal)
{
	struct svff_error err = { 0 };
	ck_assert_ptr_null(svff_qmp_return(
		"{\"id\": \"libvirt-9\", \"error\": {\"class\": \"GenericError\", \"desc\": "
		"\"vfio-pci device 'hostdev1' cannot re-acquire 0000:01:00.3: failed to open "
		"/dev/vfio/13: Device or resource busy\"}}", "x-vfio-resume", "vm1", &err));
	ck_assert_int_eq(err.code, -EIO);
	ck_assert_str_eq(err.msg, "the QEMU of VM 'vm1' refused x-vfio-resume: vfio-pci device "
				  "'hostdev1' cannot re-acquire 0000:01:00.3: failed to open "
				  "/dev/vfio/13: Device or resource busy");
}
END_TEST

START_TEST(unknown_command_is_not_supported)
{
	struct svff_error err = { 0 };
	ck_assert_ptr_null(svff_qmp_return(
		"{\"id\": \"libvirt-3\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
		"\"The command x-query-vfio has not been found\"}}", "x-query-vfio", "vm2", &err));
	ck_assert_int_eq(err.code, -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(err.msg, "has not been found"));
	/* an error without a reason still fails */
	memset(&err, 0, sizeof(err));
	ck_assert_ptr_null(svff_qmp_return("{\"error\": {}}", "x-vfio-pause", "vm2", &err));
	ck_assert_int_eq(err.code, -EIO);
	ck_assert_str_eq(err.msg, "the QEMU of VM 'vm2' refused x-vfio-pause: no reason given");
}
END_TEST

START_TEST(garbage_is_a_protocol_error)
{
	static const char *const bad[] = { "", "not json", "[]", "{\"id\": \"libvirt-1\"}", "42" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct svff_error err = { 0 };
		ck_assert_ptr_null(svff_qmp_return(bad[i], "x-query-vfio", "vm1", &err));
		ck_assert_int_eq(err.code, -EPROTO);
	}
}
END_TEST

static json_object *parse_return(const char *reply)
{
	struct svff_error err = { 0 };
	json_object *r = svff_qmp_return(reply, "x-query-vfio", "vm1", &err);
	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(vfio_state_of_one_device)
{
	json_object *r = parse_return(
		"{\"return\": [{\"qom-path\": \"/machine/peripheral/hostdev0\", \"id\": \"hostdev0\", "
		"\"host\": \"0000:01:00.2\", \"released\": false}, {\"qom-path\": "
		"\"/machine/peripheral/hostdev1\", \"id\": \"hostdev1\", \"host\": \"0000:01:00.3\", "
		"\"released\": true}, {\"qom-path\": \"/machine/peripheral-anon/device[3]\", "
		"\"host\": \"0000:02:00.1\", \"released\": true}]}");
	struct svff_error err = { 0 };
	char host[SVFF_ADDR_LEN];
	bool rel = true;
	size_t n = 0;

	ck_assert_int_eq(svff_vfio_state(r, "hostdev1", "vm1", host, &rel, &n, &err), 0);
	ck_assert_str_eq(host, "0000:01:00.3");
	ck_assert(rel);
	ck_assert_uint_eq(n, 2);   /* the device without an id counts too */
	ck_assert_int_eq(svff_vfio_state(r, "hostdev0", "vm1", host, &rel, &n, &err), 0);
	ck_assert_str_eq(host, "0000:01:00.2");
	ck_assert(!rel);
	/* "" (any device) and an alias the VM does not have: no host */
	ck_assert_int_eq(svff_vfio_state(r, "", "vm1", host, &rel, &n, &err), 0);
	ck_assert_str_eq(host, "");
	ck_assert(!rel);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(svff_vfio_state(r, "hostdev9", "vm1", host, &rel, &n, &err), 0);
	ck_assert_str_eq(host, "");
	json_object_put(r);
}
END_TEST

START_TEST(vfio_state_not_a_list)
{
	json_object *r = parse_return("{\"return\": {}}");
	struct svff_error err = { 0 };
	char host[SVFF_ADDR_LEN];
	bool rel = true;
	size_t n = 5;

	ck_assert_int_eq(svff_vfio_state(r, "hostdev0", "vm1", host, &rel, &n, &err), -EPROTO);
	ck_assert(!rel);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(host, "");
	json_object_put(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qmp");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, return_is_taken);
	tcase_add_test(tc, error_is_a_refusal);
	tcase_add_test(tc, unknown_command_is_not_supported);
	tcase_add_test(tc, garbage_is_a_protocol_error);
	tcase_add_test(tc, vfio_state_of_one_device);
	tcase_add_test(tc, vfio_state_not_a_list);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
