/*
 * check_tcp.c - tcp check: nonblocking connect to host:port, its result
 * read by a second connect() (at once, or when the socket turns
 * writable), then optionally send a string and look for an expected
 * substring in the first CHECK_TCP_READ_MAX bytes read back. This is the
 * hot path (thousands of checks per second): the address is prepared
 * once, buffers are allocated once at init, and sockets are not closed
 * but disconnected and kept for the next check (check_tcp_close). A
 * check of a local address costs connect, connect and connect
 * (AF_UNSPEC), and never touches the event loop; a remote one adds the
 * epoll_ctl calls of its wait.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

enum check_tcp_state {
	TCP_IDLE,
	TCP_CONNECTING,
	TCP_SENDING,
	TCP_READING,
};

/*
 * After a miss (the result was not there yet right after connect, as for
 * any remote address), the next runs go straight to the event loop; this
 * many runs later the early look is tried again, in case the address
 * became local.
 */
#define CHECK_TCP_SLOW_RUNS	16

static void	check_tcp_io(int, unsigned int, void *);

static int
check_tcp_init(struct check *c)
{
	const struct check_conf	*cf = c->conf;
	struct check_tcp	*t = &c->u.tcp;

	t->fd = -1;
	memset(&t->addr, 0, sizeof(t->addr));
	if (cf->host.family == AF_INET6) {
		t->addr.sin6.sin6_family = AF_INET6;
		t->addr.sin6.sin6_port = htons(cf->port);
		t->addr.sin6.sin6_addr = cf->host.u.v6;
		t->salen = sizeof(t->addr.sin6);
	} else {
		t->addr.sin.sin_family = AF_INET;
		t->addr.sin.sin_port = htons(cf->port);
		if (cf->host.family == AF_INET)
			t->addr.sin.sin_addr = cf->host.u.v4;
		else	/* unset: the documented default */
			t->addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		t->salen = sizeof(t->addr.sin);
	}
	if (cf->expect != NULL && strlen(cf->expect) > CHECK_TCP_READ_MAX) {
		log_warnx("line %d: tcp expect longer than %d bytes",
		    cf->line, CHECK_TCP_READ_MAX);
		return -1;
	}
	if (cf->send == NULL && cf->expect == NULL)
		return 0;	/* connect only: nothing more to keep */
	t->talk = xcalloc(1, sizeof(*t->talk));
	t->talk->sendlen = cf->send != NULL ? strlen(cf->send) : 0;
	check_scan_init(&t->talk->scan, cf->expect);
	return 0;
}

/*
 * Done with a connection we opened. It ends with a RST, never a FIN: the
 * side that closes first keeps the 4-tuple in TIME_WAIT for 60 s, and at
 * thousands of checks per second against one loopback port the ~28000
 * ephemeral ports run out within seconds (connect then fails with
 * EADDRNOTAVAIL). A health check has nothing left to deliver, so the
 * abortive close loses nothing; the price is an occasional "reset by
 * peer" in a server's log. Load balancers do the same for the same
 * reason.
 *
 * The socket itself is kept for the next check while there is room:
 * connect(AF_UNSPEC) disconnects it (tcp_disconnect: the RST if it was
 * connected, queues purged, local port released), after which it can
 * connect again (the ECONNRESET the disconnect leaves in SO_ERROR is
 * cleared by that next connect, so epoll does not see a connect in
 * progress as failed). That replaces socket(), setsockopt(SO_LINGER) and
 * close(), and the allocation and freeing of a socket, with one call. A
 * socket with no room left, or that does not disconnect, is closed with
 * SO_LINGER {1, 0}: the same RST.
 */
static void
check_tcp_close(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;
	struct check_ctx	*ctx = c->ctx;
	struct sockaddr		 un;
	struct linger		 l = { 1, 0 };
	int			 f;

	if (t->fd == -1)
		return;
	if (t->watching)
		ev_io_del(ctx->loop, t->fd);
	t->watching = 0;
	f = t->addr.sa.sa_family == AF_INET6;
	memset(&un, 0, sizeof(un));
	un.sa_family = AF_UNSPEC;
	if (ctx->ntcp_spare[f] < CHECK_TCP_SPARE &&
	    connect(t->fd, &un, sizeof(un)) == 0)
		ctx->tcp_spare[f][ctx->ntcp_spare[f]++] = t->fd;
	else {
		if (t->state != TCP_CONNECTING)
			(void)setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &l,
			    sizeof(l));
		close(t->fd);
	}
	t->fd = -1;
	t->state = TCP_IDLE;
}

static void
check_tcp_fail(struct check *c, int err)
{
	check_tcp_close(c);
	if (err == ECONNREFUSED)
		check_done(c, CHECK_TCP_REFUSED, NULL);
	else
		check_done(c, CHECK_TCP_ERROR, "tcp: %s", strerror(err));
}

static int
check_tcp_watch(struct check *c, unsigned int events)
{
	struct check_tcp	*t = &c->u.tcp;
	int			 r;

	if (t->watching == events)
		return 0;
	if (t->watching == 0)
		r = ev_io_add(c->ctx->loop, t->fd, events, check_tcp_io, c);
	else
		r = ev_io_mod(c->ctx->loop, t->fd, events);
	if (r == -1) {
		check_tcp_close(c);
		check_done(c, CHECK_INTERNAL, "tcp: cannot watch socket");
		return -1;
	}
	t->watching = events;
	return 0;
}

/* show what we got instead of the banner: first line, printable only */
static void
check_tcp_mismatch(struct check *c)
{
	struct check_tcp_talk	*k = c->u.tcp.talk;
	char			 got[64];
	size_t			 i, n;

	for (i = n = 0; i < k->headlen && n < sizeof(got) - 1; i++) {
		if (k->head[i] == '\r' || k->head[i] == '\n')
			break;
		got[n++] = (k->head[i] >= 0x20 && k->head[i] < 0x7f) ?
		    k->head[i] : '?';
	}
	got[n] = '\0';
	check_tcp_close(c);
	if (n == 0)
		check_done(c, CHECK_TCP_EXPECT, "tcp: banner mismatch: "
		    "nothing read");
	else
		check_done(c, CHECK_TCP_EXPECT, "tcp: banner mismatch: "
		    "\"%s\"", got);
}

/*
 * Read what came and scan it for the expected string as it streams by,
 * up to CHECK_TCP_READ_MAX bytes; only the first bytes are kept, to show
 * in the reason of a mismatch.
 */
static void
check_tcp_read(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;
	struct check_tcp_talk	*k = t->talk;
	char			 buf[CHECK_TCP_READ_MAX];
	ssize_t			 n;
	size_t			 room;

	for (;;) {
		room = CHECK_TCP_READ_MAX - k->scan.seen;
		n = read(t->fd, buf, room);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			check_tcp_fail(c, errno);
			return;
		}
		if (n == 0) {
			check_tcp_mismatch(c);
			return;
		}
		if (k->headlen < sizeof(k->head)) {
			room = sizeof(k->head) - k->headlen;
			if (room > (size_t)n)
				room = n;
			memcpy(k->head + k->headlen, buf, room);
			k->headlen += room;
		}
		if (check_scan(&k->scan, buf, n)) {
			check_tcp_close(c);
			check_done(c, CHECK_OK, NULL);
			return;
		}
		if (k->scan.seen >= CHECK_TCP_READ_MAX) {
			check_tcp_mismatch(c);
			return;
		}
	}
}

static void
check_tcp_send(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;
	struct check_tcp_talk	*k = t->talk;
	ssize_t			 n;

	while (k->sent < k->sendlen) {
		n = send(t->fd, c->conf->send + k->sent, k->sendlen - k->sent,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				(void)check_tcp_watch(c, EV_WRITE);
				return;
			}
			check_tcp_fail(c, errno);
			return;
		}
		k->sent += n;
	}
	if (k->scan.want == NULL) {
		check_tcp_close(c);
		check_done(c, CHECK_OK, NULL);
		return;
	}
	t->state = TCP_READING;
	if (check_tcp_watch(c, EV_READ) == -1)
		return;
	/* often already there: saves a trip through the loop */
	check_tcp_read(c);
}

static void
check_tcp_connected(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;

	t->state = TCP_SENDING;
	if (t->talk == NULL) {
		check_tcp_close(c);
		check_done(c, CHECK_OK, NULL);
		return;
	}
	check_tcp_send(c);
}

/*
 * The result of a connect in progress, from connect() itself: 0 once the
 * handshake is done, the error (and the socket reset to unconnected) once
 * it failed, EALREADY while it goes on. One system call, where
 * getsockopt(SO_ERROR) would need writability to tell "done" from "not
 * yet". 1 when the check went on (connected or failed), 0 while waiting.
 */
static int
check_tcp_result(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;

	if (connect(t->fd, &t->addr.sa, t->salen) == 0 || errno == EISCONN) {
		check_tcp_connected(c);
		return 1;
	}
	if (errno == EALREADY || errno == EINPROGRESS || errno == EINTR)
		return 0;
	check_tcp_fail(c, errno);
	return 1;
}

static void
check_tcp_io(int fd, unsigned int events, void *arg)
{
	struct check		*c = arg;
	struct check_tcp	*t = &c->u.tcp;

	switch (t->state) {
	case TCP_CONNECTING:
		(void)check_tcp_result(c);
		break;
	case TCP_SENDING:
		check_tcp_send(c);
		break;
	case TCP_READING:
		check_tcp_read(c);
		break;
	default:
		break;
	}
}

static void
check_tcp_start(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;
	struct check_ctx	*ctx = c->ctx;
	int			 f;

	if (t->talk != NULL) {
		t->talk->sent = 0;
		t->talk->headlen = 0;
		check_scan_reset(&t->talk->scan);
	}
	t->watching = 0;
	f = t->addr.sa.sa_family == AF_INET6;
	if (ctx->ntcp_spare[f] > 0)
		t->fd = ctx->tcp_spare[f][--ctx->ntcp_spare[f]];
	else
		t->fd = socket(t->addr.sa.sa_family, SOCK_STREAM |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (t->fd == -1) {
		check_done(c, CHECK_INTERNAL, "tcp: socket: %s",
		    strerror(errno));
		return;
	}
	t->state = TCP_CONNECTING;
	if (connect(t->fd, &t->addr.sa, t->salen) == 0) {
		check_tcp_connected(c);
		return;
	}
	if (errno != EINPROGRESS) {
		check_tcp_fail(c, errno);
		return;
	}
	/*
	 * To a local address (loopback, or one of this host's own) the
	 * whole handshake, or the RST of a closed port, runs inside the
	 * connect() call: the answer is already there, and asking for it
	 * now spares the epoll_ctl add, the wait and the epoll_ctl del.
	 */
	if (t->slow == 0) {
		if (check_tcp_result(c))
			return;
		t->slow = CHECK_TCP_SLOW_RUNS;
	} else
		t->slow--;
	(void)check_tcp_watch(c, EV_WRITE);
}

static void
check_tcp_cancel(struct check *c)
{
	check_tcp_close(c);
}

/*
 * Out of time while waiting for the banner: if the peer did say
 * something, "banner mismatch" with what it said tells more than
 * "timeout" (a server that keeps the connection open after a wrong banner
 * ends here, not on EOF).
 */
static void
check_tcp_expire(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;

	if (t->state == TCP_READING && t->talk->headlen > 0) {
		check_tcp_mismatch(c);
		return;
	}
	check_tcp_close(c);
	check_done(c, CHECK_TIMEOUT, NULL);
}

static void
check_tcp_free(struct check *c)
{
	struct check_tcp	*t = &c->u.tcp;

	check_tcp_close(c);
	if (t->talk != NULL) {
		check_scan_free(&t->talk->scan);
		free(t->talk);
		t->talk = NULL;
	}
}

const struct check_ops check_tcp_ops = {
	.name = "tcp",
	.own_timeout = 0,
	.init = check_tcp_init,
	.start = check_tcp_start,
	.cancel = check_tcp_cancel,
	.expire = check_tcp_expire,
	.free = check_tcp_free,
};
