/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "dl.h"
#include "libvirt-dl.h"

#define SVFF_SYM_DEF(f) __typeof__(f) *sym_##f;
SVFF_LIBVIRT_SYMS(SVFF_SYM_DEF)
SVFF_LIBVIRT_QEMU_SYMS(SVFF_SYM_DEF)
#undef SVFF_SYM_DEF

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_msg[256];   /* empty when loaded */

/* The sonames of Debian's libvirt0 package; the headers svff is built
 * against fix the ABI. */
static void load(void)
{
	static const struct svff_dl_sym lv[] = { SVFF_LIBVIRT_SYMS(SVFF_DL_SYM) };
	static const struct svff_dl_sym lvq[] = { SVFF_LIBVIRT_QEMU_SYMS(SVFF_DL_SYM) };

	if (svff_dl_load("libvirt.so.0", lv, sizeof(lv) / sizeof(lv[0]), load_msg,
			 sizeof(load_msg)) == 0)
		svff_dl_load("libvirt-qemu.so.0", lvq, sizeof(lvq) / sizeof(lvq[0]), load_msg,
			     sizeof(load_msg));
}

static void keep(void) {}

void svff_libvirt_preloaded(void)
{
	pthread_once(&once, keep);
}

int svff_libvirt_load(struct svff_error *err)
{
	pthread_once(&once, load);
	if (load_msg[0])
		return svff_err(err, -ENOENT, "cannot load libvirt: %s", load_msg);
	return 0;
}
