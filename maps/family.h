/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address families as every map in maps/ stores them: the IP version
 * number, the same in BPF and in user space.
 */
#ifndef XDPKIT_MAPS_FAMILY_H
#define XDPKIT_MAPS_FAMILY_H

#define XDPKIT_FAMILY_IPV4	4
#define XDPKIT_FAMILY_IPV6	6

#endif
