/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: libvirt domain XML read and built (lib/domxml.c).
 *
 * The input, cut at its first NUL, is a domain's XML as libvirt would
 * hand it over. svff_domxml_hostdevs and svff_domxml_find must not crash
 * or leak on it, and what they return must be canonical addresses that
 * agree with each other. Then a round trip: the hostdev XML svff builds
 * must read back as the same host and guest address, for an address
 * written in the input's first line ("HOST [GUEST]") and for one made
 * from its first bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "domxml.h"
#include "parse.h"

#define FIXED_VF "0000:01:00.1"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_domxml: invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
	abort(); } } while (0)

/* The library never prints: with XML_PARSE_NOERROR no message may reach
 * libxml2's generic handler (stderr, in svff). libxml2 2.9 did report an
 * encoding conversion error there (a declared encoding="UTF7" and bad
 * bytes) until domxml.c gave the encoding itself
 * (regress/domxml/stderr-utf7-conversion-error). */
static void on_generic_error(void *ctx, const char *msg, ...)
{
	va_list ap;
	(void)ctx;
	fprintf(stderr, "fuzz_domxml: libxml2 wrote to its generic error handler "
		"(stderr in svff): ");
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	return 0;
}

static bool is_canon(const char *a)
{
	char canon[SVFF_ADDR_LEN];
	return svff_parse_pci_addr(a, NULL, canon, NULL) == 0 && !strcmp(canon, a);
}

static void check_err(const struct svff_error *err, int rc)
{
	CHECK(rc < 0);
	CHECK(err->code == rc);
	CHECK(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	CHECK(err->msg[0] != '\0');
}

/* Arbitrary XML: no crash, no leak, sane and consistent results. */
static void fuzz_read(const char *xml)
{
	struct svff_hostdev *hds = NULL;
	struct svff_error err = { 0 };
	size_t n = 0;
	int want = 0;
	char want_guest[SVFF_ADDR_LEN] = "", guest[SVFF_ADDR_LEN];

	int rc = svff_domxml_hostdevs(xml, &hds, &n, &err);
	if (rc < 0) {
		check_err(&err, rc);
	} else {
		CHECK(hds != NULL);
		for (size_t i = 0; i < n; i++) {
			CHECK(is_canon(hds[i].host_addr));
			CHECK(hds[i].guest_addr[0] == '\0' || is_canon(hds[i].guest_addr));
			CHECK(memchr(hds[i].alias, '\0', sizeof(hds[i].alias)) != NULL);
			if (!want && !strcmp(hds[i].host_addr, FIXED_VF)) {
				want = 1;
				memcpy(want_guest, hds[i].guest_addr, SVFF_ADDR_LEN);
			}
		}
		free(hds);
	}

	memset(&err, 0, sizeof(err));
	memset(guest, 0x55, sizeof(guest));
	int found = svff_domxml_find(xml, FIXED_VF, guest, &err);
	if (rc < 0) {
		CHECK(found == rc);
		check_err(&err, found);
		return;
	}
	CHECK(found == want);
	if (found)
		CHECK(!strcmp(guest, want_guest));
	CHECK(svff_domxml_find(xml, FIXED_VF, NULL, NULL) == found);
}

/* Build the hostdev for host (and guest), put it in a domain, read it back. */
static void round_trip(const char *host, const char *guest)
{
	struct svff_error err = { 0 };
	char hcanon[SVFF_ADDR_LEN], gcanon[SVFF_ADDR_LEN] = "";
	char *hd = NULL, *doc = NULL;
	struct svff_hostdev *hds = NULL;
	size_t n = 0;

	bool host_ok = svff_parse_pci_addr(host, NULL, hcanon, NULL) == 0;
	bool guest_ok = !guest || !*guest || svff_parse_pci_addr(guest, NULL, gcanon, NULL) == 0;
	int rc = svff_hostdev_xml(host, guest, &hd, &err);
	if (rc < 0) {
		check_err(&err, rc);
		CHECK(rc == -EINVAL);
		CHECK(!host_ok || !guest_ok);
		return;
	}
	CHECK(host_ok && guest_ok);
	CHECK(hd != NULL && !strncmp(hd, "<hostdev ", 9));
	CHECK(asprintf(&doc, "<domain type='kvm'><devices>%s</devices></domain>", hd) > 0);
	rc = svff_domxml_hostdevs(doc, &hds, &n, &err);
	if (rc < 0 || n != 1) {
		fprintf(stderr, "fuzz_domxml: hostdev XML for '%s' '%s' does not read back "
			"(rc %d, %zu hostdevs, %s):\n%s", host, guest ? guest : "(null)",
			rc, n, err.msg, doc);
		abort();
	}
	CHECK(!strcmp(hds[0].host_addr, hcanon));
	CHECK(!strcmp(hds[0].guest_addr, gcanon));
	CHECK(hds[0].alias[0] == '\0');
	free(hds);
	char ga[SVFF_ADDR_LEN];
	CHECK(svff_domxml_find(doc, hcanon, ga, &err) == 1);
	CHECK(!strcmp(ga, gcanon));
	free(doc);
	free(hd);
}

/* "HOST" or "HOST GUEST" on the first line, each at most 15 bytes. */
static void round_trip_text(const char *s)
{
	char line[40], *guest;
	size_t len = strcspn(s, "\n");
	if (len >= sizeof(line))
		return;
	memcpy(line, s, len);
	line[len] = '\0';
	guest = strchr(line, ' ');
	if (guest)
		*guest++ = '\0';
	if (strlen(line) >= SVFF_ADDR_LEN || (guest && strlen(guest) >= SVFF_ADDR_LEN))
		return;
	round_trip(line, guest);
}

/* An address from raw bytes: every valid one is reachable. */
static void round_trip_bytes(const uint8_t *d, size_t size)
{
	struct svff_pci_addr h, g;
	char host[SVFF_ADDR_LEN], guest[SVFF_ADDR_LEN];
	if (size < 9)
		return;
	h = (struct svff_pci_addr){ d[0] | d[1] << 8, d[2], d[3] & 0x1f, d[4] & 7 };
	g = (struct svff_pci_addr){ d[5] | d[6] << 8, d[7], d[8] & 0x1f, (d[4] >> 3) & 7 };
	svff_format_pci_addr(&h, host);
	svff_format_pci_addr(&g, guest);
	round_trip(host, (d[4] & 0x80) ? NULL : guest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_read(s);
	round_trip_text(s);
	round_trip_bytes(data, size);
	free(s);
	return 0;
}
