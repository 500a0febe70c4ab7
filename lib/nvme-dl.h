/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libnvme, loaded when a verb first needs an NVMe PF's resources, as
 * libvirt is (lib/libvirt-dl.h): it brings libcrypto, and most runs of
 * svff never send an NVMe admin command.
 */
#ifndef SVFF_NVME_DL_H
#define SVFF_NVME_DL_H

#include <libnvme.h>

#include "dl.h"

#define SVFF_NVME_SYMS(X)      \
	X(nvme_identify)       \
	X(nvme_status_to_string) \
	X(nvme_virtual_mgmt)

SVFF_NVME_SYMS(SVFF_DL_DECL)

/* Loads libnvme once per process (thread-safe); -ENOENT with the
 * loader's reason. */
int svff_nvme_load(struct svff_error *err);

#endif
