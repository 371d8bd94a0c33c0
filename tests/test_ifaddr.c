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

/* run the loop for ns, whatever happens */
static void
run_for(struct ev_loop *loop, uint64_t ns)
{
	uint64_t	 end = ev_monotonic() + ns;

	while (ev_monotonic() < end)
		assert_int_not_equal(ev_run_once(loop, 20 * EV_MSEC), -1);
}

/* the first read, without a loop (--once): the loopback of the namespace */
static void
test_read_once(void **state)
{
	struct ifaddr_set	*ia;

	if (!in_netns)
		skip();
	ia = ifaddr_new(NULL, NULL, NULL);
	assert_non_null(ia);
	assert_false(ifaddr_watching(ia));
	assert_true(has(ia, "127.0.0.1"));
	assert_false(has(ia, "192.0.2.77"));
	assert_false(has(ia, "2001:db8::77"));
	/* the same address in the other family is another address */
	assert_false(has(ia, "::ffff:127.0.0.1"));
	/* nothing changed since: 0; the count is stable */
	assert_int_equal(ifaddr_refresh(ia), 0);
	ifaddr_free(ia);
	ifaddr_free(NULL);
}

/*
 * Added -> the callback, present; deleted -> the callback, absent; an
 * IPv6 address the same; each within well under a second.
 */
static void
test_watch_add_del(void **state)
{
	struct ev_loop		*loop;
	struct ifaddr_set	*ia;
	struct watch		 w = { 0 };
	uint64_t		 took;

	if (!in_netns)
		skip();
	assert_non_null(loop = ev_new());
	ia = ifaddr_new(loop, watch_cb, &w);
	assert_true(ifaddr_watching(ia));
	assert_false(has(ia, "192.0.2.77"));

	sh("ip addr add 192.0.2.77/32 dev lo");
	took = wait_calls(loop, &w, 1);
	assert_int_equal(w.calls, 1);
	assert_true(has(ia, "192.0.2.77"));
	assert_true(took < EV_NSEC);

	sh("ip -6 addr add 2001:db8::77/128 dev lo nodad");
	took = wait_calls(loop, &w, 2);
	assert_int_equal(w.calls, 2);
	assert_true(has(ia, "2001:db8::77"));
	assert_true(took < EV_NSEC);

	sh("ip addr del 192.0.2.77/32 dev lo");
	took = wait_calls(loop, &w, 3);
	assert_int_equal(w.calls, 3);
	assert_false(has(ia, "192.0.2.77"));
	assert_true(has(ia, "2001:db8::77"));
	assert_true(took < EV_NSEC);

	sh("ip -6 addr del 2001:db8::77/128 dev lo");
	wait_calls(loop, &w, 4);
	assert_int_equal(w.calls, 4);
	assert_false(has(ia, "2001:db8::77"));
	ifaddr_free(ia);
	ev_free(loop);
}

/* a burst of changes is read once, after the settle time */
static void
test_watch_burst(void **state)
{
	struct ev_loop		*loop;
	struct ifaddr_set	*ia;
	struct watch		 w = { 0 };
	uint64_t		 reads;

	if (!in_netns)
		skip();
	assert_non_null(loop = ev_new());
	ia = ifaddr_new(loop, watch_cb, &w);
	reads = ifaddr_reads(ia);
	sh("for i in 1 2 3 4 5 6 7 8; do ip addr add 192.0.2.$i/32 dev lo; "
	    "done");
	wait_calls(loop, &w, 1);
	run_for(loop, 2 * IFADDR_SETTLE);
	assert_true(has(ia, "192.0.2.1"));
	assert_true(has(ia, "192.0.2.8"));
	/* eight notifications, far fewer reads (at most one per settle) */
	assert_true(w.calls >= 1 && w.calls <= 3);
	assert_true(ifaddr_reads(ia) - reads <= 3);
	sh("for i in 1 2 3 4 5 6 7 8; do ip addr del 192.0.2.$i/32 dev lo; "
	    "done");
	run_for(loop, 3 * IFADDR_SETTLE);
	assert_false(has(ia, "192.0.2.1"));
	assert_false(has(ia, "192.0.2.8"));
	ifaddr_free(ia);
	ev_free(loop);
}

/*
 * The address of an interface that is down does not count: no traffic
 * reaches it. A link change is watched too. A notification that leaves
 * the set as it was (an MTU change) reads it but calls nobody.
 */
static void
test_watch_link(void **state)
{
	struct ev_loop		*loop;
	struct ifaddr_set	*ia;
	struct watch		 w = { 0 };
	uint64_t		 reads;

	if (!in_netns)
		skip();
	if (system("ip link add bgpsdt0 type veth peer name bgpsdt1 "
	    ">/dev/null 2>&1") != 0)
		skip();		/* no veth interfaces here */
	assert_non_null(loop = ev_new());
	sh("ip addr add 192.0.2.88/32 dev bgpsdt0");
	ia = ifaddr_new(loop, watch_cb, &w);
	assert_false(has(ia, "192.0.2.88"));	/* configured, link down */
	sh("ip link set bgpsdt0 up");
	wait_calls(loop, &w, 1);
	assert_int_equal(w.calls, 1);
	assert_true(has(ia, "192.0.2.88"));

	reads = ifaddr_reads(ia);
	sh("ip link set bgpsdt0 mtu 1400");
	run_for(loop, 4 * IFADDR_SETTLE);
	assert_true(ifaddr_reads(ia) > reads);
	assert_int_equal(w.calls, 1);

	/* the same address on two interfaces: gone only with both */
	sh("ip addr add 192.0.2.88/32 dev lo");
	run_for(loop, 4 * IFADDR_SETTLE);
	sh("ip link set bgpsdt0 down");
	run_for(loop, 4 * IFADDR_SETTLE);
	assert_true(has(ia, "192.0.2.88"));
	sh("ip addr del 192.0.2.88/32 dev lo");
	wait_calls(loop, &w, 2);
	assert_false(has(ia, "192.0.2.88"));
	sh("ip link del bgpsdt0");
	ifaddr_free(ia);
	ev_free(loop);
}

/* a loopback that goes down takes its addresses along, and gives them back */
static void
test_watch_lo_down(void **state)
{
	struct ev_loop		*loop;
	struct ifaddr_set	*ia;
	struct watch		 w = { 0 };

	if (!in_netns)
		skip();
	assert_non_null(loop = ev_new());
	sh("ip addr add 192.0.2.99/32 dev lo");
	ia = ifaddr_new(loop, watch_cb, &w);
	assert_true(has(ia, "192.0.2.99"));
	sh("ip link set lo down");
	wait_calls(loop, &w, 1);
	assert_false(has(ia, "192.0.2.99"));
	sh("ip link set lo up");
	wait_calls(loop, &w, 2);
	assert_true(has(ia, "192.0.2.99"));
	sh("ip addr del 192.0.2.99/32 dev lo");
	ifaddr_free(ia);
	ev_free(loop);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_once),
		cmocka_unit_test(test_watch_add_del),
		cmocka_unit_test(test_watch_burst),
		cmocka_unit_test(test_watch_link),
		cmocka_unit_test(test_watch_lo_down),
	};

	log_init("test_ifaddr", 0, 0);
	in_netns = enter_netns() == 0;
	if (!in_netns)
		fprintf(stderr, "# no network namespace of our own (%s): "
		    "the tests are skipped\n", strerror(errno));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
