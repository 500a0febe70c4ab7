/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "sysfs.h"

static int fmt_path(char out[SVFF_PATH_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fmt_path(char out[SVFF_PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, SVFF_PATH_MAX, fmt, ap);
	va_end(ap);
	return n < 0 || n >= SVFF_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Attribute and link names come from svff's own code, never from users;
 * still refuse anything that could climb out of the device directory. */
static bool safe_name(const char *s)
{
	return s && *s && !strstr(s, "..") && s[0] != '/';
}

int svff_dev_path(const struct svff_ctx *ctx, const char *addr,
		  const char *attr, char out[SVFF_PATH_MAX])
{
	char canon[SVFF_ADDR_LEN];

	if (svff_parse_pci_addr(addr, NULL, canon, NULL) < 0 || strcmp(canon, addr))
		return -EINVAL;
	if (attr && !safe_name(attr))
		return -EINVAL;
	return attr ? fmt_path(out, "%s/bus/pci/devices/%s/%s", ctx->sysfs_root, addr, attr)
		    : fmt_path(out, "%s/bus/pci/devices/%s", ctx->sysfs_root, addr);
}

int svff_sys_path(const struct svff_ctx *ctx, const char *rel, char out[SVFF_PATH_MAX])
{
	if (!safe_name(rel))
		return -EINVAL;
	return fmt_path(out, "%s/%s", ctx->sysfs_root, rel);
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int svff_dev_read(const struct svff_ctx *ctx, const char *addr,
		  const char *attr, char *buf, size_t size)
{
	char path[SVFF_PATH_MAX];
	int rc = svff_dev_path(ctx, addr, attr, path);
	return rc < 0 ? rc : read_file(path, buf, size);
}

int svff_dev_read_uint(const struct svff_ctx *ctx, const char *addr,
		       const char *attr, unsigned int *out)
{
	char buf[64], *end;
	int rc = svff_dev_read(ctx, addr, attr, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	unsigned long v = strtoul(buf, &end, 0);
	if (errno || end == buf || *end || v > 0xffffffffUL)
		return -EBADMSG;
	*out = (unsigned int)v;
	return 0;
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int e = errno;
	if (close(fd) < 0 && n >= 0)
		return -errno;
	if (n < 0)
		return -e;
	return (size_t)n == len ? 0 : -EIO;
}

int svff_dev_write(const struct svff_ctx *ctx, const char *addr,
		   const char *attr, const char *value)
{
	char path[SVFF_PATH_MAX];
	int rc = svff_dev_path(ctx, addr, attr, path);
	if (rc < 0)
		return rc;
	return svff_step(ctx, "write '%s' to %s", value, path) ? write_file(path, value) : 0;
}

int svff_sys_write(const struct svff_ctx *ctx, const char *rel, const char *value)
{
	char path[SVFF_PATH_MAX];
	int rc = svff_sys_path(ctx, rel, path);
	if (rc < 0)
		return rc;
	return svff_step(ctx, "write '%s' to %s", value, path) ? write_file(path, value) : 0;
}

int svff_dev_link(const struct svff_ctx *ctx, const char *addr,
		  const char *link, char *buf, size_t size)
{
	char path[SVFF_PATH_MAX], target[SVFF_PATH_MAX];
	int rc = svff_dev_path(ctx, addr, link, path);
	if (rc < 0)
		return rc;
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int svff_dev_exists(const struct svff_ctx *ctx, const char *addr)
{
	char path[SVFF_PATH_MAX];
	struct stat sb;
	int rc = svff_dev_path(ctx, addr, NULL, path);
	if (rc < 0)
		return rc;
	return stat(path, &sb) == 0 ? 1 : 0;
}
