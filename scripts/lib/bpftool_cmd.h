/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C helpers in scripts/lib/ that write maps through bpftool share:
 * bpftool command lines built from map bytes (the commands the README
 * shows, printed as they are with -n), run without a shell. Reading a pin
 * is scripts/lib/mapio.h's (libbpf), never bpftool's output parsed. The
 * including file defines helper_name (for messages) before it includes
 * this.
 */
#ifndef XDPKIT_BPFTOOL_CMD_H
#define XDPKIT_BPFTOOL_CMD_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define EXIT_BPFTOOL	EXIT_ENV	/* bpftool missing or failing: the environment */

/* argv grows as bytes are appended as "xx" hex words. */
struct args {
	char **v;
	size_t n, cap;
};

static inline void add(struct args *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v)
			die(EXIT_BPFTOOL, "out of memory", "argv");
	}
	a->v[a->n] = strdup(s);
	if (!a->v[a->n])
		die(EXIT_BPFTOOL, "out of memory", "argv");
	a->v[++a->n] = NULL;
}

static inline void add_hex(struct args *a, const void *p, size_t len)
{
	const uint8_t *b = p;
	char w[3];
	size_t i;

	add(a, "hex");
	for (i = 0; i < len; i++) {
		snprintf(w, sizeof(w), "%02x", b[i]);
		add(a, w);
	}
}

static inline void print_args(const struct args *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		printf(i ? " %s" : "%s", a->v[i]);
	putchar('\n');
}

/* Runs bpftool with a's words, no shell involved. Returns its exit status. */
static inline int run_bpftool(const struct args *a)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die(EXIT_BPFTOOL, "fork", strerror(errno));
	if (!pid) {
		execvp(a->v[0], a->v);
		fprintf(stderr, "%s: %s: %s\n", helper_name, a->v[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_BPFTOOL, "waitpid", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* bpftool map VERB pinned PIN, the rest to be added. */
static inline struct args bpftool(const char *verb, const char *pin)
{
	struct args a = { 0 };

	add(&a, "bpftool");
	add(&a, "map");
	add(&a, verb);
	add(&a, "pinned");
	add(&a, pin);
	return a;
}

#endif
