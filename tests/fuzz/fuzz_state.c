/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the state file parser (lib/state.c).
 *
 * Any bytes may be handed to svff_state_parse (a corrupt or hostile
 * /run/svff/state); it must fail cleanly or give a state that formats,
 * and what it formats must parse again and format to the same text
 * (round-trip stability). Every failure leaves a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_state: invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
	abort(); } } while (0)

static void check_err(const struct svff_error *err, int rc)
{
	CHECK(rc < 0);
	CHECK(err->code == rc);
	CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	CHECK(err->msg[0] != '\0');
}

/* What a parsed state promises its users (view.c, session.c, ...). */
static void check_state(const struct svff_state *st)
{
	CHECK(st->schema >= 1 && st->schema <= SVFF_STATE_SCHEMA);  /* older ones are read */
	for (size_t i = 0; i < st->n_pfs; i++) {
		const struct svff_pf_state *pf = &st->pfs[i];
		CHECK(strlen(pf->addr) == 12);
		CHECK(pf->saved_autoprobe >= -1 && pf->saved_autoprobe <= 1);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(st->pfs[j].addr, pf->addr) != 0);
		for (size_t j = 0; j < pf->n_claims; j++) {
			const struct svff_claim *c = pf->claims[j];
			CHECK(c->state == SVFF_VF_ATTACHED || c->state == SVFF_VF_PAUSED);
			CHECK(c->vm_name[0] != '\0');
			CHECK(memchr(c->vm_name, '\0', sizeof(c->vm_name)) != NULL);
			CHECK(memchr(c->vm_uuid, '\0', sizeof(c->vm_uuid)) != NULL);
			CHECK(c->guest_addr[0] == '\0' || strlen(c->guest_addr) == 12);
			if (j > 0)   /* sorted, no duplicates */
				CHECK(pf->claims[j - 1]->vf < c->vf);
		}
		for (size_t j = 1; j < pf->n_res; j++)   /* sorted, one entry a VF */
			CHECK(pf->res[j - 1].vf < pf->res[j].vf);
	}
	if (st->op) {
		CHECK(st->op->verb[0] != '\0');
		CHECK(strlen(st->op->pf) == 12);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svff_state *st = NULL, *st2 = NULL;
	struct svff_error err = { 0 };
	char *t1 = NULL, *t2 = NULL;

	int rc = svff_state_parse((const char *)data, size, &st, &err);
	if (rc < 0) {
		check_err(&err, rc);
		CHECK(st == NULL);
		return 0;
	}
	CHECK(st != NULL);
	check_state(st);

	CHECK(svff_state_format(st, &t1) == 0);
	memset(&err, 0, sizeof(err));
	rc = svff_state_parse(t1, strlen(t1), &st2, &err);
	if (rc < 0) {
		fprintf(stderr, "fuzz_state: svff's own output does not parse: %s\n%s", err.msg, t1);
		abort();
	}
	check_state(st2);
	CHECK(st2->n_pfs == st->n_pfs);
	CHECK((st2->op == NULL) == (st->op == NULL));
	CHECK(svff_state_format(st2, &t2) == 0);
	if (strcmp(t1, t2)) {
		fprintf(stderr, "fuzz_state: format is not stable:\n--- first\n%s--- second\n%s", t1, t2);
		abort();
	}
	free(t1);
	free(t2);
	svff_state_free(st);
	svff_state_free(st2);
	return 0;
}
