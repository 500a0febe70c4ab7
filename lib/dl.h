/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries loaded when first needed (systemd's dlopen habit): a table
 * of the symbols a library must give, each into its sym_ pointer, typed
 * from the library's own header by the caller's X-macro list.
 */
#ifndef SVFF_DL_H
#define SVFF_DL_H

#include <stddef.h>

struct svff_dl_sym {
	const char *name;
	void **ptr;
};
/* An entry of the table for the sym_f pointer of function f. */
#define SVFF_DL_SYM(f) { #f, (void **)&sym_##f },

/* dlopen soname (the handle stays open for the life of the process, on
 * purpose) and fill every pointer of syms; 0, or -1 with the loader's
 * reason in msg. */
int svff_dl_load(const char *soname, const struct svff_dl_sym *syms, size_t n, char *msg,
		 size_t len);

#endif
