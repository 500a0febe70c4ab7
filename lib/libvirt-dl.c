/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "libvirt-dl.h"

#define SVFF_SYM_DEF(f) __typeof__(f) *sym_##f;
SVFF_LIBVIRT_SYMS(SVFF_SYM_DEF)
SVFF_LIBVIRT_QEMU_SYMS(SVFF_SYM_DEF)
#undef SVFF_SYM_DEF

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_msg[256];   /* empty when loaded */

/* The sonames of Debian's libvirt0 package; the headers svff is built
 * against fix the ABI. */
static void *open_lib(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		snprintf(load_msg, sizeof(load_msg), "%s", dlerror());
	return h;
}

#define SVFF_SYM_LOAD(f)                                                   \
	if (!(sym_##f = (__typeof__(f) *)dlsym(h, #f))) {                   \
		snprintf(load_msg, sizeof(load_msg), "no symbol '%s' in %s", #f, \
			 soname);                                           \
		return;                                                     \
	}

static void load(void)
{
	const char *soname = "libvirt.so.0";
	void *h = open_lib(soname);
	if (!h)
		return;
	SVFF_LIBVIRT_SYMS(SVFF_SYM_LOAD)
	soname = "libvirt-qemu.so.0";
	h = open_lib(soname);
	if (!h)
		return;
	SVFF_LIBVIRT_QEMU_SYMS(SVFF_SYM_LOAD)
	/* the handles stay open for the life of the process, on purpose */
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
