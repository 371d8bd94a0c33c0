/*
 * test_check.c - the tcp, http and exec checks against real peers on
 * loopback, all served from the test's own event loop: listeners that
 * accept, refuse, never accept, send a banner, answer PING, never answer;
 * a tiny HTTP/1.1 server; commands that succeed, fail, hang and fork.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "check.h"
#include "conf.h"
#include "ev.h"
#include "log.h"
#include "testlib.h"

static struct check_ctx	*ctx;

/* a run's outcome as the callback saw it */
struct result {
	int			 calls;
	enum check_reason	 reason;
	char			 detail[CHECK_EXEC_DETAIL_MAX];
	uint64_t		 latency;
	int			 weight;
};

static void
result_cb(struct check *c, void *arg)
{
	struct result	*r = arg;

	r->calls++;
	r->weight = c->weight;
	r->reason = c->reason;
	r->latency = c->latency;
	snprintf(r->detail, sizeof(r->detail), "%s", c->detail);
}

/* one run; the callback must come from the tl_loop, never from check_start */
static void
run_check(struct check *c, struct result *r)
{
	uint64_t	 end;
	int		 before = r->calls;

	check_start(c);
	assert_int_equal(r->calls, before);
	assert_true(check_running(c));
	end = ev_monotonic() + 8 * EV_NSEC;
	while (r->calls == before && ev_monotonic() < end)
		ev_run_once(tl_loop, 50 * EV_MSEC);
	assert_int_equal(r->calls, before + 1);
	assert_false(check_running(c));
}

/* one run of a check of type made from cf, its outcome in r */
static void
run_one(const struct check_conf *cf, struct result *r, const char *type)
{
	struct check	 c;

	assert_int_equal(check_init(&c, ctx, cf, result_cb, r), 0);
	assert_string_equal(check_ops_name(&c), type);
	run_check(&c, r);
	check_fini(&c);
}

/* run the loop until the n results count want calls (at most 5 s) */
static void
wait_calls(const struct result *r, size_t n, size_t want)
{
	uint64_t	 end = ev_monotonic() + 5 * EV_NSEC;
	size_t		 i, done;

	do {
		ev_run_once(tl_loop, 10 * EV_MSEC);
		for (i = done = 0; i < n; i++)
			done += r[i].calls;
	} while (done < want && ev_monotonic() < end);
}

static int
setup(void **state)
{
	log_init("test_check", 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (tl_loop_setup(state) == -1 ||
	    (ctx = check_ctx_new(tl_loop, NULL, NULL)) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	check_ctx_free(ctx);
	ctx = NULL;
	return tl_loop_teardown(state);
}

/* ---- loopback peers ---- */

#define PEER_MAX_CONNS	512

/* a server driven by the test's loop: what it does per connection */
enum peer_mode {
	PEER_ACCEPT,	/* accept, then wait for the client to close */
	PEER_BANNER,	/* accept, send the banner */
	PEER_PONG,	/* accept, answer "PING\r\n" with "+PONG\r\n" */
	PEER_SILENT,	/* accept, never send anything */
	PEER_HTTP,	/* tiny HTTP/1.1 server, see peer_http() */
	PEER_CLOSE,	/* accept, close at once */
};

struct peer_conn {
	int	 fd;
	char	 in[4096];
	size_t	 inlen;
	char	*out;
	size_t	 outlen, outoff;
	int	 reset;		/* the client closed with a RST */
	int	 eof;
	size_t	 pauses[4];	/* stop writing at these offsets for 30 ms */
	size_t	 npauses, ipause;
	struct ev_timer	 resume;
};

struct peer {
	int			 fd;
	uint16_t		 port;
	enum peer_mode		 mode;
	const char		*banner;
	size_t			 pauses[4];	/* copied to each conn */
	size_t			 npauses;
	struct peer_conn	 conns[PEER_MAX_CONNS];
	size_t			 nconns;
	size_t			 accepted;
	char			 host_seen[128];
};

static void	peer_conn_cb(int, unsigned int, void *);

static void
peer_conn_close(struct peer_conn *pc)
{
	ev_timer_stop(tl_loop, &pc->resume);
	if (pc->fd != -1) {
		ev_io_del(tl_loop, pc->fd);
		close(pc->fd);
		pc->fd = -1;
	}
}

static void
peer_send(struct peer_conn *pc, const char *data, size_t len)
{
	pc->out = malloc(len);
	memcpy(pc->out, data, len);
	pc->outlen = len;
	pc->outoff = 0;
	ev_io_mod(tl_loop, pc->fd, EV_READ | EV_WRITE);
}

/*
 * GET /ok, /fail, /redirect, /slow, /host, /big-early, /big-late;
 * /weight/V and /fail-weight/V answer X-Bgpsd-Weight: V (200, 503)
 */
static void
peer_http(struct peer *p, struct peer_conn *pc)
{
	char		 path[256], head[512], extra[300], *body = NULL, *h;
	char		*all;
	const char	*status = "200 OK", *text = "all good here\n";
	size_t		 blen, hlen;

	if (sscanf(pc->in, "GET %255s HTTP/1.1", path) != 1)
		snprintf(path, sizeof(path), "/bad");
	if ((h = strcasestr(pc->in, "\r\nHost: ")) != NULL)
		sscanf(h + 8, "%127[^\r]", p->host_seen);
	if (strcmp(path, "/slow") == 0)
		return;
	blen = strlen(text);
	extra[0] = '\0';
	if (strncmp(path, "/weight/", 8) == 0) {
		snprintf(extra, sizeof(extra), "x-bgpsd-weight: %s\r\n",
		    path + 8);
		snprintf(path, sizeof(path), "/ok");
	} else if (strncmp(path, "/fail-weight/", 13) == 0) {
		snprintf(extra, sizeof(extra), "X-Bgpsd-Weight: %s\r\n",
		    path + 13);
		snprintf(path, sizeof(path), "/fail");
	}
	if (strcmp(path, "/fail") == 0) {
		status = "503 Service Unavailable";
		text = "down\n";
		blen = strlen(text);
	} else if (strcmp(path, "/redirect") == 0) {
		status = "302 Found";
		text = "";
		blen = 0;
	} else if (strcmp(path, "/host") == 0) {
		if (strcmp(p->host_seen, "svc.example") != 0)
			status = "421 Misdirected Request";
	} else if (strncmp(path, "/big-", 5) == 0) {
		/* 70000 bytes of x with "needle" at 10, near the end, or at N */
		size_t	 at = blen = 70000;

		if (strcmp(path, "/big-early") == 0)
			at = 10;
		else if (strcmp(path, "/big-late") == 0)
			at = blen - 10;
		else
			sscanf(path, "/big-at-%zu", &at);
		body = malloc(blen);
		memset(body, 'x', blen);
		if (at + 6 <= blen)
			memcpy(body + at, "needle", 6);
	} else if (strcmp(path, "/split") == 0) {
		/* "needle" cut over three writes: "...ne" "ed" "le..." */
		text = "0123456789abcdefghijne" "ed" "le0123456789";
		blen = strlen(text);
	} else if (strcmp(path, "/ok") != 0)
		status = "404 Not Found";
	hlen = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Length: "
	    "%zu\r\n%s%sConnection: close\r\n\r\n", status, blen,
	    strncmp(status, "302", 3) == 0 ?
	    "Location: http://127.0.0.1:1/elsewhere\r\n" : "", extra);
	all = malloc(hlen + blen);
	memcpy(all, head, hlen);
	memcpy(all + hlen, body != NULL ? body : text, blen);
	peer_send(pc, all, hlen + blen);
	if (strcmp(path, "/split") == 0) {
		pc->pauses[0] = hlen + 22;
		pc->pauses[1] = hlen + 24;
		pc->npauses = 2;
	}
	free(all);
	free(body);
}

static void
peer_conn_cb(int fd, unsigned int events, void *arg)
{
	struct peer_conn	*pc = arg;
	ssize_t			 n;

	if ((events & EV_WRITE) && pc->out != NULL) {
		size_t	 end = pc->outlen;

		if (pc->ipause < pc->npauses)
			end = pc->pauses[pc->ipause];
		n = write(fd, pc->out + pc->outoff, end - pc->outoff);
		if (n > 0)
			pc->outoff += n;
		if (pc->outoff == end && end < pc->outlen) {
			/* a separate segment: curl sees a separate chunk */
			pc->ipause++;
			ev_io_mod(tl_loop, fd, EV_READ);
			ev_timer_after(tl_loop, &pc->resume, 30 * EV_MSEC);
		} else if (pc->outoff == pc->outlen) {
			free(pc->out);
			pc->out = NULL;
			ev_io_mod(tl_loop, fd, EV_READ);
		}
	}
	if (events & (EV_READ | EV_ERROR)) {
		n = read(fd, pc->in + pc->inlen, sizeof(pc->in) - 1 -
		    pc->inlen);
		if (n > 0) {
			pc->inlen += n;
			pc->in[pc->inlen] = '\0';
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			if (n == -1 && errno == ECONNRESET)
				pc->reset = 1;
			pc->eof = 1;
			free(pc->out);
			pc->out = NULL;
			peer_conn_close(pc);
		}
	}
}

/* live peers, to find the peer a connection belongs to */
static struct peer	*peer_of_conn[16];

static void
peer_proto_cb(int fd, unsigned int events, void *arg)
{
	struct peer_conn	*pc = arg;
	struct peer		*p = NULL;
	size_t			 before = pc->inlen, i;

	for (i = 0; i < sizeof(peer_of_conn) / sizeof(*peer_of_conn); i++)
		if (peer_of_conn[i] != NULL && pc >= peer_of_conn[i]->conns &&
		    pc < peer_of_conn[i]->conns + PEER_MAX_CONNS) {
			p = peer_of_conn[i];
			break;
		}
	peer_conn_cb(fd, events, pc);
	if (p == NULL || pc->fd == -1 || pc->inlen == before)
		return;
	if (p->mode == PEER_PONG && strstr(pc->in, "PING\r\n") != NULL &&
	    pc->out == NULL && pc->outlen == 0)
		peer_send(pc, "+PONG\r\n", 7);
	if (p->mode == PEER_HTTP && strstr(pc->in, "\r\n\r\n") != NULL &&
	    pc->outlen == 0)
		peer_http(p, pc);
}

static void
peer_resume_cb(void *arg)
{
	struct peer_conn	*pc = arg;

	if (pc->fd != -1)
		ev_io_mod(tl_loop, pc->fd, EV_READ | EV_WRITE);
}

static void
peer_accept_cb(int fd, unsigned int events, void *arg)
{
	struct peer		*p = arg;
	struct peer_conn	*pc;
	int			 c;

	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) !=
	    -1) {
		p->accepted++;
		if (p->nconns == PEER_MAX_CONNS) {
			close(c);
			continue;
		}
		if (p->mode == PEER_CLOSE) {
			close(c);
			continue;
		}
		pc = &p->conns[p->nconns++];
		memset(pc, 0, sizeof(*pc));
		pc->fd = c;
		ev_timer_init(&pc->resume, peer_resume_cb, pc);
		ev_io_add(tl_loop, c, EV_READ, peer_proto_cb, pc);
		if (p->mode == PEER_BANNER) {
			peer_send(pc, p->banner, strlen(p->banner));
			memcpy(pc->pauses, p->pauses, sizeof(pc->pauses));
			pc->npauses = p->npauses;
		}
	}
}

static struct peer *
peer_new(int family, enum peer_mode mode, const char *banner)
{
	struct peer	*p;
	size_t		 i;

	p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->mode = mode;
	p->banner = banner;
	p->fd = tl_lo_socket(family, 128, &p->port);
	assert_int_not_equal(p->fd, -1);
	assert_int_equal(ev_io_add(tl_loop, p->fd, EV_READ, peer_accept_cb, p),
	    0);
	for (i = 0; i < sizeof(peer_of_conn) / sizeof(*peer_of_conn); i++)
		if (peer_of_conn[i] == NULL) {
			peer_of_conn[i] = p;
			break;
		}
	return p;
}

static void
peer_free(struct peer *p)
{
	size_t	 i;

	for (i = 0; i < p->nconns; i++) {
		free(p->conns[i].out);
		peer_conn_close(&p->conns[i]);
	}
	for (i = 0; i < sizeof(peer_of_conn) / sizeof(*peer_of_conn); i++)
		if (peer_of_conn[i] == p)
			peer_of_conn[i] = NULL;
	ev_io_del(tl_loop, p->fd);
	close(p->fd);
	free(p);
}

/* ---- tcp ---- */

static struct check_conf
tcp_conf(const char *host, uint16_t port, double timeout)
{
	struct check_conf	 cf;

	memset(&cf, 0, sizeof(cf));
	cf.type = CHECK_TCP;
	cf.timeout = timeout;
	assert_int_equal(addr_parse(host, &cf.host), 0);
	cf.host_set = 1;
	cf.port = port;
	return cf;
}

/*
 * A TCP socket (flags added to SOCK_STREAM) connecting to 127.0.0.1:port
 * in *fd; returns what connect(2) returned
 */
static int
lo_connect(int flags, uint16_t port, int *fd)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM | flags, 0);
	return connect(*fd, (struct sockaddr *)&sin, sizeof(sin));
}

#define NFILL	8

/*
 * NFILL connects to the listener on port (backlog 0) fill its accept
 * queue: further SYNs are dropped, a connect never completes
 */
static void
fill_backlog(int *fill, uint16_t port)
{
	int	 i;

	for (i = 0; i < NFILL; i++)
		(void)lo_connect(SOCK_NONBLOCK, port, &fill[i]);
	tl_run_for(tl_loop, 50 * EV_MSEC);
}

static void
unfill(int *fill)
{
	int	 i;

	for (i = 0; i < NFILL; i++)
		close(fill[i]);
}

static void
test_tcp_ok(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_ACCEPT, NULL);
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 1);
	struct check		 c;
	struct result		 r = { 0 };

	assert_int_equal(check_init(&c, ctx, &cf, result_cb, &r), 0);
	assert_string_equal(check_ops_name(&c), "tcp");
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_OK);
	assert_string_equal(r.detail, "ok");
	assert_true(r.latency > 0 && r.latency < EV_NSEC);
	/* the same struct runs again: nothing is used up by a run */
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_OK);
	tl_run_for(tl_loop, 50 * EV_MSEC);
	assert_int_equal(p->accepted, 2);
	check_fini(&c);
	peer_free(p);
}

/* the abortive close: the server sees a RST, we keep no TIME_WAIT */
static void
test_tcp_closes_with_rst(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_ACCEPT, NULL);
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 1);
	struct check		 c;
	struct result		 r = { 0 };

	assert_int_equal(check_init(&c, ctx, &cf, result_cb, &r), 0);
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_OK);
	tl_run_for(tl_loop, 100 * EV_MSEC);
	assert_int_equal(p->nconns, 1);
	assert_true(p->conns[0].eof);
	assert_true(p->conns[0].reset);
	check_fini(&c);
	peer_free(p);
}

static void
test_tcp_ipv6(void **state)
{
	uint16_t		 port;
	int			 fd = tl_lo_socket(AF_INET6, 16, &port);
	struct check_conf	 cf;
	struct result		 r = { 0 };

	if (fd == -1)
		skip();	/* no ::1 here */
	cf = tcp_conf("::1", port, 1);
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_OK);
	close(fd);
}

static void
test_tcp_refused(void **state)
{
	uint16_t		 port;
	/* bound, not listening: the port stays ours and refuses */
	int			 fd = tl_lo_socket(AF_INET, -1, &port);
	struct check_conf	 cf = tcp_conf("127.0.0.1", port, 1);
	struct result		 r = { 0 };

	assert_int_not_equal(fd, -1);
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_TCP_REFUSED);
	assert_string_equal(r.detail, "tcp: connection refused");
	assert_string_equal(check_reason_str(r.reason),
	    "tcp: connection refused");
	close(fd);
}

/*
 * To a local address the handshake (or the RST of a closed port) happens
 * inside connect(): the check has its answer before check_start returns,
 * holds no socket after it and never waited in the loop; the result still
 * comes from the loop. A connect that stays pending (a full backlog: the
 * SYN is dropped) waits in the loop, as a remote one does.
 */
static void
test_tcp_local_at_once(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_ACCEPT, NULL);
	uint16_t		 port, fport;
	int			 fd = tl_lo_socket(AF_INET, -1, &port);
	int			 lfd = tl_lo_socket(AF_INET, 0, &fport);
	int			 fill[NFILL], i, k;
	struct check_conf	 cf[2];
	struct check		 c;
	struct result		 r = { 0 };
	enum check_reason	 want[2] = { CHECK_OK, CHECK_TCP_REFUSED };

	assert_int_not_equal(fd, -1);
	assert_int_not_equal(lfd, -1);
	cf[0] = tcp_conf("127.0.0.1", p->port, 1);
	cf[1] = tcp_conf("127.0.0.1", port, 1);
	for (k = 0; k < 2; k++) {
		assert_int_equal(check_init(&c, ctx, &cf[k], result_cb, &r),
		    0);
		for (i = 0; i < 3; i++) {
			check_start(&c);
			assert_int_equal(c.u.tcp.fd, -1);
			assert_int_equal(c.u.tcp.watching, 0);
			assert_true(check_running(&c));
			assert_int_equal(r.calls, k * 3 + i);
			ev_run_once(tl_loop, 0);
			assert_int_equal(r.calls, k * 3 + i + 1);
			assert_int_equal(r.reason, want[k]);
		}
		check_fini(&c);
	}
	tl_run_for(tl_loop, 50 * EV_MSEC);
	assert_int_equal(p->accepted, 3);

	fill_backlog(fill, fport);
	cf[0] = tcp_conf("127.0.0.1", fport, 0.2);
	assert_int_equal(check_init(&c, ctx, &cf[0], result_cb, &r), 0);
	check_start(&c);
	assert_int_not_equal(c.u.tcp.fd, -1);
	assert_int_equal(c.u.tcp.watching, EV_WRITE);
	check_fini(&c);
	unfill(fill);
	close(lfd);
	close(fd);
	peer_free(p);
}

/*
 * A finished check's socket is disconnected (the server still sees a
 * RST) and kept for the next check. The disconnect leaves ECONNRESET in
 * SO_ERROR, which the next connect must clear: a connect in progress on
 * the kept socket waits quietly in the loop instead of being reported as
 * an error (EPOLLERR) at once, again and again.
 */
static void
test_tcp_spare_socket(void **state)
{
	struct check_ctx	*cx = check_ctx_new(tl_loop, NULL, NULL);
	struct peer		*p = peer_new(AF_INET, PEER_ACCEPT, NULL);
	uint16_t		 fport;
	int			 lfd = tl_lo_socket(AF_INET, 0, &fport);
	int			 fill[NFILL], i, fd, iters;
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 1);
	struct check		 c;
	struct result		 r = { 0 };
	uint64_t		 end;

	assert_non_null(cx);
	assert_int_not_equal(lfd, -1);
	assert_int_equal(check_init(&c, cx, &cf, result_cb, &r), 0);
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_OK);
	assert_int_equal(cx->ntcp_spare[0], 1);
	fd = cx->tcp_spare[0][0];
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_OK);
	assert_int_equal(cx->ntcp_spare[0], 1);
	assert_int_equal(cx->tcp_spare[0][0], fd);
	check_fini(&c);
	tl_run_for(tl_loop, 50 * EV_MSEC);
	assert_int_equal(p->nconns, 2);
	for (i = 0; i < 2; i++)
		assert_true(p->conns[i].reset);

	/* the spare socket, connecting to a full backlog: it waits */
	fill_backlog(fill, fport);
	cf = tcp_conf("127.0.0.1", fport, 0.3);
	assert_int_equal(check_init(&c, cx, &cf, result_cb, &r), 0);
	check_start(&c);
	assert_int_equal(c.u.tcp.fd, fd);
	assert_int_equal(c.u.tcp.watching, EV_WRITE);
	end = ev_monotonic() + 100 * EV_MSEC;
	for (iters = 0; ev_monotonic() < end && iters < 1000; iters++)
		ev_run_once(tl_loop, 50 * EV_MSEC);
	assert_true(iters < 20);
	assert_true(check_running(&c));
	check_fini(&c);
	unfill(fill);
	close(lfd);
	peer_free(p);
	check_ctx_free(cx);
}

/*
 * Thousands of checks per process: a connect-only tcp check carries no
 * send/expect state and no message buffer until a run has a formatted
 * message to keep; a banner check gets both only when it needs them.
 */
static void
test_tcp_lean(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_BANNER,
	    "220 mail\r\n");
	uint16_t		 port;
	int			 fd = tl_lo_socket(AF_INET, -1, &port);
	struct check_conf	 cf = tcp_conf("127.0.0.1", port, 1);
	struct check		 c;
	struct result		 r = { 0 };
	char			*msg;

	assert_true(sizeof(struct check) <= 256);
	assert_int_not_equal(fd, -1);
	assert_int_equal(check_init(&c, ctx, &cf, result_cb, &r), 0);
	assert_null(c.u.tcp.talk);
	assert_null(c.msg);
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_TCP_REFUSED);
	assert_string_equal(r.detail, "tcp: connection refused");
	assert_null(c.msg);	/* the reason's own text: nothing kept */
	check_fini(&c);
	close(fd);

	cf = tcp_conf("127.0.0.1", p->port, 1);
	cf.expect = "SSH-";
	assert_int_equal(check_init(&c, ctx, &cf, result_cb, &r), 0);
	assert_non_null(c.u.tcp.talk);
	assert_null(c.msg);
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_TCP_EXPECT);
	assert_non_null(c.msg);	/* a formatted message: now it has one */
	assert_ptr_equal(c.detail, c.msg);
	assert_string_equal(r.detail, "tcp: banner mismatch: \"220 mail\"");
	/* the next message goes to the same buffer */
	msg = c.msg;
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_TCP_EXPECT);
	assert_ptr_equal(c.msg, msg);
	check_fini(&c);
	assert_null(c.msg);
	peer_free(p);
}

static void
test_tcp_banner(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_BANNER,
	    "SSH-2.0-OpenSSH_9.2\r\n");
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 1);
	struct result		 r = { 0 };

	cf.expect = "OpenSSH";
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_OK);

	/* the server keeps the connection open: judged at the deadline */
	cf.expect = "220 ";
	cf.timeout = 0.2;
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_TCP_EXPECT);
	assert_string_equal(r.detail,
	    "tcp: banner mismatch: \"SSH-2.0-OpenSSH_9.2\"");
	peer_free(p);
}

/* the match cut over three reads; only the first 4 KiB count */
static void
test_tcp_banner_stream(void **state)
{
	static char		 big[6000];
	struct peer		*p;
	struct check_conf	 cf;
	struct result		 r = { 0 };

	p = peer_new(AF_INET, PEER_BANNER, "* OK IMAP4rev1 ready\r\n");
	p->pauses[0] = 15;	/* "* OK IMAP4rev1 " | "re" | "ady\r\n" */
	p->pauses[1] = 17;
	p->npauses = 2;
	cf = tcp_conf("127.0.0.1", p->port, 1);
	cf.expect = "rev1 ready";
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_OK);
	assert_true(r.latency >= 50 * EV_MSEC);	/* it did wait for the pieces */
	peer_free(p);

	memset(big, 'x', sizeof(big) - 1);
	memcpy(big + 4000, "MATCH", 5);
	p = peer_new(AF_INET, PEER_BANNER, big);
	cf = tcp_conf("127.0.0.1", p->port, 1);
	cf.expect = "MATCH";
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_OK);
	peer_free(p);

	memset(big, 'x', sizeof(big) - 1);
	memcpy(big + 4092, "MATCH", 5);	/* ends past CHECK_TCP_READ_MAX */
	p = peer_new(AF_INET, PEER_BANNER, big);
	cf = tcp_conf("127.0.0.1", p->port, 1);
	cf.expect = "MATCH";
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_TCP_EXPECT);
	assert_true(r.latency < 500 * EV_MSEC);	/* judged at 4 KiB, not at the deadline */
	assert_string_equal(r.detail, "tcp: banner mismatch: "
	    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"");
	peer_free(p);
}

/* the peer hangs up before the banner: a mismatch at once, no timeout */
static void
test_tcp_banner_eof(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_CLOSE, NULL);
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 5);
	struct result		 r = { 0 };

	cf.expect = "220 ";
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_TCP_EXPECT);
	assert_string_equal(r.detail, "tcp: banner mismatch: nothing read");
	assert_true(r.latency < EV_NSEC);
	peer_free(p);
}

static void
test_tcp_send_expect(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_PONG, NULL);
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 1);
	struct result		 r = { 0 };

	cf.send = "PING\r\n";
	cf.expect = "+PONG";
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_OK);
	assert_non_null(strstr(p->conns[0].in, "PING\r\n"));
	peer_free(p);
}

/* accepted but silent: the expect waits into the deadline */
static void
test_tcp_timeout_expect(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_SILENT, NULL);
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 0.2);
	struct result		 r = { 0 };
	uint64_t		 t0 = ev_monotonic();

	cf.expect = "hello";
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_TIMEOUT);
	assert_string_equal(r.detail, "timeout");
	assert_true(ev_monotonic() - t0 >= 190 * EV_MSEC);
	assert_true(ev_monotonic() - t0 < 900 * EV_MSEC);
	peer_free(p);
}

/*
 * A listener whose accept queue is full drops further SYNs, so a connect
 * never completes: the connect itself runs into the deadline.
 */
static void
test_tcp_timeout_connect(void **state)
{
	uint16_t		 port;
	int			 lfd = tl_lo_socket(AF_INET, 0, &port);
	int			 fill[NFILL];
	struct check_conf	 cf = tcp_conf("127.0.0.1", port, 0.3);
	struct result		 r = { 0 };

	assert_int_not_equal(lfd, -1);
	fill_backlog(fill, port);
	run_one(&cf, &r, "tcp");
	assert_int_equal(r.reason, CHECK_TIMEOUT);
	unfill(fill);
	close(lfd);
}

/* many at once against one listener, one tl_loop, all fine */
static void
test_tcp_many(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_ACCEPT, NULL);
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 2);
	struct check		*c;
	struct result		*r;
	size_t			 i, n = 300;

	c = calloc(n, sizeof(*c));
	r = calloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		assert_int_equal(check_init(&c[i], ctx, &cf, result_cb, &r[i]),
		    0);
		check_start(&c[i]);
	}
	wait_calls(r, n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(r[i].calls, 1);
		assert_int_equal(r[i].reason, CHECK_OK);
		check_fini(&c[i]);
	}
	free(c);
	free(r);
	peer_free(p);
}

/* cancel: no callback, no fd left behind, and the check runs again */
static void
test_tcp_cancel(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_SILENT, NULL);
	struct check_conf	 cf = tcp_conf("127.0.0.1", p->port, 0.2);
	struct check		 c;
	struct result		 r = { 0 };

	cf.expect = "x";
	assert_int_equal(check_init(&c, ctx, &cf, result_cb, &r), 0);
	check_start(&c);
	check_start(&c);	/* no stacking */
	tl_run_for(tl_loop, 20 * EV_MSEC);
	check_cancel(&c);
	assert_false(check_running(&c));
	tl_run_for(tl_loop, 300 * EV_MSEC);
	assert_int_equal(r.calls, 0);
	assert_int_equal(c.u.tcp.fd, -1);
	run_check(&c, &r);
	assert_int_equal(r.calls, 1);
	check_fini(&c);
	peer_free(p);
}

/* ---- http ---- */

static struct check_conf
http_conf(uint16_t port, const char *path, double timeout)
{
	struct check_conf	 cf;
	static char		 url[16][128];
	static int		 n;
	char			*u = url[n++ % 16];

	memset(&cf, 0, sizeof(cf));
	cf.type = CHECK_HTTP;
	cf.timeout = timeout;
	cf.tls_verify = 1;
	snprintf(u, 128, "http://127.0.0.1:%u%s", port, path);
	cf.url = u;
	return cf;
}

static void
test_http_status(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_HTTP, NULL);
	struct check_conf	 cf;
	struct result		 r = { 0 };
	struct status_range	 st[2] = { { 200, 200 }, { 503, 503 } };

	cf = http_conf(p->port, "/ok", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_OK);

	cf = http_conf(p->port, "/fail", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_HTTP_STATUS);
	assert_string_equal(r.detail, "http: status 503");

	/* a 503 listed as fine is fine */
	cf.status = st;
	cf.nstatus = 2;
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_OK);

	cf = http_conf(p->port, "/nothing-here", 1);
	run_one(&cf, &r, "http");
	assert_string_equal(r.detail, "http: status 404");
	peer_free(p);
}

/* redirects are judged, never followed */
static void
test_http_redirect(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_HTTP, NULL);
	struct check_conf	 cf;
	struct result		 r = { 0 };
	struct status_range	 st = { 200, 299 };

	cf = http_conf(p->port, "/redirect", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_OK);	/* 302 is in 200-399 */
	cf.status = &st;
	cf.nstatus = 1;
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_HTTP_STATUS);
	assert_string_equal(r.detail, "http: status 302");
	assert_int_equal(p->accepted, 2);
	peer_free(p);
}

/* the reason of one run against path with the body check (NULL: none) */
static enum check_reason
http_body(const struct peer *p, const char *path, char *body)
{
	struct check_conf	 cf = http_conf(p->port, path, 1);
	struct result		 r = { 0 };

	cf.body = body;
	run_one(&cf, &r, "http");
	return r.reason;
}

static void
test_http_body(void **state)
{
	static const size_t	 seams[] = { 16380, 16381, 16382, 16383, 16384,
	    16385, 32763, 32765, 32768, 49150, 65530 };
	struct peer		*p = peer_new(AF_INET, PEER_HTTP, NULL);
	struct check_conf	 cf;
	struct result		 r = { 0 };
	struct tl_capture	 out;
	char			 path[64];
	size_t			 i;

	/* no body ever reaches our stdout (ExaBGP's command channel) */
	tl_capture_start(&out, STDOUT_FILENO);

	assert_int_equal(http_body(p, "/ok", "good"), CHECK_OK);
	cf = http_conf(p->port, "/ok", 1);
	cf.body = "bad";
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_HTTP_BODY);
	assert_string_equal(r.detail, "http: body mismatch");
	/* a failing status wins over the body */
	assert_int_equal(http_body(p, "/fail", "down"), CHECK_HTTP_STATUS);
	/* only the first CHECK_HTTP_BODY_MAX bytes are looked at */
	assert_int_equal(http_body(p, "/big-early", "needle"), CHECK_OK);
	assert_int_equal(http_body(p, "/big-late", "needle"),
	    CHECK_HTTP_BODY);
	/* a match cut over three chunks, the middle one shorter than it */
	assert_int_equal(http_body(p, "/split", "needle"), CHECK_OK);
	assert_int_equal(http_body(p, "/split", "needles"), CHECK_HTTP_BODY);
	/* across chunk seams (curl hands over at most 16 KiB at once) */
	for (i = 0; i < TL_NITEMS(seams); i++) {
		snprintf(path, sizeof(path), "/big-at-%zu", seams[i]);
		assert_int_equal(http_body(p, path, "needle"), CHECK_OK);
	}
	/* just past the window: not looked at */
	assert_int_equal(http_body(p, "/big-at-65531", "needle"),
	    CHECK_HTTP_BODY);
	/* without a body check a big body is not even read */
	assert_int_equal(http_body(p, "/big-late", NULL), CHECK_OK);

	tl_capture_stop(&out);
	assert_int_equal(out.len, 0);
	peer_free(p);
}

static void
test_http_host_header(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_HTTP, NULL);
	struct check_conf	 cf;
	struct result		 r = { 0 };

	cf = http_conf(p->port, "/host", 1);
	run_one(&cf, &r, "http");
	assert_string_equal(r.detail, "http: status 421");
	cf.host_header = "svc.example";
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_OK);
	assert_string_equal(p->host_seen, "svc.example");
	peer_free(p);
}

static void
test_http_errors(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_HTTP, NULL);
	struct check_conf	 cf;
	struct result		 r = { 0 };
	uint16_t		 port;
	int			 fd = tl_lo_socket(AF_INET, -1, &port);
	uint64_t		 t0;

	cf = http_conf(port, "/ok", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_HTTP_ERROR);
	assert_string_equal(r.detail, "http: connection refused");
	close(fd);

	t0 = ev_monotonic();
	cf = http_conf(p->port, "/slow", 0.2);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_TIMEOUT);
	assert_string_equal(r.detail, "timeout");
	assert_true(ev_monotonic() - t0 < 900 * EV_MSEC);

	/* http and https only: never a local file, never anything else */
	cf.url = "file:///etc/passwd";
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_HTTP_ERROR);
	cf.url = "ftp://127.0.0.1:1/";
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_HTTP_ERROR);
	peer_free(p);
}

/* one multi handle, many transfers at once, each easy handle reused */
static void
test_http_many(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_HTTP, NULL);
	struct check_conf	 cf = http_conf(p->port, "/ok", 2);
	struct check		*c;
	struct result		*r;
	size_t			 i, n = 40, round;

	c = calloc(n, sizeof(*c));
	r = calloc(n, sizeof(*r));
	for (i = 0; i < n; i++)
		assert_int_equal(check_init(&c[i], ctx, &cf, result_cb, &r[i]),
		    0);
	for (round = 1; round <= 2; round++) {
		for (i = 0; i < n; i++)
			check_start(&c[i]);
		wait_calls(r, n, n * round);
		for (i = 0; i < n; i++) {
			assert_int_equal(r[i].calls, round);
			assert_int_equal(r[i].reason, CHECK_OK);
		}
	}
	for (i = 0; i < n; i++)
		check_fini(&c[i]);
	free(c);
	free(r);
	peer_free(p);
}

/*
 * https against "openssl s_server -www" on loopback with a throwaway
 * self-signed certificate: refused with tls_verify, fine without.
 */
static void
test_https_tls_verify(void **state)
{
	const char		*cert = tl_path("cert.pem");
	const char		*key = tl_path("key.pem");
	char			 cmd[1024], url[128], accept_arg[64];
	struct check_conf	 cf;
	struct result		 r = { 0 };
	uint16_t		 port;
	pid_t			 pid;
	int			 fd, up = 0, i, status;

	if (system("command -v openssl >/dev/null 2>&1") != 0)
		skip();
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost "
	    "-keyout %s -out %s >/dev/null 2>&1", key, cert);
	assert_int_equal(system(cmd), 0);
	/* a free port: bind to 0, note it, let it go for s_server */
	fd = tl_lo_socket(AF_INET, -1, &port);
	assert_int_not_equal(fd, -1);
	close(fd);
	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%u", port);
	if ((pid = fork()) == 0) {
		int	 null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("openssl", "openssl", "s_server", "-quiet", "-www",
		    "-accept", accept_arg, "-cert", cert, "-key", key,
		    (char *)NULL);
		_exit(127);
	}
	assert_int_not_equal(pid, -1);
	for (i = 0; i < 100 && !up; i++) {
		up = lo_connect(SOCK_CLOEXEC, port, &fd) == 0;
		close(fd);
		if (!up)
			usleep(50000);
	}
	if (up) {
		snprintf(url, sizeof(url), "https://127.0.0.1:%u/", port);
		memset(&cf, 0, sizeof(cf));
		cf.type = CHECK_HTTP;
		cf.timeout = 3;
		cf.url = url;
		cf.tls_verify = 1;
		run_one(&cf, &r, "http");
		assert_int_equal(r.reason, CHECK_HTTP_ERROR);
		assert_non_null(strstr(r.detail, "certificate"));
		cf.tls_verify = 0;
		run_one(&cf, &r, "http");
		assert_int_equal(r.reason, CHECK_OK);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	assert_true(up);
}

/*
 * X-Bgpsd-Weight: the header's value (any case of its name) is the run's
 * weight; none, or one that is not a number, is -1.
 */
static void
test_http_weight(void **state)
{
	struct peer		*p = peer_new(AF_INET, PEER_HTTP, NULL);
	struct check_conf	 cf;
	struct result		 r = { 0 };

	cf = http_conf(p->port, "/weight/40", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_OK);
	assert_int_equal(r.weight, 40);
	cf = http_conf(p->port, "/weight/0", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.weight, 0);
	cf = http_conf(p->port, "/weight/99999", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.weight, CHECK_WEIGHT_CAP);
	cf = http_conf(p->port, "/weight/4x", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_OK);
	assert_int_equal(r.weight, -1);
	cf = http_conf(p->port, "/ok", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.weight, -1);
	/* a failing run's header is seen, and ignored by the scheduler */
	cf = http_conf(p->port, "/fail-weight/7", 1);
	run_one(&cf, &r, "http");
	assert_int_equal(r.reason, CHECK_HTTP_STATUS);
	peer_free(p);
}

static void
test_weight_parse(void **state)
{
	assert_int_equal(check_weight_parse("50", 2), 50);
	assert_int_equal(check_weight_parse(" 7 \r\n", 5), 7);
	assert_int_equal(check_weight_parse("0", 1), 0);
	assert_int_equal(check_weight_parse("123456789012", 12),
	    CHECK_WEIGHT_CAP);
	assert_int_equal(check_weight_parse("", 0), -1);
	assert_int_equal(check_weight_parse(" ", 1), -1);
	assert_int_equal(check_weight_parse("-1", 2), -1);
	assert_int_equal(check_weight_parse("5 5", 3), -1);
	assert_int_equal(check_weight_parse("0x10", 4), -1);
	/* len bounds the scan: "12" of "123" */
	assert_int_equal(check_weight_parse("123", 2), 12);
}

/* ---- exec ---- */

static struct check_conf
exec_conf(int shell, double timeout, const char **argv)
{
	struct check_conf	 cf;

	memset(&cf, 0, sizeof(cf));
	cf.type = CHECK_EXEC;
	cf.timeout = timeout;
	cf.shell = shell;
	cf.argv = (char **)argv;
	for (cf.argc = 0; argv[cf.argc] != NULL; cf.argc++)
		;
	return cf;
}

static void
test_exec_status(void **state)
{
	const char		*t[] = { "true", NULL };
	const char		*f[] = { "false", NULL };
	const char		*two[] = { "echo 'not ready:\tdb'; exit 2", NULL };
	const char		*sig[] = { "kill -9 $$", NULL };
	const char		*abs[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct check_conf	 cf;
	struct result		 r = { 0 };

	cf = exec_conf(0, 2, t);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_OK);
	cf = exec_conf(0, 2, f);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_EXIT);
	assert_string_equal(r.detail, "exec: exit 1");
	cf = exec_conf(1, 2, two);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_EXIT);
	/* the output, on one line, is part of the reason */
	assert_string_equal(r.detail, "exec: exit 2: not ready: db");
	cf = exec_conf(1, 2, sig);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_SIGNAL);
	assert_string_equal(r.detail, "exec: signal 9");
	/* argv without a shell: "exit 3" is one argument of sh -c */
	cf = exec_conf(0, 2, abs);
	run_one(&cf, &r, "exec");
	assert_string_equal(r.detail, "exec: exit 3");
}

/*
 * "weight=N" on a line of its own, stdout or stderr, the last one
 * counting; only a passing run reports it.
 */
static void
test_exec_weight(void **state)
{
	const char		*one[] = { "echo starting; echo weight=30", NULL };
	const char		*last[] = { "echo weight=30; echo weight=12 >&2; "
				    "echo done", NULL };
	const char		*bad[] = { "echo weight=lots; echo xweight=5; "
				    "echo ' weight=6'", NULL };
	const char		*none[] = { "true", NULL };
	const char		*fail[] = { "echo weight=5; exit 1", NULL };
	struct check_conf	 cf;
	struct result		 r = { 0 };

	cf = exec_conf(1, 2, one);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_OK);
	assert_int_equal(r.weight, 30);
	cf = exec_conf(1, 2, last);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.weight, 12);
	cf = exec_conf(1, 2, bad);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_OK);
	assert_int_equal(r.weight, -1);
	cf = exec_conf(1, 2, none);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.weight, -1);
	cf = exec_conf(1, 2, fail);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_EXIT);
	assert_int_equal(r.weight, -1);
}

static void
test_exec_output_cap(void **state)
{
	const char		*big[] = {
	    "i=0; while [ $i -lt 1000 ]; do echo 0123456789; "
	    "i=$((i+1)); done; exit 1", NULL };
	struct check_conf	 cf;
	struct result		 r = { 0 };

	cf = exec_conf(1, 2, big);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_EXIT);
	assert_true(strncmp(r.detail, "exec: exit 1: 0123456789 0123", 29) ==
	    0);
	assert_true(strlen(r.detail) <= strlen("exec: exit 1: ") + 4096);
	assert_true(strlen(r.detail) > 4000);
	assert_null(strchr(r.detail, '\n'));
}

/* the hung command and the hung grandchild it forked are both killed */
static void
test_exec_timeout_kills_group(void **state)
{
	const char		*file = tl_path("pids");
	char			 cmd[512], *text;
	const char		*argv[] = { cmd, NULL };
	struct check_conf	 cf;
	struct result		 r = { 0 };
	long			 shpid = 0, kidpid = 0;
	uint64_t		 t0;

	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $$ $! > %s; sleep 30",
	    file);
	cf = exec_conf(1, 0.3, argv);
	t0 = ev_monotonic();
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_TIMEOUT);
	assert_string_equal(r.detail, "timeout");
	assert_true(ev_monotonic() - t0 < 2 * EV_NSEC);
	assert_non_null(text = tl_slurp(file));
	assert_int_equal(sscanf(text, "%ld %ld", &shpid, &kidpid), 2);
	assert_true(tl_wait_gone((pid_t)shpid, 2 * EV_NSEC));
	assert_true(tl_wait_gone((pid_t)kidpid, 2 * EV_NSEC));
}

static void
test_exec_resolve(void **state)
{
	const char		*path, *dir = tl_tmpdir;
	const char		*mine[] = { "bgpsd-test-check", "7", NULL };
	const char		*missing[] = { "bgpsd-no-such-check", NULL };
	const char		*sh[] = { "sh", "-c", "exit 4", NULL };
	const char		*noexec[2] = { NULL, NULL };
	struct check_conf	 cf;
	struct result		 r = { 0 };

	path = tl_put("bgpsd-test-check",
	    "#!/bin/sh\necho \"$0 says $1\"\nexit \"$1\"\n");
	assert_int_equal(chmod(path, 0755), 0);

	/* argv[0] without '/': the checks folder first */
	check_set_checksdir(dir);
	assert_string_equal(check_get_checksdir(), dir);
	cf = exec_conf(0, 2, mine);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_EXIT);
	assert_non_null(strstr(r.detail, "exec: exit 7: "));
	assert_non_null(strstr(r.detail, "bgpsd-test-check says 7"));
	/* then PATH */
	cf = exec_conf(0, 2, sh);
	run_one(&cf, &r, "exec");
	assert_string_equal(r.detail, "exec: exit 4");
	/* neither: no fork at all */
	cf = exec_conf(0, 2, missing);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_SPAWN);
	assert_string_equal(r.detail,
	    "exec: bgpsd-no-such-check: not found");
	check_set_checksdir(NULL);
	assert_string_equal(check_get_checksdir(), BGPSD_CHECKSDIR);

	/* an existing file that cannot be executed */
	assert_int_equal(chmod(path, 0644), 0);
	noexec[0] = path;
	cf = exec_conf(0, 2, noexec);
	run_one(&cf, &r, "exec");
	assert_int_equal(r.reason, CHECK_EXEC_SPAWN);
	assert_non_null(strstr(r.detail, "Permission denied"));
}

/* at most one run at a time: a second start while running is ignored */
static void
test_exec_no_stacking(void **state)
{
	const char		*slow[] = { "sleep 0.2", NULL };
	struct check_conf	 cf = exec_conf(1, 2, slow);
	struct check		 c;
	struct result		 r = { 0 };

	assert_int_equal(check_init(&c, ctx, &cf, result_cb, &r), 0);
	check_start(&c);
	check_start(&c);
	tl_run_for(tl_loop, 50 * EV_MSEC);
	check_start(&c);
	tl_run_for(tl_loop, 500 * EV_MSEC);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.reason, CHECK_OK);
	check_fini(&c);
}

static void
test_exec_cancel(void **state)
{
	const char		*slow[] = { "sleep 30", NULL };
	struct check_conf	 cf = exec_conf(1, 5, slow);
	struct check		 c;
	struct result		 r = { 0 };

	assert_int_equal(check_init(&c, ctx, &cf, result_cb, &r), 0);
	check_start(&c);
	tl_run_for(tl_loop, 50 * EV_MSEC);
	check_fini(&c);		/* cancels: the group is killed, no callback */
	tl_run_for(tl_loop, 100 * EV_MSEC);
	assert_int_equal(r.calls, 0);
}

static void
test_exec_unknown_user(void **state)
{
	const char		*t[] = { "true", NULL };
	struct check_conf	 cf = exec_conf(0, 2, t);
	struct check_ctx	*bad;
	struct check		 c;
	struct result		 r = { 0 };

	bad = check_ctx_new(tl_loop, "bgpsd-no-such-user", NULL);
	assert_non_null(bad);
	assert_int_equal(check_init(&c, bad, &cf, result_cb, &r), 0);
	run_check(&c, &r);
	assert_int_equal(r.reason, CHECK_EXEC_SPAWN);
	assert_string_equal(r.detail, "exec: unknown user bgpsd-no-such-user");
	check_fini(&c);
	check_ctx_free(bad);
}

/* as root, exec checks run as the configured user (uid, gid, groups) */
static void
test_exec_as_user(void **state)
{
	const char		*ids[] = { "echo $(id -u) $(id -g) $(id -G); exit 1",
	    NULL };
	struct check_conf	 cf = exec_conf(1, 2, ids);
	struct check_ctx	*as;
	struct passwd		*pw;
	char			 want[128];
	struct result		 r = { 0 };

	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL)
		skip();
	snprintf(want, sizeof(want), "exec: exit 1: %u %u %u",
	    (unsigned int)pw->pw_uid, (unsigned int)pw->pw_gid,
	    (unsigned int)pw->pw_gid);
	as = check_ctx_new(tl_loop, "nobody", NULL);
	assert_non_null(as);
	assert_true(as->drop);
	assert_int_equal(as->uid, pw->pw_uid);
	{
		struct check	 c;

		assert_int_equal(check_init(&c, as, &cf, result_cb, &r), 0);
		run_check(&c, &r);
		check_fini(&c);
	}
	assert_string_equal(r.detail, want);
	check_ctx_free(as);
}

/* the streaming search, fed in every possible way */
static void
test_scan(void **state)
{
	const char		*text = "xxnexneedlyneedlexx";
	struct check_scan	 sc;
	size_t			 len = strlen(text), step, i, n;
	int			 found;

	check_scan_init(&sc, "needle");
	for (step = 1; step <= len; step++) {
		check_scan_reset(&sc);
		found = 0;
		for (i = 0; i < len && !found; i += n) {
			n = len - i < step ? len - i : step;
			found = check_scan(&sc, text + i, n);
		}
		assert_true(found);
		/* found on the chunk holding the final 'e', not before */
		assert_true(i >= 17 && i < 17 + step);
	}
	check_scan_reset(&sc);
	for (i = 0; i < 16; i++)	/* "xxnexneedlyneedl" */
		assert_false(check_scan(&sc, text + i, 1));
	assert_int_equal(sc.seen, 16);
	check_scan_free(&sc);

	check_scan_init(&sc, "x");
	assert_false(check_scan(&sc, "abc", 3));
	assert_true(check_scan(&sc, "abx", 3));
	check_scan_free(&sc);
}

static void
test_reason_strings(void **state)
{
	int	 i;

	for (i = 0; i < CHECK_REASON_MAX; i++) {
		assert_non_null(check_reason_str(i));
		assert_string_not_equal(check_reason_str(i), "unknown");
	}
	assert_string_equal(check_reason_str(CHECK_OK), "ok");
	assert_string_equal(check_reason_str(CHECK_TIMEOUT), "timeout");
	assert_string_equal(check_reason_str(CHECK_REASON_MAX), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_strings),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_tcp_ok),
		cmocka_unit_test(test_tcp_closes_with_rst),
		cmocka_unit_test(test_tcp_ipv6),
		cmocka_unit_test(test_tcp_refused),
		cmocka_unit_test(test_tcp_local_at_once),
		cmocka_unit_test(test_tcp_spare_socket),
		cmocka_unit_test(test_tcp_lean),
		cmocka_unit_test(test_tcp_banner),
		cmocka_unit_test(test_tcp_banner_eof),
		cmocka_unit_test(test_tcp_banner_stream),
		cmocka_unit_test(test_tcp_send_expect),
		cmocka_unit_test(test_tcp_timeout_expect),
		cmocka_unit_test(test_tcp_timeout_connect),
		cmocka_unit_test(test_tcp_many),
		cmocka_unit_test(test_tcp_cancel),
		cmocka_unit_test(test_http_status),
		cmocka_unit_test(test_http_weight),
		cmocka_unit_test(test_weight_parse),
		cmocka_unit_test(test_http_redirect),
		cmocka_unit_test(test_http_body),
		cmocka_unit_test(test_http_host_header),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_http_many),
		TL_TMPDIR_TEST(test_https_tls_verify),
		cmocka_unit_test(test_exec_status),
		cmocka_unit_test(test_exec_weight),
		cmocka_unit_test(test_exec_output_cap),
		TL_TMPDIR_TEST(test_exec_timeout_kills_group),
		TL_TMPDIR_TEST(test_exec_resolve),
		cmocka_unit_test(test_exec_no_stacking),
		cmocka_unit_test(test_exec_cancel),
		cmocka_unit_test(test_exec_unknown_user),
		cmocka_unit_test(test_exec_as_user),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
