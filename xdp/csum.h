/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Incremental Internet checksum update (RFC 1624, eqn. 3):
 * HC' = ~(~HC + ~m + m'). One's complement sums do not depend on byte
 * order, so the 16-bit words are used exactly as they sit in the frame.
 */
#ifndef XDPKIT_CSUM_H
#define XDPKIT_CSUM_H

#include <linux/types.h>

/* The 16-bit word at p, read without type punning (strict aliasing would
 * let the compiler reuse a stale value after a byte of it changed). */
static __always_inline __u16 word_at(const void *p)
{
	__u16 w;

	__builtin_memcpy(&w, p, sizeof(w));
	return w;
}

/* ~ of a 32-bit one's complement sum folded to 16 bits (two folds hold
 * for the few words summed here). */
static __always_inline __sum16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__sum16)~sum;
}

/* One 16-bit word of the checksummed data changed from from to to (the
 * kernel's csum_replace2(): 2 bytes). */
static __always_inline void csum_replace2(__sum16 *check, __u16 from, __u16 to)
{
	*check = csum_fold32((__u32)(__u16)~*check + (__u16)~from + to);
}

/* Two words changed at once: csum_replace2() twice, one fold instead of two. */
static __always_inline void csum_replace2x2(__sum16 *check, __u16 from1, __u16 to1,
					     __u16 from2, __u16 to2)
{
	*check = csum_fold32((__u32)(__u16)~*check + (__u16)~from1 + to1 + (__u16)~from2 + to2);
}

#endif
