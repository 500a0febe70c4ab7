/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bad-input catalogue: each entry is a command line (and a broken
 * state file or sysfs attribute) that svff must refuse with a clear
 * message and its documented exit status, changing nothing: every file
 * of the fake sysfs tree and of the state directory is compared before
 * and after (the lock file aside: it is not state). Runs the ASan build. */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakesys.h"
#include "state.h"

static char *root;
static char state_dir[256];  /* root + "/run-svff" */

/* The state: fakesys_managed_state. The tree: that PF, an unmanaged PF
 * with no VFs, a device without SR-IOV. */

enum fixture {
	F_GOOD,          /* the state above */
	F_TRUNCATED,     /* its first 60 bytes */
	F_NOT_JSON,
	F_WRONG_TYPE,    /* numvfs is a string */
	F_NEWER,         /* schema SVFF_STATE_SCHEMA + 1 */
	F_NO_SCHEMA,
	F_DUP_CLAIM,
	F_BAD_ADDR,      /* a PF address that is not one */
	F_BAD_NET,       /* a claim whose MAC is multicast */
	F_SYMLINK,       /* state is a symlink to a good file */
	F_DIR,           /* state is a directory */
	F_DIR_SYMLINK,   /* the state directory is a symlink */
	F_LOOSE_DIR,     /* the state directory is 0777 */
	F_NUMVFS_FAILS,  /* the unmanaged PF's sriov_numvfs cannot be written */
	F_NUMVFS_LIES,   /* its driver takes the write but makes no VFs (the fake
			    tree has no kernel behind it) */
	F_MSIX,          /* the managed PF has 16 MSI-X vectors for its VFs, each
			    VF 2 (driver mlx5_core) */
	F_MSIX_BROKEN,   /* vf0's sriov_vf_msix_count cannot be read */
	F_MSIX_DEF,      /* F_MSIX, with 2 vectors recorded as every VF's */
	F_QDMA,          /* the managed PF is a QDMA PF keeping 1024 queues */
	F_NVME_NODEV,    /* both PFs have an nvme controller whose /dev node
			    answers no admin command (a regular file) */
	F_RUN_RO,        /* the good state, its directory read-only (a bind
			    mount of a mount namespace of the test's own) */
	F_RUN_FULL,      /* the good state, its directory a tmpfs with no room */
};

/* over-long arguments, filled in by main */
static char long_vm[300], long_pf[2000], long_count[500];

static const struct bad {
	enum fixture fx;
	const char *args[8];
	int status;
	const char *msg;       /* the start of stderr */
} bad[] = {
	/* PF addresses */
	{ F_GOOD, { "-d", "3b:00", "list" }, 2, "svff: invalid PCI address '3b:00'" },
	{ F_GOOD, { "-d", "../../../etc", "list" }, 2, "svff: invalid PCI address '../../../etc'" },
	{ F_GOOD, { "-d", "0000:01:00.0/..", "list" }, 2, "svff: invalid PCI address" },
	{ F_GOOD, { "-d", "10000:01:00.0", "list" }, 2, "svff: invalid PCI address" },
	{ F_GOOD, { "-d", "0000:01:20.0", "list" }, 2, "svff: invalid PCI address" },
	{ F_GOOD, { "-d", "0000:01:00.8", "list" }, 2, "svff: invalid PCI address" },
	{ F_GOOD, { "-d", "", "list" }, 2, "svff: invalid PCI address" },
	{ F_GOOD, { "-d", "0000:09:00.0", "init", "2" }, 1, "svff: no PCI device '0000:09:00.0'" },
	{ F_GOOD, { "-d", "0000:03:00.0", "init", "2" }, 1, "svff: '0000:03:00.0' is not an SR-IOV physical function" },
	{ F_GOOD, { "-d", "0000:02:00.0", "attach", "vm1" }, 1, "svff: svff does not manage 0000:02:00.0" },
	/* counts */
	{ F_GOOD, { "-d", "0000:02:00.0", "init", "9" }, 2, "svff: VF count '9' is out of range" },
	{ F_GOOD, { "init", "-1" }, 2, "svff: unknown option '-1' for 'init'" },
	{ F_GOOD, { "init", "4x" }, 2, "svff: invalid VF count '4x'" },
	{ F_GOOD, { "init", "" }, 2, "svff: invalid VF count ''" },
	{ F_GOOD, { "init", "0x4" }, 2, "svff: invalid VF count '0x4'" },
	{ F_GOOD, { "init", "99999999999999999999" }, 2, "svff: invalid VF count" },
	{ F_GOOD, { "-d", "0000:02:00.0", "init", "0" }, 2, "svff: VF count must be at least 1" },
	{ F_GOOD, { "init", "6" }, 1, "svff: 0000:01:00.0 has 4 VFs already: use 'svff reconf 6'" },
	{ F_GOOD, { "reconf", "200" }, 2, "svff: VF count '200' is out of range" },
	{ F_GOOD, { "reconf", "0" }, 2, "svff: VF count '0' is out of range" },
	{ F_GOOD, { "reconf", " 4" }, 2, "svff: invalid VF count ' 4'" },
	{ F_GOOD, { "reconf", "2" }, 1, "svff: reconf 2 would remove VFs that VMs hold: vf3 (vm2, paused)" },
	/* reprogram */
	{ F_GOOD, { "reprogram", "true" }, 2, "svff: 'reprogram' needs '--' before its command" },
	{ F_GOOD, { "reprogram", "--" }, 2, "svff: 'reprogram' needs an argument: -- COMMAND" },
	{ F_GOOD, { "reprogram", "--", "" }, 2, "svff: the command after '--' is empty" },
	{ F_GOOD, { "reprogram", "now", "--", "true" }, 2, "svff: unexpected argument 'now' before '--'" },
	{ F_GOOD, { "reprogram", "--vfs", "200", "--", "true" }, 2,
	  "svff: VF count '200' is out of range: 0000:01:00.0 offers 0 to 127 VFs" },
	{ F_GOOD, { "reprogram", "--vfs", "x", "--", "true" }, 2, "svff: invalid --vfs 'x'" },
	{ F_GOOD, { "reprogram", "--new-ids", "--", "true" }, 2,
	  "svff: --new-ids needs --remove: a PF left on the bus keeps its IDs" },
	{ F_GOOD, { "reprogram", "--command-timeout", "86401", "--", "true" }, 2,
	  "svff: --command-timeout '86401' is out of range: at most 86400" },
	{ F_GOOD, { "reprogram", "--command-timeout", "-1", "--", "true" }, 2,
	  "svff: invalid --command-timeout '-1'" },
	{ F_GOOD, { "reprogram", "--vfs", "2", "--", "true" }, 1,
	  "svff: reprogram --vfs 2 would remove VFs that VMs hold: vf3 (vm2, paused)" },
	{ F_GOOD, { "reprogram", "--", "svff-no-such-tool" }, 2,
	  "svff: command 'svff-no-such-tool' is not found in $PATH" },
	{ F_GOOD, { "reprogram", "--", "./no/such/tool", "-x" }, 2,
	  "svff: command './no/such/tool' is not found" },
	{ F_GOOD, { "reprogram", "--", "/etc/passwd" }, 2,
	  "svff: command '/etc/passwd' is not an executable file" },
	{ F_GOOD, { "-d", "0000:02:00.0", "reprogram", "--", "true" }, 1,
	  "svff: svff does not manage 0000:02:00.0" },
	/* VFs */
	{ F_GOOD, { "attach", "vm1", "vf-1" }, 2, "svff: invalid VF 'vf-1'" },
	{ F_GOOD, { "attach", "vm1", "vf99999" }, 2, "svff: VF index '99999' is out of range" },
	{ F_GOOD, { "attach", "vm1", "vf7" }, 1, "svff: no VF 'vf7' on 0000:01:00.0 (it has 4 VFs)" },
	/* VF network settings */
	{ F_GOOD, { "attach", "vm1", "vf0", "--mac", "52:54:00:zz:00:01" }, 2,
	  "svff: invalid MAC address '52:54:00:zz:00:01'" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--mac", "52:54:00:12:34" }, 2, "svff: invalid MAC address" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--mac", "01:00:5e:00:00:01" }, 2,
	  "svff: MAC address '01:00:5e:00:00:01' is a multicast or broadcast address" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--mac", "00:00:00:00:00:00" }, 2,
	  "svff: MAC address '00:00:00:00:00:00' is all zeros" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--vlan", "4095" }, 2,
	  "svff: --vlan '4095' is out of range: at most 4094" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--vlan", "-1" }, 2, "svff: invalid --vlan '-1'" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--spoofchk", "yes" }, 2,
	  "svff: invalid --spoofchk 'yes': expected 'on' or 'off'" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--trust", "1" }, 2, "svff: invalid --trust '1'" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--max-rate", "fast" }, 2, "svff: invalid --max-rate 'fast'" },
	{ F_GOOD, { "attach", "vm1", "--min-rate", "200", "--max-rate", "100" }, 2,
	  "svff: --min-rate 200 is above --max-rate 100" },
	{ F_GOOD, { "attach", "vm1", "vf0", "vf1", "--mac", "52:54:00:12:34:56" }, 2,
	  "svff: --mac gives one VF its address" },
	{ F_GOOD, { "attach", "vm1", "vf0", "--vlan", "10" }, 1,
	  "svff: 0000:01:00.0 (driver nvme) has no network interface" },
	{ F_GOOD, { "detach", "vf2" }, 1, "svff: vf2 of 0000:01:00.0 is not attached to any VM" },
	{ F_GOOD, { "detach", "vm2", "vf1" }, 1, "svff: vf1 is held by VM 'vm1', not 'vm2'" },
	{ F_GOOD, { "pause", "vf0" }, 1, "svff: vf0 of 0000:01:00.0 is not claimed by any VM" },
	{ F_GOOD, { "unpause", "vm1", "vf70000" }, 2, "svff: VF index '70000' is out of range" },
	{ F_GOOD, { "pause", "vm1", "--mechanism", "freeze" }, 2,
	  "svff: --mechanism 'freeze': use auto, release or hot-unplug" },
	{ F_GOOD, { "pause", "-m", "", "vf1" }, 2, "svff: --mechanism '': use auto, release or hot-unplug" },
	{ F_GOOD, { "list", "vf42" }, 1, "svff: no VF 'vf42' on 0000:01:00.0" },
	/* VM names */
	{ F_GOOD, { "attach", "../vm" }, 2, "svff: invalid VM name: it contains '/'" },
	{ F_GOOD, { "attach", "" }, 2, "svff: invalid VM name" },
	{ F_GOOD, { "detach", "a\nb" }, 2, "svff: invalid VM name" },
	{ F_GOOD, { "pause", "vm3" }, 1, "svff: VM 'vm3' holds no VF of 0000:01:00.0" },
	{ F_GOOD, { "unpause", "nosuch" }, 1, "svff: VM 'nosuch' holds no VF of 0000:01:00.0" },
	{ F_GOOD, { "attach", long_vm }, 2, "svff: invalid VM name" },
	{ F_GOOD, { "-d", long_pf, "list" }, 2, "svff: invalid PCI address" },
	{ F_GOOD, { "reconf", long_count }, 2, "svff: invalid VF count" },
	/* options and commands */
	{ F_GOOD, { "frobnicate" }, 2, "svff: unknown command 'frobnicate'" },
	{ F_GOOD, { "deini" }, 2, "svff: unknown command 'deini'" },
	{ F_GOOD, { "--bogus", "list" }, 2, "svff: unknown option '--bogus'" },
	{ F_GOOD, { "reconf", "4", "--bogus" }, 2, "svff: unknown option '--bogus' for 'reconf'" },
	{ F_GOOD, { "-w", "-1", "list" }, 2, "svff: invalid --wait '-1'" },
	{ F_GOOD, { "-t", "soon", "attach", "vm1" }, 2, "svff: invalid --timeout 'soon'" },
	{ F_GOOD, { "init", "--driver", "nvme" }, 2, "svff: unsupported driver 'nvme'" },
	{ F_GOOD, { "deinit", "now" }, 2, "svff: too many arguments for 'deinit'" },
	{ F_GOOD, { "recover", "all" }, 2, "svff: too many arguments for 'recover'" },
	{ F_GOOD, { "-c", "qemu+unix:///system?socket=/nonexistent", "attach", "vm1", "vf2" }, 1,
	  "svff: cannot connect to libvirt" },
	/* state files */
	{ F_TRUNCATED, { "list" }, 1, "svff: cannot parse state file" },
	{ F_TRUNCATED, { "attach", "vm1", "vf0" }, 1, "svff: cannot parse state file" },
	{ F_NOT_JSON, { "init", "4" }, 1, "svff: cannot parse state file" },
	{ F_WRONG_TYPE, { "reconf", "4" }, 1, "svff: " },
	{ F_NEWER, { "detach", "vm1" }, 1, "svff: " },
	{ F_NO_SCHEMA, { "list" }, 1, "svff: " },
	{ F_DUP_CLAIM, { "pause", "vm1" }, 1, "svff: " },
	{ F_BAD_ADDR, { "list" }, 1, "svff: " },
	{ F_BAD_NET, { "list" }, 1, "svff: cannot parse state file" },
	{ F_SYMLINK, { "init", "4" }, 1, "svff: " },
	{ F_DIR, { "list" }, 1, "svff: " },
	{ F_DIR_SYMLINK, { "deinit" }, 1, "svff: " },
	{ F_LOOSE_DIR, { "recover" }, 1, "svff: " },
	/* /run read-only or full: refused before the device is touched */
	{ F_RUN_RO, { "-d", "0000:02:00.0", "init", "2" }, 1,
	  "svff: cannot write state in '" },
	{ F_RUN_FULL, { "-d", "0000:02:00.0", "init", "2" }, 1,
	  "svff: cannot write state file" },
	/* sysfs */
	{ F_NUMVFS_FAILS, { "-d", "0000:02:00.0", "init", "2" }, 1,
	  "svff: cannot write 2 to 'sriov_numvfs' of 0000:02:00.0: Is a directory" },
	{ F_NUMVFS_LIES, { "-d", "0000:02:00.0", "init", "2" }, 1,
	  "svff: the kernel enabled 2 VFs on 0000:02:00.0 (0 present) instead of 2" },
	/* per-VF resources */
	{ F_GOOD, { "resources", "vf0", "--queues", "2" }, 2,
	  "svff: 0000:01:00.0 has no resource backend for its driver 'nvme'" },
	{ F_GOOD, { "-d", "0000:02:00.0", "init", "2", "--vectors" }, 2, "svff: " },
	{ F_GOOD, { "resources", "vf0", "--queues", "0" }, 2, "svff: --queues must be at least 1" },
	{ F_GOOD, { "resources", "vf0", "--vectors", "-1" }, 2, "svff: invalid --vectors '-1'" },
	{ F_GOOD, { "resources", "vf0", "--queues", "99999" }, 2, "svff: --queues '99999' is out of range" },
	{ F_GOOD, { "resources", "vm1", "--queues", "2" }, 2, "svff: invalid VF 'vm1'" },
	{ F_GOOD, { "init", "4", "--no-resources", "--queues" }, 2, "svff: " },
	{ F_MSIX, { "resources", "vf0", "--vectors", "11" }, 1,
	  "svff: --vectors 11 for 1 VF(s) needs 11 vectors in all; the pool of 0000:01:00.0 has 10" },
	{ F_MSIX, { "resources", "--vectors", "3" }, 1, "svff: vf1 is attached to VM 'vm1'" },
	{ F_MSIX, { "resources", "vf0", "vf2", "--vectors", "7" }, 1,
	  "svff: --vectors 7 for 2 VF(s) needs 14 vectors in all; the pool of 0000:01:00.0 has 12" },
	{ F_MSIX, { "resources", "vf0", "--queues", "2" }, 2,
	  "svff: --queues: the msix backend of 0000:01:00.0 (driver 'mlx5_core') does not manage queues" },
	{ F_MSIX, { "resources", "vf9", "--vectors", "1" }, 1, "svff: no VF 'vf9' on 0000:01:00.0 (it has 4 VFs)" },
	{ F_MSIX, { "resources", "0000:01:00.7", "--vectors", "1" }, 1, "svff: no VF '0000:01:00.7' on 0000:01:00.0" },
	{ F_MSIX_DEF, { "reprogram", "--vfs", "9", "--", "true" }, 1,
	  "svff: 9 VF(s) with the vectors recorded for them need 18 in all; the pool of "
	  "0000:01:00.0 has 16 for them" },
	{ F_MSIX_DEF, { "reconf", "9" }, 1,
	  "svff: 9 VF(s) with the vectors recorded for them need 18 in all" },
	{ F_MSIX_BROKEN, { "resources", "vf2", "--vectors", "1" }, 1,
	  "svff: cannot read 'sriov_vf_msix_count' of 0000:01:00.1" },
	{ F_QDMA, { "resources", "vf0", "--vectors", "2" }, 2,
	  "svff: --vectors: the qdma backend of 0000:01:00.0 (driver 'qdma-pf') does not manage interrupt vectors" },
	{ F_QDMA, { "resources", "vf0", "--queues", "2049" }, 1,
	  "svff: --queues 2049 for 1 VF(s) needs 2049 queues in all; the pool of 0000:01:00.0 has 2048" },
	{ F_NVME_NODEV, { "resources", "vf0", "--queues", "2" }, 1,
	  "svff: NVMe Identify Primary Controller Capabilities on 0000:01:00.0 failed" },
	{ F_NVME_NODEV, { "-d", "0000:02:00.0", "init", "2" }, 1,
	  "svff: NVMe Identify Primary Controller Capabilities on 0000:02:00.0 failed" },
};

static char *snap;
static size_t snap_len;

static int snap_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	char buf[4096];
	(void)f;
	if (!strcmp(path + strlen(path) - 5, "/lock"))
		return 0;
	size_t need = strlen(path) + 64;
	char *content = NULL;
	if (type == FTW_SL) {
		ssize_t n = readlink(path, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		content = strdup(buf);
	} else if (type == FTW_F) {
		content = slurp(path);
	}
	need += content ? strlen(content) : 0;
	snap = realloc(snap, snap_len + need);
	snap_len += (size_t)sprintf(snap + snap_len, "%s %o %d\n%s\n", path + strlen(root),
				    st->st_mode & 07777, type, content ? content : "");
	free(content);
	return 0;
}

/* Every file, link and directory below root, with modes and contents. */
static char *snapshot(void)
{
	snap = NULL;
	snap_len = 0;
	nftw(root, snap_one, 16, FTW_PHYS);
	return snap;
}

static void write_state(const char *content)
{
	fakesys_write_state(state_dir, content);
}

/* The state directory with the good state in it, on a mount of its own
 * in a mount namespace of this process: read-only, or a tmpfs filled
 * up. undo_mount takes it away again. */
static void run_on_mount(bool ro)
{
	static bool own_ns;
	char path[600];
	if (!own_ns) {
		ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
		ck_assert_int_eq(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
		own_ns = true;
	}
	mkdir(state_dir, 0700);
	if (ro) {
		write_state(fakesys_managed_state);
		snprintf(path, sizeof(path), "%s/lock", state_dir);
		write_file(path, "");
		ck_assert_int_eq(mount(state_dir, state_dir, "none", MS_BIND, NULL), 0);
		ck_assert_int_eq(mount("none", state_dir, "none", MS_REMOUNT | MS_BIND | MS_RDONLY,
				       NULL), 0);
		return;
	}
	ck_assert_int_eq(mount("tmpfs", state_dir, "tmpfs", 0, "size=64k,mode=0700"), 0);
	write_state(fakesys_managed_state);
	snprintf(path, sizeof(path), "%s/lock", state_dir);
	write_file(path, "1\n");   /* its page is there: the first save is what fails */
	snprintf(path, sizeof(path), "%s/filler", state_dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	static const char zero[1024];
	while (fwrite(zero, 1, sizeof(zero), f) == sizeof(zero) && fflush(f) == 0)
		;
	while (fputc(0, f) != EOF && fflush(f) == 0)
		;
	fclose(f);
}

static void setup_fixture(enum fixture fx)
{
	char path[1024], other[512];
	fakesys_add_dev(root, "0000:01:00.0", 0x1b36, 0x0010, 127, "nvme", 1);
	fakesys_set_vfs(root, "0000:01:00.0", 4, "vfio-pci", 10);
	fakesys_write(root, "0000:01:00.0", "sriov_drivers_autoprobe", "0");
	fakesys_add_dev(root, "0000:02:00.0", 0x1b36, 0x0010, 8, "nvme", 2);
	fakesys_add_dev(root, "0000:03:00.0", 0x1b36, 0x0010, 0, "nvme", 3);
	snprintf(path, sizeof(path), "%s/state", state_dir);
	switch (fx) {
	case F_GOOD:
	case F_NUMVFS_FAILS:
	case F_NUMVFS_LIES:
	case F_MSIX:
	case F_MSIX_BROKEN:
	case F_MSIX_DEF:
	case F_QDMA:
	case F_NVME_NODEV: {
		/* in svff's own format, as svff always writes it: a rollback that
		 * restores the same state must give the same bytes */
		struct svff_state *st = NULL;
		char *canon = NULL;
		/* F_MSIX_DEF: no claim (no VM to ask), 2 vectors a VF */
		const char *src = fx != F_MSIX_DEF ? fakesys_managed_state :
			"{ \"schema\": 5, \"pfs\": [ { \"addr\": \"0000:01:00.0\", \"numvfs\": 4,"
			" \"saved_autoprobe\": 1, \"claims\": [], \"resources\": [],"
			" \"res_default\": { \"queues\": 0, \"vectors\": 2 } } ], \"op\": null }\n";
		ck_assert_int_eq(svff_state_parse(src, strlen(src), &st, NULL), 0);
		ck_assert_int_eq(svff_state_format(st, &canon), 0);
		write_state(canon);
		free(canon);
		svff_state_free(st);
		break;
	}
	case F_TRUNCATED: {
		char t[61];
		memcpy(t, fakesys_managed_state, sizeof(t) - 1);
		t[sizeof(t) - 1] = '\0';
		write_state(t);
		break;
	}
	case F_NOT_JSON:
		write_state("schema=1\n");
		break;
	case F_WRONG_TYPE:
		write_state("{ \"schema\": 1, \"pfs\": [ { \"addr\": \"0000:01:00.0\", \"numvfs\": \"4\","
			    " \"saved_autoprobe\": 1, \"claims\": [], \"resources\": [] } ], \"op\": null }\n");
		break;
	case F_NEWER:
	{
		char newer[64];
		snprintf(newer, sizeof(newer), "{ \"schema\": %d, \"pfs\": [] }\n",
			 SVFF_STATE_SCHEMA + 1);
		write_state(newer);
		break;
	}
	case F_NO_SCHEMA:
		write_state("{ \"pfs\": [] }\n");
		break;
	case F_DUP_CLAIM:
		write_state("{ \"schema\": 1, \"pfs\": [ { \"addr\": \"0000:01:00.0\", \"numvfs\": 4,"
			    " \"saved_autoprobe\": 1, \"claims\": ["
			    " { \"vf\": 1, \"state\": \"attached\", \"vm_name\": \"vm1\", \"vm_uuid\": \"\","
			    "   \"guest_addr\": \"\", \"persistent\": false, \"op_paused\": false },"
			    " { \"vf\": 1, \"state\": \"paused\", \"vm_name\": \"vm2\", \"vm_uuid\": \"\","
			    "   \"guest_addr\": \"\", \"persistent\": false, \"op_paused\": false } ],"
			    " \"resources\": [] } ], \"op\": null }\n");
		break;
	case F_BAD_NET:
		write_state("{ \"schema\": 3, \"pfs\": [ { \"addr\": \"0000:01:00.0\", \"numvfs\": 4,"
			    " \"saved_autoprobe\": 1, \"claims\": ["
			    " { \"vf\": 1, \"state\": \"attached\", \"vm_name\": \"vm1\", \"vm_uuid\": \"\","
			    "   \"guest_addr\": \"\", \"persistent\": false, \"op_paused\": false,"
			    "   \"net\": { \"mac\": \"01:00:5e:00:00:01\", \"vlan\": 10 } } ],"
			    " \"resources\": [] } ], \"op\": null }\n");
		break;
	case F_BAD_ADDR:
		write_state("{ \"schema\": 1, \"pfs\": [ { \"addr\": \"../../etc\", \"numvfs\": 4,"
			    " \"saved_autoprobe\": 1, \"claims\": [], \"resources\": [] } ], \"op\": null }\n");
		break;
	case F_SYMLINK:
		mkdir(state_dir, 0700);
		snprintf(other, sizeof(other), "%s/elsewhere", root);
		write_file(other, fakesys_managed_state);
		ck_assert_int_eq(symlink(other, path), 0);
		break;
	case F_DIR:
		mkdir(state_dir, 0700);
		mkdir(path, 0700);
		break;
	case F_DIR_SYMLINK:
		snprintf(other, sizeof(other), "%s/real-run", root);
		mkdir(other, 0700);
		snprintf(path, sizeof(path), "%s/state", other);
		write_file(path, fakesys_managed_state);
		ck_assert_int_eq(symlink(other, state_dir), 0);
		break;
	case F_LOOSE_DIR:
		write_state(fakesys_managed_state);
		chmod(state_dir, 0777);
		break;
	case F_RUN_RO:
	case F_RUN_FULL:
		run_on_mount(fx == F_RUN_RO);
		break;
	}
	if (fx == F_MSIX || fx == F_MSIX_BROKEN || fx == F_MSIX_DEF) {
		fakesys_bind(root, "0000:01:00.0", "mlx5_core");
		fakesys_write(root, "0000:01:00.0", "sriov_vf_total_msix", "16");
		for (int i = 1; i <= 4; i++) {
			char vf[16];
			snprintf(vf, sizeof(vf), "0000:01:00.%d", i);
			fakesys_write(root, vf, "sriov_vf_msix_count", "2");
		}
	}
	if (fx == F_MSIX_BROKEN) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.1/sriov_vf_msix_count", root);
		ck_assert_int_eq(unlink(path), 0);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	if (fx == F_QDMA) {
		fakesys_bind(root, "0000:01:00.0", "qdma-pf");
		fakesys_write(root, "0000:01:00.0", "qdma/qmax", "1024");
	}
	if (fx == F_NVME_NODEV) {
		/* a regular file where the controller's node is: opened, but no
		 * ioctl works on it */
		snprintf(path, sizeof(path), "%s/dev/nvme0", root);
		write_file(path, "");
		snprintf(path, sizeof(path), "%s/dev/nvme1", root);
		write_file(path, "");
		fakesys_write(root, "0000:01:00.0", "nvme/nvme0/state", "live");
		fakesys_write(root, "0000:02:00.0", "nvme/nvme1/state", "live");
	}
	if (fx == F_NUMVFS_FAILS) {
		/* a directory in place of the attribute: every write fails */
		snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:02:00.0/sriov_numvfs", root);
		ck_assert_int_eq(unlink(path), 0);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
}

START_TEST(bad_input_refused_nothing_changed)
{
	const struct bad *b = &bad[_i];
	char *out = NULL, *err = NULL;

	root = fakesys_new();
	snprintf(state_dir, sizeof(state_dir), "%s/run-svff", root);
	char dev[300];
	snprintf(dev, sizeof(dev), "%s/dev", root);
	setenv("SVFF_DEV_ROOT", dev, 1);   /* never this machine's /dev */
	setup_fixture(b->fx);
	char *before = snapshot();
	int rc = run_svff(root, state_dir, &out, &err, b->args[0], b->args[1], b->args[2],
			  b->args[3], b->args[4], b->args[5], b->args[6], NULL);
	char *after = snapshot();
	ck_assert_msg(rc == b->status, "entry %d (%s %s): exit %d, expected %d; stderr: %s", _i,
		      b->args[0], b->args[1] ? b->args[1] : "", rc, b->status, err);
	ck_assert_msg(!strncmp(err, b->msg, strlen(b->msg)), "entry %d: expected '%s...', got '%s'",
		      _i, b->msg, err);
	/* one line, lower case after the prefix, no final full stop */
	const char *nl = strchr(err, '\n');
	ck_assert_msg(nl && nl > err && nl[-1] != '.', "entry %d: message format: '%s'", _i, err);
	ck_assert_msg(strlen(err) > 7 && !(err[6] >= 'A' && err[6] <= 'Z' && err[7] >= 'a'),
		      "entry %d: starts upper case: '%s'", _i, err);
	size_t d = 0;
	while (before[d] && before[d] == after[d])
		d++;
	size_t from = d > 120 ? d - 120 : 0;
	ck_assert_msg(!before[d] && !after[d], "entry %d changed the tree at:\n--- before\n%.300s\n"
		      "--- after\n%.300s", _i, before + from, after + from);
	free(before);
	free(after);
	free(out);
	free(err);
	if (b->fx == F_RUN_RO || b->fx == F_RUN_FULL)
		umount2(state_dir, MNT_DETACH);
	fakesys_free(root);
}
END_TEST

int main(void)
{
	memset(long_vm, 'v', sizeof(long_vm) - 1);
	memset(long_pf, '0', sizeof(long_pf) - 1);
	memset(long_count, '9', sizeof(long_count) - 1);
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("catalogue");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, bad_input_refused_nothing_changed, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	int failed = fakesys_run_suite(s);
	printf("bad-input catalogue: %zu inputs\n", sizeof(bad) / sizeof(bad[0]));
	return failed;
}
