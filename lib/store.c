/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state directory: lock, load, atomic save. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"

struct svff_store {
	char *dir;
	int dirfd;
	int lockfd;
	bool read_only;   /* the directory cannot be written: a save fails */
};

/* The directory must be ours, private and not a link: svff runs as root
 * and must not be steered into writing elsewhere. */
static int check_dir(const char *dir, bool create, struct svff_error *err)
{
	struct stat sb;

	if (lstat(dir, &sb) < 0) {
		if (errno != ENOENT || !create)
			return svff_err_errno(err, -errno, "cannot use state directory '%s'", dir);
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return svff_err_errno(err, -errno, "cannot create state directory '%s'", dir);
		if (lstat(dir, &sb) < 0)
			return svff_err_errno(err, -errno, "cannot use state directory '%s'", dir);
	}
	if (S_ISLNK(sb.st_mode))
		return svff_err(err, -ELOOP, "state directory '%s' is a symbolic link: refusing to "
				"use it", dir);
	if (!S_ISDIR(sb.st_mode))
		return svff_err(err, -ENOTDIR, "state directory '%s' is not a directory", dir);
	if (sb.st_uid != geteuid())
		return svff_err(err, -EPERM, "state directory '%s' belongs to uid %u, not to this "
				"user (%u): refusing to use it", dir, sb.st_uid, geteuid());
	if (sb.st_mode & 022)
		return svff_err(err, -EPERM, "state directory '%s' is writable by others (mode %03o): "
				"refusing to use it", dir, sb.st_mode & 0777);
	return 0;
}

static void lock_holder(int fd, char *out, size_t size)
{
	char buf[64] = "", path[64], comm[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid = n > 0 ? strtol(buf, NULL, 10) : 0;

	if (pid <= 0) {
		snprintf(out, size, "another process");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0])
		snprintf(out, size, "pid %ld (%s)", pid, comm);
	else
		snprintf(out, size, "pid %ld", pid);
}

static int take_lock(struct svff_store *s, int wait_s, struct svff_error *err)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	double start = svff_now();
	for (;;) {
		if (flock(s->lockfd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return svff_err_errno(err, -errno, "cannot lock state in '%s'", s->dir);
		if (svff_now() - start >= wait_s) {
			char who[96];
			lock_holder(s->lockfd, who, sizeof(who));
			svff_err(err, -EBUSY, "cannot lock state in '%s': held by %s for more "
				 "than %d s; try again later or raise --wait", s->dir, who, wait_s);
			return svff_err_kind(err, SVFF_ERR_LOCKED, -EBUSY);
		}
		nanosleep(&nap, NULL);
	}
	/* Tell whoever waits next who we are: overwrite, then cut, so that a
	 * waiter never reads an empty file. */
	char pid[24];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (s->read_only)
		return 0;
	if (pwrite(s->lockfd, pid, (size_t)n, 0) != n || ftruncate(s->lockfd, n) < 0)
		return svff_err_errno(err, -errno, "cannot write lock file in '%s'", s->dir);
	return 0;
}

int svff_store_open(const char *dir, int wait_s, bool create, struct svff_store **out,
		    struct svff_error *err)
{
	struct svff_store *s;
	int rc = check_dir(dir, create, err);

	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return svff_err(err, -ENOMEM, "out of memory");
	}
	s->lockfd = -1;
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dirfd < 0) {
		rc = svff_err_errno(err, -errno, "cannot open state directory '%s'", dir);
		goto fail;
	}
	s->lockfd = openat(s->dirfd, SVFF_LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lockfd < 0 && errno == EROFS) {
		/* a read-only /run: flock needs no write access, so list still
		 * reads under the lock; a save fails, before any device change */
		s->lockfd = openat(s->dirfd, SVFF_LOCK_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		s->read_only = s->lockfd >= 0;
	}
	if (s->lockfd < 0) {
		rc = svff_err_errno(err, -errno, "cannot open lock file '%s/%s'", dir, SVFF_LOCK_FILE);
		goto fail;
	}
	rc = take_lock(s, wait_s, err);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	svff_store_close(s);
	return rc;
}

void svff_store_close(struct svff_store *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);   /* releases the flock */
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s);
}

static int load_at(int dirfd, const char *dir, struct svff_state **out, struct svff_error *err)
{
	struct stat sb;
	struct svff_error why = { 0 };
	char *buf;
	int rc, fd = openat(dirfd, SVFF_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		*out = svff_state_new();
		return *out ? 0 : svff_err(err, -ENOMEM, "out of memory");
	}
	if (fd < 0 && errno == ELOOP)
		return svff_err(err, -ELOOP, "state file '%s/%s' is a symbolic link: refusing to "
				"read it; remove the link", dir, SVFF_STATE_FILE);
	if (fd < 0)
		return svff_err_errno(err, -errno, "cannot read state file '%s/%s'", dir, SVFF_STATE_FILE);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return svff_err(err, -EINVAL, "state file '%s/%s' is not a regular file", dir,
				SVFF_STATE_FILE);
	}
	if (sb.st_size > SVFF_STATE_MAX_BYTES) {
		close(fd);
		return svff_err(err, -EFBIG, "cannot parse state file '%s/%s': it is larger than %d "
				"bytes; move it aside (svff never overwrites a file it cannot read)",
				dir, SVFF_STATE_FILE, SVFF_STATE_MAX_BYTES);
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return svff_err(err, -ENOMEM, "out of memory");
	}
	size_t len = 0;
	ssize_t n;
	while (len < (size_t)sb.st_size &&
	       (n = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	rc = svff_state_parse(buf, len, out, &why);
	free(buf);
	if (rc == -EPROTONOSUPPORT)
		return svff_err(err, rc, "cannot use state file '%s/%s': %s; use that svff, or move "
				"the file aside", dir, SVFF_STATE_FILE, why.msg);
	if (rc < 0)
		return svff_err(err, rc, "cannot parse state file '%s/%s': %s; fix it or move it "
				"aside (svff never overwrites a file it cannot read)", dir,
				SVFF_STATE_FILE, why.msg);
	return 0;
}

int svff_store_load(struct svff_store *s, struct svff_state **out, struct svff_error *err)
{
	return load_at(s->dirfd, s->dir, out, err);
}

int svff_store_save(struct svff_store *s, const struct svff_state *st, struct svff_error *err)
{
	char tmp[64], *text = NULL;
	int rc, fd;

	rc = svff_state_format(st, &text);
	if (rc < 0)
		return svff_err(err, rc, "cannot format state: out of memory");
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", SVFF_STATE_FILE, (long)getpid());
	unlinkat(s->dirfd, tmp, 0);   /* left by a killed process that had our pid */
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = svff_err_errno(err, -errno, "cannot write state in '%s'", s->dir);
		free(text);
		return rc;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)n;
	}
	free(text);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(s->dirfd, tmp, s->dirfd, SVFF_STATE_FILE) < 0)
		rc = -errno;
	if (rc < 0) {
		unlinkat(s->dirfd, tmp, 0);
		return svff_err_errno(err, rc, "cannot write state file '%s/%s'", s->dir,
				      SVFF_STATE_FILE);
	}
	if (fsync(s->dirfd) < 0)
		return svff_err_errno(err, -errno, "cannot sync state directory '%s'", s->dir);
	return 0;
}

int svff_state_read(const char *dir, struct svff_state **out, struct svff_error *err)
{
	struct stat sb;
	int rc, dirfd;

	if (lstat(dir, &sb) < 0 && errno == ENOENT) {
		*out = svff_state_new();
		return *out ? 0 : svff_err(err, -ENOMEM, "out of memory");
	}
	rc = check_dir(dir, false, err);
	if (rc < 0)
		return rc;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return svff_err_errno(err, -errno, "cannot open state directory '%s'", dir);
	rc = load_at(dirfd, dir, out, err);
	close(dirfd);
	return rc;
}
