/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries loaded when first needed (systemd's dlopen habit): a table
 * of the symbols a library must give, each into its sym_ pointer, typed
 * from the library's own header by the caller's X-macro list. One loader
 * serves them all (libvirt-dl.c, nvme-dl.c hold only their tables).
 */
#ifndef SVFF_DL_H
#define SVFF_DL_H

#include <stdbool.h>
#include <stddef.h>

#include "svff.h"

struct svff_dl_sym {
	const char *name;
	void **ptr;
};
/* An entry of the table for the sym_f pointer of function f. */
#define SVFF_DL_SYM(f) { #f, (void **)&sym_##f },
/* The sym_f pointer of function f, typed from the library's header. */
#define SVFF_DL_DEF(f) __typeof__(f) *sym_##f;
#define SVFF_DL_DECL(f) extern __typeof__(f) *sym_##f;

/* One shared object of a library and the symbols it must give. */
struct svff_dl_part {
	const char *soname;
	const struct svff_dl_sym *syms;
	size_t n;
};
#define SVFF_DL_PART(soname, table) { soname, table, sizeof(table) / sizeof((table)[0]) }

/* A library made of parts loaded in order; what follows parts is the
 * loader's, zero in a static definition. */
struct svff_dl_lib {
	const char *what;                    /* "libvirt", in messages */
	const struct svff_dl_part *parts;
	size_t n_parts;
	bool tried;
	char msg[256];                       /* empty when loaded */
};

/* Load lib once per process (thread-safe; each dlopen handle stays open,
 * on purpose); -ENOENT with the loader's reason when a part or one of its
 * symbols is missing, now and on every later call. */
int svff_dl_open(struct svff_dl_lib *lib, struct svff_error *err);

/* The sym_ pointers are set already (the unit tests' fakes): svff_dl_open
 * then loads nothing. */
void svff_dl_preset(struct svff_dl_lib *lib);

#endif
