/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domxml.h"
#include "fakesys.h"

/* Shaped like `virsh dumpxml` of a q35 domain with two hostdevs. */
static const char live[] =
	"<domain type='qemu' id='3'>\n"
	"  <name>vm1</name>\n"
	"  <devices>\n"
	"    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	"    <hostdev mode='subsystem' type='pci' managed='no'>\n"
	"      <driver name='vfio'/>\n"
	"      <source>\n"
	"        <address domain='0x0000' bus='0x01' slot='0x00' function='0x3'/>\n"
	"      </source>\n"
	"      <alias name='hostdev0'/>\n"
	"      <address type='pci' domain='0x0000' bus='0x07' slot='0x00' function='0x0'/>\n"
	"    </hostdev>\n"
	"    <hostdev mode='subsystem' type='pci' managed='no'>\n"
	"      <source>\n"
	"        <address domain='0x0000' bus='0x01' slot='0x01' function='0x2'/>\n"
	"      </source>\n"
	"    </hostdev>\n"
	"    <hostdev mode='subsystem' type='usb'>\n"
	"      <source><vendor id='0x1234'/><product id='0xbeef'/></source>\n"
	"    </hostdev>\n"
	"  </devices>\n"
	"</domain>\n";

START_TEST(find_guest_addresses)
{
	char ga[SVFF_ADDR_LEN];
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_domxml_find(live, "0000:01:00.3", ga, &err), 1);
	ck_assert_str_eq(ga, "0000:07:00.0");
	ck_assert_int_eq(svff_domxml_find(live, "0000:01:01.2", ga, &err), 1);
	ck_assert_str_eq(ga, "");                /* no guest address yet */
	ck_assert_int_eq(svff_domxml_find(live, "0000:01:00.4", ga, &err), 0);
}
END_TEST

START_TEST(list_hostdevs_skips_non_pci)
{
	struct svff_hostdev *hds;
	size_t n;
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_domxml_hostdevs(live, &hds, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(hds[0].host_addr, "0000:01:00.3");
	ck_assert_str_eq(hds[1].host_addr, "0000:01:01.2");
	ck_assert_str_eq(hds[0].alias, "hostdev0");
	ck_assert_str_eq(hds[1].alias, "");
	free(hds);
	ck_assert_int_eq(svff_domxml_hostdevs("<domain/>", &hds, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(hds);
}
END_TEST

START_TEST(bad_xml)
{
	struct svff_hostdev *hds;
	size_t n;
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_domxml_hostdevs("<domain><devices>", &hds, &n, &err), -EBADMSG);
	ck_assert_str_eq(err.msg, "cannot parse domain XML");
	ck_assert_int_eq(svff_domxml_hostdevs("", &hds, &n, &err), -EBADMSG);
	/* an address out of range is not ours, not a crash */
	ck_assert_int_eq(svff_domxml_find("<domain><devices><hostdev type='pci'><source>"
					  "<address domain='0x0' bus='0x100' slot='0' function='0'/>"
					  "</source></hostdev></devices></domain>",
					  "0000:00:00.0", NULL, &err), 0);
	/* external entities are never fetched */
	ck_assert_int_eq(svff_domxml_find("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
					  "<domain>&x;</domain>", "0000:00:00.0", NULL, &err), 0);
}
END_TEST

/* Found by fuzz_domxml: libxml2 reported an encoding error on stderr
 * despite XML_PARSE_NOERROR; the library must never print. */
START_TEST(bad_encoding_is_silent)
{
	static const char xml[] = "<?xml encoding=\"UTF7\"\xbb";
	struct svff_hostdev *hds;
	size_t n;
	struct svff_error err = { 0 };
	char path[] = "/tmp/svff-stderr-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct stat sb;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	dup2(fd, 2);
	int rc = svff_domxml_hostdevs(xml, &hds, &n, &err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	close(fd);
	unlink(path);
	ck_assert_int_eq(rc, -EBADMSG);
	ck_assert_int_eq(sb.st_size, 0);
}
END_TEST

START_TEST(build_hostdev)
{
	char *xml = NULL;
	struct svff_error err = { 0 };
	ck_assert_int_eq(svff_hostdev_xml("0000:01:00.3", NULL, &xml, &err), 0);
	ck_assert_str_eq(xml,
		"<hostdev mode=\"subsystem\" type=\"pci\" managed=\"no\">\n"
		"  <source>\n"
		"    <address domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" function=\"0x3\"/>\n"
		"  </source>\n"
		"</hostdev>\n");
	free(xml);
	ck_assert_int_eq(svff_hostdev_xml("0000:01:00.3", "0000:07:00.0", &xml, &err), 0);
	ck_assert_ptr_nonnull(strstr(xml, "<address type=\"pci\" domain=\"0x0000\" bus=\"0x07\" "
					  "slot=\"0x00\" function=\"0x0\"/>"));
	/* round trip: what we build, we read back */
	char doc[1024], ga[SVFF_ADDR_LEN];
	snprintf(doc, sizeof(doc), "<domain><devices>%s</devices></domain>", xml);
	ck_assert_int_eq(svff_domxml_find(doc, "0000:01:00.3", ga, &err), 1);
	ck_assert_str_eq(ga, "0000:07:00.0");
	free(xml);
	ck_assert_int_eq(svff_hostdev_xml("1:00.3'/><evil", NULL, &xml, &err), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("domxml");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, find_guest_addresses);
	tcase_add_test(tc, list_hostdevs_skips_non_pci);
	tcase_add_test(tc, bad_encoding_is_silent);
	tcase_add_test(tc, bad_xml);
	tcase_add_test(tc, build_hostdev);
	suite_add_tcase(s, tc);
	return fakesys_run_suite(s);
}
