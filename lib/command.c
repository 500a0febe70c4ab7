/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"

extern char **environ;

static int check_exec(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return -errno;
	if (!S_ISREG(sb.st_mode) || access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

int svff_command_find(const char *name, char *path, size_t size, struct svff_error *err)
{
	const char *dirs = getenv("PATH");
	int rc = -ENOENT;

	if (!name[0])
		return svff_err(err, -EINVAL, "the command is empty");
	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, size, "%s", name) >= size)
			return svff_err(err, -ENAMETOOLONG, "command '%.64s...' is too long", name);
		rc = check_exec(path);
	} else {
		for (const char *d = dirs ? dirs : "/usr/bin:/bin"; rc < 0 && d; ) {
			const char *end = strchr(d, ':');
			int len = end ? (int)(end - d) : (int)strlen(d);
			snprintf(path, size, "%.*s/%s", len, len ? d : ".", name);
			int r = check_exec(path);
			if (r == 0 || (r == -EACCES && rc == -ENOENT))
				rc = r;
			d = end ? end + 1 : NULL;
		}
	}
	if (rc == -EACCES)
		return svff_err(err, rc, "command '%s' is not an executable file", path);
	if (rc < 0)
		return svff_err(err, -ENOENT, "command '%s' is not found%s", name,
				strchr(name, '/') ? "" : " in $PATH");
	return 0;
}

/* environ with c->env added (they override): a NULL-ended array whose
 * strings are not owned. */
static char **make_env(const struct svff_command *c)
{
	size_t n = 0, k = 0;
	while (environ && environ[n])
		n++;
	while (c->env && c->env[k])
		k++;
	char **env = calloc(n + k + 1, sizeof(*env));
	size_t at = 0;
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool over = false;
		for (size_t j = 0; j < k && !over; j++) {
			size_t eq = strcspn(c->env[j], "=");
			over = !strncmp(environ[i], c->env[j], eq + 1);
		}
		if (!over)
			env[at++] = environ[i];
	}
	for (size_t j = 0; j < k; j++)
		env[at++] = (char *)c->env[j];
	return env;
}

/* Only async-signal-safe calls: svff may have threads (libvirt's). */
static void __attribute__((noreturn)) child(const struct svff_command *c, char **env,
					    int in, int out, int errfd)
{
	sigset_t none;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	static const char msg[] = "svff: cannot execute the command\n";

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sigaction(SIGPIPE, &dfl, NULL);   /* svff ignores it; the command must not */
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	execve(c->argv[0], c->argv, env);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

struct linebuf {
	int fd;
	bool on_err;
	size_t len;
	char buf[4096];
};

/* Read what is there; hand over each whole line (a full buffer is a line
 * of its own). 1 when it read, -1 when nothing was there, 0 at EOF. */
static int pump(struct svff_command *c, struct linebuf *lb, bool flush_all)
{
	ssize_t n = read(lb->fd, lb->buf + lb->len, sizeof(lb->buf) - 1 - lb->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (n > 0)
		lb->len += (size_t)n;
	for (;;) {
		char *nl = memchr(lb->buf, '\n', lb->len);
		bool full = lb->len == sizeof(lb->buf) - 1;
		if (!nl && !full && !(n <= 0 && lb->len) && !(flush_all && lb->len))
			break;
		size_t take = nl ? (size_t)(nl - lb->buf) : lb->len;
		lb->buf[take] = '\0';
		if (c->on_line)
			c->on_line(c->opaque, lb->on_err, lb->buf);
		size_t used = nl ? take + 1 : take;
		memmove(lb->buf, lb->buf + used, lb->len - used);
		lb->len -= used;
	}
	return n > 0;
}

/* Past the bound: SIGTERM to its group, SIGKILL after the grace. */
static int stop(pid_t pid)
{
	double hard = svff_now() + SVFF_COMMAND_GRACE_S;
	int st = 0;

	kill(-pid, SIGTERM);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (svff_now() >= hard) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		poll(NULL, 0, 50);
	}
	return st;
}

/* Wait for the child, reading its output. Returns its wait status. */
static int watch(struct svff_command *c, pid_t pid, struct linebuf *lb, double start)
{
	int st = 0;

	for (;;) {
		struct pollfd p[2];
		int np = 0;
		for (int i = 0; i < 2; i++)
			if (lb[i].fd >= 0)
				p[np++] = (struct pollfd){ .fd = lb[i].fd, .events = POLLIN };
		poll(np ? p : NULL, (nfds_t)np, 100);
		for (int i = 0; i < 2; i++)
			if (lb[i].fd >= 0 && pump(c, &lb[i], false) == 0) {
				close(lb[i].fd);
				lb[i].fd = -1;
			}
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (c->timeout_s > 0 && svff_now() >= start + c->timeout_s) {
			c->timed_out = true;
			st = stop(pid);
			break;
		}
	}
	/* a daemon the command started may hold the pipes open: the
	 * command's exit is its end, and what is there is read once more */
	for (int i = 0; i < 2; i++) {
		if (lb[i].fd < 0)
			continue;
		while (pump(c, &lb[i], false) > 0)
			;
		pump(c, &lb[i], true);
		close(lb[i].fd);
		lb[i].fd = -1;
	}
	return st;
}

/* The command line as a shell would take it back: each argument in
 * single quotes, a quote inside written '\'' (cut short at size). */
static void quote_argv(char *const *argv, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; argv[i] && n + 8 < size; i++) {
		if (i)
			out[n++] = ' ';
		out[n++] = '\'';
		for (const char *a = argv[i]; *a && n + 6 < size; a++) {
			if (*a == '\'') {
				memcpy(out + n, "'\\''", 4);
				n += 4;
			} else {
				out[n++] = *a;
			}
		}
		out[n++] = '\'';
		out[n] = '\0';
	}
}

int svff_command_run(const struct svff_ctx *ctx, struct svff_command *c, struct svff_error *err)
{
	struct linebuf lb[2] = { { .fd = -1 }, { .fd = -1, .on_err = true } };
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	char **env = NULL;
	double start;
	pid_t pid;

	c->status = -1;
	c->sig = 0;
	c->timed_out = false;
	c->seconds = 0;
	char line[400], bound[32] = "no time bound";
	quote_argv(c->argv, line, sizeof(line));
	if (c->timeout_s > 0)
		snprintf(bound, sizeof(bound), "at most %d s", c->timeout_s);
	if (!svff_step(ctx, "run %s (SVFF_PF, SVFF_VFS, SVFF_OP set; %s)", line, bound))
		return 0;
	env = make_env(c);
	if (!env)
		return svff_err(err, -ENOMEM, "out of memory");
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		int e = -errno;
		free(env);
		for (int i = 0; i < 2; i++) {
			if (out[i] >= 0)
				close(out[i]);
		}
		return svff_err_errno(err, e, "cannot run '%s'", c->argv[0]);
	}
	/* no terminal: it runs in a group of its own, where a read of it
	 * would stop it; a tool that asks for confirmation reads EOF */
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	start = svff_now();
	pid = in < 0 ? -1 : fork();
	if (pid == 0)
		child(c, env, in, out[1], errp[1]);
	int e = -errno;
	free(env);
	if (in >= 0)
		close(in);
	close(out[1]);
	close(errp[1]);
	if (pid < 0) {
		close(out[0]);
		close(errp[0]);
		return svff_err_errno(err, e, "cannot run '%s'", c->argv[0]);
	}
	setpgid(pid, pid);   /* also here: no race with the kill of its group */
	lb[0].fd = out[0];
	lb[1].fd = errp[0];
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	int st = watch(c, pid, lb, start);
	c->seconds = svff_now() - start;
	if (WIFEXITED(st))
		c->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		c->sig = WTERMSIG(st);
	char how[96];
	svff_command_outcome(c, how, sizeof(how));
	if (c->timed_out)
		return svff_err(err, -ETIME, "command '%s' %s", c->argv[0], how);
	if (c->sig)
		return svff_err(err, -EINTR, "command '%s' was %s", c->argv[0], how);
	if (c->status != 0)
		return svff_err(err, -ECHILD, "command '%s' %s", c->argv[0], how);
	return 0;
}

void svff_command_outcome(const struct svff_command *c, char *buf, size_t size)
{
	if (c->timed_out)
		snprintf(buf, size, "timed out after %d s (stopped by %s)", c->timeout_s,
			 c->sig == SIGKILL ? "SIGKILL" : "SIGTERM");
	else if (c->sig)
		snprintf(buf, size, "killed by signal %d (%s)", c->sig, strsignal(c->sig));
	else if (c->status >= 0)
		snprintf(buf, size, "exited %d", c->status);
	else
		snprintf(buf, size, "did not run");
}
