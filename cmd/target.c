/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>

#include "cmd.h"
#include "session.h"
#include "target.h"

static int parse_one(const char *a, bool vf_only, struct svff_target *t, struct svff_error *err)
{
	int rc;
	t->arg = a;
	t->is_vf = vf_only || svff_looks_like_vf(a);
	rc = t->is_vf ? svff_parse_vf(a, &t->vf, err) : svff_check_vm_name(a, err);
	return rc < 0 ? svff_err_kind(err, SVFF_ERR_USAGE, rc) : 0;
}

int svff_targets_parse(enum svff_targets_form form, int argc, char **argv,
		       struct svff_targets *out, struct svff_error *err)
{
	int first = 0, rc;

	*out = (struct svff_targets){ 0 };
	if (form == SVFF_TARGETS_NONE || argc == 0)
		return 0;
	if (form == SVFF_TARGETS_COUNT) {
		out->has_count = true;
		rc = svff_parse_uint(argv[0], 65535, "VF count", &out->count, err);
		return rc < 0 ? svff_err_kind(err, SVFF_ERR_USAGE, rc) : 0;
	}
	/* VM [VF...]: the first is a VM, unless detach's VF stands alone */
	if (form == SVFF_TARGETS_VM_VFS ||
	    (form == SVFF_TARGETS_VM_VFS_OR_VF && (argc > 1 || !svff_looks_like_vf(argv[0])))) {
		rc = svff_check_vm_name(argv[0], err);
		if (rc < 0)
			return svff_err_kind(err, SVFF_ERR_USAGE, rc);
		out->vm = argv[0];
		first = 1;
	}
	out->t = calloc((size_t)argc, sizeof(*out->t));
	if (!out->t)
		return svff_err(err, -ENOMEM, "out of memory");
	for (int i = first; i < argc; i++) {
		rc = parse_one(argv[i], form != SVFF_TARGETS_ANY, &out->t[out->n++], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void svff_targets_clear(struct svff_targets *t)
{
	if (!t)
		return;
	free(t->t);
	*t = (struct svff_targets){ 0 };
}

int svff_target_index(struct svff_session *s, const struct svff_target *t, bool live,
		      unsigned int *out, struct svff_error *err)
{
	if (!t->vf.by_addr && !live) {
		*out = t->vf.index;
		return 0;
	}
	const struct svff_vf_info *vf = svff_pf_vf(&s->info, &t->vf);
	if (!vf && live)
		return svff_err(err, -ENODEV, "no VF '%s' on %s (it has %zu VFs)", t->arg, s->pf,
				s->info.n_vfs);
	if (!vf)
		return svff_err(err, -ENODEV, "no VF '%s' on %s", t->arg, s->pf);
	*out = vf->index;
	return 0;
}

static void add_once(unsigned int *vfs, size_t *n, unsigned int vf)
{
	for (size_t j = 0; j < *n; j++)
		if (vfs[j] == vf)
			return;
	vfs[(*n)++] = vf;
}

/* Append the VFs vm has claimed on the session's PF; fails when none. */
static int vm_vfs(struct svff_session *s, const char *vm, unsigned int *vfs, size_t *n,
		  struct svff_error *err)
{
	const struct svff_pf_state *ps = svff_session_pf(s);
	size_t before = *n;

	for (size_t i = 0; i < ps->n_claims; i++)
		if (svff_claim_of(ps->claims[i], vm))
			add_once(vfs, n, ps->claims[i]->vf);
	if (*n == before)
		return svff_err(err, -ENOENT, "VM '%s' holds no VF of %s", vm, s->pf);
	return 0;
}

static int claimed_vf(const struct svff_targets *tg, struct svff_session *s,
		      const struct svff_target *t, const char *unclaimed, unsigned int *out,
		      struct svff_error *err)
{
	int rc = svff_target_index(s, t, false, out, err);
	if (rc < 0)
		return rc;
	const struct svff_claim *c = svff_state_claim(svff_session_pf(s), *out);
	if (!c)
		return svff_err(err, -ENOENT, "vf%u of %s is not %s any VM", *out, s->pf, unclaimed);
	if (tg->vm && !svff_claim_of(c, tg->vm))
		return svff_err(err, -EPERM, "vf%u is held by VM '%s', not '%s'", *out, c->vm_name,
				tg->vm);
	return 0;
}

int svff_targets_claimed(const struct svff_targets *tg, struct svff_session *s,
			 const char *unclaimed, unsigned int **vfs, size_t *n,
			 struct svff_error *err)
{
	int rc = 0;

	*n = 0;
	*vfs = calloc(svff_session_pf(s)->n_claims + tg->n + 1, sizeof(**vfs));
	if (!*vfs)
		return svff_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < tg->n; i++) {
		unsigned int idx;
		if (!tg->t[i].is_vf)
			rc = vm_vfs(s, tg->t[i].arg, *vfs, n, err);
		else if ((rc = claimed_vf(tg, s, &tg->t[i], unclaimed, &idx, err)) == 0)
			add_once(*vfs, n, idx);
	}
	if (rc == 0 && *n == 0 && tg->vm)
		rc = vm_vfs(s, tg->vm, *vfs, n, err);
	return rc;
}
