/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "dl.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int load(const struct svff_dl_part *p, char *msg, size_t len)
{
	void *h = dlopen(p->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(msg, len, "%s", dlerror());
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		if (!(*p->syms[i].ptr = dlsym(h, p->syms[i].name))) {
			snprintf(msg, len, "no symbol '%s' in %s", p->syms[i].name, p->soname);
			return -1;
		}
	return 0;
}

int svff_dl_open(struct svff_dl_lib *lib, struct svff_error *err)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; !lib->tried && i < lib->n_parts; i++)
		if (load(&lib->parts[i], lib->msg, sizeof(lib->msg)) < 0)
			break;
	lib->tried = true;
	pthread_mutex_unlock(&lock);
	if (lib->msg[0])
		return svff_err(err, -ENOENT, "cannot load %s: %s", lib->what, lib->msg);
	return 0;
}

void svff_dl_preset(struct svff_dl_lib *lib)
{
	pthread_mutex_lock(&lock);
	lib->tried = true;
	pthread_mutex_unlock(&lock);
}
