/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the parsers for what users type (lib/parse.c).
 *
 * The input, cut at its first NUL, is one command-line argument. Each
 * parser must either reject it with a message or accept it and keep its
 * promise: a canonical PCI address that parses back to itself, a number
 * within [0, max], a VM name that is safe in a path and a libvirt call.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_args: invariant failed: %s (%s:%d) on '%s'\n", \
		#cond, __FILE__, __LINE__, s); \
	abort(); } } while (0)

static void check_err(const char *s, const struct svff_error *err, int rc)
{
	CHECK(rc < 0);
	CHECK(err->code == rc);
	CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	CHECK(err->msg[0] != '\0');
}

static bool is_canon_addr(const char *a)
{
	static const char form[] = "hhhh:hh:hh.h";
	if (strlen(a) != 12)
		return false;
	for (int i = 0; i < 12; i++) {
		if (form[i] == 'h' ? !(isdigit((unsigned char)a[i]) ||
				       (a[i] >= 'a' && a[i] <= 'f'))
				   : a[i] != form[i])
			return false;
	}
	return true;
}

static void fuzz_pci_addr(const char *s)
{
	struct svff_pci_addr a, b;
	struct svff_error err = { 0 };
	char canon[SVFF_ADDR_LEN], canon2[SVFF_ADDR_LEN], fmt[SVFF_ADDR_LEN];

	memset(canon, 0x55, sizeof(canon));
	int rc = svff_parse_pci_addr(s, &a, canon, &err);
	if (rc < 0) {
		check_err(s, &err, rc);
		CHECK(rc == -EINVAL);
		return;
	}
	size_t len = strlen(s);
	CHECK(rc == 0);
	CHECK(len == 12 || len == 7);
	CHECK(a.domain <= 0xffff && a.bus <= 0xff && a.dev <= 0x1f && a.fn <= 7);
	CHECK(is_canon_addr(canon));
	svff_format_pci_addr(&a, fmt);
	CHECK(!strcmp(fmt, canon));
	/* the canonical form is the input in lower case, domain 0 added */
	for (size_t i = 0; i < len; i++)
		CHECK(canon[12 - len + i] == tolower((unsigned char)s[i]));
	if (len == 7)
		CHECK(!strncmp(canon, "0000:", 5));
	/* idempotent */
	CHECK(svff_parse_pci_addr(canon, &b, canon2, NULL) == 0);
	CHECK(!memcmp(&a, &b, sizeof(a)));
	CHECK(!strcmp(canon, canon2));
	/* NULL outputs and NULL err are allowed */
	CHECK(svff_parse_pci_addr(s, NULL, NULL, NULL) == 0);
}

static void fuzz_vf(const char *s)
{
	struct svff_vf_ref ref;
	struct svff_error err = { 0 };
	char canon[SVFF_ADDR_LEN];

	memset(&ref, 0x55, sizeof(ref));
	int rc = svff_parse_vf(s, &ref, &err);
	bool looks = svff_looks_like_vf(s);
	if (rc < 0) {
		check_err(s, &err, rc);
		CHECK(rc == -EINVAL || rc == -ERANGE);
		/* what looks like a VF and is refused is an index out of range,
		 * never an address form (it was: "vf3b:00.0") */
		if (looks) {
			const char *num = strncmp(s, "vf", 2) ? s : s + 2;
			CHECK(*num && strspn(num, "0123456789") == strlen(num));
		}
		return;
	}
	CHECK(rc == 0);
	/* what parses as a VF is taken for one by the commands */
	CHECK(looks);
	if (ref.by_addr) {
		CHECK(svff_parse_pci_addr(s, NULL, canon, NULL) == 0);
		CHECK(!strcmp(canon, ref.addr));
	} else {
		const char *num = strncmp(s, "vf", 2) ? s : s + 2;
		CHECK(*num && strspn(num, "0123456789") == strlen(num));
		CHECK(strlen(num) <= 10);
		CHECK(ref.index <= 65535);
		CHECK(strtoul(num, NULL, 10) == ref.index);
	}
}

static void fuzz_uint(const char *s, unsigned int max)
{
	struct svff_error err = { 0 };
	unsigned int v = 0xdeadbeef;

	int rc = svff_parse_uint(s, max, "count", &v, &err);
	if (rc < 0) {
		check_err(s, &err, rc);
		CHECK(rc == -EINVAL || rc == -ERANGE);
		CHECK(v == 0xdeadbeef);   /* untouched on failure */
		return;
	}
	size_t len = strlen(s);
	CHECK(rc == 0);
	CHECK(v <= max);
	CHECK(len >= 1 && len <= 10 && strspn(s, "0123456789") == len);
	CHECK(strtoull(s, NULL, 10) == v);
}

static void fuzz_vm_name(const char *s)
{
	struct svff_error err = { 0 };

	int rc = svff_check_vm_name(s, &err);
	if (rc < 0) {
		check_err(s, &err, rc);
		CHECK(rc == -EINVAL || rc == -ENAMETOOLONG);
		return;
	}
	size_t len = strlen(s);
	CHECK(rc == 0);
	CHECK(len > 0 && len < SVFF_VM_NAME_LEN);
	for (size_t i = 0; i < len; i++)
		CHECK(s[i] != '/' && !iscntrl((unsigned char)s[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int maxes[] = { 0, 1, 7, 10, 255, 2048, 65535, 99999, INT_MAX, UINT_MAX };
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_pci_addr(s);
	fuzz_vf(s);
	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++)
		fuzz_uint(s, maxes[i]);
	/* and a max taken from the input itself */
	if (size >= 4) {
		unsigned int m;
		memcpy(&m, data + size - 4, sizeof(m));
		fuzz_uint(s, m);
	}
	fuzz_vm_name(s);
	free(s);
	return 0;
}
