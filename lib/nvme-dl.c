/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "nvme-dl.h"

#define SVFF_SYM_DEF(f) __typeof__(f) *sym_##f;
SVFF_NVME_SYMS(SVFF_SYM_DEF)
#undef SVFF_SYM_DEF

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_msg[256];   /* empty when loaded */

static void load(void)
{
	/* the soname of Debian's libnvme1 package */
	const char *soname = "libnvme.so.1";
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(load_msg, sizeof(load_msg), "%s", dlerror());
		return;
	}
#define SVFF_SYM_LOAD(f)                                                          \
	if (!(sym_##f = (__typeof__(f) *)dlsym(h, #f))) {                          \
		snprintf(load_msg, sizeof(load_msg), "no symbol '%s' in %s", #f, soname); \
		return;                                                            \
	}
	SVFF_NVME_SYMS(SVFF_SYM_LOAD)
#undef SVFF_SYM_LOAD
	/* the handle stays open for the life of the process, on purpose */
}

int svff_nvme_load(struct svff_error *err)
{
	pthread_once(&once, load);
	if (load_msg[0])
		return svff_err(err, -ENOENT, "cannot load libnvme: %s", load_msg);
	return 0;
}
