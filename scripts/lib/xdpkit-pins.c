// SPDX-License-Identifier: GPL-2.0
/*
 * xdpkit-pins: what scripts/lib/lib.sh asks the kernel and libbpf about pins.
 *
 *   xdpkit-pins netns
 *	prints the cookie of the caller's network namespace (SO_NETNS_COOKIE):
 *	a 64-bit number the kernel never gives to two namespaces while it
 *	runs, unlike the namespace's inode number, which a new namespace
 *	reuses as soon as an old one is gone. The initial namespace is 1.
 *
 *   xdpkit-pins check OBJ PIN_DIR
 *	for every map OBJ pins by name, compares what is pinned at
 *	PIN_DIR/NAME, if anything, with what OBJ declares: type, key size,
 *	value size, max entries and flags, the properties libbpf (and so
 *	iproute2) insists on before it reuses a pin. Nothing is loaded and
 *	nothing is changed. Exit 0 when every pin that exists fits; 1 with
 *	one line on stdout naming the first pin that does not and what
 *	differs; 3 when OBJ cannot be read.
 *
 * Exit 2: usage. Errors: one line on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mapio.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define EXIT_MISMATCH	1
#define EXIT_USAGE	2
#define EXIT_ENV	3

static const char helper_name[] = "xdpkit-pins";

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int netns_cookie(void)
{
	unsigned long long cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0) {
		fprintf(stderr, "%s: cannot read the network namespace cookie: %s\n",
			helper_name, strerror(errno));
		return EXIT_ENV;
	}
	close(fd);
	printf("%llu\n", cookie);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Appends "what N, not M" to buf when the two differ. */
static void differ(char *buf, size_t size, const char *what,
		   unsigned long long pinned, unsigned long long declared, int hex)
{
	size_t used = strlen(buf);

	if (pinned == declared || used >= size)
		return;
	snprintf(buf + used, size - used, hex ? "%s%s 0x%llx, not 0x%llx" : "%s%s %llu, not %llu",
		 used ? "; " : "", what, pinned, declared);
}

static int check(const char *obj_path, const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct bpf_object *obj;
	struct bpf_map *map;
	int rc = 0;

	libbpf_set_print(quiet_libbpf);
	obj = bpf_object__open_file(obj_path, &opts);
	if (!obj) {
		fprintf(stderr, "%s: cannot read %s: %s\n", helper_name, obj_path, strerror(errno));
		return EXIT_ENV;
	}
	bpf_object__for_each_map(map, obj) {
		const char *pin = bpf_map__pin_path(map);
		char diff[256] = "";
		struct mapio m;

		if (!pin || access(pin, F_OK) != 0)
			continue;
		if (mapio_get(&m, pin)) {
			printf("%s, where %s pins its map %s\n", m.err, base_name(obj_path),
			       bpf_map__name(map));
			rc = EXIT_MISMATCH;
			break;
		}
		close(m.fd);
		if (m.info.type != bpf_map__type(map)) {
			const char *have = libbpf_bpf_map_type_str(m.info.type);
			const char *want = libbpf_bpf_map_type_str(bpf_map__type(map));

			snprintf(diff, sizeof(diff), "type %s, not %s",
				 have ? have : "unknown", want ? want : "unknown");
		}
		differ(diff, sizeof(diff), "key size", m.info.key_size, bpf_map__key_size(map), 0);
		differ(diff, sizeof(diff), "value size", m.info.value_size, bpf_map__value_size(map), 0);
		differ(diff, sizeof(diff), "max entries", m.info.max_entries, bpf_map__max_entries(map), 0);
		differ(diff, sizeof(diff), "flags", m.info.map_flags, bpf_map__map_flags(map), 1);
		if (diff[0]) {
			printf("%s is not the map %s declares: %s\n", pin, base_name(obj_path), diff);
			rc = EXIT_MISMATCH;
			break;
		}
	}
	bpf_object__close(obj);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "netns") == 0)
		return netns_cookie();
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return check(argv[2], argv[3]);
	fprintf(stderr, "usage: %s netns | check OBJ PIN_DIR\n", helper_name);
	return EXIT_USAGE;
}
