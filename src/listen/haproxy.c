/*
 * haproxy.c - weight and drain changes through haproxy's runtime API.
 *
 * A template with haproxy_socket set keeps a snapshot of what its file
 * was last made from: per server its name as haproxy knows it
 * ("be_SERVICE/IP", the names etc/templates/haproxy.cfg.mustache gives),
 * its weight and drain state, and everything else a template may print
 * (port, prefix, peer, next hop, MED, local preference, tags). When a
 * new pass differs from the snapshot only in weights and drain states,
 * the new file is still written (a later reload keeps it) but haproxy
 * is told through its admin socket:
 *
 *   set server be_web/192.0.2.10 state drain
 *   set server be_web/192.0.2.10 weight 0
 *
 * instead of being reloaded. Anything else (a server more or less,
 * another tag, a weight haproxy cannot take) goes the usual way. So does
 * any failure here: render.c then reloads, the file being written.
 *
 * The socket is spoken to in haproxy's non-interactive mode: one line of
 * commands joined by ';' per connection, haproxy answers and closes. A
 * command that works answers nothing but a blank line; anything else
 * ("No such server.", "Absolute weight can only be ...") is a failure.
 * Nonblocking throughout, one deadline for the whole exchange.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "listen.h"
#include "log.h"

static const char *const haproxy_diff_names[] = {
	"same", "runtime", "reload"
};

static const char *const haproxy_result_names[] = {
	"ok", "connect", "io", "timeout", "refused"
};

const char *
haproxy_diff_name(enum haproxy_diff d)
{
	return (size_t)d < sizeof(haproxy_diff_names) /
	    sizeof(haproxy_diff_names[0]) ? haproxy_diff_names[d] : "?";
}

const char *
haproxy_result_name(enum haproxy_result r)
{
	return (size_t)r < sizeof(haproxy_result_names) /
	    sizeof(haproxy_result_names[0]) ? haproxy_result_names[r] : "?";
}

/* ---- snapshots and their difference ---- */

void
haproxy_snap_free(struct haproxy_snap *sn)
{
	size_t	 i;

	for (i = 0; i < sn->n; i++) {
		free(sn->srv[i].name);
		free(sn->srv[i].rest);
	}
	free(sn->srv);
	memset(sn, 0, sizeof(*sn));
}

void
haproxy_snap_move(struct haproxy_snap *to, struct haproxy_snap *from)
{
	haproxy_snap_free(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
}

void
haproxy_snap_add(struct haproxy_snap *sn, const char *backend,
    const char *server, uint16_t weight, int draining, const char *rest)
{
	struct haproxy_server	*s;
	struct buf		 b = BUF_INIT;

	if (sn->n == sn->cap) {
		sn->cap = sn->cap == 0 ? 16 : sn->cap * 2;
		sn->srv = xreallocarray(sn->srv, sn->cap, sizeof(*sn->srv));
	}
	s = &sn->srv[sn->n++];
	buf_printf(&b, "%s/%s", backend, server);
	s->name = b.s;
	s->rest = xstrdup(rest);
	s->weight = weight;
	s->draining = draining != 0;
	sn->valid = 1;
}

void
haproxy_snap_take(struct haproxy_snap *sn, const struct context *c)
{
	struct rib_backend_info	 b;
	struct buf		 rest = BUF_INIT;
	char			 name[CONF_NAME_MAX + 16];
	char			 backend[CONF_NAME_MAX + 20];
	char			 ip[ADDR_STRLEN], tag[64];
	char			 pfx[ADDR_STRLEN + 8];
	size_t			 s, i, t, n;

	haproxy_snap_free(sn);
	sn->valid = 1;
	for (s = 0; s < c->nports; s++) {
		if (c->vidx[s] == RIB_VIEW_NONE)
			continue;
		context_service_name(c, s, name, sizeof(name));
		snprintf(backend, sizeof(backend), "be_%s", name);
		n = RIB_VIEW_COUNT(&c->view, c->vidx[s]);
		for (i = 0; i < n; i++) {
			rib_view_backend(&c->view, c->vidx[s], i, &b);
			rest.len = 0;
			buf_printf(&rest, "%u %s %s %s %lld %lld",
			    (unsigned int)c->ports[s],
			    prefix_fmt(b.prefix, pfx, sizeof(pfx)),
			    addr_fmt(b.peer, ip, sizeof(ip)),
			    b.next_hop->family != 0 ? addr_fmt(b.next_hop,
			    tag, sizeof(tag)) : "-",
			    (long long)b.med, (long long)b.local_pref);
			for (t = 0; t < rib_backend_ntags(&b); t++) {
				rib_backend_tag(&b, t, tag, sizeof(tag));
				buf_printf(&rest, " %s", tag);
			}
			haproxy_snap_add(sn, backend,
			    addr_fmt(&b.prefix->addr, ip, sizeof(ip)),
			    b.draining ? 0 : b.weight, b.draining, rest.s);
		}
	}
	buf_free(&rest);
}

enum haproxy_diff
haproxy_diff(const struct haproxy_snap *old, const struct haproxy_snap *new)
{
	const struct haproxy_server	*a, *b;
	size_t				 i;
	int				 changed = 0;

	/* nothing known of what haproxy runs: it has to be (re)loaded */
	if (!old->valid || !new->valid || old->n != new->n)
		return HAPROXY_RELOAD;
	/* both come from the same ordered view: same servers, same order */
	for (i = 0; i < new->n; i++) {
		a = &old->srv[i];
		b = &new->srv[i];
		if (strcmp(a->name, b->name) != 0 ||
		    strcmp(a->rest, b->rest) != 0)
			return HAPROXY_RELOAD;
		if (a->weight == b->weight && a->draining == b->draining)
			continue;
		/* what haproxy refuses at run time, its check refuses too */
		if (b->weight > HAPROXY_WEIGHT_MAX)
			return HAPROXY_RELOAD;
		changed = 1;
	}
	return changed ? HAPROXY_RUNTIME : HAPROXY_SAME;
}

/* append cmd to the lines, starting a new line when it would be too long */
static void
haproxy_line_add(struct haproxy_cmds *hc, struct buf *line, const char *cmd)
{
	if (line->len > 0 && line->len + 1 + strlen(cmd) + 1 >
	    HAPROXY_LINE_MAX) {
		buf_printf(line, "\n");
		hc->lines = xreallocarray(hc->lines, hc->nlines + 1,
		    sizeof(*hc->lines));
		hc->lines[hc->nlines++] = line->s;
		memset(line, 0, sizeof(*line));
	}
	buf_printf(line, "%s%s", line->len > 0 ? ";" : "", cmd);
}

void
haproxy_cmds_free(struct haproxy_cmds *hc)
{
	size_t	 i;

	for (i = 0; i < hc->nlines; i++)
		free(hc->lines[i]);
	free(hc->lines);
	memset(hc, 0, sizeof(*hc));
}

size_t
haproxy_commands(const struct haproxy_snap *old,
    const struct haproxy_snap *new, struct haproxy_cmds *hc)
{
	const struct haproxy_server	*a, *b;
	struct buf			 line = BUF_INIT, cmd = BUF_INIT;
	size_t				 i;

	memset(hc, 0, sizeof(*hc));
	if (haproxy_diff(old, new) != HAPROXY_RUNTIME)
		return 0;
	for (i = 0; i < new->n; i++) {
		a = &old->srv[i];
		b = &new->srv[i];
		if (a->weight == b->weight && a->draining == b->draining)
			continue;
		hc->nservers++;
		/*
		 * The state first: leaving drain ("ready") must come before
		 * the weight, or the server would be back with weight 0.
		 * Drain also sets weight 0, as the file's "weight 0" does,
		 * so a reload later leaves the server as it is now.
		 */
		if (a->draining != b->draining) {
			cmd.len = 0;
			buf_printf(&cmd, "set server %s state %s", b->name,
			    b->draining ? "drain" : "ready");
			haproxy_line_add(hc, &line, cmd.s);
		}
		if (a->weight != b->weight) {
			cmd.len = 0;
			buf_printf(&cmd, "set server %s weight %u", b->name,
			    (unsigned int)b->weight);
			haproxy_line_add(hc, &line, cmd.s);
		}
	}
	if (line.len > 0) {
		buf_printf(&line, "\n");
		hc->lines = xreallocarray(hc->lines, hc->nlines + 1,
		    sizeof(*hc->lines));
		hc->lines[hc->nlines++] = line.s;
	}
	buf_free(&cmd);
	return hc->nservers;
}

int
haproxy_reply_ok(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t	 i, j;

	for (i = 0; i < len; i++)
		if (buf[i] != '\n' && buf[i] != '\r' && buf[i] != ' ')
			break;
	if (i == len)
		return 0;
	/* the first line that says something, printable only */
	for (j = 0; i < len && buf[i] != '\n' && j + 1 < errlen; i++)
		err[j++] = buf[i] >= ' ' && buf[i] < 0x7f ? buf[i] : '?';
	if (errlen > 0)
		err[j] = '\0';
	return -1;
}

/* ---- the conversation ---- */

#define HAPROXY_REPLY_MAX	1024	/* kept of a reply, for the log */

struct haproxy_client {
	struct ev_loop		*loop;
	struct ev_timer		 deadline;
	struct ev_timer		 later;		/* cb, from the loop */
	int			 fd;
	int			 busy;
	char			 path[CONF_SOCKET_PATH_MAX];
	struct haproxy_cmds	 cmds;		/* owned while busy */
	size_t			 cur;		/* line being sent */
	size_t			 off;		/* bytes of it written */
	char			 reply[HAPROXY_REPLY_MAX];
	size_t			 rlen;
	enum haproxy_result	 result;
	char			 detail[256];
	haproxy_done_cb		 cb;
	void			*arg;
};

static void	haproxy_io(int, unsigned int, void *);

static void
haproxy_close(struct haproxy_client *hc)
{
	if (hc->fd != -1) {
		ev_io_del(hc->loop, hc->fd);
		close(hc->fd);
		hc->fd = -1;
	}
}

static void
haproxy_later(void *arg)
{
	struct haproxy_client	*hc = arg;
	haproxy_done_cb		 cb = hc->cb;

	hc->busy = 0;
	hc->cb = NULL;
	haproxy_cmds_free(&hc->cmds);
	if (cb != NULL)
		cb(hc->result, hc->detail, hc->arg);
}

/* done, well or not: the callback runs from the loop */
static void
haproxy_finish(struct haproxy_client *hc, enum haproxy_result res,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
haproxy_finish(struct haproxy_client *hc, enum haproxy_result res,
    const char *fmt, ...)
{
	va_list	 ap;

	haproxy_close(hc);
	ev_timer_stop(hc->loop, &hc->deadline);
	hc->result = res;
	va_start(ap, fmt);
	vsnprintf(hc->detail, sizeof(hc->detail), fmt, ap);
	va_end(ap);
	ev_timer_after(hc->loop, &hc->later, 0);
}

static void
haproxy_timeout(void *arg)
{
	struct haproxy_client	*hc = arg;

	haproxy_finish(hc, HAPROXY_TIMEOUT, "%s: no answer in time",
	    hc->path);
}

/* connect for line hc->cur; 0, or -1 with the client finished */
static int
haproxy_connect(struct haproxy_client *hc)
{
	struct sockaddr_un	 sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", hc->path);
	hc->off = 0;
	hc->rlen = 0;
	if ((hc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		haproxy_finish(hc, HAPROXY_CONNECT, "socket: %s",
		    strerror(errno));
		return -1;
	}
	/*
	 * A UNIX stream connect does not wait: it is accepted into the
	 * backlog or fails at once (EAGAIN when the backlog is full).
	 */
	if (connect(hc->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		haproxy_finish(hc, HAPROXY_CONNECT, "connect %s: %s",
		    hc->path, strerror(errno));
		return -1;
	}
	if (ev_io_add(hc->loop, hc->fd, EV_WRITE, haproxy_io, hc) == -1) {
		haproxy_finish(hc, HAPROXY_IO, "%s: cannot watch the socket",
		    hc->path);
		return -1;
	}
	return 0;
}

static void
haproxy_io(int fd, unsigned int events, void *arg)
{
	struct haproxy_client	*hc = arg;
	const char		*line = hc->cmds.lines[hc->cur];
	size_t			 len = strlen(line);
	char			 buf[4096], why[160];
	ssize_t			 n;

	if (hc->off < len) {
		n = send(fd, line + hc->off, len - hc->off, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n == -1) {
			haproxy_finish(hc, HAPROXY_IO, "write %s: %s",
			    hc->path, strerror(errno));
			return;
		}
		hc->off += (size_t)n;
		if (hc->off == len)
			ev_io_mod(hc->loop, fd, EV_READ);
		return;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			haproxy_finish(hc, HAPROXY_IO, "read %s: %s",
			    hc->path, strerror(errno));
			return;
		}
		if (n == 0)
			break;
		/* keep the start for the verdict; the rest is drained */
		if (hc->rlen < sizeof(hc->reply)) {
			size_t k = sizeof(hc->reply) - hc->rlen;

			if ((size_t)n < k)
				k = (size_t)n;
			memcpy(hc->reply + hc->rlen, buf, k);
			hc->rlen += k;
		}
	}
	/* haproxy closed: the whole answer to this line is in */
	haproxy_close(hc);
	if (haproxy_reply_ok(hc->reply, hc->rlen, why, sizeof(why)) == -1) {
		haproxy_finish(hc, HAPROXY_REFUSED, "%s answered: %s",
		    hc->path, why);
		return;
	}
	if (++hc->cur == hc->cmds.nlines) {
		haproxy_finish(hc, HAPROXY_OK, "%zu line(s) sent",
		    hc->cmds.nlines);
		return;
	}
	(void)haproxy_connect(hc);
}

struct haproxy_client *
haproxy_client_new(struct ev_loop *loop)
{
	struct haproxy_client	*hc;

	hc = xcalloc(1, sizeof(*hc));
	hc->loop = loop;
	hc->fd = -1;
	ev_timer_init(&hc->deadline, haproxy_timeout, hc);
	ev_timer_init(&hc->later, haproxy_later, hc);
	return hc;
}

void
haproxy_client_free(struct haproxy_client *hc)
{
	if (hc == NULL)
		return;
	haproxy_cancel(hc);
	free(hc);
}

void
haproxy_send(struct haproxy_client *hc, const char *path,
    struct haproxy_cmds *cmds, double timeout, haproxy_done_cb cb,
    void *arg)
{
	if (hc->busy)
		fatalx("haproxy_send: already sending");
	hc->busy = 1;
	hc->cb = cb;
	hc->arg = arg;
	hc->cmds = *cmds;
	memset(cmds, 0, sizeof(*cmds));
	hc->cur = 0;
	hc->detail[0] = '\0';
	snprintf(hc->path, sizeof(hc->path), "%s", path);
	if (hc->cmds.nlines == 0) {
		haproxy_finish(hc, HAPROXY_OK, "nothing to send");
		return;
	}
	ev_timer_after(hc->loop, &hc->deadline,
	    (uint64_t)(timeout * (double)EV_NSEC));
	(void)haproxy_connect(hc);
}

int
haproxy_busy(const struct haproxy_client *hc)
{
	return hc->busy;
}

void
haproxy_cancel(struct haproxy_client *hc)
{
	haproxy_close(hc);
	ev_timer_stop(hc->loop, &hc->deadline);
	ev_timer_stop(hc->loop, &hc->later);
	haproxy_cmds_free(&hc->cmds);
	hc->busy = 0;
	hc->cb = NULL;
}
