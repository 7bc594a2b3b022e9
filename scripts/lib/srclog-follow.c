// SPDX-License-Identifier: GPL-2.0
/*
 * srclog-follow: prints srclog's live log (the pinned ring buffer
 * srclog_events) as it comes, one line per event.
 *
 *   srclog-follow [-j] [-a] [-n COUNT] [-i IFNAME] PIN_DIR|RINGBUF_PIN
 *
 * PIN_DIR is the directory the maps are pinned in ($BPFFS/xdp/globals);
 * the ring is PIN_DIR/srclog_events. Text lines read
 * "IPv4 Source Address: 198.51.100.7"; -j prints one JSON object per line
 * instead: {"timestamp_ns": N, "interface": "eth0", "ifindex": N,
 * "family": "ipv4", "address": "198.51.100.7", "length": N, "action":
 * "pass"}, where action is "drop" for a frame xdp/srclog_filter.o dropped
 * (text lines end in " (dropped)" then), and
 * timestamp_ns is CLOCK_MONOTONIC and interface is the ifindex in digits
 * when the interface is gone. -i keeps the events of one interface, -n
 * stops after COUNT events. Events logged before it started (left in the
 * ring while nobody read it) are skipped, unless -a is given.
 *
 * The ring has one reader position: two followers at once share the
 * events between them, each sees only part of the log.
 *
 * It ends with status 0 on SIGINT or SIGTERM, after COUNT events, or when
 * the pin goes away or is replaced (srclog stopped): checked every second.
 * 2: usage or bad input (an unknown interface); 3: the pin cannot be
 * opened or is not a ring buffer, or reading fails. One line on stderr.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <signal.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static const char *helper_name = "srclog-follow";

#include "cli.h"
#include "mapio.h"
#include "../../maps/srclog_events.h"

#define POLL_MS		100
#define CHECK_NS	1000000000ull	/* how often the pin is looked at */
#define NAME_CACHE	16

static volatile sig_atomic_t stop;
static int json;
static unsigned long long want_count, printed;
static unsigned int only_ifindex;
static uint64_t since_ns;	/* events older than this are skipped */

/* ifindex -> name, forgotten every CHECK_NS (interfaces get renamed). */
static struct {
	unsigned int ifindex;
	char name[IF_NAMESIZE];
} names[NAME_CACHE];
static unsigned int nnames;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: srclog-follow [-j] [-a] [-n COUNT] [-i IFNAME] PIN_DIR|RINGBUF_PIN\n");
	exit(EXIT_USAGE);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* The interface's name, or its ifindex in digits when it has none. */
static const char *if_name(unsigned int ifindex)
{
	static char digits[16];
	unsigned int i;

	for (i = 0; i < nnames; i++)
		if (names[i].ifindex == ifindex)
			return names[i].name;
	if (nnames == NAME_CACHE) {
		if (if_indextoname(ifindex, digits))
			return digits;
		snprintf(digits, sizeof(digits), "%u", ifindex);
		return digits;
	}
	if (!if_indextoname(ifindex, names[nnames].name))
		snprintf(names[nnames].name, sizeof(names[nnames].name), "%u", ifindex);
	names[nnames].ifindex = ifindex;
	return names[nnames++].name;
}

/* s as the inside of a JSON string. */
static void json_str(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct srclog_event *e = data;
	char addr[INET6_ADDRSTRLEN];
	int af;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (e->family == XDPKIT_FAMILY_IPV4)
		af = AF_INET;
	else if (e->family == XDPKIT_FAMILY_IPV6)
		af = AF_INET6;
	else
		return 0;
	if (e->timestamp_ns < since_ns)
		return 0;
	if (only_ifindex && e->ifindex != only_ifindex)
		return 0;
	if (!inet_ntop(af, e->addr, addr, sizeof(addr)))
		return 0;
	if (json) {
		printf("{\"timestamp_ns\": %llu, \"interface\": \"",
		       (unsigned long long)e->timestamp_ns);
		json_str(if_name(e->ifindex));
		printf("\", \"ifindex\": %u, \"family\": \"%s\", \"address\": \"%s\", "
		       "\"length\": %u, \"action\": \"%s\"}\n", e->ifindex,
		       af == AF_INET ? "ipv4" : "ipv6", addr, e->len,
		       e->action == XDP_DROP ? "drop" : "pass");
	} else {
		printf("%s Source Address: %s%s\n", af == AF_INET ? "IPv4" : "IPv6", addr,
		       e->action == XDP_DROP ? " (dropped)" : "");
	}
	fflush(stdout);
	/* A negative return stops ring_buffer__poll() right after this event. */
	if (want_count && ++printed >= want_count) {
		stop = 1;
		return -ECANCELED;
	}
	return 0;
}

/* The pin is still there and still the map we read. */
static int same_pin(const char *path, const struct stat *st0)
{
	struct stat st;

	return !stat(path, &st) && st.st_ino == st0->st_ino && st.st_dev == st0->st_dev;
}

int main(int argc, char **argv)
{
	struct mapio ring;
	struct sigaction sa = {};
	struct ring_buffer *rb;
	char path[PATH_MAX];
	struct stat st;
	uint64_t next_check;
	int opt, fd, n;

	opterr = 0;
	since_ns = now_ns();
	while ((opt = getopt(argc, argv, "ajn:i:")) != -1) {
		switch (opt) {
		case 'a':
			since_ns = 0;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			want_count = number(optarg, ULONG_MAX, "not a count of events (1 or more)");
			if (!want_count)
				die(EXIT_USAGE, "not a count of events (1 or more)", optarg);
			break;
		case 'i':
			only_ifindex = if_nametoindex(optarg);
			if (!only_ifindex)
				die(EXIT_USAGE, "no such interface", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();

	if (stat(argv[optind], &st))
		die_err(EXIT_ENV, "cannot open the ring buffer", argv[optind], errno);
	if (S_ISDIR(st.st_mode))
		n = snprintf(path, sizeof(path), "%s/srclog_events", argv[optind]);
	else
		n = snprintf(path, sizeof(path), "%s", argv[optind]);
	if (n < 0 || (size_t)n >= sizeof(path))
		die(EXIT_USAGE, "path too long", argv[optind]);
	/* A ring buffer has no key or value: both sizes are 0. */
	if (mapio_open(&ring, path, BPF_MAP_TYPE_RINGBUF, 0, 0, 0))
		die(EXIT_ENV, "not the ring buffer maps/srclog_events.h describes", ring.err);
	fd = ring.fd;
	if (stat(path, &st))
		die_err(EXIT_ENV, "cannot open the ring buffer", path, errno);

	/* No SA_RESTART: a signal ends the wait in ring_buffer__poll() at once. */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	libbpf_set_print(NULL);
	rb = ring_buffer__new(fd, on_event, NULL, NULL);
	if (!rb)
		die_err(EXIT_ENV, "cannot map the ring buffer", path, errno);

	next_check = now_ns() + CHECK_NS;
	while (!stop) {
		n = ring_buffer__poll(rb, POLL_MS);
		/*
		 * srclog wakes the reader only once a batch has piled up (see
		 * xdp/srclog.c): after a quiet POLL_MS, read what came without
		 * a wake-up, or a trickle of events would never show.
		 */
		if (!n && !stop)
			n = ring_buffer__consume(rb);
		if (n < 0 && n != -EINTR && n != -ECANCELED) {
			ring_buffer__free(rb);
			die_err(EXIT_ENV, "reading the ring buffer", path, -n);
		}
		if (now_ns() >= next_check) {
			if (!same_pin(path, &st))
				break;
			nnames = 0;
			next_check = now_ns() + CHECK_NS;
		}
	}
	ring_buffer__free(rb);
	close(fd);
	return 0;
}
