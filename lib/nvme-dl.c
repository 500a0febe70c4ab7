/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "dl.h"
#include "nvme-dl.h"

#define SVFF_SYM_DEF(f) __typeof__(f) *sym_##f;
SVFF_NVME_SYMS(SVFF_SYM_DEF)
#undef SVFF_SYM_DEF

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_msg[256];   /* empty when loaded */

/* the soname of Debian's libnvme1 package */
static void load(void)
{
	static const struct svff_dl_sym syms[] = { SVFF_NVME_SYMS(SVFF_DL_SYM) };
	svff_dl_load("libnvme.so.1", syms, sizeof(syms) / sizeof(syms[0]), load_msg,
		     sizeof(load_msg));
}

int svff_nvme_load(struct svff_error *err)
{
	pthread_once(&once, load);
	if (load_msg[0])
		return svff_err(err, -ENOENT, "cannot load libnvme: %s", load_msg);
	return 0;
}
