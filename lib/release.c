/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "release.h"

/* {"execute": cmd, "arguments": {"id": alias[, "host": host]}}, sent;
 * the reply parsed (NULL when the command failed: err says why). */
static json_object *qmp(struct svff_vm *vm, const char *cmd, const char *alias,
			const char *host, struct svff_error *err)
{
	json_object *o = json_object_new_object(), *args = NULL, *r = NULL;
	char *reply = NULL;

	if (!o)
		return svff_err(err, -ENOMEM, "out of memory"), NULL;
	json_object_object_add(o, "execute", json_object_new_string(cmd));
	if (alias) {
		args = json_object_new_object();
		json_object_object_add(args, "id", json_object_new_string(alias));
		if (host)
			json_object_object_add(args, "host", json_object_new_string(host));
		json_object_object_add(o, "arguments", args);
	}
	if (svff_vm_qmp(vm, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), &reply,
			err) == 0) {
		r = json_tokener_parse(reply);
		if (!r)
			svff_err(err, -EPROTO, "unexpected answer to %s from the QEMU of VM '%s'", cmd,
				 vm->name);
	}
	free(reply);
	json_object_put(o);
	return r;
}

/* A failed command whose message says the device is already as wanted. */
static int already(int rc, const struct svff_error *err, const char *says)
{
	return rc < 0 && strstr(err->msg, says) ? 1 : rc;
}

/* One of the two commands that change the device; 1 when QEMU says it is
 * as wanted already (its message holds says). */
static int change(struct svff_vm *vm, const char *cmd, const char *alias, const char *host,
		  const char *says, struct svff_error *err)
{
	struct svff_error e = { 0 };
	json_object *r = qmp(vm, cmd, alias, host, &e);
	int rc = r ? 0 : already(e.code ? e.code : -EIO, &e, says);

	json_object_put(r);
	if (rc < 0)
		*err = e;
	return rc;
}

int svff_qemu_release(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
		      struct svff_error *err)
{
	if (!svff_step(ctx, "qemu: x-vfio-pause %s of VM '%s' (release its host device)", alias,
		       vm->name))
		return 0;
	return change(vm, "x-vfio-pause", alias, NULL, "has already released", err);
}

int svff_qemu_reacquire(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
			const char *host, struct svff_error *err)
{
	if (!svff_step(ctx, "qemu: x-vfio-resume %s of VM '%s' at %s (re-acquire)", alias,
		       vm->name, host))
		return 0;
	return change(vm, "x-vfio-resume", alias, host, "has not released", err);
}

int svff_qemu_released(struct svff_vm *vm, const char *alias, bool *released,
		       size_t *n_released, struct svff_error *err)
{
	json_object *r = qmp(vm, "x-query-vfio", NULL, NULL, err), *ret, *f;

	*released = false;
	*n_released = 0;
	if (!r)
		return err->code ? err->code : -EIO;
	if (!json_object_object_get_ex(r, "return", &ret) ||
	    !json_object_is_type(ret, json_type_array)) {
		json_object_put(r);
		return svff_err(err, -EPROTO, "unexpected answer to x-query-vfio from the QEMU of "
				"VM '%s'", vm->name);
	}
	for (size_t i = 0; i < json_object_array_length(ret); i++) {
		json_object *d = json_object_array_get_idx(ret, i);
		bool rel = json_object_object_get_ex(d, "released", &f) && json_object_get_boolean(f);
		const char *id = json_object_object_get_ex(d, "id", &f) ? json_object_get_string(f)
									: NULL;
		*n_released += rel;
		if (id && !strcmp(id, alias))
			*released = rel;
	}
	json_object_put(r);
	return 0;
}
