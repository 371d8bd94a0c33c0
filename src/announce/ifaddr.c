/*
 * ifaddr.c - the addresses configured on this host's interfaces, for
 * announce.require_address: a prefix is announced only while its address
 * is on an interface that is up (the loopback counts).
 *
 * The set is read with getifaddrs(3) (a netlink dump, no privilege
 * needed: ExaBGP runs its processes as an unprivileged user). A rtnetlink
 * socket subscribed to the address and link groups says when to read it
 * again; its messages are not parsed, only counted as "something changed"
 * (an overflow, ENOBUFS, means the same), and a short settle timer folds a
 * burst of changes into one read. A periodic re-read covers a lost
 * notification, and a host where the socket cannot be opened.
 * (struct ifaddr_set: <net/if.h> already has a struct ifaddr.)
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "announce.h"
#include "ev.h"
#include "log.h"

struct ifaddr_set {
	struct ev_loop	*loop;		/* NULL: read once, no watching */
	ifaddr_cb	 cb;
	void		*arg;
	int		 nl_fd;		/* -1: no notifications */
	struct ev_timer	 settle;	/* re-read after a notification */
	struct ev_timer	 rescan;	/* periodic re-read */
	struct addr	*addrs;		/* sorted, unique */
	size_t		 naddrs;
	int		 read_failed;	/* the last read failed (logged once) */
	uint64_t	 reads;
};

static int
ifaddr_cmp(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

/* the addresses of up interfaces into *out (sorted, unique); -1 errno */
static int
ifaddr_read(struct addr **out, size_t *nout)
{
	struct ifaddrs	*list, *i;
	struct addr	*v = NULL;
	size_t		 n = 0, cap = 0, j, k;

	if (getifaddrs(&list) == -1)
		return -1;
	for (i = list; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_UP) == 0)
			continue;
		if (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		memset(&v[n], 0, sizeof(v[n]));
		if (i->ifa_addr->sa_family == AF_INET) {
			v[n].family = AF_INET;
			v[n].u.v4 = ((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr;
		} else {
			v[n].family = AF_INET6;
			v[n].u.v6 = ((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr;
		}
		n++;
	}
	freeifaddrs(list);
	if (n > 1)
		qsort(v, n, sizeof(*v), ifaddr_cmp);
	/* one address on several interfaces counts once */
	for (j = k = 0; j < n; j++)
		if (k == 0 || addr_cmp(&v[k - 1], &v[j]) != 0)
			v[k++] = v[j];
	*out = v;
	*nout = k;
	return 0;
}

int
ifaddr_refresh(struct ifaddr_set *ia)
{
	struct addr	*v;
	size_t		 n, i;
	int		 changed;

	ia->reads++;
	if (ifaddr_read(&v, &n) == -1) {
		/* keep the last set: a failed read proves nothing */
		if (!ia->read_failed)
			log_warn("ifaddr: cannot read the interface "
			    "addresses (keeping the last %zu)", ia->naddrs);
		ia->read_failed = 1;
		return -1;
	}
	if (ia->read_failed)
		log_info("ifaddr: interface addresses readable again");
	ia->read_failed = 0;
	changed = n != ia->naddrs;
	for (i = 0; !changed && i < n; i++)
		changed = addr_cmp(&v[i], &ia->addrs[i]) != 0;
	free(ia->addrs);
	ia->addrs = v;
	ia->naddrs = n;
	return changed;
}

static void
ifaddr_reread(struct ifaddr_set *ia, const char *why)
{
	if (ifaddr_refresh(ia) != 1)
		return;
	log_debug("ifaddr: %zu addresses on up interfaces (%s)", ia->naddrs,
	    why);
	if (ia->cb != NULL)
		ia->cb(ia->arg);
}

static void
ifaddr_settle_cb(void *arg)
{
	ifaddr_reread(arg, "netlink notification");
}

static void
ifaddr_rescan_cb(void *arg)
{
	struct ifaddr_set	*ia = arg;

	ev_timer_after(ia->loop, &ia->rescan, IFADDR_RESCAN);
	ifaddr_reread(ia, "periodic re-read");
}

/* a notification: drain the socket, read the set after the settle time */
static void
ifaddr_nl_cb(int fd, unsigned int events, void *arg)
{
	struct ifaddr_set	*ia = arg;
	char		 buf[8192];
	ssize_t		 r;
	int		 i, any = 0;

	/* bounded: what is left wakes the loop again */
	for (i = 0; i < 64; i++) {
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r > 0) {
			any = 1;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == ENOBUFS) {
			any = 1;	/* lost some: read the set anyway */
			continue;
		}
		break;		/* EAGAIN, or an error: the timer covers */
	}
	if (any && !ev_timer_armed(&ia->settle))
		ev_timer_after(ia->loop, &ia->settle, IFADDR_SETTLE);
}

static int
ifaddr_netlink(struct ifaddr_set *ia)
{
	struct sockaddr_nl	 sa;
	int			 fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE);
	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    ev_io_add(ia->loop, fd, EV_READ, ifaddr_nl_cb, ia) == -1) {
		close(fd);
		return -1;
	}
	ia->nl_fd = fd;
	return 0;
}

struct ifaddr_set *
ifaddr_new(struct ev_loop *loop, ifaddr_cb cb, void *arg)
{
	struct ifaddr_set	*ia;

	ia = xcalloc(1, sizeof(*ia));
	ia->loop = loop;
	ia->cb = cb;
	ia->arg = arg;
	ia->nl_fd = -1;
	ev_timer_init(&ia->settle, ifaddr_settle_cb, ia);
	ev_timer_init(&ia->rescan, ifaddr_rescan_cb, ia);
	if (loop != NULL) {
		/* subscribe first, so that no change falls between the two */
		if (ifaddr_netlink(ia) == -1)
			log_warn("ifaddr: no netlink notifications; "
			    "re-reading the interface addresses every %llu s",
			    (unsigned long long)(IFADDR_RESCAN / EV_NSEC));
		ev_timer_after(loop, &ia->rescan, IFADDR_RESCAN);
	}
	(void)ifaddr_refresh(ia);
	return ia;
}

void
ifaddr_free(struct ifaddr_set *ia)
{
	if (ia == NULL)
		return;
	if (ia->loop != NULL) {
		ev_timer_stop(ia->loop, &ia->settle);
		ev_timer_stop(ia->loop, &ia->rescan);
		if (ia->nl_fd != -1)
			ev_io_del(ia->loop, ia->nl_fd);
	}
	if (ia->nl_fd != -1)
		close(ia->nl_fd);
	free(ia->addrs);
	free(ia);
}

int
ifaddr_has(const struct ifaddr_set *ia, const struct addr *a)
{
	return ia != NULL && ia->naddrs > 0 &&
	    bsearch(a, ia->addrs, ia->naddrs, sizeof(*a), ifaddr_cmp) != NULL;
}

size_t
ifaddr_count(const struct ifaddr_set *ia)
{
	return ia->naddrs;
}

int
ifaddr_watching(const struct ifaddr_set *ia)
{
	return ia->nl_fd != -1;
}

uint64_t
ifaddr_reads(const struct ifaddr_set *ia)
{
	return ia->reads;
}
