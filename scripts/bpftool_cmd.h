/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C helpers in scripts/ share: bpftool command lines built from
 * map bytes, run without a shell, and the raw bytes read back from
 * bpftool's JSON. The including file defines helper_name (for messages)
 * before it includes this.
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

#define EXIT_USAGE	2
#define EXIT_BPFTOOL	3


static inline void die(int code, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s: %s\n", helper_name, what, arg);
	exit(code);
}

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

/*
 * Runs bpftool with a's words, no shell involved. With out set, its
 * stdout is collected there (NUL terminated). Returns its exit status.
 */
static inline int run_bpftool(const struct args *a, char **out)
{
	size_t len = 0, cap = 0;
	int fd[2], status;
	char *buf = NULL;
	ssize_t r;
	pid_t pid;

	if (out && pipe(fd))
		die(EXIT_BPFTOOL, "pipe", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die(EXIT_BPFTOOL, "fork", strerror(errno));
	if (!pid) {
		if (out) {
			dup2(fd[1], 1);
			close(fd[0]);
			close(fd[1]);
		}
		execvp(a->v[0], a->v);
		fprintf(stderr, "%s: %s: %s\n", helper_name, a->v[0], strerror(errno));
		_exit(127);
	}
	if (out) {
		close(fd[1]);
		for (;;) {
			if (len + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 65536;
				buf = realloc(buf, cap);
				if (!buf)
					die(EXIT_BPFTOOL, "out of memory", "bpftool output");
			}
			r = read(fd[0], buf + len, cap - len - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			len += r;
		}
		close(fd[0]);
		buf[len] = '\0';
		*out = buf;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_BPFTOOL, "waitpid", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static inline struct args bpftool(const char *json, const char *verb, const char *pin)
{
	struct args a = { 0 };

	add(&a, "bpftool");
	if (json)
		add(&a, json);
	add(&a, "map");
	add(&a, verb);
	add(&a, "pinned");
	add(&a, pin);
	return a;
}

/*
 * bpftool -j prints raw bytes as "name":["0x01","0x02",...]. Finds the
 * next such array named name at or after *p, fills out with up to max
 * bytes, and returns how many were there (-1 when there is none).
 */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline long hex_array(const char **p, const char *name, uint8_t *out, size_t max)
{
	char pat[32];
	const char *s;
	long n = 0;
	int hi, lo;

	snprintf(pat, sizeof(pat), "\"%s\":", name);
	for (s = strstr(*p, pat); s; s = strstr(s + 1, pat)) {
		const char *q = s + strlen(pat);

		while (*q == ' ')
			q++;
		if (q[0] == '[' && q[1] == '"') {
			s = q + 1;
			break;
		}
	}
	if (!s)
		return -1;
	/* "0xNN" words by hand: sscanf() would measure the whole remaining
	 * output on every call, quadratic over a dump of 65536 entries. */
	while (s[0] == '"' && s[1] == '0' && s[2] == 'x' && (hi = hex_digit(s[3])) >= 0 &&
	       (lo = hex_digit(s[4])) >= 0 && s[5] == '"') {
		if ((size_t)n < max)
			out[n] = hi << 4 | lo;
		n++;
		s += 6;
		while (*s == ',' || *s == ' ')
			s++;
	}
	*p = s;
	return n;
}

#endif
