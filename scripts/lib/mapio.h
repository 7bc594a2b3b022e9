/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C helpers (and the packet tests) share to read a pinned map
 * through the bpf() syscall: open the pin, check that it is a map and the
 * map the header in maps/ describes (type, key and value sizes, as
 * xdp-tutorial's common_user_bpf_xdp.c does), and add up per-CPU
 * counters. Reading the
 * map itself beats reading bpftool's JSON: no text to parse, no process
 * per read, and a layout mismatch is caught before a byte is
 * misinterpreted. Writes the runbook shows (xdping's seeds) still go
 * through bpftool (scripts/lib/bpftool_cmd.h).
 */
#ifndef XDPKIT_MAPIO_H
#define XDPKIT_MAPIO_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct mapio {
	int fd;
	struct bpf_map_info info;
	char err[4096 + 256];	/* why mapio_open() failed, one line (path included) */
};

/*
 * Whether fd holds a map, by its anon inode's name: the info of a pinned
 * program would be read as a map's without complaint.
 */
static inline int mapio_fd_is_map(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return strcmp(target, "anon_inode:bpf-map") == 0;
}

/*
 * Opens the pin at path and reads what map it is, judging nothing else.
 * Returns 0 with m->fd open and m->info filled in; or -1 with m->err set
 * and errno that of the failure (EINVAL: the pin is not a map), nothing
 * left open.
 */
static inline int mapio_get(struct mapio *m, const char *path)
{
	uint32_t len = sizeof(m->info);
	int err;

	memset(&m->info, 0, sizeof(m->info));
	m->fd = bpf_obj_get(path);
	if (m->fd < 0) {
		err = errno;
		snprintf(m->err, sizeof(m->err), "%s: %s", path, strerror(err));
		errno = err;
		return -1;
	}
	if (!mapio_fd_is_map(m->fd)) {
		err = EINVAL;
		snprintf(m->err, sizeof(m->err), "%s: not a BPF map", path);
		goto fail;
	}
	if (bpf_obj_get_info_by_fd(m->fd, &m->info, &len)) {
		err = errno;
		snprintf(m->err, sizeof(m->err), "%s: cannot read what map it is (%s)", path,
			 strerror(err));
		goto fail;
	}
	return 0;
fail:
	close(m->fd);
	m->fd = -1;
	errno = err;
	return -1;
}

/*
 * Opens the pin at path and checks it against maps/: its type is type
 * (or type2, when that is not 0), its key and value sizes key_size and
 * value_size. Returns 0 with m->fd open and m->info filled in; or -1
 * with m->err set and errno that of the failure (EINVAL: another
 * layout, or not a map), nothing left open.
 */
static inline int mapio_open(struct mapio *m, const char *path, enum bpf_map_type type,
			     enum bpf_map_type type2, uint32_t key_size, uint32_t value_size)
{
	if (mapio_get(m, path))
		return -1;
	if ((m->info.type != type && (!type2 || m->info.type != type2)) ||
	    m->info.key_size != key_size || m->info.value_size != value_size) {
		const char *have = libbpf_bpf_map_type_str(m->info.type);
		const char *want = libbpf_bpf_map_type_str(type);

		snprintf(m->err, sizeof(m->err),
			 "%s: %s, key %u, value %u bytes, where maps/ says %s, %u, %u "
			 "(an object of another version made it)",
			 path, have ? have : "unknown type", m->info.key_size, m->info.value_size,
			 want ? want : "unknown type", key_size, value_size);
		close(m->fd);
		m->fd = -1;
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * Sums a per-CPU value made of nwords __u64 counters over every possible
 * CPU (each CPU's value comes 8-byte aligned). Returns 0 or a negative
 * errno.
 */
static inline int mapio_percpu_sum(int map_fd, const void *key, size_t value_size,
				   uint64_t *sum, size_t nwords)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, err = 0;
	size_t stride = (value_size + 7) & ~(size_t)7, w;
	uint8_t *buf;

	memset(sum, 0, nwords * sizeof(*sum));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	buf = calloc(ncpu, stride);
	if (!buf)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, key, buf)) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		for (w = 0; w < nwords; w++)
			sum[w] += ((uint64_t *)(buf + cpu * stride))[w];
out:
	free(buf);
	return err;
}

#endif
