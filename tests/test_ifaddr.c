/*
 * test_ifaddr.c - the set of this host's addresses (ifaddr.c), read with
 * getifaddrs(3) and watched through rtnetlink on the event loop.
 *
 * The watching tests need a network namespace of their own, where they
 * add and delete addresses with ip(8) without touching the host: the
 * process enters one with unshare(CLONE_NEWNET) (root), or with a user
 * namespace too (unprivileged, where the kernel allows it); otherwise
 * they are skipped. Every wait is bounded, far below IFADDR_RESCAN, so a
 * change seen in time was seen through netlink, not the periodic re-read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>	/* CLONE_*: <sched.h> is the project's */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "addr.h"
#include "announce.h"
#include "ev.h"
#include "log.h"
#include "testlib.h"

static int	in_netns;	/* 1: our own network namespace */

struct watch {
	int	calls;
};

static void
watch_cb(void *arg)
{
	struct watch	*w = arg;

	w->calls++;
}

static struct addr
A(const char *s)
{
	struct addr	 a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static int
has(const struct ifaddr_set *ia, const char *s)
{
	struct addr	 a = A(s);

	return ifaddr_has(ia, &a);
}

/* run a shell command inside our namespace; must succeed */
static void
sh(const char *cmd)
{
	char	 buf[512];

	snprintf(buf, sizeof(buf), "%s >/dev/null 2>&1", cmd);
	if (system(buf) != 0)
		fail_msg("command failed: %s", cmd);
}

/* run the loop until w->calls reaches n or 2 s pass; the elapsed ns */
static uint64_t
wait_calls(struct ev_loop *loop, struct watch *w, int n)
{
	uint64_t	 t0 = ev_monotonic(), end = t0 + 2 * EV_NSEC;

	while (w->calls < n && ev_monotonic() < end)
		assert_int_not_equal(ev_run_once(loop, 50 * EV_MSEC), -1);
	return ev_monotonic() - t0;
}

/*
 * What a watching test works on: the loop (tl_loop), the set watched
 * and its callback's calls. Made by watch_setup, freed by watch_teardown
 * whether the test passed, failed or was skipped.
 */
static struct ifaddr_set	*watched;
static struct watch		 seen;

static int
watch_setup(void **state)
{
	watched = NULL;
	seen.calls = 0;
	return tl_loop_setup(state);
}

static int
watch_teardown(void **state)
{
	ifaddr_free(watched);
	watched = NULL;
	return tl_loop_teardown(state);
}

/* the set of the host, watched on tl_loop */
static void
watch_start(void)
{
	watched = ifaddr_new(tl_loop, watch_cb, &seen);
	assert_non_null(watched);
	assert_true(ifaddr_watching(watched));
}

/*
 * sh(cmd), then the loop until the callback's n-th call (at most 2 s):
 * addr must be in the set then (present) or not; returns how long the
 * wait took
 */
static uint64_t
change(const char *cmd, int n, const char *addr, int present)
{
	uint64_t	 took;

	sh(cmd);
	took = wait_calls(tl_loop, &seen, n);
	assert_int_equal(has(watched, addr), present);
	return took;
}

/* the first read, without a loop (--once): the loopback of the namespace */
static void
test_read_once(void **state)
{
	struct ifaddr_set	*once;

	if (!in_netns)
		skip();
	once = ifaddr_new(NULL, NULL, NULL);
	assert_non_null(once);
	assert_false(ifaddr_watching(once));
	assert_true(has(once, "127.0.0.1"));
	assert_false(has(once, "192.0.2.77"));
	assert_false(has(once, "2001:db8::77"));
	/* the same address in the other family is another address */
	assert_false(has(once, "::ffff:127.0.0.1"));
	/* nothing changed since: 0; the count is stable */
	assert_int_equal(ifaddr_refresh(once), 0);
	ifaddr_free(once);
	ifaddr_free(NULL);
}

/*
 * Added -> the callback, present; deleted -> the callback, absent; an
 * IPv6 address the same; each within well under a second. Step by step:
 * the command, then the callback's n-th call (n: the row's number), the
 * address there (present) or not, and the one that should stay (stays).
 */
static void
test_watch_add_del(void **state)
{
	static const struct {
		const char	*cmd;
		const char	*addr;
		int		 present;
		const char	*stays;		/* NULL: none */
	} steps[] = {
		{ "ip addr add 192.0.2.77/32 dev lo", "192.0.2.77", 1, NULL },
		{ "ip -6 addr add 2001:db8::77/128 dev lo nodad",
		    "2001:db8::77", 1, NULL },
		{ "ip addr del 192.0.2.77/32 dev lo", "192.0.2.77", 0,
		    "2001:db8::77" },
		{ "ip -6 addr del 2001:db8::77/128 dev lo", "2001:db8::77", 0,
		    NULL },
	};
	uint64_t	 took;
	size_t		 i;

	if (!in_netns)
		skip();
	watch_start();
	assert_false(has(watched, "192.0.2.77"));
	for (i = 0; i < TL_NITEMS(steps); i++) {
		took = change(steps[i].cmd, (int)i + 1, steps[i].addr,
		    steps[i].present);
		assert_int_equal(seen.calls, (int)i + 1);
		if (steps[i].stays != NULL)
			assert_true(has(watched, steps[i].stays));
		/* the last one is not timed: the test is over by then */
		if (i + 1 < TL_NITEMS(steps))
			assert_true(took < EV_NSEC);
	}
}

/* a burst of changes is read once, after the settle time */
static void
test_watch_burst(void **state)
{
	uint64_t	 reads;

	if (!in_netns)
		skip();
	watch_start();
	reads = ifaddr_reads(watched);
	sh("for i in 1 2 3 4 5 6 7 8; do ip addr add 192.0.2.$i/32 dev lo; "
	    "done");
	wait_calls(tl_loop, &seen, 1);
	tl_run_for(tl_loop, 2 * IFADDR_SETTLE);
	assert_true(has(watched, "192.0.2.1"));
	assert_true(has(watched, "192.0.2.8"));
	/* eight notifications, far fewer reads (at most one per settle) */
	assert_true(seen.calls >= 1 && seen.calls <= 3);
	assert_true(ifaddr_reads(watched) - reads <= 3);
	sh("for i in 1 2 3 4 5 6 7 8; do ip addr del 192.0.2.$i/32 dev lo; "
	    "done");
	tl_run_for(tl_loop, 3 * IFADDR_SETTLE);
	assert_false(has(watched, "192.0.2.1"));
	assert_false(has(watched, "192.0.2.8"));
}

/*
 * The address of an interface that is down does not count: no traffic
 * reaches it. A link change is watched too. A notification that leaves
 * the set as it was (an MTU change) reads it but calls nobody.
 */
static void
test_watch_link(void **state)
{
	uint64_t	 reads;

	if (!in_netns)
		skip();
	if (system("ip link add bgpsdt0 type veth peer name bgpsdt1 "
	    ">/dev/null 2>&1") != 0)
		skip();		/* no veth interfaces here */
	sh("ip addr add 192.0.2.88/32 dev bgpsdt0");
	watch_start();
	assert_false(has(watched, "192.0.2.88"));	/* configured, link down */
	change("ip link set bgpsdt0 up", 1, "192.0.2.88", 1);
	assert_int_equal(seen.calls, 1);

	reads = ifaddr_reads(watched);
	sh("ip link set bgpsdt0 mtu 1400");
	tl_run_for(tl_loop, 4 * IFADDR_SETTLE);
	assert_true(ifaddr_reads(watched) > reads);
	assert_int_equal(seen.calls, 1);

	/* the same address on two interfaces: gone only with both */
	sh("ip addr add 192.0.2.88/32 dev lo");
	tl_run_for(tl_loop, 4 * IFADDR_SETTLE);
	sh("ip link set bgpsdt0 down");
	tl_run_for(tl_loop, 4 * IFADDR_SETTLE);
	assert_true(has(watched, "192.0.2.88"));
	change("ip addr del 192.0.2.88/32 dev lo", 2, "192.0.2.88", 0);
	sh("ip link del bgpsdt0");
}

/* a loopback that goes down takes its addresses along, and gives them back */
static void
test_watch_lo_down(void **state)
{
	if (!in_netns)
		skip();
	sh("ip addr add 192.0.2.99/32 dev lo");
	watch_start();
	assert_true(has(watched, "192.0.2.99"));
	change("ip link set lo down", 1, "192.0.2.99", 0);
	change("ip link set lo up", 2, "192.0.2.99", 1);
	sh("ip addr del 192.0.2.99/32 dev lo");
}

/* our own network namespace: unshare as root, else with a user namespace */
static int
enter_netns(void)
{
	uid_t	 uid = getuid();
	gid_t	 gid = getgid();
	char	 buf[64];
	int	 fd;

	if (syscall(SYS_unshare, CLONE_NEWNET) == 0)
		goto up;
	if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNET) == -1)
		return -1;
	/* map ourselves to root of the new user namespace */
	if ((fd = open("/proc/self/setgroups", O_WRONLY)) != -1) {
		if (write(fd, "deny", 4) == -1)
			fprintf(stderr, "# setgroups: %s\n", strerror(errno));
		close(fd);
	}
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)uid);
	if ((fd = open("/proc/self/uid_map", O_WRONLY)) == -1 ||
	    write(fd, buf, strlen(buf)) == -1)
		return -1;
	close(fd);
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)gid);
	if ((fd = open("/proc/self/gid_map", O_WRONLY)) == -1 ||
	    write(fd, buf, strlen(buf)) == -1)
		return -1;
	close(fd);
up:
	return system("ip link set lo up >/dev/null 2>&1") == 0 ? 0 : -1;
}

#define WATCH_TEST(f) \
	cmocka_unit_test_setup_teardown(f, watch_setup, watch_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_once),
		WATCH_TEST(test_watch_add_del),
		WATCH_TEST(test_watch_burst),
		WATCH_TEST(test_watch_link),
		WATCH_TEST(test_watch_lo_down),
	};

	log_init("test_ifaddr", 0, 0);
	in_netns = enter_netns() == 0;
	if (!in_netns)
		fprintf(stderr, "# no network namespace of our own (%s): "
		    "the tests are skipped\n", strerror(errno));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
