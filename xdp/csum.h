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

static __always_inline void csum_replace16(__sum16 *check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~*check;

	sum += (__u16)~from;
	sum += to;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*check = (__sum16)~sum;
}

/* The same for two words changed at once: one fold instead of two. */
static __always_inline void csum_replace2x16(__sum16 *check, __u16 from1, __u16 to1,
					     __u16 from2, __u16 to2)
{
	__u32 sum = (__u16)~*check;

	sum += (__u16)~from1;
	sum += to1;
	sum += (__u16)~from2;
	sum += to2;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*check = (__sum16)~sum;
}

#endif
