/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test fixtures: a fake sysfs tree that libpci and svff read like the
 * real one (devices with config space, SR-IOV capability, virtfnN and
 * physfn links, drivers, IOMMU groups), and a runner for the svff binary.
 */
#ifndef SVFF_FAKESYS_H
#define SVFF_FAKESYS_H

#include <stdbool.h>

/* A new tree in a temporary directory; free removes it. */
char *fakesys_new(void);
void fakesys_free(char *root);

/* A PCI function. totalvfs 0: no SR-IOV capability. driver NULL: none
 * bound. group -1: no IOMMU group. */
void fakesys_add_dev(const char *root, const char *addr, unsigned int vendor,
		     unsigned int device, unsigned int totalvfs,
		     const char *driver, int group);
/* Create n VFs of pf (VF offset 1, stride 1), each bound to vf_driver
 * (NULL: none) in its own IOMMU group from first_group; sets sriov_numvfs. */
void fakesys_set_vfs(const char *root, const char *pf, unsigned int n,
		     const char *vf_driver, int first_group);
/* Rebind one device to driver (NULL: unbind). */
void fakesys_bind(const char *root, const char *addr, const char *driver);

void fakesys_write(const char *root, const char *addr, const char *attr,
		   const char *value);
/* The attribute's content (static buffer), "" when absent. */
const char *fakesys_read(const char *root, const char *addr, const char *attr);

/* Write a whole file (mkdir -p of its directory). */
void write_file(const char *path, const char *content);
/* The state file <state_dir>/state, as svff keeps it (0700 dir, 0600 file). */
void fakesys_write_state(const char *state_dir, const char *content);
/* A state file: PF 0000:01:00.0 managed with 4 VFs, vf1 attached to vm1
 * and vf3 paused for vm2. */
extern const char fakesys_managed_state[];
/* PF 0000:01:00.0 (mlx5_core: the msix backend) with 16 vectors for 4
 * VFs on vfio-pci, 2 each; managed by svff (fakesys_managed_state: vf1
 * attached to vm1) with its state in state_dir. */
void fakesys_msix_pf(const char *root, const char *state_dir);
/* Read a whole file into a malloc'd string; NULL when absent. */
char *slurp(const char *path);

/* Run $SVFF_BIN with args (NULL-terminated) and the environment pointed at
 * root and state_dir; capture stdout and stderr (malloc'd, may be NULL
 * arguments to discard). Returns the exit status, or -1 on a signal. */
int run_svff(const char *root, const char *state_dir, char **out, char **err, ...)
	__attribute__((sentinel));

/* The kernel's side of svff's writes, as a step callback (ctx->on_step,
 * with a struct fakesys_kernel as its opaque): svff reports each write
 * just before it makes it, and this does what the kernel would with it:
 * sriov_numvfs creates or removes VFs (devices, virtfn links, groups from
 * 10, no driver), drivers_probe binds a VF to its driver_override, unbind
 * unbinds. refuse_numvfs: how many of the next non-zero counts the "PF
 * driver" enables one VF short of (svff must see it and say so). */
struct fakesys_kernel {
	const char *root;
	int refuse_numvfs;
	unsigned int numvfs_writes;
	/* remove takes a device off the bus (its directory kept aside);
	 * rescan brings back what was removed, with no VFs, autoprobe on and
	 * rescan_driver bound (NULL: none), unless rescan_lost; rescan_device
	 * (non-zero): it comes back with that device ID (another image) */
	const char *rescan_driver;
	bool rescan_lost;
	unsigned int rescan_device;
	unsigned int rescans;
};
void fakesys_kernel(void *opaque, const char *what);

/* Run a Check suite (and free it); the exit status for main: 1 on any
 * failure. */
struct Suite;
int fakesys_run_suite(struct Suite *s);

#endif
