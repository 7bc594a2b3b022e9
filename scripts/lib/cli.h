/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every C helper in scripts/lib/ answers its command line with: the exit
 * codes of the README (2 usage or bad input, 3 environment), one line on
 * stderr, and numbers read strictly. The including file defines
 * helper_name (for messages) before it includes this.
 */
#ifndef XDPKIT_CLI_H
#define XDPKIT_CLI_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE	2
#define EXIT_ENV	3

/* "helper: what: arg" (arg NULL: "helper: what"), then exit(code). */
static inline void die(int code, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", helper_name, what, arg ? ": " : "", arg ? arg : "");
	exit(code);
}

/* "helper: what: arg: the error err names", then exit(code). */
static inline void die_err(int code, const char *what, const char *arg, int err)
{
	fprintf(stderr, "%s: %s: %s: %s\n", helper_name, what, arg, strerror(err));
	exit(code);
}

/* s as a decimal number 0..max, or exit 2 with what and s. */
static inline unsigned long number(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		die(EXIT_USAGE, what, s);
	return v;
}

#endif
