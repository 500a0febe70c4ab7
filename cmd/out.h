/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output of a command, in the style of iproute2's json_print: under
 * -j one document, {"schema": 1, <the command's fields>, "ok", "error"},
 * opened by main before the command runs and printed by main after it,
 * failed or not, with one set of json-c flags; else text lines. Each
 * svff_print_* call takes both forms of a value: the key for the
 * document, the format for the text (NULL: JSON only). Without -j the
 * JSON calls do nothing; under -j the text does not print, and under -q
 * svff_say does not either (a table asked for still prints).
 */
#ifndef SVFF_CMD_OUT_H
#define SVFF_CMD_OUT_H

#include <stdbool.h>

#include "svff.h"

struct json_object;
struct svff_inv;

#define SVFF_OUT_SCHEMA 1
#define SVFF_OUT_DEPTH 8

struct svff_out {
	struct json_object *doc;                  /* NULL without -j */
	struct json_object *open[SVFF_OUT_DEPTH]; /* open[depth]: where fields go */
	int depth;
	bool text;                                /* no -j: text prints */
	bool quiet;                               /* -q: svff_say does not */
};

/* main: the document, before the command runs, and at its end. */
void svff_out_begin(struct svff_out *o, bool json, bool quiet);
/* Adds "dry_run", "ok" and "error" (the message, or null) and prints the
 * document. */
void svff_out_end(struct svff_out *o, bool dry_run, int rc, const struct svff_error *err);

/* Nested values: an array under key (the one there already, if any), an
 * object under key (NULL inside an array); close returns to the enclosing
 * one. */
void svff_out_open_array(struct svff_inv *inv, const char *key);
void svff_out_open_object(struct svff_inv *inv, const char *key);
void svff_out_close(struct svff_inv *inv);

/* A value: under key in the document (in an array: an element, key NULL),
 * through fmt in the text (one conversion; NULL: none). A NULL or ""
 * string is null in the document and "-" in the text. */
void svff_print_str(struct svff_inv *inv, const char *key, const char *fmt, const char *v);
void svff_print_uint(struct svff_inv *inv, const char *key, const char *fmt, unsigned int v);
void svff_print_int(struct svff_inv *inv, const char *key, const char *fmt, int v);
void svff_print_bool(struct svff_inv *inv, const char *key, const char *text_if_true, bool v);
void svff_print_double(struct svff_inv *inv, const char *key, const char *fmt, double v);
/* As svff_print_str, but a NULL or "" string says nothing in the text (a
 * note, a problem: absent when all is well). */
void svff_print_note(struct svff_inv *inv, const char *key, const char *fmt, const char *v);
/* null in the document; nothing in the text */
void svff_print_null(struct svff_inv *inv, const char *key);

/* A whole text line (unless -q or -j): messages that have no JSON form,
 * or whose fields the command printed with svff_print_* fmt NULL. */
void svff_say(const struct svff_inv *inv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Text as it is, no newline added (table cells). */
void svff_text(const struct svff_inv *inv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
