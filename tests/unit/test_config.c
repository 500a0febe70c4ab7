/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The declarative configuration: what it means, what it cannot mean
 * (refused with the file and line), and save's output read back. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fakesys.h"
#include "state.h"

static char path[] = "/tmp/svff-config-XXXXXX";

static void put(const char *text)
{
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void drop(void)
{
	unlink(path);
	strcpy(path, "/tmp/svff-config-XXXXXX");
}

START_TEST(reads_pfs_resources_and_claims)
{
	struct svff_config *c = NULL;
	struct svff_error err = { 0 };

	put("<?xml version='1.0'?>\n<svff>\n"
	    "  <!-- a comment -->\n"
	    "  <pf addr='3b:00.0' vfs='8'>\n"
	    "    <resources queues='4' vectors='2'/>\n"
	    "    <vf index='3' queues='2'/>\n"
	    "    <claim vm='vm1' vf='3' guest='0000:07:00.0'/>\n"
	    "    <claim vm='vm2' vf='5'/>\n"
	    "  </pf>\n"
	    "  <pf addr='0000:5e:00.0' vfs='2'/>\n"
	    "</svff>\n");
	ck_assert_int_eq(svff_config_read(path, &c, &err), 0);
	ck_assert_uint_eq(c->n_pfs, 2);
	const struct svff_config_pf *p = &c->pfs[0];
	ck_assert_str_eq(p->addr, "0000:3b:00.0");          /* canonical */
	ck_assert_uint_eq(p->numvfs, 8);
	ck_assert_uint_eq(p->res_default.queues, 4);
	ck_assert_uint_eq(p->res_default.vectors, 2);
	ck_assert_uint_eq(p->n_res, 1);
	ck_assert_uint_eq(p->res[0].vf, 3);
	ck_assert_uint_eq(p->res[0].r.queues, 2);
	ck_assert_uint_eq(p->n_claims, 2);
	ck_assert_str_eq(p->claims[0].vm, "vm1");
	ck_assert_str_eq(p->claims[0].guest_addr, "0000:07:00.0");
	ck_assert_int_eq(p->claims[1].line, 8);
	ck_assert_str_eq(c->pfs[1].addr, "0000:5e:00.0");
	svff_config_free(c);
	drop();
}
END_TEST

static const struct { const char *text; const char *msg; } bad[] = {
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n</svff>\n", ":4: Premature end of data" },
	{ "", ":" },
	{ "<config/>\n", ":1: the top element must be <svff>" },
	{ "<svff>\n<pfs/>\n</svff>\n", ":2: unknown element <pfs> in <svff>" },
	{ "<svff>\n<pf vfs='2'/>\n</svff>\n", ":2: <pf> needs the attribute 'addr'" },
	{ "<svff>\n<pf addr='3b:00' vfs='2'/>\n</svff>\n", ":2: <pf addr=...>: invalid PCI address '3b:00'" },
	{ "<svff>\n<pf addr='3b:00.0'/>\n</svff>\n", ":2: <pf> needs the attribute 'vfs'" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='0'/>\n</svff>\n", ":2: <pf vfs='0'>: expected a number from 1 to 65535" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='-1'/>\n</svff>\n", ":2: <pf vfs='-1'>" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2' count='3'/>\n</svff>\n", ":2: <pf> has no attribute 'count'" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'/>\n<pf addr='0000:3b:00.0' vfs='4'/>\n</svff>\n",
	  ":3: PF 0000:3b:00.0 is configured twice (also at " },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a' vf='1'/>\n<claim vm='b' vf='1'/>\n</pf>\n</svff>\n",
	  ":4: vf1 of 0000:3b:00.0 is claimed twice (also by 'a' at line 3)" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a' vf='2'/>\n</pf>\n</svff>\n",
	  ":3: vf2 is beyond the 2 VFs of 0000:3b:00.0" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vf='1'/>\n</pf>\n</svff>\n",
	  ":3: <claim> needs the attribute 'vm'" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a/b' vf='1'/>\n</pf>\n</svff>\n",
	  ":3: <claim vm=...>: invalid VM name" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a' vf='1' guest='x'/>\n</pf>\n</svff>\n",
	  ":3: <claim guest=...>: invalid PCI address 'x'" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<vf index='1' queues='0'/>\n</pf>\n</svff>\n",
	  ":3: <vf queues='0'>: expected a number from 1 to 65535" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<vf index='1'/>\n<vf index='1'/>\n</pf>\n</svff>\n",
	  ":4: vf1 of 0000:3b:00.0 is given twice" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<qdma/>\n</pf>\n</svff>\n",
	  ":3: unknown element <qdma> in <pf>" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a' vf='1' mac='01:00:5e:00:00:01'/>\n</pf>\n</svff>\n",
	  ":3: <claim mac=...>: MAC address '01:00:5e:00:00:01' is a multicast" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a' vf='1' vlan='4095'/>\n</pf>\n</svff>\n",
	  ":3: <claim vlan='4095'>: expected a number from 0 to 4094" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a' vf='1' trust='yes'/>\n</pf>\n</svff>\n",
	  ":3: <claim trust=...>: invalid trust 'yes'" },
	{ "<svff>\n<pf addr='3b:00.0' vfs='2'>\n<claim vm='a' vf='1' min-rate='9' max-rate='5'/>\n</pf>\n</svff>\n",
	  ":3: <claim>: min-rate 9 is above max-rate 5" },
};

/* The example the package ships (/usr/share/doc/svff/examples) means
 * what its comments say. */
START_TEST(shipped_example_reads)
{
	struct svff_config *c = NULL;
	struct svff_error err = { 0 };

	ck_assert_msg(access("examples/svff.xml", R_OK) == 0,
		      "examples/svff.xml not found (run from the top of the tree)");
	ck_assert_msg(svff_config_read("examples/svff.xml", &c, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c->n_pfs, 1);
	ck_assert_str_eq(c->pfs[0].addr, "0000:3b:00.0");
	ck_assert_uint_eq(c->pfs[0].numvfs, 8);
	ck_assert_uint_eq(c->pfs[0].res_default.queues, 4);
	ck_assert_uint_eq(c->pfs[0].n_res, 1);
	ck_assert_uint_eq(c->pfs[0].n_claims, 1);
	ck_assert_str_eq(c->pfs[0].claims[0].vm, "vm1");
	svff_config_free(c);
}
END_TEST

START_TEST(refused_with_file_and_line)
{
	struct svff_config *c = (void *)1;
	struct svff_error err = { 0 };
	char want[300];

	put(bad[_i].text);
	ck_assert_int_lt(svff_config_read(path, &c, &err), 0);
	ck_assert_ptr_null(c);
	snprintf(want, sizeof(want), "%s%s", path, bad[_i].msg);
	ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "entry %d: expected '%s...', got '%s'",
		      _i, want, err.msg);
	ck_assert(strchr(err.msg, '\n') == NULL);
	drop();
}
END_TEST

/* An external entity is never fetched nor expanded (no XML_PARSE_NOENT). */
START_TEST(external_entities_stay_unexpanded)
{
	struct svff_config *c = NULL;
	struct svff_error err = { 0 };

	put("<!DOCTYPE svff [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n<svff>&x;</svff>\n");
	ck_assert_int_eq(svff_config_read(path, &c, &err), 0);
	ck_assert_uint_eq(c->n_pfs, 0);
	svff_config_free(c);
	drop();
}
END_TEST

START_TEST(save_reads_back)
{
	struct svff_state *st = svff_state_new();
	struct svff_pf_state *pf = svff_state_pf_add(st, "0000:3b:00.0");
	struct svff_config *c = NULL;
	struct svff_error err = { 0 };
	char *text = NULL;

	pf->numvfs = 4;
	pf->res_default = (struct svff_res){ 3, 1 };
	svff_state_res_set(pf, 2, &(struct svff_res){ 0, 2 });
	struct svff_claim *cl = svff_state_claim_add(pf, 2);
	strcpy(cl->vm_name, "vm1");
	strcpy(cl->guest_addr, "0000:07:00.0");
	cl->persistent = true;
	cl->net = (struct svff_net){ .set = SVFF_NET_MAC | SVFF_NET_VLAN | SVFF_NET_SPOOFCHK,
				     .mac = { 0x52, 0x54, 0, 0, 0, 9 }, .vlan = 0 };
	cl = svff_state_claim_add(pf, 3);     /* live only: gone at a reboot */
	strcpy(cl->vm_name, "vm2");
	ck_assert_int_eq(svff_config_write(st, &text, &err), 0);
	put(text);
	ck_assert_int_eq(svff_config_read(path, &c, &err), 0);
	ck_assert_uint_eq(c->n_pfs, 1);
	ck_assert_uint_eq(c->pfs[0].numvfs, 4);
	ck_assert_uint_eq(c->pfs[0].res_default.queues, 3);
	ck_assert_uint_eq(c->pfs[0].n_res, 1);
	ck_assert_uint_eq(c->pfs[0].res[0].r.vectors, 2);
	ck_assert_uint_eq(c->pfs[0].n_claims, 1);
	ck_assert_str_eq(c->pfs[0].claims[0].vm, "vm1");
	ck_assert_str_eq(c->pfs[0].claims[0].guest_addr, "0000:07:00.0");
	const struct svff_net *n = &c->pfs[0].claims[0].net;
	ck_assert_uint_eq(n->set, SVFF_NET_MAC | SVFF_NET_VLAN | SVFF_NET_SPOOFCHK);
	ck_assert_uint_eq(n->mac[5], 9);
	ck_assert_uint_eq(n->vlan, 0);
	ck_assert(!n->spoofchk);
	ck_assert_ptr_nonnull(strstr(text, "mac=\"52:54:00:00:00:09\" vlan=\"0\" spoofchk=\"off\""));
	svff_config_free(c);
	free(text);
	svff_state_free(st);
	drop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, reads_pfs_resources_and_claims);
	tcase_add_test(tc, shipped_example_reads);
	tcase_add_loop_test(tc, refused_with_file_and_line, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, external_entities_stay_unexpanded);
	tcase_add_test(tc, save_reads_back);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
