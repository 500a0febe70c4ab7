/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Threads svff starts (libvirt's event loop, the parallel hot-plugs)
 * with SIGINT, SIGTERM and SIGHUP blocked, so that the main thread takes
 * them (svff.c, man SIGNALS) and no wait of a helper is cut short.
 */
#ifndef SVFF_THREAD_H
#define SVFF_THREAD_H

#include <pthread.h>

/* pthread_create's result (0, or an errno). */
int svff_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
