/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A metrics file in the Prometheus text exposition format (version 0.0.4),
 * for node_exporter's textfile collector, written the one safe way: a
 * temporary file in the same directory (".NAME.XXXXXX": hidden, and not
 * ending in .prom, so the collector never reads it half written), then
 * rename(2) over NAME. SIGINT, SIGTERM and SIGHUP are held from before the
 * temporary file exists until it is renamed or removed, so a signal never
 * leaves one behind (it takes effect right after); on any error the
 * temporary file is removed and NAME is left as it was.
 *
 * The including file defines helper_name and includes cli.h first.
 */
#ifndef XDPKIT_PROMFILE_H
#define XDPKIT_PROMFILE_H

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct promfile {
	FILE *f;
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	sigset_t old;
};

/* Opens the temporary file for path; exit 2 for a path that cannot be
 * one (no file name), 3 when the directory takes no file. */
static inline void prom_open(struct promfile *p, const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	sigset_t hold;
	int fd, n;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		die(EXIT_USAGE, "not a file name", path);
	if (strlen(path) >= sizeof(p->path))
		die(EXIT_USAGE, "path too long", path);
	strcpy(p->path, path);
	n = snprintf(p->tmp, sizeof(p->tmp), "%.*s.%s.XXXXXX", (int)(base - path), path, base);
	if (n < 0 || (size_t)n >= sizeof(p->tmp))
		die(EXIT_USAGE, "path too long", path);
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigprocmask(SIG_BLOCK, &hold, &p->old);
	fd = mkstemp(p->tmp);
	if (fd < 0)
		die_err(EXIT_ENV, "cannot write a file beside", path, errno);
	/* mkstemp makes it 0600; the collector may run as another user */
	p->f = fdopen(fd, "w");
	if (fchmod(fd, 0644) || !p->f) {
		unlink(p->tmp);
		die_err(EXIT_ENV, "cannot write", p->tmp, errno);
	}
}

/* Writes it out and renames it over the path; exit 3 (nothing left
 * behind, the old file kept) when that fails. Signals held meanwhile
 * are delivered after. */
static inline void prom_commit(struct promfile *p)
{
	int err = 0;

	if (fflush(p->f) || ferror(p->f) || fsync(fileno(p->f)))
		err = errno ? errno : EIO;
	if (fclose(p->f) && !err)
		err = errno;
	if (!err && rename(p->tmp, p->path))
		err = errno;
	if (err) {
		unlink(p->tmp);
		die_err(EXIT_ENV, "cannot write", p->path, err);
	}
	sigprocmask(SIG_SETMASK, &p->old, NULL);
}

/* "# HELP name help" and "# TYPE name type": once per family, first. */
static inline void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the format wants: backslash, quote, newline. */
static inline void prom_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

struct prom_label {
	const char *name;	/* ours: never needs escaping */
	const char *value;
};

/*
 * The start of a sample line, name{a="x",b="y",extra="z"}: the n labels
 * of l, then extra (when not NULL) with xvalue; the caller prints the
 * value and the newline.
 */
static inline void prom_sample(FILE *f, const char *name, const struct prom_label *l, size_t n,
			       const char *extra, const char *xvalue)
{
	size_t i;

	fprintf(f, "%s{", name);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", l[i].name);
		prom_value(f, l[i].value);
		fputc('"', f);
	}
	if (extra) {
		fprintf(f, "%s%s=\"", n ? "," : "", extra);
		prom_value(f, xvalue);
		fputc('"', f);
	}
	fputs("} ", f);
}

#endif
