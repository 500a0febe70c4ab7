/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Default options of the sanitizer builds (build/asan: svff and the unit
 * tests), never of svff as installed. ASAN_OPTIONS in the environment
 * adds to them.
 *
 * intercept_tls_get_addr=0: GCC 12's sanitizer runtime (fixed in GCC 14
 * and LLVM 17) takes a dynamic TLS block whose address happens to end at
 * a given page offset for a pre-2.25 glibc header and reads the words
 * before it as an address and a length. svff's libvirt is dlopen'ed, so
 * its TLS is dynamic, and LeakSanitizer's tracer then died at exit now and
 * then ("Tracer caught signal 11", seen on the emulated host 2026-11-29),
 * failing a verb that had done its work, with no leak found.
 */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
	return "intercept_tls_get_addr=0";
}
