/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A libvirt for the unit tests: the C API calls svff makes (the sym_
 * pointers of lib/libvirt-dl.h), answered from VMs held in memory, with
 * their live and persistent hostdevs, DEVICE_REMOVED events from the
 * event loop, and a QEMU monitor that may offer svff's VFIO pause
 * (x-vfio-pause, x-vfio-resume, x-query-vfio). libvirt's own test
 * driver (test:///default) has no device hot-plug and no QEMU monitor,
 * so it cannot stand in. What the end-to-end suite proves against the
 * real libvirtd is not replaced: this lets orchestration and its
 * failures run in milliseconds.
 */
#ifndef SVFF_FAKEVIRT_H
#define SVFF_FAKEVIRT_H

#include <stdbool.h>

struct fv_dom;

enum {
	FV_NO_UNPLUG = 1 << 0,      /* the guest never answers a hot-unplug */
	FV_REFUSE_UNPLUG = 1 << 1,  /* the guest refuses it (DEVICE_REMOVAL_FAILED) */
	FV_VFIO_PAUSE = 1 << 2,     /* its QEMU offers x-vfio-pause (qemu/patches) */
	FV_NO_HOTPLUG = 1 << 3,     /* no free hot-plug slot: attach fails */
	FV_DROP_ON_UNPLUG = 1 << 4, /* libvirtd dies as it asks the guest to let go
				       (the guest does, unheard, unless also
				       FV_NO_UNPLUG) */
	FV_DIES_ON_UNPLUG = 1 << 5, /* its QEMU dies when asked to let go */
	FV_NO_NOTIFY = 1 << 6,      /* its QEMU (VFIO pause) lacks x-vfio-notify */
	FV_SLOW_QMP = 1 << 7,       /* its QEMU takes 50 ms for query-commands,
				       x-vfio-pause, x-vfio-resume and
				       x-vfio-notify, and libvirt as long to
				       suspend or resume it or ask its guest to let
				       a VF go, as real ones take some */
};

/* Point svff's libvirt at this one, with no VM (call once per test). */
void fakevirt_install(void);
/* A VM; ids count from 1 for running ones. */
struct fv_dom *fakevirt_add(const char *name, bool running, bool persistent, unsigned int flags);
void fakevirt_flags(struct fv_dom *d, unsigned int flags);
const char *fakevirt_uuid(const struct fv_dom *d);
/* By hand, as an operator's virsh would: a hostdev added (live and/or
 * persistent) at guest address guest ("" to let the fake choose), or
 * removed from the live configuration. */
void fakevirt_plug(struct fv_dom *d, const char *host, const char *guest, bool live, bool config);
void fakevirt_unplug(struct fv_dom *d, const char *host);
/* The live hostdev of host address host: its guest address to guest
 * (may be NULL); false when the VM does not hold it. */
bool fakevirt_holds(const struct fv_dom *d, const char *host, char *guest);
bool fakevirt_paused(const struct fv_dom *d);
/* Whether its QEMU holds the hostdev first attached from host released,
 * and where it holds it now (x-vfio-resume may move it). */
bool fakevirt_released(const struct fv_dom *d, const char *host);
/* How many times the guest was told its device of host was reset. */
unsigned int fakevirt_notified(const struct fv_dom *d, const char *host);
const char *fakevirt_qemu_host(const struct fv_dom *d, const char *host);
/* How many calls svff made of the given kind since install. */
enum fv_call { FV_ATTACH, FV_DETACH, FV_SUSPEND, FV_RESUME, FV_QMP, FV_NCALLS };
unsigned int fakevirt_calls(enum fv_call c);
/* The most calls cmd (query-commands, x-vfio-pause, x-vfio-resume or
 * x-vfio-notify; or suspend, resume, detach or lookup) that were in hand
 * at once since install or the last clear (FV_SLOW_QMP VMs only). */
unsigned int fakevirt_max_in_flight(const char *cmd);
/* The counts of fakevirt_max_in_flight back to 0. */
void fakevirt_clear_in_flight(void);
/* fn is called (in this process) as svff gives a running VM a VF: a live
 * hot-plug, or QEMU's re-acquire; NULL for none. */
void fakevirt_on_give_back(void (*fn)(void));
/* libvirtd stops (every call fails; connections hear they are closed)
 * or is back. */
void fakevirt_libvirtd(bool up);
/* The VM's QEMU dies (killed, crashed): shut off, its live devices
 * gone; a transient VM is gone altogether, as libvirt forgets it. */
void fakevirt_qemu_dies(struct fv_dom *d);

#endif
