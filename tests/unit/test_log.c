/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The system log (svff(8), LOGGING), as a syslog daemon receives it: the
 * svff binary runs in a mount namespace of its own whose /dev/log is a
 * datagram socket this test binds, so its real syslog(3) calls arrive
 * here, with no daemon and no test hook in svff. Also -q: nothing on
 * success. Needs root and unshare(1), as the unit tests have. */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fakesys.h"

static char *root;
static char state_dir[300], wrapper[300];
static const char *real_bin;
static int sock = -1;
static char *out, *err;

#define MAX_LINES 64
static struct line {
	int facility, severity;
	char ident[32];
	long pid;
	char msg[1024];
} lines[MAX_LINES];
static int n_lines;

static void setup(void)
{
	char dev[sizeof(((struct sockaddr_un *)0)->sun_path) - 8], path[sizeof(dev) + 16];
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	root = fakesys_new();
	snprintf(state_dir, sizeof(state_dir), "%s/run-svff", root);
	/* what /dev becomes for svff: the log socket, and the null and
	 * urandom devices bound over empty files */
	ck_assert_int_lt(snprintf(dev, sizeof(dev), "%s/dev", root), (int)sizeof(dev));
	mkdir(dev, 0755);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/log", dev);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sock, 0);
	ck_assert_msg(bind(sock, (struct sockaddr *)&a, sizeof(a)) == 0, "bind %s: %s",
		      a.sun_path, strerror(errno));
	snprintf(path, sizeof(path), "%s/null", dev);
	write_file(path, "");
	snprintf(path, sizeof(path), "%s/urandom", dev);
	write_file(path, "");

	real_bin = getenv("SVFF_BIN");
	ck_assert_msg(real_bin, "SVFF_BIN is not set: run the unit tests through 'make unit'");
	snprintf(wrapper, sizeof(wrapper), "%s/svff-in-ns", root);
	FILE *f = fopen(wrapper, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n"
		"exec unshare --mount sh -c 'mount --bind /dev/null \"$1/null\" &&"
		" mount --bind /dev/urandom \"$1/urandom\" && mount --rbind \"$1\" /dev &&"
		" shift && exec \"$@\"' sh '%s' '%s' \"$@\"\n", dev, real_bin);
	fclose(f);
	chmod(wrapper, 0755);
	setenv("SVFF_BIN", wrapper, 1);
	out = err = NULL;
}

static void teardown(void)
{
	setenv("SVFF_BIN", real_bin, 1);
	close(sock);
	free(out);
	free(err);
	fakesys_free(root);
}

/* Every datagram svff sent, parsed as RFC 3164: <PRI>TIMESTAMP IDENT[PID]: MSG */
static void receive(void)
{
	char buf[1200];
	ssize_t n;

	n_lines = 0;
	while ((n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		struct line *l = &lines[n_lines];
		int pri, at = 0;
		buf[n] = '\0';
		ck_assert_int_lt(n_lines, MAX_LINES);
		ck_assert_msg(sscanf(buf, "<%d>%*3s %*d %*2d:%*2d:%*2d %31[^[][%ld]: %n", &pri,
				     l->ident, &l->pid, &at) == 3 && at > 0, "not syslog: '%s'", buf);
		l->facility = pri >> 3;
		l->severity = pri & 7;
		snprintf(l->msg, sizeof(l->msg), "%s", buf + at);
		n_lines++;
	}
}

#define SVFF(...) (free(out), free(err), run_svff(root, state_dir, &out, &err, __VA_ARGS__, NULL))

/* The msix backend's PF (fakesys_msix_pf): a change svff can make on a
 * fake tree; managed, vf1 attached to vm1. */
static void msix_pf(void)
{
	fakesys_msix_pf(root, state_dir);
}

/* "verb=V pf=P vf=F vm=M op=ID: what": the fields, checked one by one */
static void fields(const struct line *l, const char *verb, const char *pf, const char *vf,
		   const char *vm, char op[13], const char **what)
{
	char head[160];
	ck_assert_str_eq(l->ident, "svff");
	ck_assert_int_eq(l->facility, 3);           /* LOG_DAEMON */
	snprintf(head, sizeof(head), "verb=%s pf=%s vf=%s vm=%s op=", verb, pf, vf, vm);
	ck_assert_msg(!strncmp(l->msg, head, strlen(head)), "'%s' does not start '%s'", l->msg,
		      head);
	const char *p = l->msg + strlen(head);
	for (int i = 0; i < 12; i++)
		ck_assert_msg(isxdigit((unsigned char)p[i]) && !isupper((unsigned char)p[i]),
			      "op id in '%s'", l->msg);
	ck_assert_msg(p[12] == ':' && p[13] == ' ', "'%s'", l->msg);
	memcpy(op, p, 12);
	op[12] = '\0';
	*what = p + 14;
}

/* Each change its line (info), with the VF it concerns, then the end;
 * one op id for the run, another for the next; the state file's saves
 * are not changes of the host. */
START_TEST(each_change_logged_with_verb_pf_vf_vm_op)
{
	char op[13], op2[13];
	const char *what;

	msix_pf();
	ck_assert_int_eq(SVFF("resources", "vf2", "--vectors", "5"), 0);
	receive();
	ck_assert_int_ge(n_lines, 3);
	int msix = 0;
	for (int i = 0; i < n_lines - 1; i++) {
		fields(&lines[i], "resources", "0000:01:00.0", "vf2", "-", i ? op2 : op, &what);
		if (i)
			ck_assert_str_eq(op2, op);
		ck_assert_int_eq(lines[i].severity, 6);    /* LOG_INFO */
		ck_assert_msg(!strstr(what, "save state"), "state save logged: %s", what);
		msix += strstr(what, "'5'") && strstr(what, "0000:01:00.3/sriov_vf_msix_count") != NULL;
	}
	ck_assert_int_eq(msix, 1);
	/* every change was vf2's: so is the end */
	fields(&lines[n_lines - 1], "resources", "0000:01:00.0", "vf2", "-", op2, &what);
	ck_assert_str_eq(op2, op);
	char done[64];
	snprintf(done, sizeof(done), "done: %d changes", n_lines - 1);
	ck_assert_str_eq(what, done);
	ck_assert_int_eq(lines[0].pid, lines[n_lines - 1].pid);

	/* the next run: its own id */
	ck_assert_int_eq(SVFF("resources", "vf3", "--vectors", "3"), 0);
	receive();
	ck_assert_int_ge(n_lines, 2);
	fields(&lines[0], "resources", "0000:01:00.0", "vf3", "-", op2, &what);
	ck_assert_str_ne(op2, op);
}
END_TEST

/* A refusal: one line, priority err, with the VF and VM its message names. */
START_TEST(failure_logged)
{
	char op[13];
	const char *what;

	msix_pf();
	ck_assert_int_eq(SVFF("-d", "01:00.0", "resources", "vf1", "--vectors", "3"), 1);
	receive();
	ck_assert_int_eq(n_lines, 1);
	ck_assert_int_eq(lines[0].severity, 3);            /* LOG_ERR */
	fields(&lines[0], "resources", "0000:01:00.0", "vf1", "vm1", op, &what);
	ck_assert_msg(!strncmp(what, "failed: ", 8), "%s", what);
	/* the message is the one on stderr */
	ck_assert_ptr_nonnull(strstr(err, what + 8));
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.2", "sriov_vf_msix_count"), "2");

	/* before a session: the PF of -d, canonical, or as typed, quoted */
	ck_assert_int_eq(SVFF("-d", "09:00.0", "init", "2"), 1);
	receive();
	ck_assert_int_eq(n_lines, 1);
	fields(&lines[0], "init", "0000:09:00.0", "-", "-", op, &what);
	ck_assert_str_eq(what, "failed: no PCI device '0000:09:00.0'");
	ck_assert_int_ne(SVFF("-d", "x \"y", "init", "2"), 0);
	receive();
	ck_assert_int_eq(n_lines, 1);
	fields(&lines[0], "init", "\"x \\\"y\"", "-", "-", op, &what);
	ck_assert_ptr_nonnull(strstr(err, what + 8));
}
END_TEST

/* -n, list, help and usage errors change nothing: nothing is logged. */
START_TEST(nothing_logged_without_a_change)
{
	msix_pf();
	ck_assert_int_eq(SVFF("-n", "resources", "vf2", "--vectors", "5"), 0);
	ck_assert_ptr_nonnull(strstr(out, "would: write '5' to "));
	receive();
	ck_assert_int_eq(n_lines, 0);
	ck_assert_int_eq(SVFF("-n", "resources", "vf1", "--vectors", "3"), 1);
	ck_assert_int_eq(SVFF("list"), 0);
	ck_assert_int_eq(SVFF("list", "-j"), 0);
	ck_assert_int_eq(SVFF("help", "init"), 0);
	ck_assert_int_eq(SVFF("resources", "vf2", "--vectors"), 2);
	ck_assert_int_eq(SVFF("bogus"), 2);
	receive();
	ck_assert_int_eq(n_lines, 0);
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.3", "sriov_vf_msix_count"), "2");
}
END_TEST

/* -q: a change that succeeds prints nothing, and is logged all the same;
 * a failure still says why. */
START_TEST(quiet_prints_nothing_on_success)
{
	msix_pf();
	ck_assert_int_eq(SVFF("-q", "resources", "vf2", "--vectors", "5"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(fakesys_read(root, "0000:01:00.3", "sriov_vf_msix_count"), "5");
	receive();
	ck_assert_int_ge(n_lines, 2);
	/* nothing to do, -q after the verb: nothing either */
	ck_assert_int_eq(SVFF("resources", "vf2", "--vectors", "5", "-q"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(SVFF("-q", "resources", "vf1", "--vectors", "3"), 1);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(strstr(err, "svff: "));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, each_change_logged_with_verb_pf_vf_vm_op);
	tcase_add_test(tc, failure_logged);
	tcase_add_test(tc, nothing_logged_without_a_change);
	tcase_add_test(tc, quiet_prints_nothing_on_success);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
