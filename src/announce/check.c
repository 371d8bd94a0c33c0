/*
 * check.c - what every check type shares: the reason table, the per-run
 * deadline, result delivery, and the context (loop, run-as identity).
 * The types themselves live in check_tcp.c, check_http.c, check_exec.c.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

static const char *const check_reason_names[CHECK_REASON_MAX] = {
	[CHECK_OK] = "ok",
	[CHECK_TCP_REFUSED] = "tcp: connection refused",
	[CHECK_TCP_ERROR] = "tcp: error",
	[CHECK_TCP_EXPECT] = "tcp: banner mismatch",
	[CHECK_HTTP_STATUS] = "http: status",
	[CHECK_HTTP_BODY] = "http: body mismatch",
	[CHECK_HTTP_ERROR] = "http: error",
	[CHECK_EXEC_EXIT] = "exec: exit",
	[CHECK_EXEC_SIGNAL] = "exec: signal",
	[CHECK_EXEC_SPAWN] = "exec: spawn failed",
	[CHECK_TIMEOUT] = "timeout",
	[CHECK_INTERNAL] = "internal error",
};

static const char	*check_checksdir = BGPSD_CHECKSDIR;

static void	check_deadline_cb(void *);
static void	check_deliver_cb(void *);

const char *
check_reason_str(enum check_reason r)
{
	if ((unsigned int)r >= CHECK_REASON_MAX)
		return "unknown";
	return check_reason_names[r];
}

const char *
check_ops_name(const struct check *c)
{
	return c->ops->name;
}

void
check_set_checksdir(const char *dir)
{
	check_checksdir = dir != NULL ? dir : BGPSD_CHECKSDIR;
}

const char *
check_get_checksdir(void)
{
	return check_checksdir;
}

struct check_ctx *
check_ctx_new(struct ev_loop *loop, const char *user, const char *group)
{
	struct check_ctx	*ctx;
	struct passwd		*pw;
	struct group		*gr;
	char			 msg[256];

	ctx = xcalloc(1, sizeof(*ctx));
	ctx->loop = loop;
	ctx->uid = geteuid();
	ctx->gid = getegid();
	msg[0] = '\0';
	if (user != NULL) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL)
			snprintf(msg, sizeof(msg), "unknown user %s", user);
		else {
			ctx->uid = pw->pw_uid;
			ctx->gid = pw->pw_gid;
		}
	}
	if (group != NULL && msg[0] == '\0') {
		if ((gr = getgrnam(group)) == NULL)
			snprintf(msg, sizeof(msg), "unknown group %s", group);
		else
			ctx->gid = gr->gr_gid;
	}
	if (msg[0] != '\0') {
		log_warnx("exec checks will fail: %s", msg);
		ctx->id_error = xstrdup(msg);
	}
	/* switching to who we already are needs no privilege: skip it */
	ctx->drop = ctx->uid != geteuid() || ctx->gid != getegid();
	return ctx;
}

void
check_ctx_free(struct check_ctx *ctx)
{
	size_t	 f, i;

	if (ctx == NULL)
		return;
	for (f = 0; f < 2; f++)
		for (i = 0; i < ctx->ntcp_spare[f]; i++)
			close(ctx->tcp_spare[f][i]);
	/* what a type hung off the context (curl's multi handle) */
	if (ctx->http_free != NULL)
		ctx->http_free(ctx);
	free(ctx->id_error);
	free(ctx);
}

int
check_init_ops(struct check *c, struct check_ctx *ctx,
    const struct check_conf *conf, const struct check_ops *ops,
    check_done_cb cb, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->conf = conf;
	c->ctx = ctx;
	c->cb = cb;
	c->arg = arg;
	if ((c->ops = ops) == NULL) {
		log_warnx("line %d: unknown check type %d", conf->line,
		    (int)conf->type);
		return -1;
	}
	c->timeout = conf->timeout > 0 ? (uint64_t)(conf->timeout * 1e9) :
	    EV_NSEC;
	c->detail = "";
	ev_timer_init(&c->timer, check_deadline_cb, c);
	if (c->ops->init(c) == -1) {
		c->ops = NULL;
		return -1;
	}
	return 0;
}

void
check_fini(struct check *c)
{
	if (c->ops == NULL)
		return;
	check_cancel(c);
	c->ops->free(c);
	c->ops = NULL;
	free(c->msg);
	c->msg = NULL;
	c->msgsz = 0;
	c->detail = "";
}

void
check_start(struct check *c)
{
	if (c->running)
		return;
	c->running = 1;
	c->reason = CHECK_OK;
	c->detail = "";
	c->latency = 0;
	c->weight = -1;
	c->started = ev_monotonic();
	ev_timer_init(&c->timer, check_deadline_cb, c);
	c->in_start = 1;
	c->ops->start(c);
	c->in_start = 0;
	/*
	 * The deadline only for a check still under way: one that ended
	 * inside start (a tcp connect to a local address does) has its
	 * delivery armed instead, and never needed it.
	 */
	if (c->running && !ev_timer_armed(&c->timer) && !c->ops->own_timeout)
		ev_timer_at(c->ctx->loop, &c->timer, c->started + c->timeout);
}

void
check_cancel(struct check *c)
{
	if (!c->running)
		return;
	/* a result waiting for delivery has nothing left to cancel */
	if (ev_timer_armed(&c->timer) && c->timer.cb == check_deliver_cb)
		ev_timer_stop(c->ctx->loop, &c->timer);
	else {
		ev_timer_stop(c->ctx->loop, &c->timer);
		c->ops->cancel(c);
	}
	c->running = 0;
}

int
check_running(const struct check *c)
{
	return c->running;
}

static void
check_deliver_cb(void *arg)
{
	struct check	*c = arg;

	c->running = 0;
	c->cb(c, c->arg);
}

/*
 * The type reports a result, after it released what the run held. From
 * inside check_start the result waits for the next loop iteration, so
 * callers never see a callback before check_start returned.
 */
int
check_weight_parse(const char *s, size_t len)
{
	size_t	 i = 0;
	long	 v = 0;
	int	 digits = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		if ((v = v * 10 + (s[i] - '0')) > CHECK_WEIGHT_CAP)
			v = CHECK_WEIGHT_CAP;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n'))
		i++;
	if (digits == 0 || i != len)
		return -1;
	return (int)v;
}

void
check_done(struct check *c, enum check_reason reason, const char *fmt, ...)
{
	va_list	 ap;

	if (!c->running)
		return;
	c->latency = ev_monotonic() - c->started;
	c->reason = reason;
	c->detail = check_reason_str(reason);
	/* the buffer only once a check has a message to keep */
	if (fmt != NULL && c->msg == NULL &&
	    (c->msg = malloc(CHECK_DETAIL_MAX)) != NULL)
		c->msgsz = CHECK_DETAIL_MAX;
	if (fmt != NULL && c->msg != NULL) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->msgsz, fmt, ap);
		va_end(ap);
		c->detail = c->msg;
	}
	ev_timer_stop(c->ctx->loop, &c->timer);
	if (c->in_start) {
		ev_timer_init(&c->timer, check_deliver_cb, c);
		ev_timer_at(c->ctx->loop, &c->timer, 0);
		return;
	}
	check_deliver_cb(c);
}

void
check_scan_init(struct check_scan *sc, const char *want)
{
	memset(sc, 0, sizeof(*sc));
	if (want == NULL)
		return;
	sc->want = want;
	sc->wantlen = strlen(want);
	sc->carry = xmalloc(2 * sc->wantlen + 1);
}

void
check_scan_reset(struct check_scan *sc)
{
	sc->carrylen = 0;
	sc->seen = 0;
}

void
check_scan_free(struct check_scan *sc)
{
	free(sc->carry);
	memset(sc, 0, sizeof(*sc));
}

int
check_scan(struct check_scan *sc, const char *data, size_t len)
{
	size_t	 keep, n, total;

	if (sc->wantlen == 0)
		return 1;
	sc->seen += len;
	keep = sc->wantlen - 1;
	/* the seam: the kept tail followed by the head of this chunk */
	n = len < keep ? len : keep;
	memcpy(sc->carry + sc->carrylen, data, n);
	total = sc->carrylen + n;
	if (memmem(sc->carry, total, sc->want, sc->wantlen) != NULL ||
	    memmem(data, len, sc->want, sc->wantlen) != NULL)
		return 1;
	/* keep the last keep bytes of everything seen so far */
	if (len >= keep)
		memcpy(sc->carry, data + len - keep, keep);
	else if (total > keep)
		memmove(sc->carry, sc->carry + total - keep, keep);
	sc->carrylen = total > keep || len >= keep ? keep : total;
	return 0;
}

static void
check_deadline_cb(void *arg)
{
	struct check	*c = arg;

	if (c->ops->expire != NULL) {
		c->ops->expire(c);
		return;
	}
	c->ops->cancel(c);
	check_done(c, CHECK_TIMEOUT, NULL);
}
