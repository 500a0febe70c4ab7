/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state model, its JSON form and the store: round trip, strict
 * parsing, symlinks and permissions, atomic replacement, the lock
 * between processes and the absence of lost updates. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakesys.h"
#include "state.h"
#include "vfnet.h"

static char dir[256], sdir[300], spath[320];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/svff-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sdir, sizeof(sdir), "%s/svff", dir);
	snprintf(spath, sizeof(spath), "%s/state", sdir);
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct svff_state *rich(void)
{
	struct svff_state *st = svff_state_new();
	struct svff_pf_state *pf = svff_state_pf_add(st, "0000:3b:00.0");
	pf->numvfs = 8;
	pf->saved_autoprobe = 1;
	struct svff_claim *c = svff_state_claim_add(pf, 5);
	c->state = SVFF_VF_PAUSED;
	strcpy(c->vm_name, "vm-two");
	strcpy(c->vm_uuid, "3c6d0c7e-52b5-4f5e-9c0a-1c6a3f1b9e10");
	strcpy(c->guest_addr, "0000:07:00.0");
	c->persistent = true;
	c->op_paused = true;
	c = svff_state_claim_add(pf, 1);
	strcpy(c->vm_name, "vm1");
	pf->res_default = (struct svff_res){ 2, 1 };
	svff_state_res_set(pf, 5, &(struct svff_res){ 16, 0 });
	svff_state_res_set(pf, 2, &(struct svff_res){ 0, 4 });
	svff_state_pf_add(st, "0000:5e:00.0")->numvfs = 2;
	st->op = calloc(1, sizeof(*st->op));
	strcpy(st->op->verb, "reconf");
	strcpy(st->op->pf, "0000:3b:00.0");
	st->op->pid = 4242;
	st->op->started = 1700000000;
	st->op->count_from = 8;
	st->op->count_to = 12;
	st->op->step = 3;
	strcpy(st->op->step_name, "set numvfs 0");
	return st;
}

START_TEST(round_trip_is_exact_and_stable)
{
	struct svff_state *a = rich(), *b = NULL;
	struct svff_error err = { 0 };
	char *t1, *t2;
	ck_assert_int_eq(svff_state_format(a, &t1), 0);
	ck_assert_int_eq(svff_state_parse(t1, strlen(t1), &b, &err), 0);
	ck_assert_int_eq(svff_state_format(b, &t2), 0);
	ck_assert_str_eq(t1, t2);
	ck_assert_uint_eq(b->n_pfs, 2);
	ck_assert_uint_eq(b->pfs[0].n_claims, 2);
	ck_assert_uint_eq(b->pfs[0].claims[0]->vf, 1);          /* kept sorted */
	const struct svff_claim *c = svff_state_claim(&b->pfs[0], 5);
	ck_assert_int_eq(c->state, SVFF_VF_PAUSED);
	ck_assert_str_eq(c->vm_uuid, "3c6d0c7e-52b5-4f5e-9c0a-1c6a3f1b9e10");
	ck_assert(c->persistent && c->op_paused);
	ck_assert_uint_eq(b->pfs[0].n_res, 2);
	ck_assert_uint_eq(b->pfs[0].res[0].vf, 2);               /* kept sorted */
	/* a VF's own entry overrides the PF's default field by field */
	struct svff_res r = svff_state_res(&b->pfs[0], 5);
	ck_assert_uint_eq(r.queues, 16);
	ck_assert_uint_eq(r.vectors, 1);
	r = svff_state_res(&b->pfs[0], 2);
	ck_assert_uint_eq(r.queues, 2);
	ck_assert_uint_eq(r.vectors, 4);
	r = svff_state_res(&b->pfs[0], 7);
	ck_assert(r.queues == 2 && r.vectors == 1);
	ck_assert_str_eq(b->op->step_name, "set numvfs 0");
	ck_assert_int_eq(b->op->count_to, 12);
	ck_assert(t1[strlen(t1) - 1] == '\n');
	free(t1);
	free(t2);
	svff_state_free(a);
	svff_state_free(b);
}
END_TEST

/* A claim's network settings survive the file, key by key; a bad one is
 * refused with its place. */
START_TEST(net_settings_round_trip)
{
	static const char v3[] = "{\"schema\":3,\"pfs\":[{\"addr\":\"0000:3b:00.0\",\"numvfs\":4,"
		"\"claims\":[{\"vf\":2,\"state\":\"attached\",\"vm_name\":\"vm1\","
		"\"net\":{\"mac\":\"52:54:00:AB:cd:01\",\"vlan\":10,\"trust\":true}}]}]}";
	struct svff_state *st = NULL, *again = NULL;
	struct svff_error err = { 0 };
	char *text;

	ck_assert_int_eq(svff_state_parse(v3, strlen(v3), &st, &err), 0);
	const struct svff_net *n = &svff_state_claim(&st->pfs[0], 2)->net;
	ck_assert_uint_eq(n->set, SVFF_NET_MAC | SVFF_NET_VLAN | SVFF_NET_TRUST);
	ck_assert_uint_eq(n->mac[3], 0xab);
	ck_assert_uint_eq(n->vlan, 10);
	ck_assert(n->trust);
	ck_assert_int_eq(svff_state_format(st, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"mac\": \"52:54:00:ab:cd:01\""));
	ck_assert_ptr_null(strstr(text, "spoofchk"));   /* not asked for, not written */
	ck_assert_int_eq(svff_state_parse(text, strlen(text), &again, &err), 0);
	ck_assert_uint_eq(svff_vfnet_differ(n, &svff_state_claim(&again->pfs[0], 2)->net), 0);
	free(text);
	svff_state_free(again);
	svff_state_free(st);

	static const char bad[] = "{\"schema\":3,\"pfs\":[{\"addr\":\"0000:3b:00.0\",\"numvfs\":4,"
		"\"claims\":[{\"vf\":2,\"state\":\"attached\",\"vm_name\":\"vm1\","
		"\"net\":{\"vlan\":4095}}]}]}";
	ck_assert_int_lt(svff_state_parse(bad, strlen(bad), &st, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, ".net"));
}
END_TEST

/* A claim paused by the VFIO release keeps its alias, host address and
 * whether svff suspended the VM; a claim without one writes none; a bad
 * alias or address is refused with its place. */
START_TEST(release_record_round_trip)
{
	static const char v4[] = "{\"schema\":4,\"pfs\":[{\"addr\":\"0000:3b:00.0\",\"numvfs\":4,"
		"\"claims\":[{\"vf\":1,\"state\":\"attached\",\"vm_name\":\"vm2\"},"
		"{\"vf\":2,\"state\":\"paused\",\"vm_name\":\"vm1\","
		"\"release\":{\"alias\":\"hostdev0\",\"host\":\"0000:3b:00.3\",\"suspended\":true}}]}]}";
	struct svff_state *st = NULL, *again = NULL;
	struct svff_error err = { 0 };
	char *text;

	ck_assert_int_eq(svff_state_parse(v4, strlen(v4), &st, &err), 0);
	const struct svff_release *r = &svff_state_claim(&st->pfs[0], 2)->rel;
	ck_assert_str_eq(r->alias, "hostdev0");
	ck_assert_str_eq(r->host, "0000:3b:00.3");
	ck_assert(r->suspended);
	ck_assert_str_eq(svff_state_claim(&st->pfs[0], 1)->rel.alias, "");
	ck_assert_int_eq(svff_state_format(st, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"alias\": \"hostdev0\""));
	ck_assert_int_eq(svff_state_parse(text, strlen(text), &again, &err), 0);
	ck_assert_mem_eq(&svff_state_claim(&again->pfs[0], 2)->rel, r, sizeof(*r));
	ck_assert_str_eq(svff_state_claim(&again->pfs[0], 1)->rel.alias, "");
	ck_assert_ptr_null(strstr(strstr(text, "release") + 1, "\"release\""));  /* one only */
	free(text);
	svff_state_free(again);
	svff_state_free(st);

	static const char *const bad[][2] = {
		{ "\"alias\":\"host dev\",\"host\":\"0000:3b:00.3\",\"suspended\":true", ".release.alias' is not a device alias" },
		{ "\"alias\":\"\",\"host\":\"0000:3b:00.3\",\"suspended\":true", ".release.alias' is not a device alias" },
		{ "\"alias\":\"hostdev0\",\"host\":\"3b:00.3\",\"suspended\":true", ".release.host' is not a PCI address" },
		{ "\"alias\":\"hostdev0\",\"suspended\":true", ".release.host' is missing" },
		{ "\"alias\":\"hostdev0\",\"host\":\"0000:3b:00.3\",\"suspended\":1", ".release.suspended' is not true or false" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char doc[512];
		snprintf(doc, sizeof(doc), "{\"schema\":4,\"pfs\":[{\"addr\":\"0000:3b:00.0\","
			 "\"numvfs\":4,\"claims\":[{\"vf\":2,\"state\":\"paused\",\"vm_name\":"
			 "\"vm1\",\"release\":{%s}}]}]}", bad[i][0]);
		st = NULL;
		ck_assert_int_lt(svff_state_parse(doc, strlen(doc), &st, &err), 0);
		ck_assert_msg(strstr(err.msg, bad[i][1]), "%s: got '%s'", bad[i][0], err.msg);
	}
}
END_TEST

/* Schema 1's resources had a queue count "qmax" only: read as queues. */
START_TEST(schema_1_resources_read_as_queues)
{
	static const char v1[] = "{\"schema\":1,\"pfs\":[{\"addr\":\"0000:3b:00.0\",\"numvfs\":4,"
		"\"resources\":[{\"vf\":3,\"qmax\":64}]}]}";
	struct svff_state *st = NULL;
	struct svff_error err = { 0 };
	char *text;

	ck_assert_int_eq(svff_state_parse(v1, strlen(v1), &st, &err), 0);
	ck_assert_uint_eq(svff_state_res(&st->pfs[0], 3).queues, 64);
	ck_assert_uint_eq(svff_state_res(&st->pfs[0], 3).vectors, 0);
	/* written back as the current schema */
	ck_assert_int_eq(svff_state_format(st, &text), 0);
	char want[32];
	snprintf(want, sizeof(want), "\"schema\": %d", SVFF_STATE_SCHEMA);
	ck_assert_ptr_nonnull(strstr(text, want));
	ck_assert_ptr_nonnull(strstr(text, "\"queues\": 64"));
	ck_assert_ptr_null(strstr(text, "qmax"));
	free(text);
	svff_state_free(st);
}
END_TEST

#define PF_OK "{\"addr\":\"0000:3b:00.0\",\"numvfs\":4"
static const struct { const char *text, *msg; } corrupt[] = {
	{ "{\"schema\":1,\"pfs\":[", "unexpected end of file" },
	{ "", "unexpected end of file" },
	{ "[1,2]", "the document is not a JSON object" },
	{ "{\"pfs\":[]}", "'schema' is missing" },
	{ "{\"schema\":\"1\"}", "'(top).schema' is not an integer" },
	{ "{\"schema\":0}", "'(top).schema' is out of range" },
	{ "{\"schema\":1,\"pfs\":{}}", "'(top).pfs' is not an array" },
	{ "{\"schema\":1,\"pfs\":[{\"addr\":\"0000:1:00.0\",\"numvfs\":1}]}", "'pfs[0].addr' is not a PCI address" },
	{ "{\"schema\":1,\"pfs\":[{\"addr\":\"0000:3B:00.0\",\"numvfs\":1}]}", "'pfs[0].addr' is not a PCI address" },
	{ "{\"schema\":1,\"pfs\":[{\"addr\":\"0000:3b:00.0\"}]}", "'pfs[0].numvfs' is missing" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK ",\"claims\":[{\"vf\":-1,\"state\":\"attached\",\"vm_name\":\"a\"}]}]}", "'pfs[0].claims[0].vf' is out of range" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK ",\"claims\":[{\"vf\":\"3\",\"state\":\"attached\",\"vm_name\":\"a\"}]}]}", "'pfs[0].claims[0].vf' is not an integer" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK ",\"claims\":[{\"vf\":3,\"state\":\"running\",\"vm_name\":\"a\"}]}]}", "'pfs[0].claims[0].state' is 'running'" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK ",\"claims\":[{\"vf\":3,\"state\":\"attached\",\"vm_name\":\"\"}]}]}", "'pfs[0].claims[0].vm_name' is empty" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK ",\"claims\":[{\"vf\":3,\"state\":\"attached\",\"vm_name\":\"a\"},{\"vf\":3,\"state\":\"paused\",\"vm_name\":\"b\"}]}]}", "'pfs[0].claims[1].vf' 3 is claimed twice" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK "}," PF_OK "}]}", "'pfs[1].addr' 0000:3b:00.0 appears twice" },
	{ "{\"schema\":1,\"op\":{\"verb\":\"init\",\"pf\":\"../x\",\"pid\":1,\"step\":0}}", "'op.pf' is not a PCI address" },
	/* found by fuzz_state: an empty required address was taken as "none" */
	{ "{\"schema\":1,\"pfs\":[{\"addr\":\"\",\"numvfs\":0}]}", "'pfs[0].addr' is not a PCI address" },
	{ "{\"schema\":1,\"op\":{\"verb\":\"init\",\"pf\":\"\",\"pid\":1,\"step\":0}}", "'op.pf' is not a PCI address" },
	{ "{\"schema\":1,\"op\":7}", "'op' is not an object or null" },
	{ "{\"schema\":1} trailing", "data after the JSON document" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK ",\"claims\":[{\"vf\":3,\"state\":\"attached\",\"vm_name\":\"a\",\"guest_addr\":7}]}]}", "'pfs[0].claims[0].guest_addr' is not a string" },
	{ "{\"schema\":2,\"pfs\":[" PF_OK ",\"resources\":[{\"vf\":1,\"queues\":2},{\"vf\":1,\"vectors\":1}]}]}", "'pfs[0].resources[1].vf' 1 has two resource entries" },
	{ "{\"schema\":2,\"pfs\":[" PF_OK ",\"resources\":[{\"vf\":1,\"queues\":-2}]}]}", "'pfs[0].resources[0].queues' is out of range" },
	{ "{\"schema\":2,\"pfs\":[" PF_OK ",\"res_default\":{\"vectors\":\"1\"}}]}", "'pfs[0].res_default.vectors' is not an integer" },
	{ "{\"schema\":1,\"pfs\":[" PF_OK ",\"resources\":[{\"vf\":1,\"queues\":2}]}]}", "'pfs[0].resources[0].qmax' is missing" },
};

START_TEST(corrupt_files_refused_and_untouched)
{
	struct svff_store *store;
	struct svff_state *st = (void *)1;
	struct svff_error err = { 0 };

	mkdir(sdir, 0700);
	write_file(spath, corrupt[_i].text);
	ck_assert_int_eq(svff_store_open(sdir, 0, false, &store, &err), 0);
	ck_assert_int_lt(svff_store_load(store, &st, &err), 0);
	ck_assert_ptr_eq(st, (void *)1);                 /* no output on failure */
	ck_assert_msg(strstr(err.msg, corrupt[_i].msg), "%s: got '%s'", corrupt[_i].text, err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot parse state file"));
	ck_assert_ptr_nonnull(strstr(err.msg, "move it aside"));
	svff_store_close(store);
	char *after = slurp(spath);
	ck_assert_str_eq(after, corrupt[_i].text);
	free(after);
}
END_TEST

START_TEST(oversized_and_long_strings)
{
	struct svff_state *st = NULL;
	struct svff_error err = { 0 };
	size_t n = SVFF_STATE_MAX_BYTES + 10;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	big[n] = '\0';
	memcpy(big, "{\"schema\":1}", 12);
	ck_assert_int_eq(svff_state_parse(big, n, &st, &err), -EFBIG);
	free(big);
	char doc[1024], name[300];
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(doc, sizeof(doc), "{\"schema\":1,\"pfs\":[" PF_OK ",\"claims\":[{\"vf\":3,"
		 "\"state\":\"attached\",\"vm_name\":\"%s\"}]}]}", name);
	ck_assert_int_eq(svff_state_parse(doc, strlen(doc), &st, &err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err.msg, "is longer than 255 bytes"));
	/* unknown keys are for a later svff of the same schema: ignored */
	const char *fwd = "{\"schema\":1,\"future\":true,\"pfs\":[]}";
	ck_assert_int_eq(svff_state_parse(fwd, strlen(fwd), &st, &err), 0);
	svff_state_free(st);
}
END_TEST

START_TEST(newer_schema_refused)
{
	struct svff_store *store;
	struct svff_state *st;
	struct svff_error err = { 0 };
	mkdir(sdir, 0700);
	char text[64], msg[96];
	snprintf(text, sizeof(text), "{\"schema\":%d,\"pfs\":[]}", SVFF_STATE_SCHEMA + 1);
	snprintf(msg, sizeof(msg), "schema %d, newer than this svff understands (%d)",
		 SVFF_STATE_SCHEMA + 1, SVFF_STATE_SCHEMA);
	write_file(spath, text);
	ck_assert_int_eq(svff_store_open(sdir, 0, false, &store, &err), 0);
	ck_assert_int_eq(svff_store_load(store, &st, &err), -EPROTONOSUPPORT);
	ck_assert_ptr_nonnull(strstr(err.msg, msg));
	svff_store_close(store);
}
END_TEST

START_TEST(missing_is_empty_and_created_private)
{
	struct svff_store *store;
	struct svff_state *st;
	struct svff_error err = { 0 };
	struct stat sb;

	ck_assert_int_eq(svff_state_read(sdir, &st, &err), 0);   /* no dir: empty */
	ck_assert_uint_eq(st->n_pfs, 0);
	svff_state_free(st);
	ck_assert_int_ne(access(sdir, F_OK), 0);                  /* and not created */
	ck_assert_int_eq(svff_store_open(sdir, 0, false, &store, &err), -ENOENT);
	ck_assert_int_eq(svff_store_open(sdir, 0, true, &store, &err), 0);
	ck_assert_int_eq(stat(sdir, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_eq(svff_store_load(store, &st, &err), 0);
	ck_assert_ptr_null(st->op);
	svff_state_pf_add(st, "0000:01:00.0");
	ck_assert_int_eq(svff_store_save(store, st, &err), 0);
	svff_state_free(st);
	svff_store_close(store);
	ck_assert_int_eq(stat(spath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(svff_state_read(sdir, &st, &err), 0);
	ck_assert_str_eq(st->pfs[0].addr, "0000:01:00.0");
	svff_state_free(st);
}
END_TEST

START_TEST(symlinks_and_loose_permissions_refused)
{
	struct svff_store *store;
	struct svff_state *st;
	struct svff_error err = { 0 };
	char other[300], link[300];

	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	mkdir(other, 0700);
	ck_assert_int_eq(symlink(other, sdir), 0);
	ck_assert_int_eq(svff_store_open(sdir, 0, true, &store, &err), -ELOOP);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a symbolic link"));
	ck_assert_int_eq(svff_state_read(sdir, &st, &err), -ELOOP);
	unlink(sdir);

	mkdir(sdir, 0700);
	snprintf(link, sizeof(link), "%s/target", dir);
	write_file(link, "{\"schema\":1}");
	ck_assert_int_eq(symlink(link, spath), 0);
	ck_assert_int_eq(svff_store_open(sdir, 0, false, &store, &err), 0);
	ck_assert_int_eq(svff_store_load(store, &st, &err), -ELOOP);
	ck_assert_ptr_nonnull(strstr(err.msg, "state file"));
	svff_store_close(store);
	unlink(spath);

	chmod(sdir, 0777);
	ck_assert_int_eq(svff_store_open(sdir, 0, false, &store, &err), -EPERM);
	ck_assert_ptr_nonnull(strstr(err.msg, "writable by others"));
}
END_TEST

START_TEST(failed_save_keeps_old_file)
{
	struct svff_store *store;
	struct svff_state *st;
	struct svff_error err = { 0 };
	char *before;

	ck_assert_int_eq(svff_store_open(sdir, 0, true, &store, &err), 0);
	st = rich();
	ck_assert_int_eq(svff_store_save(store, st, &err), 0);
	before = slurp(spath);
	/* make the rename fail: the target becomes a non-empty directory */
	char moved[400], inner[400];
	snprintf(moved, sizeof(moved), "%s.bak", spath);
	rename(spath, moved);
	mkdir(spath, 0700);
	snprintf(inner, sizeof(inner), "%s/x", spath);
	write_file(inner, "x");
	st->pfs[0].numvfs = 99;
	ck_assert_int_lt(svff_store_save(store, st, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot write state file"));
	/* no temporary file left behind */
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -q tmp", sdir);
	ck_assert_int_ne(system(cmd), 0);
	unlink(inner);
	rmdir(spath);
	rename(moved, spath);
	char *after = slurp(spath);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	svff_state_free(st);
	svff_store_close(store);
}
END_TEST

START_TEST(busy_lock_names_holder_and_is_bounded)
{
	struct svff_store *store;
	struct svff_error err = { 0 };
	int ready[2];
	char c;

	mkdir(sdir, 0700);
	ck_assert_int_eq(pipe(ready), 0);
	pid_t child = fork();
	if (child == 0) {
		struct svff_store *held;
		if (svff_store_open(sdir, 0, false, &held, NULL) < 0)
			_exit(1);
		ck_assert_int_eq(write(ready[1], "x", 1), 1);
		sleep(2);               /* then exit, which releases the lock */
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	time_t t0 = time(NULL);
	ck_assert_int_eq(svff_store_open(sdir, 1, false, &store, &err), -EBUSY);
	ck_assert_int_le(time(NULL) - t0, 2);
	char want[64];
	snprintf(want, sizeof(want), "held by pid %d", (int)child);
	ck_assert_msg(strstr(err.msg, want), "got '%s'", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "raise --wait"));
	/* a longer wait outlasts the holder */
	ck_assert_int_eq(svff_store_open(sdir, 10, false, &store, &err), 0);
	svff_store_close(store);
	int status;
	waitpid(child, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(no_lost_updates_between_processes)
{
	enum { PROCS = 8, ROUNDS = 25 };
	struct svff_store *store;
	struct svff_state *st;
	struct svff_error err = { 0 };
	pid_t kids[PROCS];

	ck_assert_int_eq(svff_store_open(sdir, 0, true, &store, &err), 0);
	st = svff_state_new();
	svff_state_pf_add(st, "0000:01:00.0");
	ck_assert_int_eq(svff_store_save(store, st, &err), 0);
	svff_state_free(st);
	svff_store_close(store);
	for (int k = 0; k < PROCS; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			for (int r = 0; r < ROUNDS; r++) {
				struct svff_store *s;
				struct svff_state *x;
				if (svff_store_open(sdir, 30, false, &s, NULL) < 0 ||
				    svff_store_load(s, &x, NULL) < 0)
					_exit(1);
				x->pfs[0].numvfs++;
				if (svff_store_save(s, x, NULL) < 0)
					_exit(1);
				svff_state_free(x);
				svff_store_close(s);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		int status;
		waitpid(kids[k], &status, 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(svff_state_read(sdir, &st, &err), 0);
	ck_assert_uint_eq(st->pfs[0].numvfs, PROCS * ROUNDS);
	svff_state_free(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("state");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_is_exact_and_stable);
	tcase_add_test(tc, schema_1_resources_read_as_queues);
	tcase_add_test(tc, net_settings_round_trip);
	tcase_add_test(tc, release_record_round_trip);
	tcase_add_loop_test(tc, corrupt_files_refused_and_untouched, 0,
			    sizeof(corrupt) / sizeof(corrupt[0]));
	tcase_add_test(tc, oversized_and_long_strings);
	tcase_add_test(tc, newer_schema_refused);
	tcase_add_test(tc, missing_is_empty_and_created_private);
	tcase_add_test(tc, symlinks_and_loose_permissions_refused);
	tcase_add_test(tc, failed_save_keeps_old_file);
	tcase_add_test(tc, busy_lock_names_holder_and_is_bounded);
	tcase_add_test(tc, no_lost_updates_between_processes);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
