/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Threads svff starts (libvirt's event loop, the parallel hot-plugs)
 * with SIGINT, SIGTERM and SIGHUP blocked, so that the main thread takes
 * them (svff.c, man SIGNALS) and no wait of a helper is cut short.
 */
#ifndef SVFF_THREAD_H
#define SVFF_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* pthread_create's result (0, or an errno). */
int svff_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* fn on each of the n jobs at jobs (size bytes apart) whose want[i] is
 * true (want NULL: all), each on a thread of its own, and back once all
 * are done: the calls svff makes of several VMs at once, so that the
 * last VM does not wait for the others. serial runs them here, in order
 * (a dry run's plan), as it does a job no thread could be had for. */
void svff_run_all(void *(*fn)(void *), void *jobs, size_t size, size_t n, const bool *want,
		  bool serial);

#endif
