/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dl.h"
#include "libvirt-dl.h"

SVFF_LIBVIRT_SYMS(SVFF_DL_DEF)
SVFF_LIBVIRT_QEMU_SYMS(SVFF_DL_DEF)

static const struct svff_dl_sym lv[] = { SVFF_LIBVIRT_SYMS(SVFF_DL_SYM) };
static const struct svff_dl_sym lvq[] = { SVFF_LIBVIRT_QEMU_SYMS(SVFF_DL_SYM) };
/* The sonames of Debian's libvirt0 package; the headers svff is built
 * against fix the ABI. */
static const struct svff_dl_part parts[] = {
	SVFF_DL_PART("libvirt.so.0", lv),
	SVFF_DL_PART("libvirt-qemu.so.0", lvq),
};
static struct svff_dl_lib libvirt = {
	.what = "libvirt", .parts = parts, .n_parts = sizeof(parts) / sizeof(parts[0]),
};

int svff_libvirt_load(struct svff_error *err)
{
	return svff_dl_open(&libvirt, err);
}

void svff_libvirt_preloaded(void)
{
	svff_dl_preset(&libvirt);
}
