/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svff.h"

int svff_ctx_set(char **field, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

int svff_ctx_new(struct svff_ctx **out)
{
	struct svff_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	const char *uri = env_or("SVFF_CONNECT",
				 env_or("LIBVIRT_DEFAULT_URI", SVFF_DEFAULT_URI));
	if (svff_ctx_set(&ctx->sysfs_root, env_or("SVFF_SYSFS_ROOT", SVFF_DEFAULT_SYSFS)) < 0 ||
	    svff_ctx_set(&ctx->dev_root, env_or("SVFF_DEV_ROOT", SVFF_DEFAULT_DEV)) < 0 ||
	    svff_ctx_set(&ctx->state_dir, env_or("SVFF_STATE_DIR", SVFF_DEFAULT_STATE_DIR)) < 0 ||
	    svff_ctx_set(&ctx->uri, uri) < 0) {
		svff_ctx_free(ctx);
		return -ENOMEM;
	}
	ctx->lock_wait_s = 30;
	ctx->timeout_s = 60;
	*out = ctx;
	return 0;
}

void svff_ctx_free(struct svff_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->sysfs_root);
	free(ctx->dev_root);
	free(ctx->state_dir);
	free(ctx->uri);
	free(ctx);
}

double svff_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool svff_step(const struct svff_ctx *ctx, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	if (ctx->on_step) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		ctx->on_step(ctx->step_opaque, buf);
	}
	return !ctx->dry_run;
}
