/*
 * floor_connect.c - the floor for a TCP check: the least a program can
 * do per check, with the system calls bgpsd-announce's check_tcp.c made
 * up to 3b01e9c and nothing else: socket(NONBLOCK), connect
 * (EINPROGRESS), epoll for writability, getsockopt(SO_ERROR), SO_LINGER
 * {1, 0} (RST close, as check_tcp.c does once connected), close. The
 * accepting side is the listeners process, as for bgpsd-announce, so
 * both pay the same share. check_tcp.c now makes fewer calls (see
 * tests/bench/README.md, "TCP checks at the floor"), so this paced floor
 * is the cost of that older design, no longer a floor; -b below is the
 * floor issue 12 sets.
 *
 *   floor_connect [-n NPORTS] [-p BASE] [-r RATE] [-d SECONDS] [-w WARMUP]
 *   floor_connect -b [-F] [-d SECONDS] [-w WARMUP]
 *
 * -r 0: back to back, one connection at a time. -r RATE: paced like
 * bgpsd's scheduler: each port is one "service" checked every
 * NPORTS / RATE seconds at a random phase (bgpsd's start splay), the
 * loop sleeping in epoll_wait until the next slot with the timeout
 * rounded up to the millisecond, and running every slot that is due
 * when it wakes (what bgpsd's event loop does). The first WARMUP seconds (default 0.5) run the
 * same way but are not counted, so one-time costs (first page faults,
 * first socket) are left out, as they are for bgpsd-announce, whose
 * window starts after its warm-up. Prints one line:
 *   floor conns=N fails=N cpu_s=X us_per_conn=Y wall_s=Z
 *
 * -b: the bare floor of issue 12, both ends in this one process and
 * nothing else: its own listening socket on 127.0.0.1, then back to back
 * a blocking socket, connect, accept, and the close of both ends. The
 * client closes first with SO_LINGER {1, 0} (a RST), as a checker must to
 * keep its ephemeral ports out of TIME_WAIT, then the accepted end is
 * closed. -F closes the accepted end first and the client with a FIN
 * instead (no setsockopt, but four segments and a TIME_WAIT on the
 * server's side): whichever is cheaper on this kernel is the floor.
 * Prints "floorb conns=N fails=N cpu_s=X us_per_conn=Y wall_s=Z".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

#define FLOOR_EVENTS	256

static int	floor_ep;
static int	floor_base = 20000;
static int	floor_nports = 100;
static uint64_t	floor_conns, floor_fails, floor_inflight;

static int
floor_u64cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
floor_close(int fd, int established)
{
	struct linger	l = { 1, 0 };

	/* like check_tcp_close(): explicit removal, then RST close */
	(void)epoll_ctl(floor_ep, EPOLL_CTL_DEL, fd, NULL);
	if (established)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	floor_inflight--;
}

static void
floor_start(uint64_t seq)
{
	struct sockaddr_in	sin;
	struct epoll_event	ev;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
	if (fd == -1) {
		floor_fails++;
		return;
	}
	floor_inflight++;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)(floor_base + seq % floor_nports));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
		floor_conns++;
		floor_close(fd, 1);
		return;
	}
	if (errno != EINPROGRESS) {
		floor_fails++;
		floor_close(fd, 0);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.fd = fd;
	if (epoll_ctl(floor_ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		floor_fails++;
		floor_close(fd, 0);
	}
}

static void
floor_events(int timeout_ms)
{
	struct epoll_event	evs[FLOOR_EVENTS];
	socklen_t		len;
	int			n, i, err;

	n = epoll_wait(floor_ep, evs, FLOOR_EVENTS, timeout_ms);
	for (i = 0; i < n; i++) {
		err = 0;
		len = sizeof(err);
		if (getsockopt(evs[i].data.fd, SOL_SOCKET, SO_ERROR, &err,
		    &len) == -1)
			err = errno;
		if (err == 0)
			floor_conns++;
		else
			floor_fails++;
		floor_close(evs[i].data.fd, err == 0);
	}
}

/* -b: both ends, blocking, back to back; see the comment at the top */
static int
floor_both(double duration, double warmup, int fin)
{
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof(sin);
	struct linger		l = { 1, 0 };
	uint64_t		mark, end, now, conns = 0, fails = 0;
	double			cpu0 = 0, cpu;
	int			lfd, cfd, afd, measuring = 0, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 128) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) == -1) {
		perror("floor_connect: listener");
		return 1;
	}
	mark = bench_now_ns() + (uint64_t)(warmup * 1e9);
	end = mark + (uint64_t)(duration * 1e9);
	while ((now = bench_now_ns()) < end) {
		if (!measuring && now >= mark) {
			measuring = 1;
			cpu0 = bench_cpu_s();
			conns = fails = 0;
		}
		cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
		if (cfd == -1) {
			fails++;
			continue;
		}
		if (connect(cfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    (afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			fails++;
			close(cfd);
			continue;
		}
		if (fin) {
			close(afd);
			close(cfd);
		} else {
			(void)setsockopt(cfd, SOL_SOCKET, SO_LINGER, &l,
			    sizeof(l));
			close(cfd);
			close(afd);
		}
		conns++;
	}
	cpu = bench_cpu_s() - cpu0;
	close(lfd);
	printf("floorb conns=%llu fails=%llu cpu_s=%.4f us_per_conn=%.3f "
	    "wall_s=%.3f\n", (unsigned long long)conns,
	    (unsigned long long)fails, cpu, conns > 0 ? cpu * 1e6 / conns : 0.0,
	    (bench_now_ns() - mark) / 1e9);
	return conns > 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	double		 rate = 0, duration = 3, warmup = 0.5, cpu0, cpu;
	uint64_t	 t0, end, next, iv = 0, seq = 0, now, mark, rng;
	uint64_t	*phase = NULL;
	int		 i;
	int		 measuring = 0, both = 0, fin = 0;
	int64_t		 wait;
	const struct bench_opt opts[] = {
		{ 'b', BENCH_FLAG, &both },
		{ 'F', BENCH_FLAG, &fin },
		{ 'n', BENCH_INT, &floor_nports },
		{ 'p', BENCH_INT, &floor_base },
		{ 'r', BENCH_DOUBLE, &rate },
		{ 'd', BENCH_DOUBLE, &duration },
		{ 'w', BENCH_DOUBLE, &warmup },
	};

	if (bench_options(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    "usage: floor_connect [-n NPORTS] [-p BASE] [-r RATE] "
	    "[-d SECONDS] [-w WARMUP]\n"
	    "       floor_connect -b [-F] [-d SECONDS] [-w WARMUP]\n") == -1)
		return 2;
	if (floor_nports < 1 || floor_base < 1 ||
	    floor_base + floor_nports > 65536 || rate < 0 || rate > 1e6 ||
	    duration <= 0 || duration > 600 || warmup < 0 || warmup > 60) {
		fprintf(stderr, "floor_connect: bad arguments\n");
		return 2;
	}
	if (both)
		return floor_both(duration, warmup, fin);
	if ((floor_ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("epoll_create1");
		return 1;
	}
	cpu0 = bench_cpu_s();
	t0 = bench_now_ns();
	mark = t0 + (uint64_t)(warmup * 1e9);
	end = mark + (uint64_t)(duration * 1e9);
	if (rate > 0) {
		/* one random phase per port within the interval, sorted */
		iv = (uint64_t)(1e9 * floor_nports / rate);
		if ((phase = calloc((size_t)floor_nports,
		    sizeof(*phase))) == NULL)
			return 1;
		rng = t0 | 1;
		for (i = 0; i < floor_nports; i++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			phase[i] = rng % iv;
		}
		qsort(phase, (size_t)floor_nports, sizeof(*phase),
		    floor_u64cmp);
	}
	next = t0 + (phase != NULL ? phase[0] : 0);
	while ((now = bench_now_ns()) < end) {
		if (!measuring && now >= mark) {
			/* the window starts: what came before is warm-up */
			measuring = 1;
			cpu0 = bench_cpu_s();
			floor_conns = floor_fails = 0;
		}
		if (rate == 0) {
			/* back to back: one in flight */
			floor_start(seq++);
			while (floor_inflight > 0)
				floor_events(1000);
			continue;
		}
		/* every slot that is due, then sleep until the next one */
		while (next <= now && next < end) {
			floor_start(seq++);
			next = t0 + seq / floor_nports * iv +
			    phase[seq % floor_nports];
		}
		/* completions wake us early, like in any event loop */
		now = bench_now_ns();
		wait = next > now ? (int64_t)(next - now) : 0;
		floor_events((int)((wait + 999999) / 1000000));
	}
	while (floor_inflight > 0 && bench_now_ns() < end + 1000000000ULL)
		floor_events(100);
	cpu = bench_cpu_s() - cpu0;
	printf("floor conns=%llu fails=%llu cpu_s=%.4f us_per_conn=%.3f "
	    "wall_s=%.3f\n", (unsigned long long)floor_conns,
	    (unsigned long long)floor_fails, cpu,
	    floor_conns > 0 ? cpu * 1e6 / floor_conns : 0.0,
	    (bench_now_ns() - mark) / 1e9);
	free(phase);
	return floor_conns > 0 ? 0 : 1;
}
