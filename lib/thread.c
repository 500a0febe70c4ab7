/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdlib.h>

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

void svff_run_all(void *(*fn)(void *), void *jobs, size_t size, size_t n, const bool *want,
		  bool serial)
{
	pthread_t *tid = serial ? NULL : calloc(n + 1, sizeof(*tid));
	bool *started = serial ? NULL : calloc(n + 1, sizeof(*started));

	for (size_t i = 0; i < n; i++) {
		void *job = (char *)jobs + i * size;
		if (want && !want[i])
			continue;
		if (tid && started && svff_thread_start(&tid[i], fn, job) == 0)
			started[i] = true;
		else
			fn(job);
	}
	for (size_t i = 0; started && i < n; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
	free(tid);
	free(started);
}
