/*
 * listeners.c - the benchmark's server side: one process holding N
 * listening sockets on 127.0.0.1 (ports BASE .. BASE+N-1), accepting
 * and closing every connection through one epoll loop, and counting
 * them. The count of accepted connections is the ground truth of how
 * many checks a checker really ran.
 *
 *   listeners [-H] [-n N] [-p BASE] [-t SECONDS]
 *
 * -H answers each connection like an HTTP/1.0 server ("200 OK", body
 * "OK") after reading the request head, instead of closing at once.
 * Lifetime is bounded by -t (default 120 s) and by EOF on stdin.
 *
 * Control, one command per line on stdin; answers on stdout:
 *   count        -> "count <accepted> <monotonic ns>"
 *   close PORT   -> "closed PORT <monotonic ns>" (the listening socket
 *                   is closed: later connects are refused)
 *   quit         -> exit
 * "ready <N>" is printed once every socket listens. Loopback only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

#define LST_MAX_PORTS	20000
#define LST_EVENTS	256
#define LST_REQ_MAX	2048

/* what an fd in the epoll set is: a listener, a client, or stdin */
enum lst_kind {
	LST_LISTEN,
	LST_CONN,
	LST_STDIN,
	LST_DEAD,	/* closed by a command; may still be in this batch */
};

struct lst_fd {
	enum lst_kind	 kind;
	int		 fd;
	uint16_t	 port;		/* LST_LISTEN */
	size_t		 got;		/* LST_CONN: request bytes read */
	char		 tail[4];	/* last bytes, for "\r\n\r\n" */
	struct lst_fd	*next;		/* LST_DEAD: freed at exit */
};

static int		 lst_http;
static int		 lst_ep = -1;
static uint64_t		 lst_accepted;
static struct lst_fd	**lst_ports;	/* by port - base */
static struct lst_fd	*lst_dead;	/* closed listeners, freed at exit */
static int		 lst_base = 20000;
static int		 lst_n = 100;

static void
lst_raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static struct lst_fd *
lst_watch(enum lst_kind kind, int fd)
{
	struct lst_fd		*f;
	struct epoll_event	 ev;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		perror("calloc");
		exit(1);
	}
	f->kind = kind;
	f->fd = fd;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = f;
	if (epoll_ctl(lst_ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		perror("epoll_ctl");
		exit(1);
	}
	return f;
}

static void
lst_drop(struct lst_fd *f)
{
	/* close() removes it from the epoll set: nothing else holds it */
	close(f->fd);
	free(f);
}

static int
lst_listen(uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 512) == -1) {
		fprintf(stderr, "listeners: port %u: %s\n", port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
lst_accept(struct lst_fd *l)
{
	struct lst_fd	*c;
	int		 fd, i;

	/* bounded: one busy port must not starve the others */
	for (i = 0; i < 64; i++) {
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		lst_accepted++;
		if (!lst_http) {
			close(fd);
			continue;
		}
		c = lst_watch(LST_CONN, fd);
		(void)c;
	}
}

static void
lst_http_read(struct lst_fd *c)
{
	static const char	 resp[] = "HTTP/1.0 200 OK\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\nOK";
	char			 buf[LST_REQ_MAX];
	ssize_t			 n, i;

	n = read(c->fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		lst_drop(c);
		return;
	}
	c->got += (size_t)n;
	for (i = 0; i < n; i++) {
		memmove(c->tail, c->tail + 1, 3);
		c->tail[3] = buf[i];
		if (memcmp(c->tail, "\r\n\r\n", 4) == 0) {
			/* fits any socket buffer; a short write is its loss */
			if (write(c->fd, resp, sizeof(resp) - 1) == -1)
				c->got = 0;
			lst_drop(c);
			return;
		}
	}
	if (c->got > 16 * LST_REQ_MAX)
		lst_drop(c);
}

/* one control line; returns 1 on quit */
static int
lst_command(char *line)
{
	struct lst_fd	*l;
	int		 port;

	if (strcmp(line, "count") == 0) {
		printf("count %llu %llu\n", (unsigned long long)lst_accepted,
		    (unsigned long long)bench_now_ns());
	} else if (sscanf(line, "close %d", &port) == 1) {
		if (port < lst_base || port >= lst_base + lst_n ||
		    (l = lst_ports[port - lst_base]) == NULL) {
			printf("error no such port %d\n", port);
		} else {
			/* not freed: an event of it may follow in the batch */
			close(l->fd);
			l->kind = LST_DEAD;
			l->next = lst_dead;
			lst_dead = l;
			lst_ports[port - lst_base] = NULL;
			printf("closed %d %llu\n", port,
			    (unsigned long long)bench_now_ns());
		}
	} else if (strcmp(line, "quit") == 0)
		return 1;
	else if (line[0] != '\0')
		printf("error unknown command\n");
	fflush(stdout);
	return 0;
}

/* returns 1 on EOF or quit */
static int
lst_stdin(void)
{
	static char	 buf[4096];
	static size_t	 len;
	char		*nl;
	ssize_t		 n;

	n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return 1;
	len += (size_t)n;
	buf[len] = '\0';
	while ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		if (lst_command(buf))
			return 1;
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len + 1);
	}
	if (len == sizeof(buf) - 1)
		len = 0;	/* an absurd line: forget it */
	return 0;
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[LST_EVENTS];
	struct lst_fd		*f, *in;
	double			 lifetime = 120;
	uint64_t		 end;
	int			 i, n, fd, done = 0;
	const struct bench_opt	 opts[] = {
		{ 'H', BENCH_FLAG, &lst_http },
		{ 'n', BENCH_INT, &lst_n },
		{ 'p', BENCH_INT, &lst_base },
		{ 't', BENCH_DOUBLE, &lifetime },
	};

	if (bench_options(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    "usage: listeners [-H] [-n N] [-p BASE] [-t SECONDS]\n") == -1)
		return 2;
	if (lst_n < 1 || lst_n > LST_MAX_PORTS || lst_base < 1 ||
	    lst_base + lst_n > 65536 || lifetime <= 0 || lifetime > 3600) {
		fprintf(stderr, "listeners: bad -n, -p or -t\n");
		return 2;
	}
	lst_raise_nofile();
	if ((lst_ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("epoll_create1");
		return 1;
	}
	if ((lst_ports = calloc((size_t)lst_n, sizeof(*lst_ports))) == NULL)
		return 1;
	for (i = 0; i < lst_n; i++) {
		if ((fd = lst_listen((uint16_t)(lst_base + i))) == -1)
			return 1;
		lst_ports[i] = lst_watch(LST_LISTEN, fd);
		lst_ports[i]->port = (uint16_t)(lst_base + i);
	}
	in = lst_watch(LST_STDIN, STDIN_FILENO);
	printf("ready %d\n", lst_n);
	fflush(stdout);

	end = bench_now_ns() + (uint64_t)(lifetime * 1e9);
	while (!done && bench_now_ns() < end) {
		n = epoll_wait(lst_ep, evs, LST_EVENTS, 200);
		if (n == -1 && errno != EINTR) {
			perror("epoll_wait");
			return 1;
		}
		for (i = 0; i < n && !done; i++) {
			f = evs[i].data.ptr;
			switch (f->kind) {
			case LST_LISTEN:
				lst_accept(f);
				break;
			case LST_CONN:
				lst_http_read(f);
				break;
			case LST_STDIN:
				done = lst_stdin();
				break;
			case LST_DEAD:
				break;
			}
		}
	}
	/* connections still open die with us; the rest is freed for tools */
	for (i = 0; i < lst_n; i++)
		if (lst_ports[i] != NULL)
			lst_drop(lst_ports[i]);
	while ((f = lst_dead) != NULL) {
		lst_dead = f->next;
		free(f);
	}
	free(lst_ports);
	free(in);
	close(lst_ep);
	return 0;
}
