/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt, through its C API: the connection, VMs, and hot-plug of VFs.
 * libvirt's own error printing is switched off; its messages come back
 * in struct svff_error.
 */
#ifndef SVFF_VIRT_H
#define SVFF_VIRT_H

#include <stdbool.h>

#include "domxml.h"
#include "state.h"
#include "svff.h"

struct _virDomain;
struct svff_virt;

struct svff_vm {
	struct _virDomain *dom;
	char name[SVFF_VM_NAME_LEN];
	char uuid[SVFF_UUID_LEN];
	bool active;      /* running or paused by libvirt */
	bool persistent;  /* has a persistent configuration */
};

/* Connects to ctx->uri; -ECONNREFUSED (with libvirt's reason) when
 * libvirtd cannot be reached. ctx must outlive the connection. */
int svff_virt_open(const struct svff_ctx *ctx, struct svff_virt **out,
		   struct svff_error *err);
void svff_virt_close(struct svff_virt *v);
/* Whether libvirt closed the connection (libvirtd stopped, restarted, or
 * dropped us): what waits on it stops, naming that. */
bool svff_virt_lost(const struct svff_virt *v);

/* A VM by name, UUID or id; -ENOENT when there is none. */
int svff_vm_lookup(struct svff_virt *v, const char *ref, struct svff_vm *out,
		   struct svff_error *err);
void svff_vm_clear(struct svff_vm *vm);

/* The live (or, with inactive, the persistent) domain XML. */
int svff_vm_xml(struct svff_vm *vm, bool inactive, char **out, struct svff_error *err);

/* A QMP command to the VM's QEMU (libvirt-qemu); the reply is JSON.
 * libvirt logs the domain as tainted (custom-monitor), even for a
 * read-only command: svff sends query-commands, and the VFIO pause's
 * commands (lib/qmp.h) to a QEMU that offers them. */
int svff_vm_qmp(struct svff_vm *vm, const char *cmd, char **reply, struct svff_error *err);

/* Stop and continue the VM's vCPUs (virsh suspend, resume): libvirt
 * knows the VM is paused. */
int svff_vm_suspend(struct svff_virt *v, struct svff_vm *vm, struct svff_error *err);
int svff_vm_resume(struct svff_virt *v, struct svff_vm *vm, struct svff_error *err);
/* Whether the running VM is paused (by anyone: svff, an operator, an
 * I/O error). */
int svff_vm_paused(struct svff_vm *vm, bool *paused, struct svff_error *err);

/* The PCI hostdevs of the VM's live XML (*out for the caller to free). */
int svff_vm_hostdevs(struct svff_vm *vm, struct svff_hostdev **out, size_t *n,
		     struct svff_error *err);

/* The alias (QEMU's device id) of the hostdev of host address vf_addr
 * among hds, the VM's; -ENOENT when the VM does not hold it, -EIO when
 * libvirt gave it none. */
int svff_hostdev_alias(const struct svff_hostdev *hds, size_t n, const struct svff_vm *vm,
		       const char *vf_addr, char alias[SVFF_ALIAS_LEN], struct svff_error *err);

/* Hot-plug the VF at host address vf_addr, at guest_addr when given;
 * live and/or config. Writes the guest address libvirt chose to
 * guest_out: live, or in a shut-off VM's persistent configuration ("" if
 * it gave none there). */
int svff_vm_attach(struct svff_virt *v, struct svff_vm *vm, const char *vf_addr,
		   const char *guest_addr, bool live, bool config,
		   char guest_out[SVFF_ADDR_LEN], struct svff_error *err);

/* Hot-unplug it and wait, up to timeout_s, until the guest has let it go
 * (DEVICE_REMOVED, or the live XML no longer has it). -ETIMEDOUT when the
 * guest never answers, -EBUSY when it refuses; the VF then stays in the
 * VM. A VF that is not in the VM is not an error (returns 0). */
int svff_vm_detach(struct svff_virt *v, struct svff_vm *vm, const char *vf_addr,
		   bool live, bool config, int timeout_s, struct svff_error *err);

/* A PCI hostdev some VM holds: in its live configuration when the VM
 * runs, in its persistent one when it is shut off. */
struct svff_held {
	char vm_name[SVFF_VM_NAME_LEN];
	char vm_uuid[SVFF_UUID_LEN];
	bool active;
	char host_addr[SVFF_ADDR_LEN];
	char guest_addr[SVFF_ADDR_LEN];
	char alias[SVFF_ALIAS_LEN];
};
/* Every PCI hostdev of every VM libvirt knows (one call, read-only). */
int svff_virt_held(struct svff_virt *v, struct svff_held **out, size_t *n,
		   struct svff_error *err);

/* Hot-unplug many VFs from running VMs at once: every request is sent,
 * then one wait, up to timeout_s, for all the guests. Each entry gets
 * its own result (rc, err: as svff_vm_detach); returns how many failed.
 * Inactive VMs and VFs not in their VM count as released. */
struct svff_unplug {
	struct svff_vm *vm;       /* in */
	const char *vf_addr;      /* in */
	char alias[SVFF_ALIAS_LEN];
	int done;                 /* 1 released, -1 refused, 0 pending */
	bool stopped;             /* its QEMU stopped meanwhile: nothing holds the VF */
	int rc;
	struct svff_error err;
};
int svff_vm_unplug_many(struct svff_virt *v, struct svff_unplug *u, size_t n, int timeout_s);

#endif
