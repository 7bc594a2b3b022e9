/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <linux/icmp.h> -> <linux/if.h> -> <sys/socket.h>: the UAPI header wants
 * only struct sockaddr from glibc. Given here, for the reference build
 * alone, so that glibc (and its gnu/stubs-32.h) is never reached.
 */
#ifndef XDPKIT_REF_SYS_SOCKET_H
#define XDPKIT_REF_SYS_SOCKET_H
#include <linux/socket.h>
struct sockaddr {
	__kernel_sa_family_t sa_family;
	char sa_data[14];
};
#endif
