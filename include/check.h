/*
 * check.h - health checks of bgpsd-announce: one struct check per
 * struct check_conf, behind a small ops table per type (tcp, http, exec).
 *
 * A check runs on the one event loop and never blocks. check_start()
 * begins a run; exactly one completion callback follows, always from the
 * loop, never from inside check_start() itself (an immediate result, e.g.
 * a refused loopback connect, is delivered on the next loop iteration), so
 * callers need no reentrancy guards.
 */
#ifndef BGPSD_CHECK_H
#define BGPSD_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "conf.h"
#include "ev.h"

/* why a check run ended; check_reason_str() has the text */
enum check_reason {
	CHECK_OK,
	CHECK_TCP_REFUSED,	/* "tcp: connection refused" */
	CHECK_TCP_ERROR,	/* "tcp: error" (detail: strerror) */
	CHECK_TCP_EXPECT,	/* "tcp: banner mismatch" */
	CHECK_HTTP_STATUS,	/* "http: status" (detail: "http: status 503") */
	CHECK_HTTP_BODY,	/* "http: body mismatch" */
	CHECK_HTTP_ERROR,	/* "http: error" (detail: curl's message) */
	CHECK_EXEC_EXIT,	/* "exec: exit" (detail: "exec: exit 2") */
	CHECK_EXEC_SIGNAL,	/* "exec: signal" */
	CHECK_EXEC_SPAWN,	/* "exec: spawn failed" */
	CHECK_TIMEOUT,		/* "timeout" */
	CHECK_INTERNAL,		/* "internal error" (no fd, no memory) */
	CHECK_REASON_MAX
};

#define CHECK_DETAIL_MAX	160	/* detail of a tcp/http check */
#define CHECK_EXEC_DETAIL_MAX	(4096 + 64)	/* exec: status + output */
#define CHECK_TCP_READ_MAX	4096	/* expect: looked for in these bytes */
#define CHECK_HTTP_BODY_MAX	65536	/* body: looked for in these bytes */

struct check;
struct check_ctx;

typedef void	(*check_done_cb)(struct check *, void *arg);

/* one per check type */
struct check_ops {
	const char	*name;
	int		 own_timeout;	/* 0: check.c arms the deadline */
	int		(*init)(struct check *);	/* once, at check_init */
	void		(*start)(struct check *);	/* result: check_done() */
	void		(*cancel)(struct check *);	/* stop, no result */
	/* deadline passed: NULL = cancel + CHECK_TIMEOUT; else check_done */
	void		(*expire)(struct check *);
	void		(*free)(struct check *);	/* undo init */
};

/*
 * Looking for a substring in a stream handed over in chunks, keeping only
 * the last strlen(want) - 1 bytes between chunks (for a match that
 * straddles two): memory per check is twice the substring, not the data.
 */
struct check_scan {
	const char		*want;
	size_t			 wantlen;
	char			*carry;		/* 2 * wantlen + 1 */
	size_t			 carrylen;
	size_t			 seen;		/* bytes scanned this run */
};

/*
 * What a tcp check with "send" or "expect" needs on top of a plain
 * connect; allocated at init only for such checks (most have neither).
 */
struct check_tcp_talk {
	size_t			 sendlen;
	size_t			 sent;
	struct check_scan	 scan;		/* expect, if any */
	char			 head[64];	/* start of the banner, for
						 * the reason of a mismatch */
	size_t			 headlen;
};

struct check_tcp {
	int			 fd;
	unsigned char		 state;		/* check_tcp.c */
	unsigned char		 watching;	/* events asked of ev, 0: none */
	unsigned char		 slow;		/* runs left before asking for
						 * the result in start again */
	socklen_t		 salen;
	union {				/* resolved once at init */
		struct sockaddr		sa;
		struct sockaddr_in	sin;
		struct sockaddr_in6	sin6;
	}			 addr;
	struct check_tcp_talk	*talk;		/* NULL: connect only */
};

struct check_http {
	void			*easy;	/* CURL *, reused across runs */
	void			*headers;	/* struct curl_slist * */
	char			*errbuf;	/* CURL_ERROR_SIZE, at init */
	struct check_scan	 scan;		/* body, if any */
	unsigned char		 bodydone;	/* stopped reading on purpose */
	unsigned char		 bodyfound;
	unsigned char		 added;		/* in the multi handle */
};

struct check_exec {
	struct proc		*proc;
	const char		**argv;	/* conf argv, [0] = path of this run */
	char			*path;	/* PATH_MAX: argv[0] resolved */
};

/*
 * Live state of one struct check_conf. Embeddable (check_init/check_fini)
 * so a scheduler can keep all its checks in one array; nothing is
 * allocated per run on the tcp path. Kept small (thousands per process):
 * what only some types or only failing checks need hangs off pointers.
 */
struct check {
	const struct check_conf	*conf;
	const struct check_ops	*ops;
	struct check_ctx	*ctx;
	check_done_cb		 cb;
	void			*arg;
	unsigned char		 running;
	unsigned char		 in_start;	/* defer a result seen in start */
	/* result of the last run, valid in the callback and after */
	enum check_reason	 reason;
	uint64_t		 started;	/* monotonic ns */
	uint64_t		 timeout;	/* ns, from conf->timeout */
	uint64_t		 latency;	/* ns */
	int			 weight;	/* reported by the check this
						 * run (exec, http), -1: none */
	struct ev_timer		 timer;		/* deadline, or deferred result */
	/*
	 * The text of the last result: the reason's own (static) text, or
	 * a formatted message in msg. msg is allocated on the first such
	 * message (CHECK_DETAIL_MAX; exec: CHECK_EXEC_DETAIL_MAX at init)
	 * and kept: a check that never failed with a message has none.
	 */
	const char		*detail;
	char			*msg;
	size_t			 msgsz;
	union {
		struct check_tcp	tcp;
		struct check_http	http;
		struct check_exec	exec;
	} u;
};

/*
 * Shared by all checks of one scheduler: the loop, the one CURLM of the
 * http checks (created on first use), the uid/gid exec checks run as.
 */
struct check_http_multi;
/* unconnected tcp sockets kept for the next checks, per family */
#define CHECK_TCP_SPARE		8

struct check_ctx {
	struct ev_loop		*loop;
	/* check_tcp.c: [0] AF_INET, [1] AF_INET6 */
	int			 tcp_spare[2][CHECK_TCP_SPARE];
	unsigned char		 ntcp_spare[2];
	struct check_http_multi	*http;		/* check_http.c, lazily */
	void			(*http_free)(struct check_ctx *);
	uid_t			 uid;
	gid_t			 gid;
	int			 drop;		/* run exec checks as uid/gid */
	char			*id_error;	/* user/group unusable: why */
};

/*
 * user/group NULL: run as ourselves. They are resolved here, once; an
 * unknown user or group is logged here and every exec check then fails
 * with CHECK_EXEC_SPAWN and that message. NULL only on out of memory.
 */
struct check_ctx	*check_ctx_new(struct ev_loop *, const char *user,
			    const char *group);
void			 check_ctx_free(struct check_ctx *);

/*
 * check_types.c: the ops of each type, and check_init with them.
 * -1 (logged) if the conf cannot be checked at all (e.g. curl failed).
 */
const struct check_ops *check_ops_of(enum check_type);
int		 check_init(struct check *, struct check_ctx *,
		    const struct check_conf *, check_done_cb, void *arg);
/* check.c: the same with the ops given (the types live above check.c) */
int		 check_init_ops(struct check *, struct check_ctx *,
		    const struct check_conf *, const struct check_ops *,
		    check_done_cb, void *arg);
void		 check_fini(struct check *);
/* begin a run; a run already in progress is left alone (no stacking) */
void		 check_start(struct check *);
/* abort a run in progress; no callback */
void		 check_cancel(struct check *);
int		 check_running(const struct check *);

const char	*check_reason_str(enum check_reason);
const char	*check_ops_name(const struct check *);

/*
 * Where exec checks look for argv[0] without a '/' before PATH; defaults
 * to BGPSD_CHECKSDIR. The string is not copied. Tests and the demo point
 * it at the source tree's checks/.
 */
void		 check_set_checksdir(const char *);
const char	*check_get_checksdir(void);

/* used by the type modules only */
void		 check_scan_init(struct check_scan *, const char *want);
void		 check_scan_reset(struct check_scan *);
/* 1 once want was seen in the data so far (len is not capped here) */
int		 check_scan(struct check_scan *, const char *data, size_t len);
void		 check_scan_free(struct check_scan *);
/*
 * The weight a check reports: decimal digits, blanks around them allowed,
 * capped at CHECK_WEIGHT_CAP (the service's weight caps it further). -1
 * when s is not such a number.
 *   exec: a line "weight=N" in the output (the last one counts)
 *   http: a response header "X-Bgpsd-Weight: N"
 * Only a passing run's weight counts.
 */
#define CHECK_WEIGHT_CAP	65535
#define CHECK_WEIGHT_HEADER	"X-Bgpsd-Weight:"
#define CHECK_WEIGHT_LINE	"weight="
int		 check_weight_parse(const char *s, size_t len);
void		 check_done(struct check *, enum check_reason,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
extern const struct check_ops	check_tcp_ops;
extern const struct check_ops	check_http_ops;
extern const struct check_ops	check_exec_ops;

#endif
