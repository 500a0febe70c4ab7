/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "qmp.h"

json_object *svff_qmp_return(const char *reply, const char *cmd, const char *vm,
			     struct svff_error *err)
{
	json_object *r = json_tokener_parse(reply), *ret = NULL, *e, *f;

	if (r && json_object_object_get_ex(r, "error", &e)) {
		const char *cls = json_object_object_get_ex(e, "class", &f) ?
				  json_object_get_string(f) : NULL;
		const char *desc = json_object_object_get_ex(e, "desc", &f) ?
				   json_object_get_string(f) : NULL;
		/* a QEMU without svff's patches: callers tell it apart */
		svff_err(err, cls && !strcmp(cls, "CommandNotFound") ? -EOPNOTSUPP : -EIO,
			 "the QEMU of VM '%s' refused %s: %s", vm, cmd,
			 desc ? desc : "no reason given");
	} else if (r && json_object_object_get_ex(r, "return", &ret)) {
		ret = json_object_get(ret);
	} else {
		svff_err(err, -EPROTO, "unexpected answer to %s from the QEMU of VM '%s'", cmd, vm);
	}
	json_object_put(r);
	return ret;
}

/* {"execute": cmd, "arguments": {"id": alias[, "host": host]}}, sent;
 * its "return", or NULL with err set. */
static json_object *qmp(struct svff_vm *vm, const char *cmd, const char *alias,
			const char *host, struct svff_error *err)
{
	json_object *o = json_object_new_object(), *args, *ret = NULL;
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
			err) == 0)
		ret = svff_qmp_return(reply, cmd, vm->name, err);
	free(reply);
	json_object_put(o);
	return ret;
}

int svff_vfio_state(json_object *ret, const char *alias, const char *vm,
		    char host[SVFF_ADDR_LEN], bool *released, size_t *n_released,
		    struct svff_error *err)
{
	json_object *f;

	host[0] = '\0';
	*released = false;
	*n_released = 0;
	if (!json_object_is_type(ret, json_type_array))
		return svff_err(err, -EPROTO, "unexpected answer to x-query-vfio from the QEMU of "
				"VM '%s'", vm);
	for (size_t i = 0; i < json_object_array_length(ret); i++) {
		json_object *d = json_object_array_get_idx(ret, i);
		bool rel = json_object_object_get_ex(d, "released", &f) && json_object_get_boolean(f);
		const char *id = json_object_object_get_ex(d, "id", &f) ? json_object_get_string(f)
									: NULL;
		*n_released += rel;
		if (id && !strcmp(id, alias)) {
			*released = rel;
			snprintf(host, SVFF_ADDR_LEN, "%s",
				 json_object_object_get_ex(d, "host", &f) ? json_object_get_string(f)
									  : "");
		}
	}
	return 0;
}

static int query(struct svff_vm *vm, const char *alias, char host[SVFF_ADDR_LEN],
		 bool *released, size_t *n_released, struct svff_error *err)
{
	json_object *ret = qmp(vm, "x-query-vfio", NULL, NULL, err);
	int rc = ret ? svff_vfio_state(ret, alias, vm->name, host, released, n_released, err)
		     : err->code ? err->code : -EIO;

	if (!ret) {
		host[0] = '\0';
		*released = false;
		*n_released = 0;
	}
	json_object_put(ret);
	return rc;
}

/* One of the two commands that change the device; when QEMU refuses it,
 * 1 if the device is as wanted already (released, or held at host), as
 * x-query-vfio says, else the refusal. */
static int change(struct svff_vm *vm, const char *cmd, const char *alias, const char *host,
		  struct svff_error *err)
{
	json_object *r = qmp(vm, cmd, alias, host, err);
	char now[SVFF_ADDR_LEN];
	bool rel = false;
	size_t nrel = 0;
	struct svff_error e = { 0 };

	if (r) {
		json_object_put(r);
		return 0;
	}
	if (query(vm, alias, now, &rel, &nrel, &e) == 0 && now[0] &&
	    (host ? !rel && !strcmp(now, host) : rel))
		return 1;
	return err->code ? err->code : -EIO;
}

int svff_qemu_release(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
		      struct svff_error *err)
{
	if (!svff_step(ctx, "qemu: x-vfio-pause %s of VM '%s' (release its host device)", alias,
		       vm->name))
		return 0;
	return change(vm, "x-vfio-pause", alias, NULL, err);
}

int svff_qemu_reacquire(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
			const char *host, struct svff_error *err)
{
	if (!svff_step(ctx, "qemu: x-vfio-resume %s of VM '%s' at %s (re-acquire)", alias,
		       vm->name, host))
		return 0;
	return change(vm, "x-vfio-resume", alias, host, err);
}

int svff_qemu_released(struct svff_vm *vm, const char *alias, bool *released,
		       size_t *n_released, struct svff_error *err)
{
	char host[SVFF_ADDR_LEN];

	return query(vm, alias, host, released, n_released, err);
}

int svff_qemu_notify(const struct svff_ctx *ctx, struct svff_vm *vm, const char *alias,
		     struct svff_error *err)
{
	if (!svff_step(ctx, "qemu: x-vfio-notify %s of VM '%s' (tell the guest its device was "
		       "reset)", alias, vm->name))
		return 1;
	json_object *r = qmp(vm, "x-vfio-notify", alias, NULL, err);
	json_object_put(r);
	return r ? 1 : err->code ? err->code : -EIO;
}
