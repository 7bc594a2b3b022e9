/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every header in maps/ shares: the byte-order rule, and the checks
 * that hold each struct to the layout maps/README.md gives it.
 *
 * Byte-order rule (the one statement of it; everything else points here):
 * what is copied from or compared with the wire (addresses, echo
 * identifier, sequence numbers) stays in network byte order (__be16,
 * __u8[]); what we count or measure (counts, lengths, times, ifindex,
 * VLAN ids, prefix lengths) is in host byte order.
 *
 * Each header checks its structs right under them, in BPF and user space
 * alike: the size, and the offset of every field after the first (at 0 by
 * C's rule). A field moved, resized or added fails the build of every
 * object and helper that includes it; tests/maps_readme.bats holds
 * maps/README.md to the BTF of the built objects.
 */
#ifndef XDPKIT_MAPS_LAYOUT_H
#define XDPKIT_MAPS_LAYOUT_H

/* __builtin_offsetof: <stddef.h> is the compiler's, not a UAPI header,
 * and BPF sources read only UAPI and libbpf headers (tests/lint.bats). */
#define MAPS_SIZE(s, n) \
	_Static_assert(sizeof(struct s) == (n), "struct " #s " is not " #n " bytes")
#define MAPS_AT(s, f, n) \
	_Static_assert(__builtin_offsetof(struct s, f) == (n), #s "." #f " is not at " #n)

#endif
