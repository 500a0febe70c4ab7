/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>

#include "thread.h"

int svff_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t stop, old;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, &old);   /* the new thread inherits it */
	int rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
