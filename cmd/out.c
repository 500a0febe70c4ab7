/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cmd.h"

/* One set of flags for every document svff prints. */
#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		    JSON_C_TO_STRING_NOSLASHESCAPE)

void svff_out_begin(struct svff_out *o, bool json, bool quiet)
{
	*o = (struct svff_out){ .text = !json, .quiet = quiet };
	if (!json)
		return;
	o->doc = json_object_new_object();
	o->open[0] = o->doc;
	json_object_object_add(o->doc, "schema", json_object_new_int(SVFF_OUT_SCHEMA));
}

void svff_out_end(struct svff_out *o, bool dry_run, int rc, const struct svff_error *err)
{
	if (!o->doc)
		return;
	json_object_object_add(o->doc, "dry_run", json_object_new_boolean(dry_run));
	json_object_object_add(o->doc, "ok", json_object_new_boolean(rc >= 0));
	json_object_object_add(o->doc, "error", rc < 0 ? json_object_new_string(
				       err->msg[0] ? err->msg : "unknown error") : NULL);
	puts(json_object_to_json_string_ext(o->doc, JSON_FLAGS));
	json_object_put(o->doc);
	o->doc = NULL;
}

/* Add v under key to what is open: an array takes it whatever the key,
 * an object only under one. v is taken. */
static void add(struct svff_out *o, const char *key, json_object *v)
{
	json_object *at = o->open[o->depth];
	if (json_object_is_type(at, json_type_array))
		json_object_array_add(at, v);
	else if (key)
		json_object_object_add(at, key, v);
	else
		json_object_put(v);
}

static void open_one(struct svff_inv *inv, const char *key, json_object *v)
{
	struct svff_out *o = &inv->out;
	if (!o->doc)
		return;
	add(o, key, v);
	if (o->depth + 1 < SVFF_OUT_DEPTH)
		o->open[++o->depth] = v;
}

void svff_out_open_array(struct svff_inv *inv, const char *key)
{
	struct svff_out *o = &inv->out;
	json_object *had = NULL;
	if (!o->doc)
		return;
	/* an array opened again (a command that loops) goes on where it was */
	if (key && json_object_object_get_ex(o->open[o->depth], key, &had) &&
	    json_object_is_type(had, json_type_array) && o->depth + 1 < SVFF_OUT_DEPTH) {
		o->open[++o->depth] = had;
		return;
	}
	open_one(inv, key, json_object_new_array());
}

void svff_out_open_object(struct svff_inv *inv, const char *key)
{
	if (inv->out.doc)
		open_one(inv, key, json_object_new_object());
}

void svff_out_close(struct svff_inv *inv)
{
	if (inv->out.doc && inv->out.depth > 0)
		inv->out.depth--;
}

static void __attribute__((format(printf, 2, 0))) vtext(const struct svff_inv *inv,
							 const char *fmt, va_list ap)
{
	if (inv->out.text && fmt)
		vprintf(fmt, ap);
}

void svff_text(const struct svff_inv *inv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vtext(inv, fmt, ap);
	va_end(ap);
}

void svff_say(const struct svff_inv *inv, const char *fmt, ...)
{
	va_list ap;
	if (!inv->out.text || inv->out.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A value both ways: json (made only under -j) under key, and text through
 * fmt, the caller's, with one conversion that matches it. */
#define PRINT_ANY(inv, key, json, fmt, tv) do {			\
		const char *f_ = (fmt);					\
		if ((inv)->out.doc)					\
			add(&(inv)->out, (key), (json));		\
		if ((inv)->out.text && f_)				\
			printf(f_, (tv));				\
	} while (0)

void svff_print_str(struct svff_inv *inv, const char *key, const char *fmt, const char *v)
{
	bool none = !v || !*v;
	PRINT_ANY(inv, key, none ? NULL : json_object_new_string(v), fmt, none ? "-" : v);
}

void svff_print_note(struct svff_inv *inv, const char *key, const char *fmt, const char *v)
{
	bool none = !v || !*v;
	PRINT_ANY(inv, key, none ? NULL : json_object_new_string(v), none ? NULL : fmt, v);
}

void svff_print_uint(struct svff_inv *inv, const char *key, const char *fmt, unsigned int v)
{
	PRINT_ANY(inv, key, json_object_new_int64(v), fmt, v);
}

void svff_print_int(struct svff_inv *inv, const char *key, const char *fmt, int v)
{
	PRINT_ANY(inv, key, json_object_new_int(v), fmt, v);
}

void svff_print_double(struct svff_inv *inv, const char *key, const char *fmt, double v)
{
	PRINT_ANY(inv, key, json_object_new_double(v), fmt, v);
}

void svff_print_bool(struct svff_inv *inv, const char *key, const char *text_if_true, bool v)
{
	PRINT_ANY(inv, key, json_object_new_boolean(v), text_if_true ? "%s" : NULL,
		  v ? text_if_true : "");
}

void svff_print_null(struct svff_inv *inv, const char *key)
{
	if (inv->out.doc)
		add(&inv->out, key, NULL);
}
