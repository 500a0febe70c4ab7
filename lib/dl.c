/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <stdio.h>

#include "dl.h"

int svff_dl_load(const char *soname, const struct svff_dl_sym *syms, size_t n, char *msg,
		 size_t len)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(msg, len, "%s", dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!(*syms[i].ptr = dlsym(h, syms[i].name))) {
			snprintf(msg, len, "no symbol '%s' in %s", syms[i].name, soname);
			return -1;
		}
	return 0;
}
