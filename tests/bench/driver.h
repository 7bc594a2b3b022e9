/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the bench drivers (xdpbench, srcfilterbench) share: one-line
 * errors prefixed with the driver's name, numbers from the command line,
 * and the "V NAME UNIT VALUE" lines bench.sh collects. The includer
 * defines DRIVER_NAME first.
 */
#ifndef XDPKIT_BENCH_DRIVER_H
#define XDPKIT_BENCH_DRIVER_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit 1: a measurement failed. */
static void die(const char *what, int err)
{
	fprintf(stderr, DRIVER_NAME ": %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void fail(const char *what)
{
	fprintf(stderr, DRIVER_NAME ": %s\n", what);
	exit(1);
}

/* S as a number from MIN to MAX, or exit 2 (bad command line). */
static unsigned long num(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, DRIVER_NAME ": '%s' is not a number from %lu to %lu\n", s, min, max);
		exit(2);
	}
	return v;
}

/* One figure of one round. */
static void put(const char *name, const char *unit, double v)
{
	printf("V %s %s %.3f\n", name, unit, v);
	fflush(stdout);
}

#endif
