/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference (the kernel selftest's progs/xdping_kern.c) includes
 * <string.h> for memcpy, which clang lowers to a builtin under -target bpf.
 * glibc's own string.h would pull in gnu/stubs-32.h, which a fresh Debian
 * amd64 machine does not have; the bench builds only the reference with
 * this directory first on its include path.
 */
#ifndef XDPKIT_REF_STRING_H
#define XDPKIT_REF_STRING_H
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#endif
