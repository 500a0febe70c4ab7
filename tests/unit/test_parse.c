/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "fakesys.h"

static const struct { const char *in, *canon; } good_addrs[] = {
	{ "0000:3b:00.0", "0000:3b:00.0" },
	{ "3b:00.0", "0000:3b:00.0" },
	{ "0000:3B:1F.7", "0000:3b:1f.7" },
	{ "ffff:ff:1f.7", "ffff:ff:1f.7" },
	{ "0001:00:01.2", "0001:00:01.2" },
};

START_TEST(pci_addr_good)
{
	char canon[SVFF_ADDR_LEN];
	struct svff_pci_addr a;
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_parse_pci_addr(good_addrs[_i].in, &a, canon, &err), 0);
	ck_assert_str_eq(canon, good_addrs[_i].canon);
}
END_TEST

static const char *bad_addrs[] = {
	"", "3b", "3b:00", "3b:00.", "0000:3b:00.8", "0000:3b:20.0", "000:3b:00.0",
	"0000:3b:00.0 ", " 0000:3b:00.0", "0000:3b:00.00", "00000:3b:00.0",
	"0000-3b:00.0", "0000:3b:00:0", "zz:00.0", "0000:3g:00.0", "../../etc",
	"0000:3b:00.0/../..", "+3b:00.0", "-1:00.0", "0x3b:00.0",
};

START_TEST(pci_addr_bad)
{
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_parse_pci_addr(bad_addrs[_i], NULL, NULL, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "invalid PCI address '"));
	ck_assert_int_eq(err.code, -EINVAL);
}
END_TEST

START_TEST(pci_addr_long_input_is_cut)
{
	char big[4096];
	struct svff_error err = { 0 };
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(svff_parse_pci_addr(big, NULL, NULL, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "...'"));
	ck_assert_int_lt(strlen(err.msg), 200);
}
END_TEST

START_TEST(vf_refs)
{
	struct svff_vf_ref r;
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_parse_vf("vf3", &r, &err), 0);
	ck_assert(!r.by_addr);
	ck_assert_uint_eq(r.index, 3);
	ck_assert_int_eq(svff_parse_vf("12", &r, &err), 0);
	ck_assert_uint_eq(r.index, 12);
	ck_assert_int_eq(svff_parse_vf("01:00.5", &r, &err), 0);
	ck_assert(r.by_addr);
	ck_assert_str_eq(r.addr, "0000:01:00.5");
	ck_assert_int_eq(svff_parse_vf("vf", &r, &err), -EINVAL);
	ck_assert_int_eq(svff_parse_vf("vf-1", &r, &err), -EINVAL);
	ck_assert_int_eq(svff_parse_vf("VF3", &r, &err), -EINVAL);
	ck_assert_int_eq(svff_parse_vf("vf3x", &r, &err), -EINVAL);
	ck_assert_int_eq(svff_parse_vf("vf65536", &r, &err), -ERANGE);
	ck_assert_int_eq(svff_parse_vf("vf99999999999", &r, &err), -EINVAL);
	ck_assert(svff_looks_like_vf("vf0"));
	ck_assert(svff_looks_like_vf("7"));
	ck_assert(svff_looks_like_vf("0000:01:00.1"));
	ck_assert(!svff_looks_like_vf("vm1"));
	ck_assert(!svff_looks_like_vf("vf1a"));
	/* found by fuzz_args: "vf" and an address looked like a VF that
	 * svff_parse_vf then refused */
	ck_assert(!svff_looks_like_vf("vf0000:3b:00.0"));
	ck_assert(!svff_looks_like_vf("vf3b:00.0"));
	ck_assert(!svff_looks_like_vf("vf"));
}
END_TEST

START_TEST(counts)
{
	unsigned int v = 99;
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_parse_uint("0", 127, "VF count", &v, &err), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(svff_parse_uint("127", 127, "VF count", &v, &err), 0);
	ck_assert_uint_eq(v, 127);
	ck_assert_int_eq(svff_parse_uint("128", 127, "VF count", &v, &err), -ERANGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "VF count '128' is out of range: at most 127"));
	const char *bad[] = { "", "-1", "+1", " 1", "1 ", "1.0", "0x10", "ten", "4294967296", "99999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		ck_assert_int_lt(svff_parse_uint(bad[i], 127, "VF count", &v, &err), 0);
		ck_assert_uint_eq(v, 42); /* untouched on failure */
	}
}
END_TEST

START_TEST(vm_names)
{
	struct svff_error err = { 0 };
	char big[300];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(svff_check_vm_name("vm1", &err), 0);
	ck_assert_int_eq(svff_check_vm_name("3c6d0c7e-52b5-4f5e-9c0a-1c6a3f1b9e10", &err), 0);
	ck_assert_int_eq(svff_check_vm_name("", &err), -EINVAL);
	ck_assert_int_eq(svff_check_vm_name("../vm", &err), -EINVAL);
	ck_assert_int_eq(svff_check_vm_name("a\nb", &err), -EINVAL);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_int_eq(svff_check_vm_name(big, &err), -ENAMETOOLONG);
}
END_TEST

START_TEST(macs_and_net_text)
{
	struct svff_error err = { 0 };
	unsigned char mac[6];
	char text[128];

	ck_assert_int_eq(svff_parse_mac("52:54:00:AB:cd:0f", mac, &err), 0);
	ck_assert_uint_eq(mac[3], 0xab);
	ck_assert_uint_eq(mac[5], 0x0f);
	ck_assert_int_eq(svff_parse_mac("52-54-00-ab-cd-0f", mac, &err), -EINVAL);
	ck_assert_int_eq(svff_parse_mac("52:54:00:ab:cd:0f:", mac, &err), -EINVAL);
	ck_assert_int_eq(svff_parse_mac("ff:ff:ff:ff:ff:ff", mac, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "broadcast"));
	struct svff_net n = { .set = SVFF_NET_MAC | SVFF_NET_VLAN | SVFF_NET_SPOOFCHK,
			      .mac = { 0x52, 0x54, 0, 1, 2, 3 }, .vlan = 0, .spoofchk = false };
	svff_net_format(&n, text, sizeof(text));
	ck_assert_str_eq(text, "mac 52:54:00:01:02:03 vlan 0 spoofchk off");
	svff_net_format(&n, text, 20);   /* cut, never overrun */
	ck_assert_uint_lt(strlen(text), 20);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, pci_addr_good, 0, sizeof(good_addrs) / sizeof(good_addrs[0]));
	tcase_add_loop_test(tc, pci_addr_bad, 0, sizeof(bad_addrs) / sizeof(bad_addrs[0]));
	tcase_add_test(tc, pci_addr_long_input_is_cut);
	tcase_add_test(tc, vf_refs);
	tcase_add_test(tc, counts);
	tcase_add_test(tc, vm_names);
	tcase_add_test(tc, macs_and_net_text);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
