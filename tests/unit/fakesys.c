/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fakesys.h"

#define DIE(...) do { fprintf(stderr, "fakesys: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static void mkdirs(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			DIE("mkdir %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		DIE("mkdir %s: %s", buf, strerror(errno));
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(dir);
	}
	FILE *f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		DIE("write %s: %s", path, strerror(errno));
}

void write_file(const char *path, const char *content)
{
	write_bytes(path, content, strlen(content));
}

void fakesys_write_state(const char *state_dir, const char *content)
{
	char path[4096];
	mkdir(state_dir, 0700);
	snprintf(path, sizeof(path), "%s/state", state_dir);
	write_file(path, content);
	chmod(path, 0600);
}

char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void symlink_force(const char *target, const char *path)
{
	unlink(path);
	if (symlink(target, path) < 0)
		DIE("symlink %s -> %s: %s", path, target, strerror(errno));
}

char *fakesys_new(void)
{
	char tmpl[] = "/tmp/svff-fakesys-XXXXXX", path[1024];
	if (!mkdtemp(tmpl))
		DIE("mkdtemp: %s", strerror(errno));
	char *root = strdup(tmpl);
	const char *dirs[] = { "bus/pci/devices", "bus/pci/drivers/vfio-pci",
			       "bus/pci/drivers/nvme", "kernel/iommu_groups",
			       "devices/pci0000:00" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdirs(path);
	}
	snprintf(path, sizeof(path), "%s/bus/pci/drivers_probe", root);
	write_file(path, "");
	snprintf(path, sizeof(path), "%s/bus/pci/rescan", root);
	write_file(path, "");
	return root;
}

void fakesys_free(char *root)
{
	char cmd[1100];
	if (!root)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "fakesys: cannot remove %s\n", root);
	free(root);
}

static void devdir(const char *root, const char *addr, char *out, size_t size)
{
	snprintf(out, size, "%s/devices/pci0000:00/%s", root, addr);
}

/* Config space with a PCIe capability and, when totalvfs, SR-IOV. */
static void write_config(const char *dir, unsigned int vendor, unsigned int device,
			 unsigned int totalvfs)
{
	unsigned char c[4096] = { 0 };
	char path[1100];
	c[0] = vendor & 0xff; c[1] = vendor >> 8;
	c[2] = device & 0xff; c[3] = device >> 8;
	c[6] = 0x10;                 /* status: capability list */
	c[0x0b] = 0x01; c[0x0a] = 0x08; c[0x09] = 0x02; /* class: NVMe */
	c[0x34] = 0x40;
	c[0x40] = 0x10; c[0x42] = 0x02; /* PCI Express, endpoint */
	if (totalvfs) {
		unsigned int cap = 0x100;
		c[cap] = 0x10; c[cap + 2] = 0x01;              /* SR-IOV, v1, last */
		c[cap + 0x0c] = totalvfs & 0xff; c[cap + 0x0d] = totalvfs >> 8;
		c[cap + 0x0e] = totalvfs & 0xff; c[cap + 0x0f] = totalvfs >> 8;
		c[cap + 0x14] = 1;                              /* VF offset */
		c[cap + 0x16] = 1;                              /* VF stride */
		c[cap + 0x1a] = device & 0xff; c[cap + 0x1b] = device >> 8;
	}
	snprintf(path, sizeof(path), "%s/config", dir);
	write_bytes(path, c, sizeof(c));
}

void fakesys_bind(const char *root, const char *addr, const char *driver)
{
	char dir[1024], path[1200], target[1100];
	devdir(root, addr, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/driver", dir);
	unlink(path);
	if (!driver)
		return;
	snprintf(target, sizeof(target), "%s/bus/pci/drivers/%s", root, driver);
	mkdirs(target);
	snprintf(path, sizeof(path), "%s/unbind", target);
	if (access(path, F_OK) != 0)
		write_file(path, "");
	snprintf(path, sizeof(path), "%s/driver", dir);
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	symlink_force(target, path);
}

static void set_group(const char *root, const char *addr, int group)
{
	char dir[1024], path[1200], target[1100];
	if (group < 0)
		return;
	devdir(root, addr, dir, sizeof(dir));
	snprintf(target, sizeof(target), "%s/kernel/iommu_groups/%d/devices", root, group);
	mkdirs(target);
	snprintf(path, sizeof(path), "%s/%s", target, addr);
	snprintf(target, sizeof(target), "../../../../devices/pci0000:00/%s", addr);
	symlink_force(target, path);
	snprintf(path, sizeof(path), "%s/iommu_group", dir);
	snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
	symlink_force(target, path);
}

void fakesys_add_dev(const char *root, const char *addr, unsigned int vendor,
		     unsigned int device, unsigned int totalvfs,
		     const char *driver, int group)
{
	char dir[1024], path[1100], val[64];
	devdir(root, addr, dir, sizeof(dir));
	mkdirs(dir);
	write_config(dir, vendor, device, totalvfs);
#define ATTR(name, fmt, v) do { snprintf(path, sizeof(path), "%s/" name, dir); \
	snprintf(val, sizeof(val), fmt "\n", v); write_file(path, val); } while (0)
	ATTR("vendor", "0x%04x", vendor);
	ATTR("device", "0x%04x", device);
	ATTR("class", "0x%06x", 0x010802);
	ATTR("irq", "%d", 0);
	if (totalvfs) {
		ATTR("sriov_totalvfs", "%u", totalvfs);
		ATTR("sriov_numvfs", "%u", 0);
		ATTR("sriov_drivers_autoprobe", "%u", 1);
		ATTR("sriov_offset", "%u", 1);
		ATTR("sriov_stride", "%u", 1);
	}
	ATTR("driver_override", "%s", "(null)");
#undef ATTR
	snprintf(path, sizeof(path), "%s/resource", dir);
	write_file(path, "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root, addr);
	snprintf(val, sizeof(val), "../../../devices/pci0000:00/%s", addr);
	symlink_force(val, path);
	fakesys_bind(root, addr, driver);
	set_group(root, addr, group);
}

void fakesys_set_vfs(const char *root, const char *pf, unsigned int n,
		     const char *vf_driver, int first_group)
{
	unsigned int dom, bus, dev, fn;
	char dir[1024], path[1100], vf[16], target[64], val[16];

	if (sscanf(pf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		DIE("bad pf %s", pf);
	devdir(root, pf, dir, sizeof(dir));
	for (unsigned int i = 0; i < n; i++) {
		unsigned int devfn = ((dev << 3) | fn) + 1 + i;
		snprintf(vf, sizeof(vf), "%04x:%02x:%02x.%x", dom, bus + devfn / 256,
			 (devfn % 256) >> 3, devfn & 7);
		fakesys_add_dev(root, vf, 0x1b36, 0x0010, 0, vf_driver,
				first_group < 0 ? -1 : first_group + (int)i);
		snprintf(path, sizeof(path), "%s/virtfn%u", dir, i);
		snprintf(target, sizeof(target), "../%s", vf);
		symlink_force(target, path);
		snprintf(path, sizeof(path), "%s/devices/pci0000:00/%s/physfn", root, vf);
		snprintf(target, sizeof(target), "../%s", pf);
		symlink_force(target, path);
	}
	snprintf(val, sizeof(val), "%u", n);
	fakesys_write(root, pf, "sriov_numvfs", val);
}

void fakesys_write(const char *root, const char *addr, const char *attr,
		   const char *value)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/devices/pci0000:00/%s/%s", root, addr, attr);
	write_file(path, value);
}

const char *fakesys_read(const char *root, const char *addr, const char *attr)
{
	static char buf[4096];
	char path[1100];
	snprintf(path, sizeof(path), "%s/devices/pci0000:00/%s/%s", root, addr, attr);
	char *s = slurp(path);
	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	free(s);
	return buf;
}

static char *drain(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

int run_svff(const char *root, const char *state_dir, char **out, char **err, ...)
{
	const char *bin = getenv("SVFF_BIN");
	const char *argv[64];
	int n = 0, po[2], pe[2], status;
	va_list ap;

	if (!bin)
		DIE("SVFF_BIN is not set: run the unit tests through 'make unit'");
	argv[n++] = bin;
	va_start(ap, err);
	for (const char *a; (a = va_arg(ap, const char *)) && n < 63;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	if (pipe(po) < 0 || pipe(pe) < 0)
		DIE("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		DIE("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]); close(pe[0]); close(po[1]); close(pe[1]);
		if (root)
			setenv("SVFF_SYSFS_ROOT", root, 1);
		if (state_dir)
			setenv("SVFF_STATE_DIR", state_dir, 1);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	/* stderr is small; read stdout first, then stderr */
	char *o = drain(po[0]);
	char *e = drain(pe[0]);
	if (waitpid(pid, &status, 0) < 0)
		DIE("waitpid: %s", strerror(errno));
	if (out) *out = o; else free(o);
	if (err) *err = e; else free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int fakesys_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

void fakesys_msix_pf(const char *root, const char *state_dir)
{
	char path[512];
	fakesys_add_dev(root, "0000:01:00.0", 0x15b3, 0x101d, 8, "mlx5_core", 1);
	fakesys_set_vfs(root, "0000:01:00.0", 4, "vfio-pci", 10);
	fakesys_write(root, "0000:01:00.0", "sriov_drivers_autoprobe", "0");
	fakesys_write(root, "0000:01:00.0", "sriov_vf_total_msix", "16");
	for (int i = 1; i <= 4; i++) {
		char vf[16];
		snprintf(vf, sizeof(vf), "0000:01:00.%d", i);
		fakesys_write(root, vf, "sriov_vf_msix_count", "2");
	}
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/unbind", root);
	write_file(path, "");
	fakesys_write_state(state_dir, fakesys_managed_state);
}

const char fakesys_managed_state[] =
	"{ \"schema\": 1, \"pfs\": [ { \"addr\": \"0000:01:00.0\", \"numvfs\": 4,"
	" \"saved_autoprobe\": 1, \"claims\": ["
	" { \"vf\": 1, \"state\": \"attached\", \"vm_name\": \"vm1\", \"vm_uuid\": \"\","
	"   \"guest_addr\": \"0000:07:00.0\", \"persistent\": false, \"op_paused\": false },"
	" { \"vf\": 3, \"state\": \"paused\", \"vm_name\": \"vm2\", \"vm_uuid\": \"\","
	"   \"guest_addr\": \"0000:08:00.0\", \"persistent\": false, \"op_paused\": false } ],"
	" \"resources\": [] } ], \"op\": null }\n";

/* The kernel's side of a write to sriov_numvfs: VFs above n removed (the
 * device, its bus link, its group entry, the PF's virtfn link), new ones
 * added with no driver (autoprobe is off under svff), in groups from 10. */
static void set_numvfs(const char *root, const char *pf, unsigned int n)
{
	char dir[1024], path[1200], target[1100], cmd[2600];
	unsigned int now = (unsigned int)atoi(fakesys_read(root, pf, "sriov_numvfs"));

	devdir(root, pf, dir, sizeof(dir));
	for (unsigned int i = n; i < now; i++) {
		snprintf(path, sizeof(path), "%s/virtfn%u", dir, i);
		ssize_t k = readlink(path, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = 0;
		const char *vf = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		snprintf(cmd, sizeof(cmd), "rm -rf '%s/devices/pci0000:00/%s' '%s/bus/pci/devices/%s' "
			 "'%s/kernel/iommu_groups/%u'", root, vf, root, vf, root, 10 + i);
		if (system(cmd) != 0)
			DIE("%s", cmd);
		unlink(path);
	}
	if (n > now && !now)   /* the kernel goes from 0 only (svff always does) */
		fakesys_set_vfs(root, pf, n, NULL, 10);
}

/* The device off the bus: its directory aside in <root>/removed. */
static void remove_dev(const char *root, const char *addr)
{
	char from[1100], to[1100];
	snprintf(to, sizeof(to), "%s/removed", root);
	mkdirs(to);
	devdir(root, addr, from, sizeof(from));
	snprintf(to, sizeof(to), "%s/removed/%s", root, addr);
	if (rename(from, to) < 0)
		DIE("remove %s: %s", addr, strerror(errno));
	snprintf(from, sizeof(from), "%s/bus/pci/devices/%s", root, addr);
	unlink(from);
}

/* What was removed, enumerated again as a fresh device. */
static void rescan(struct fakesys_kernel *k)
{
	char dir[1100], from[1400], to[1100];
	snprintf(dir, sizeof(dir), "%s/removed", k->root);
	DIR *d = opendir(dir);
	struct dirent *de;
	k->rescans++;
	if (!d || k->rescan_lost) {
		if (d)
			closedir(d);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(from, sizeof(from), "%s/%s", dir, de->d_name);
		devdir(k->root, de->d_name, to, sizeof(to));
		if (rename(from, to) < 0)
			DIE("rescan %s: %s", de->d_name, strerror(errno));
		snprintf(from, sizeof(from), "%s/bus/pci/devices/%s", k->root, de->d_name);
		snprintf(to, sizeof(to), "../../../devices/pci0000:00/%s", de->d_name);
		symlink_force(to, from);
		set_numvfs(k->root, de->d_name, 0);
		fakesys_write(k->root, de->d_name, "sriov_drivers_autoprobe", "1");
		if (k->rescan_device) {
			char id[16];
			snprintf(id, sizeof(id), "0x%04x\n", k->rescan_device);
			fakesys_write(k->root, de->d_name, "device", id);
		}
		fakesys_bind(k->root, de->d_name, k->rescan_driver);
	}
	closedir(d);
}

void fakesys_kernel(void *opaque, const char *what)
{
	struct fakesys_kernel *k = opaque;
	char value[128], path[1024];
	size_t rl = strlen(k->root);

	if (sscanf(what, "write '%127[^']' to %1023s", value, path) != 2 ||
	    strncmp(path, k->root, rl))
		return;
	const char *rel = path + rl, *attr = strrchr(rel, '/');
	char addr[32] = "";
	const char *dev = strstr(rel, "/bus/pci/devices/");
	if (dev)
		sscanf(dev + strlen("/bus/pci/devices/"), "%31[^/]", addr);
	if (!attr)
		return;
	attr++;
	if (!strcmp(attr, "sriov_numvfs")) {
		unsigned int n = (unsigned int)atoi(value);
		if (n && k->refuse_numvfs && k->refuse_numvfs-- > 0)
			n = n - 1;   /* the PF driver enabled fewer, with only a warning */
		set_numvfs(k->root, addr, n);
		k->numvfs_writes++;
	} else if (!strcmp(attr, "drivers_probe")) {
		char drv[64];
		snprintf(drv, sizeof(drv), "%.63s", fakesys_read(k->root, value, "driver_override"));
		drv[strcspn(drv, "\n")] = 0;
		if (drv[0] && strcmp(drv, "(null)"))
			fakesys_bind(k->root, value, drv);
		else if (k->rescan_driver && fakesys_read(k->root, value, "sriov_totalvfs")[0])
			fakesys_bind(k->root, value, k->rescan_driver);   /* a PF's own */
	} else if (!strcmp(attr, "unbind")) {
		fakesys_bind(k->root, value, NULL);
	} else if (!strcmp(attr, "remove") && addr[0]) {
		remove_dev(k->root, addr);
	} else if (!strcmp(attr, "rescan")) {
		rescan(k);
	}
}
