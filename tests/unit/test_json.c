/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The -j contract (man/svff.8 JSON OUTPUT): every command prints one
 * document, on failure too, with "schema", "ok" and "error"; the exit
 * status and the message on stderr are those of the run without -j.
 * Runs the sanitizer build against a fake sysfs tree. */
#include <check.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fakesys.h"

static char *root;
static char state_dir[256];


static const char interrupted[] =
	"{ \"schema\": 1, \"pfs\": [ { \"addr\": \"0000:01:00.0\", \"numvfs\": 4,"
	" \"saved_autoprobe\": 1, \"claims\": [], \"resources\": [] } ],"
	" \"op\": { \"verb\": \"reconf\", \"pf\": \"0000:01:00.0\", \"pid\": 1, \"step\": 2,"
	" \"step_name\": \"set numvfs 4\", \"count_from\": 4, \"count_to\": 6 } }\n";

#define NOVIRT "qemu+unix:///system?socket=/nonexistent"
/* libvirt's test driver, in process: a running VM "test" that takes no
 * hot-plug */
#define TESTVIRT "test:///default"

/* the last run's output, freed by the next run and by teardown */
static char *out, *err;
#define SVFF(...) (free(out), free(err), run_svff(root, state_dir, &out, &err, __VA_ARGS__, NULL))

static void setup(void)
{
	out = err = NULL;
	root = fakesys_new();
	snprintf(state_dir, sizeof(state_dir), "%s/run-svff", root);
	fakesys_add_dev(root, "0000:01:00.0", 0x1b36, 0x0010, 127, "nvme", 1);
	fakesys_set_vfs(root, "0000:01:00.0", 4, "vfio-pci", 10);
	fakesys_write(root, "0000:01:00.0", "sriov_drivers_autoprobe", "0");
	fakesys_write_state(state_dir, fakesys_managed_state);
}

static void teardown(void)
{
	free(out);
	free(err);
	fakesys_free(root);
}

static const struct fail {
	const char *verb;
	const char *args[6];
	int status;
	const char *msg;        /* the error, as stderr has it after "svff: " */
} fails[] = {
	{ "init", { "init", "6" }, 1, "0000:01:00.0 has 4 VFs already" },
	{ "deinit", { "deinit" }, 1, "VMs still hold VFs of 0000:01:00.0" },
	{ "attach", { "attach", "vm1", "vf7" }, 1, "no VF 'vf7' on 0000:01:00.0" },
	{ "attach", { "attach", "vm1", "vf-1" }, 2, "invalid VF 'vf-1'" },
	{ "detach", { "detach", "vf2" }, 1, "vf2 of 0000:01:00.0 is not attached to any VM" },
	{ "pause", { "pause", "vf0" }, 1, "vf0 of 0000:01:00.0 is not claimed by any VM" },
	{ "unpause", { "unpause", "nosuch" }, 1, "VM 'nosuch' holds no VF of 0000:01:00.0" },
	{ "reconf", { "reconf", "2" }, 1, "reconf 2 would remove VFs that VMs hold" },
	{ "reconf", { "reconf", "0" }, 2, "VF count '0' is out of range" },
	{ "recover", { "-c", NOVIRT, "recover" }, 1, "cannot connect to libvirt" },
	{ "list", { "list", "vf42" }, 1, "no VF 'vf42' on 0000:01:00.0" },
	{ "list", { "-d", "0000:09:00.0", "list" }, 1, "no PCI device '0000:09:00.0'" },
	{ "attach", { "-c", TESTVIRT, "attach", "test", "vf0" }, 1,
	  "cannot attach '0000:01:00.1' to VM 'test'" },
	{ "detach", { "-c", TESTVIRT, "detach", "vm2", "vf1" }, 1, "vf1 is held by VM 'vm1'" },
	{ "resources", { "resources", "vf1", "--queues", "2" }, 1, "vf1 is attached to VM 'vm1'" },
	{ "resources", { "resources", "vf1", "--queues", "x" }, 2, "invalid --queues 'x'" },
	{ "apply", { "apply", "/nonexistent/svff.xml" }, 1, "cannot read /nonexistent/svff.xml" },
	{ "save", { "save", "/nonexistent/svff.xml" }, 1, "cannot write /nonexistent/svff.xml.tmp" },
};

static json_object *key(json_object *o, const char *k)
{
	json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no key '%s'", k);
	return v;
}

/* The document of a failed run: schema, ok false, the error of stderr. */
static void check_failure_doc(const char *out, const char *err, const char *msg)
{
	json_object *o = json_tokener_parse(out);
	ck_assert_msg(o != NULL, "not JSON: '%s'", out);
	ck_assert_int_eq(json_object_get_int(key(o, "schema")), 1);
	ck_assert(json_object_is_type(key(o, "ok"), json_type_boolean));
	ck_assert(!json_object_get_boolean(key(o, "ok")));
	const char *e = json_object_get_string(key(o, "error"));
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(!strncmp(e, msg, strlen(msg)), "error '%s', expected '%s...'", e, msg);
	/* the same message as on stderr */
	ck_assert_msg(!strncmp(err, "svff: ", 6) && !strncmp(err + 6, e, strlen(e)),
		      "stderr '%s' vs error '%s'", err, e);
	json_object_put(o);
}

START_TEST(every_verb_prints_a_document_on_failure)
{
	const struct fail *f = &fails[_i];
	const char *const *a = f->args;

	int rc = SVFF("-j", a[0], a[1], a[2], a[3], a[4], a[5]);
	ck_assert_msg(rc == f->status, "%s: exit %d, expected %d (%s)", f->verb, rc, f->status, err);
	check_failure_doc(out, err, f->msg);
	char *first = strdup(strtok(err, "\n"));
	/* without -j: the same status and message, and no document */
	ck_assert_int_eq(SVFF(a[0], a[1], a[2], a[3], a[4], a[5]), f->status);
	ck_assert_ptr_null(strchr(out, '{'));
	ck_assert_str_eq(strtok(err, "\n"), first);
	free(first);
}
END_TEST

START_TEST(success_document_says_ok)
{
	ck_assert_int_eq(SVFF("-j", "list"), 0);
	json_object *o = json_tokener_parse(out);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_get_boolean(key(o, "ok")));
	ck_assert_ptr_null(key(o, "error"));
	ck_assert_uint_eq(json_object_array_length(key(o, "pfs")), 1);
	json_object_put(o);
	/* a no-op init: its keys, and ok */
	ck_assert_int_eq(SVFF("-j", "init", "4"), 0);
	o = json_tokener_parse(out);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_object_get_string(key(o, "pf")), "0000:01:00.0");
	ck_assert_int_eq(json_object_get_int(key(o, "numvfs")), 4);
	ck_assert(!json_object_get_boolean(key(o, "changed")));
	ck_assert(json_object_get_boolean(key(o, "ok")));
	json_object_put(o);
}
END_TEST

/* Arrays of strings: the PFs recover worked on, each correction. */
START_TEST(recover_document_lists_pfs_and_corrections)
{
	ck_assert_int_eq(SVFF("-c", TESTVIRT, "-j", "recover"), 0);
	json_object *o = json_tokener_parse(out);
	ck_assert_msg(o != NULL, "not JSON: '%s'", out);
	json_object *pfs = key(o, "pfs"), *fixes = key(o, "corrections");
	ck_assert_uint_eq(json_object_array_length(pfs), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(pfs, 0)), "0000:01:00.0");
	/* vm1 and vm2 do not exist in the test driver: both claims dropped */
	ck_assert_uint_eq(json_object_array_length(fixes), 2);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(fixes, 0)),
			 "vf1: VM 'vm1' no longer exists: claim dropped");
	ck_assert(json_object_get_boolean(key(o, "ok")));
	json_object_put(o);
}
END_TEST

/* Exit statuses 3 and 4 keep their meaning, with a document. */
START_TEST(busy_and_recover_statuses_with_document)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/lock", state_dir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	ck_assert_int_eq(SVFF("-j", "-w", "0", "detach", "vm1"), 3);
	check_failure_doc(out, err, "cannot lock state");
	close(fd);

	fakesys_write_state(state_dir, interrupted);
	ck_assert_int_eq(SVFF("-j", "pause", "vm1"), 4);
	check_failure_doc(out, err, "operation 'reconf' on 0000:01:00.0 was interrupted");
}
END_TEST

/* A usage error names the command's help; -j or not. */
START_TEST(usage_error_hint_and_document)
{
	ck_assert_int_eq(SVFF("attach", "-j"), 2);
	ck_assert_str_eq(err, "svff: 'attach' needs an argument: VM [VF...]\n"
			 "Try 'svff help attach'.\n");
	check_failure_doc(out, err, "'attach' needs an argument");
}
END_TEST

/* Under -j, -n's steps go to stderr: stdout is the document alone. */
START_TEST(dry_run_steps_leave_the_document_alone)
{
	fakesys_add_dev(root, "0000:02:00.0", 0x1b36, 0x0010, 8, "nvme", 2);
	ck_assert_int_eq(SVFF("-j", "-n", "-d", "02:00.0", "init", "2"), 0);
	ck_assert_ptr_nonnull(strstr(err, "would: write '2' to "));
	json_object *o = json_tokener_parse(out);
	ck_assert_msg(o != NULL, "not JSON: '%s'", out);
	ck_assert(json_object_get_boolean(key(o, "dry_run")));
	ck_assert(json_object_get_boolean(key(o, "ok")));
	json_object_put(o);
	/* without -j the steps are the output */
	ck_assert_int_eq(SVFF("-n", "-d", "02:00.0", "init", "2"), 0);
	ck_assert_ptr_nonnull(strstr(out, "would: write '2' to "));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("contract");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, every_verb_prints_a_document_on_failure, 0,
			    sizeof(fails) / sizeof(fails[0]));
	tcase_add_test(tc, success_document_says_ok);
	tcase_add_test(tc, recover_document_lists_pfs_and_corrections);
	tcase_add_test(tc, busy_and_recover_statuses_with_document);
	tcase_add_test(tc, usage_error_hint_and_document);
	tcase_add_test(tc, dry_run_steps_leave_the_document_alone);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
