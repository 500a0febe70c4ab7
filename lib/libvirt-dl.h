/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt, loaded when a verb first connects (systemd's dlopen habit):
 * libvirt and its ~55 libraries cost most of a process start, and list,
 * help and every refused input never talk to libvirt. Call sites use the
 * sym_ pointers, typed from libvirt's own headers.
 */
#ifndef SVFF_LIBVIRT_DL_H
#define SVFF_LIBVIRT_DL_H

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "dl.h"

#define SVFF_LIBVIRT_SYMS(X)                 \
	X(virConnectClose)                   \
	X(virConnectDomainEventDeregisterAny) \
	X(virConnectDomainEventRegisterAny)  \
	X(virConnectListAllDomains)          \
	X(virConnectOpen)                    \
	X(virConnectRegisterCloseCallback)   \
	X(virConnectUnregisterCloseCallback) \
	X(virConnSetErrorFunc)               \
	X(virDomainAttachDeviceFlags)        \
	X(virDomainDetachDeviceAlias)        \
	X(virDomainDetachDeviceFlags)        \
	X(virDomainFree)                     \
	X(virDomainGetName)                  \
	X(virDomainGetState)                 \
	X(virDomainGetUUIDString)            \
	X(virDomainGetXMLDesc)               \
	X(virDomainIsActive)                 \
	X(virDomainIsPersistent)             \
	X(virDomainLookupByID)               \
	X(virDomainLookupByName)             \
	X(virDomainLookupByUUIDString)       \
	X(virDomainResume)                   \
	X(virDomainSuspend)                  \
	X(virEventAddTimeout)                \
	X(virEventRegisterDefaultImpl)       \
	X(virEventRemoveTimeout)             \
	X(virEventRunDefaultImpl)            \
	X(virGetLastError)                   \
	X(virGetLastErrorMessage)            \
	X(virInitialize)                     \
	X(virSetErrorFunc)

#define SVFF_LIBVIRT_QEMU_SYMS(X) X(virDomainQemuMonitorCommand)

SVFF_LIBVIRT_SYMS(SVFF_DL_DECL)
SVFF_LIBVIRT_QEMU_SYMS(SVFF_DL_DECL)

/* Loads libvirt and libvirt-qemu once per process (thread-safe); -ENOENT
 * with the loader's reason when either or a symbol is missing. */
int svff_libvirt_load(struct svff_error *err);

/* The sym_ pointers are set already and stay (the unit tests' libvirt,
 * tests/unit/fakevirt.c): svff_libvirt_load then loads nothing. */
void svff_libvirt_preloaded(void);

#endif
