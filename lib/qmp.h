/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VFIO pause of a QEMU with svff's patches (qemu/README): QEMU's
 * vfio-pci device releases its host device while the VM is stopped and
 * the guest keeps the PCI function, then re-acquires the same or a
 * re-created VF. Sent through libvirt's monitor passthrough (lib/virt.h):
 * libvirt has no API for it.
 */
#ifndef SVFF_QMP_H
#define SVFF_QMP_H

#include <stdbool.h>
#include <stddef.h>

#include "virt.h"

/* The QMP command whose presence (query-commands) says a QEMU has it. */
#define SVFF_QEMU_RELEASE_CMD "x-vfio-pause"

/* x-vfio-pause: the device of alias lets its host device go (the VM must
 * be stopped). 1 when it had released it already. */
int svff_qemu_release(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
		      struct svff_error *err);

/* x-vfio-resume: the device of alias takes the host device at host
 * (bound to vfio-pci). 1 when it had not released one. A failure leaves
 * it released. */
int svff_qemu_reacquire(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
			const char *host, struct svff_error *err);

/* x-vfio-notify: the guest told that the device of alias was reset (the
 * PCIe port above it reports an error, AER: a guest that handles it
 * recovers the device as soon as it runs, instead of after an I/O
 * timeout). 1 when told; -EOPNOTSUPP from a QEMU without the command;
 * else QEMU's refusal (no PCIe port with AER above the device). */
int svff_qemu_notify(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
		     struct svff_error *err);

/* x-query-vfio: whether the device of alias is released (false when the
 * VM has no such device), and how many of the VM's devices are;
 * -EOPNOTSUPP from a QEMU without the command. A refusal by QEMU, here and
 * above, is an error with QEMU's words. */
int svff_qemu_released(struct svff_vm *vm, const char *alias, bool *released,
		       size_t *n_released, struct svff_error *err);

/* QEMU's reply to cmd, sent to VM vm: its "return" (a new reference), or
 * NULL with err set: QEMU's refusal in its own words (-EOPNOTSUPP for
 * CommandNotFound, else -EIO), or -EPROTO. libvirt's passthrough hands
 * error replies back as answers. */
struct json_object;
struct json_object *svff_qmp_return(const char *reply, const char *cmd, const char *vm,
				    struct svff_error *err);

/* x-query-vfio's "return": the host address and state of the device of
 * alias (host "" when there is none), and how many devices are released. */
int svff_vfio_state(struct json_object *ret, const char *alias, const char *vm,
		    char host[SVFF_ADDR_LEN], bool *released, size_t *n_released,
		    struct svff_error *err);

/* Whether svff suspended the VM for a claim on any PF (st: all PFs). */
struct svff_state;
bool svff_release_suspended(const struct svff_state *st, const struct svff_vm *vm);

#endif
