/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dl.h"
#include "nvme-dl.h"

SVFF_NVME_SYMS(SVFF_DL_DEF)

static const struct svff_dl_sym syms[] = { SVFF_NVME_SYMS(SVFF_DL_SYM) };
/* the soname of Debian's libnvme1 package */
static const struct svff_dl_part part = SVFF_DL_PART("libnvme.so.1", syms);
static struct svff_dl_lib libnvme = { .what = "libnvme", .parts = &part, .n_parts = 1 };

int svff_nvme_load(struct svff_error *err)
{
	return svff_dl_open(&libnvme, err);
}
