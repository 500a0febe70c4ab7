/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The svff program as users meet it: options, exit statuses, messages,
 * and 'list' against fake sysfs trees. Runs the sanitizer build. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakesys.h"
#include "svff.h"

static char *root;
static char state_dir[256];
static char *out, *err;

static void setup(void)
{
	root = fakesys_new();
	snprintf(state_dir, sizeof(state_dir), "%s/run-svff", root);
	out = err = NULL;
}

static void teardown(void)
{
	free(out);
	free(err);
	fakesys_free(root);
}

/* run svff; out/err keep the last run's output */
#define SVFF(...) (free(out), free(err), run_svff(root, state_dir, &out, &err, __VA_ARGS__, NULL))

static void two_pfs(void)
{
	fakesys_add_dev(root, "0000:01:00.0", 0x1b36, 0x0010, 127, "nvme", 1);
	fakesys_set_vfs(root, "0000:01:00.0", 4, "vfio-pci", 10);
	fakesys_add_dev(root, "0000:02:00.0", 0x1b36, 0x0010, 8, "nvme", 2);
	fakesys_add_dev(root, "0000:03:00.0", 0x1b36, 0x0010, 0, "nvme", 3);
}

/* The man page documents every command and every option that --help
 * lists: a man page entry is part of every change to the interface. */
START_TEST(man_page_documents_every_command_and_option)
{
	char *man = slurp("man/svff.8"), *out = NULL;
	ck_assert_msg(man, "man/svff.8 not found (run from the top of the tree)");
	ck_assert_int_eq(run_svff(NULL, NULL, &out, NULL, "--help", NULL), 0);
	const char *p = strstr(out, "Commands:\n");
	ck_assert_ptr_nonnull(p);
	int commands = 0;
	for (p = strchr(p, '\n') + 1; *p == ' '; p = strchr(p, '\n') + 1) {
		char name[32], ss[48], *help = NULL;
		ck_assert_int_eq(sscanf(p, " %31s", name), 1);
		snprintf(ss, sizeof(ss), ".SS \"%s", name);
		ck_assert_msg(strstr(man, ss), "svff(8) has no '%s' section", ss);
		commands++;
		ck_assert_int_eq(run_svff(NULL, NULL, &help, NULL, "help", name, NULL), 0);
		for (const char *o = strstr(help, "\n    --"); o; o = strstr(o + 1, "\n    --")) {
			char opt[40], roff[80];
			ck_assert_int_eq(sscanf(o + 7, "%39[a-z-]", opt), 1);
			/* roff escapes each '-' as "\-" */
			size_t n = 0;
			for (const char *c = opt; *c && n < sizeof(roff) - 3; c++) {
				if (*c == '-')
					roff[n++] = '\\';
				roff[n++] = *c;
			}
			roff[n] = '\0';
			ck_assert_msg(strstr(man, roff), "svff(8) does not mention '%s --%s'", name, opt);
		}
		free(help);
	}
	ck_assert_int_ge(commands, 11);
	free(out);
	free(man);
}
END_TEST

START_TEST(no_command_is_usage_error)
{
	ck_assert_int_eq(SVFF("-j"), 2);
	ck_assert_ptr_nonnull(strstr(err, "Usage: svff"));
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(version_and_help)
{
	ck_assert_int_eq(SVFF("--version"), 0);
	ck_assert_str_eq(out, "svff " SVFF_VERSION "\n");
	ck_assert_int_eq(SVFF("-h"), 0);
	ck_assert_ptr_nonnull(strstr(out, "  list "));
	ck_assert_ptr_nonnull(strstr(out, "--dry-run"));
	ck_assert_int_eq(SVFF("help"), 0);
	ck_assert_ptr_nonnull(strstr(out, "  list "));
}
END_TEST

START_TEST(help_cmd_and_cmd_help_agree)
{
	char *a;
	ck_assert_int_eq(SVFF("help", "list"), 0);
	a = strdup(out);
	ck_assert_int_eq(SVFF("list", "--help"), 0);
	ck_assert_str_eq(out, a);
	ck_assert_ptr_nonnull(strstr(a, "Usage: svff [OPTIONS] list [VM|VF]"));
	ck_assert_ptr_nonnull(strstr(a, "Alias: status"));
	free(a);
	ck_assert_int_eq(SVFF("help", "status"), 0);  /* alias */
	ck_assert_int_eq(SVFF("help", "nosuch"), 2);
	ck_assert_str_eq(err, "svff: unknown command 'nosuch'\nTry 'svff --help'.\n");
}
END_TEST

static const struct { const char *args[4]; const char *msg; } usage_errors[] = {
	{ { "frobnicate" }, "svff: unknown command 'frobnicate'" },
	{ { "lis" }, "svff: unknown command 'lis'" },          /* no prefix matching */
	{ { "--bogus", "list" }, "svff: unknown option '--bogus'" },
	{ { "list", "--bogus" }, "svff: unknown option '--bogus' for 'list'" },
	{ { "list", "vm1", "vm2" }, "svff: too many arguments for 'list' ('vm2' is one too many)" },
	{ { "-w", "soon", "list" }, "svff: invalid --wait 'soon'" },
	{ { "-t", "-5", "list" }, "svff: invalid --timeout '-5'" },
	{ { "-w", "100000", "list" }, "svff: --wait '100000' is out of range" },
	{ { "list", "-d" }, "svff: option '-d' needs an argument" },
	{ { "-d", "3b:00", "list" }, "svff: invalid PCI address '3b:00'" },
	{ { "-d", "../../../etc", "list" }, "svff: invalid PCI address '../../../etc'" },
	{ { "attach", "vm1", "vf-1" }, "svff: invalid VF 'vf-1'" },
	{ { "attach", "vm1", "vf1", "vf99999" }, "svff: VF index '99999' is out of range" },
	{ { "init", "-3" }, "svff: unknown option '-3' for 'init'" },
	{ { "init", "four" }, "svff: invalid VF count 'four'" },
	{ { "init", "--driver", "nvme" }, "svff: unsupported driver 'nvme'" },
	{ { "deinit", "now" }, "svff: too many arguments for 'deinit'" },
	{ { "attach" }, "svff: 'attach' needs an argument: VM [VF...]" },
	{ { "detach", "../vm" }, "svff: invalid VM name: it contains '/'" },
	{ { "list", "a/b" }, "svff: invalid VM name: it contains '/'" },
	{ { "pause" }, "svff: 'pause' needs an argument: VM|VF..." },
	{ { "pause", "vm1", "vf99999" }, "svff: VF index '99999' is out of range" },
	{ { "unpause", "../x" }, "svff: invalid VM name: it contains '/'" },
	{ { "unpause", "vm1", "--force" }, "svff: unknown option '--force' for 'unpause'" },
	{ { "reconf" }, "svff: 'reconf' needs an argument: COUNT" },
	{ { "reconf", "six" }, "svff: invalid VF count 'six'" },
	{ { "reconf", "4", "5" }, "svff: too many arguments for 'reconf'" },
	{ { "reconf", "99999999999" }, "svff: invalid VF count '99999999999': expected a number from 0 to 65535" },
	{ { "recover", "now" }, "svff: too many arguments for 'recover'" },
};

START_TEST(usage_errors_exit_2)
{
	const char *const *a = usage_errors[_i].args;
	int rc = run_svff(root, state_dir, &out, &err, a[0], a[1], a[2], a[3], NULL);
	ck_assert_msg(rc == 2, "%s: exit %d, stderr %s", a[0], rc, err);
	ck_assert_msg(!strncmp(err, usage_errors[_i].msg, strlen(usage_errors[_i].msg)),
		      "expected '%s', got '%s'", usage_errors[_i].msg, err);
	ck_assert_str_eq(out, "");
	/* nothing was created */
	ck_assert_int_ne(access(state_dir, F_OK), 0);
}
END_TEST

START_TEST(list_without_sriov_fails)
{
	fakesys_add_dev(root, "0000:03:00.0", 0x1b36, 0x0010, 0, "nvme", 3);
	ck_assert_int_eq(SVFF("list"), 1);
	ck_assert_str_eq(err, "svff: no SR-IOV capable PCI device found\n");
	ck_assert_int_eq(SVFF("-d", "03:00.0", "list"), 1);
	ck_assert_ptr_nonnull(strstr(err, "'0000:03:00.0' is not an SR-IOV physical function"));
	ck_assert_int_eq(SVFF("-d", "0000:09:00.0", "list"), 1);
	ck_assert_str_eq(err, "svff: no PCI device '0000:09:00.0'\n");
}
END_TEST

START_TEST(list_text)
{
	two_pfs();
	ck_assert_int_eq(SVFF("list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "PF 0000:01:00.0  1b36:0010  driver nvme  4 of 127 VFs\n"));
	ck_assert_ptr_nonnull(strstr(out, "PF 0000:02:00.0  1b36:0010  driver nvme  0 of 8 VFs\n"));
	ck_assert_ptr_null(strstr(out, "0000:03:00.0"));
	ck_assert_ptr_nonnull(strstr(out, "  3    0000:01:00.4  vfio-pci 13     detached"));
	ck_assert_int_ne(access(state_dir, F_OK), 0);  /* list never creates state */
}
END_TEST

static json_object *parse_out(void)
{
	json_object *o = json_tokener_parse(out);
	ck_assert_msg(o != NULL, "not JSON: %s", out);
	return o;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key '%s'", key);
	return v;
}

START_TEST(list_json)
{
	two_pfs();
	fakesys_bind(root, "0000:01:00.2", "nvme");
	ck_assert_int_eq(SVFF("-d", "01:00.0", "list", "-j"), 0);
	json_object *o = parse_out();
	ck_assert_int_eq(json_object_get_int(get(o, "schema")), 1);
	json_object *pfs = get(o, "pfs");
	ck_assert_uint_eq(json_object_array_length(pfs), 1);
	json_object *pf = json_object_array_get_idx(pfs, 0);
	ck_assert_str_eq(json_object_get_string(get(pf, "pf")), "0000:01:00.0");
	ck_assert_str_eq(json_object_get_string(get(pf, "vendor")), "1b36");
	ck_assert_int_eq(json_object_get_int(get(pf, "totalvfs")), 127);
	ck_assert_int_eq(json_object_get_int(get(pf, "numvfs")), 4);
	ck_assert(!json_object_get_boolean(get(pf, "managed")));
	ck_assert_ptr_null(get(pf, "configured_vfs"));
	ck_assert(json_object_get_boolean(get(pf, "autoprobe")));
	json_object *vfs = get(pf, "vfs");
	ck_assert_uint_eq(json_object_array_length(vfs), 4);
	json_object *vf1 = json_object_array_get_idx(vfs, 1);
	ck_assert_int_eq(json_object_get_int(get(vf1, "vf")), 1);
	ck_assert_str_eq(json_object_get_string(get(vf1, "addr")), "0000:01:00.2");
	ck_assert_str_eq(json_object_get_string(get(vf1, "driver")), "nvme");
	ck_assert_int_eq(json_object_get_int(get(vf1, "iommu_group")), 11);
	ck_assert_str_eq(json_object_get_string(get(vf1, "state")), "detached");
	ck_assert_ptr_null(get(vf1, "vm"));
	ck_assert_ptr_null(get(vf1, "guest_addr"));
	ck_assert_ptr_null(get(vf1, "problem")); /* not managed: no claim on vfio-pci */
	json_object_put(o);
}
END_TEST

static const char managed_state[] =
	"{ \"schema\": 1, \"pfs\": [ { \"addr\": \"0000:01:00.0\", \"numvfs\": 4,"
	" \"saved_autoprobe\": 1, \"claims\": ["
	" { \"vf\": 1, \"state\": \"attached\", \"vm_name\": \"vm1\", \"vm_uuid\": \"\","
	"   \"guest_addr\": \"0000:07:00.0\", \"persistent\": false, \"op_paused\": false },"
	" { \"vf\": 3, \"state\": \"paused\", \"vm_name\": \"vm2\", \"vm_uuid\": \"\","
	"   \"guest_addr\": \"0000:08:00.0\", \"persistent\": false, \"op_paused\": false },"
	" { \"vf\": 9, \"state\": \"attached\", \"vm_name\": \"vm2\", \"vm_uuid\": \"\","
	"   \"guest_addr\": \"\", \"persistent\": false, \"op_paused\": false } ],"
	" \"resources\": [] } ], \"op\": null }\n";

static void write_state(const char *content)
{
	fakesys_write_state(state_dir, content);
}

/* libvirt and its ~55 libraries load only when a verb connects: list,
 * help and refused input start without them (the dynamic loader's own
 * record, LD_DEBUG=files, says which libraries a run loaded). */
START_TEST(libvirt_loaded_only_when_a_verb_connects)
{
	two_pfs();
	write_state(managed_state);
	setenv("LD_DEBUG", "files", 1);
	int list_rc = SVFF("list");
	bool list_loaded = strstr(err, "file=libvirt.so.0") != NULL;
	int bad_rc = SVFF("attach", "vm1", "vf99x");
	bool bad_loaded = strstr(err, "file=libvirt.so.0") != NULL;
	/* the test driver runs in process: detach of vm1's VF connects */
	int conn_rc = SVFF("-c", "test:///default", "detach", "vm1", "vf1");
	bool conn_loaded = strstr(err, "file=libvirt.so.0") != NULL;
	unsetenv("LD_DEBUG");
	ck_assert_int_eq(list_rc, 0);
	ck_assert_msg(!list_loaded, "list loaded libvirt");
	ck_assert_int_eq(bad_rc, 2);
	ck_assert_msg(!bad_loaded, "a refused VF name loaded libvirt");
	ck_assert_int_ne(conn_rc, 2);
	ck_assert_msg(conn_loaded, "detach did not load libvirt: %s", err);
}
END_TEST

/* list's table: each column as wide as its longest cell, so a long VM
 * or driver name does not push the rows out of line with the header. */
START_TEST(list_columns_sized_to_contents)
{
	static const char *const heads[] = { "ADDRESS", "DRIVER", "GROUP", "STATE", "VM", "GUEST",
					     "NOTE" };
	char state[1024];
	two_pfs();
	fakesys_bind(root, "0000:01:00.2", "a_very_long_vf_driver");
	snprintf(state, sizeof(state), "%s", managed_state);
	char *vm1 = strstr(state, "\"vm1\"");
	ck_assert_ptr_nonnull(vm1);
	static const char long_vm[] = "\"a-vm-with-a-long-name\"";
	memmove(vm1 + strlen(long_vm), vm1 + 5, strlen(vm1 + 5) + 1);
	memcpy(vm1, long_vm, strlen(long_vm));
	write_state(state);
	ck_assert_int_eq(SVFF("list"), 0);
	const char *hdr = strstr(out, "  VF ");
	ck_assert_ptr_nonnull(hdr);
	int col[7];
	for (int k = 0; k < 7; k++) {
		const char *h = strstr(hdr, heads[k]);
		ck_assert_ptr_nonnull(h);
		col[k] = (int)(h - hdr);
	}
	/* every row: a cell starts at each column (after a space), nothing
	 * runs into it */
	int rows = 0;
	for (const char *l = strchr(hdr, '\n') + 1; *l == ' ' && l[2] >= '0' && l[2] <= '9';
	     l = strchr(l, '\n') + 1) {
		int len = (int)(strchr(l, '\n') - l);
		for (int k = 0; k < 6; k++)
			ck_assert_msg(col[k] < len && l[col[k] - 1] == ' ' && l[col[k]] != ' ',
				      "column %s misaligned in '%.*s'", heads[k], len, l);
		rows++;
	}
	ck_assert_int_eq(rows, 5);
	ck_assert_ptr_nonnull(strstr(out, "a-vm-with-a-long-name"));
	ck_assert_ptr_nonnull(strstr(out, "a_very_long_vf_driver"));
}
END_TEST

START_TEST(list_managed_with_claims_and_filters)
{
	two_pfs();
	fakesys_bind(root, "0000:01:00.1", "nvme");
	write_state(managed_state);
	ck_assert_int_eq(SVFF("list", "--json"), 0);
	json_object *o = parse_out();
	json_object *pfs = get(o, "pfs");
	ck_assert_uint_eq(json_object_array_length(pfs), 1);   /* only the managed PF */
	json_object *pf = json_object_array_get_idx(pfs, 0);
	ck_assert(json_object_get_boolean(get(pf, "managed")));
	ck_assert_int_eq(json_object_get_int(get(pf, "configured_vfs")), 4);
	json_object *vfs = get(pf, "vfs");
	ck_assert_uint_eq(json_object_array_length(vfs), 5);
	json_object *v0 = json_object_array_get_idx(vfs, 0);
	ck_assert_str_eq(json_object_get_string(get(v0, "problem")), "bound to 'nvme', not vfio-pci");
	json_object *v1 = json_object_array_get_idx(vfs, 1);
	ck_assert_str_eq(json_object_get_string(get(v1, "state")), "attached");
	ck_assert_str_eq(json_object_get_string(get(v1, "vm")), "vm1");
	ck_assert_str_eq(json_object_get_string(get(v1, "guest_addr")), "0000:07:00.0");
	json_object *v9 = json_object_array_get_idx(vfs, 4);
	ck_assert_int_eq(json_object_get_int(get(v9, "vf")), 9);
	ck_assert_ptr_null(get(v9, "addr"));
	ck_assert_str_eq(json_object_get_string(get(v9, "problem")), "claimed, but the VF does not exist");
	json_object_put(o);

	ck_assert_int_eq(SVFF("list", "vm2"), 0);
	ck_assert_ptr_nonnull(strstr(out, "paused"));
	ck_assert_ptr_null(strstr(out, "vm1"));
	ck_assert_ptr_nonnull(strstr(out, "  9    -"));

	ck_assert_int_eq(SVFF("list", "vf1", "-j"), 0);
	o = parse_out();
	vfs = get(json_object_array_get_idx(get(o, "pfs"), 0), "vfs");
	ck_assert_uint_eq(json_object_array_length(vfs), 1);
	json_object_put(o);
	ck_assert_int_eq(SVFF("list", "0000:01:00.3"), 0);  /* VF by address */
	ck_assert_ptr_nonnull(strstr(out, "  2    0000:01:00.3"));
	ck_assert_int_eq(SVFF("list", "vf42"), 1);
	ck_assert_str_eq(err, "svff: no VF 'vf42' on 0000:01:00.0\n");
}
END_TEST

/* list reads under the writers' lock: it waits for a writer, and one that
 * holds the lock past --wait gets a warning, not a failure. */
START_TEST(list_waits_for_a_writer_then_shows_state)
{
	char path[512], pid[32];
	struct timespec t0, t1;
	two_pfs();
	write_state(managed_state);
	snprintf(path, sizeof(path), "%s/lock", state_dir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	ck_assert_int_eq(pwrite(fd, pid, (size_t)n, 0), n);

	ck_assert_int_eq(SVFF("-w", "0", "list"), 0);
	snprintf(pid, sizeof(pid), "held by pid %ld", (long)getpid());
	ck_assert_ptr_nonnull(strstr(err, "svff: warning: cannot lock state in"));
	ck_assert_ptr_nonnull(strstr(err, pid));
	ck_assert_ptr_nonnull(strstr(err, "listing the state as it stands"));
	ck_assert_ptr_nonnull(strstr(out, "vm1"));

	/* a writer that lets go within --wait: list waits, then no warning */
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		usleep(800 * 1000);
		_exit(0);     /* the last holder of the locked file goes */
	}
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(SVFF("-w", "10", "list"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(child, NULL, 0);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(strstr(out, "vm1"));
	ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, 500);
}
END_TEST

START_TEST(corrupt_state_refused_and_untouched)
{
	char path[512];
	static const char corrupt[] = "{ \"schema\": 1, \"pfs\": [ { \"addr\": ";
	two_pfs();
	write_state(corrupt);
	ck_assert_int_eq(SVFF("list"), 1);
	ck_assert_ptr_nonnull(strstr(err, "svff: cannot parse state file"));
	ck_assert_str_eq(out, "");
	snprintf(path, sizeof(path), "%s/state", state_dir);
	char *after = slurp(path);
	ck_assert_str_eq(after, corrupt);
	free(after);

	write_state("{ \"schema\": 99, \"pfs\": [] }\n");
	ck_assert_int_eq(SVFF("list"), 1);
	ck_assert_ptr_nonnull(strstr(err, "newer"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("svff");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, no_command_is_usage_error);
	tcase_add_test(tc, man_page_documents_every_command_and_option);
	tcase_add_test(tc, version_and_help);
	tcase_add_test(tc, help_cmd_and_cmd_help_agree);
	tcase_add_loop_test(tc, usage_errors_exit_2, 0, sizeof(usage_errors) / sizeof(usage_errors[0]));
	tcase_add_test(tc, list_without_sriov_fails);
	tcase_add_test(tc, list_text);
	tcase_add_test(tc, list_json);
	tcase_add_test(tc, list_managed_with_claims_and_filters);
	tcase_add_test(tc, list_columns_sized_to_contents);
	tcase_add_test(tc, libvirt_loaded_only_when_a_verb_connects);
	tcase_add_test(tc, list_waits_for_a_writer_then_shows_state);
	tcase_add_test(tc, corrupt_state_refused_and_untouched);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
