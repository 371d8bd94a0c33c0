/*
 * input.c - bgpsd-listen's stdin and stdout: ExaBGP's JSON lines and
 * plain-text answers read (nonblocking, bounded per turn), decoded and
 * applied to the table; the table-recovery request written, its answers
 * handed to recover.c, its wait bounded. EOF on stdin, EPIPE on stdout or
 * "shutdown" mean ExaBGP is gone.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "addr.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "outq.h"

#define INPUT_READ_CHUNK	65536
#define INPUT_PREVIEW		LINES_HEAD	/* bytes of a line in the log */

/* printable preview of a line for the log: control bytes become '?' */
static void
input_preview(char *out, size_t outlen, const char *s, size_t len)
{
	size_t	i, n = 0;
	char	c;

	for (i = 0; i < len && n + 1 < outlen && i < INPUT_PREVIEW; i++) {
		c = s[i];
		out[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	out[n] = '\0';
}

/* ExaBGP is gone (EOF on stdin, EPIPE on stdout): stop reading, exit */
void
input_gone(struct listend *l)
{
	l->eof = 1;
	ev_io_del(l->loop, STDIN_FILENO);
	ev_timer_stop(l->loop, &l->timer);
	ev_timer_stop(l->loop, &l->stale_timer);
	/* a pass in progress completes (it has a whole table) */
	if (!render_busy(l->render))
		ev_break(l->loop);
}

/* stdout, ExaBGP's command channel, failed for good */
static void
input_out_error(int err, void *arg)
{
	struct listend	*l = arg;
	char		 why[RECOVER_DETAIL_MAX];

	if (err == EPIPE) {
		log_info("stdout closed: ExaBGP is gone, exiting");
		input_gone(l);
		return;
	}
	errno = err;
	log_warn("stdout");
	snprintf(why, sizeof(why), "cannot write to ExaBGP: %s",
	    strerror(err));
	recover_fail(l->rec, why);
}

/* text: commands, one per line */
static void
input_send(struct listend *l, const char *text)
{
	char	*copy, *line, *save;

	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		(void)outq_push(l->out, line, 0);
	free(copy);
	outq_flush(l->out);
}

/* ask ExaBGP for the table it holds; the answer is read with the JSON */
void
input_recover_ask(struct listend *l)
{
	double	 t = l->conf->listen.recovery_timeout;

	if (t <= 0)
		return;
	log_info("%s ExaBGP for the routes it already holds",
	    recover_state(l->rec) == RECOVER_FAILED ? "asking again" :
	    "asking");
	recover_begin(l->rec);
	l->rec_start = ev_monotonic();
	ev_timer_after(l->loop, &l->rec_timer, pace_ns(t));
	input_send(l, RECOVER_REQUEST);
}

/* after anything that may move the recovery on: log, status, render */
static void
input_recover_moved(struct listend *l, enum recover_state was)
{
	struct recover_stats	 rs;
	enum recover_state	 now = recover_state(l->rec);

	/* silence is what fails: every answer line restarts the bound */
	if (now == RECOVER_PENDING)
		ev_timer_after(l->loop, &l->rec_timer,
		    pace_ns(l->conf->listen.recovery_timeout));
	if (now == was)
		return;
	recover_stats(l->rec, &rs);
	if (now == RECOVER_DONE) {
		ev_timer_stop(l->loop, &l->rec_timer);
		log_info("table recovery done (%s): %zu peer(s) were up "
		    "before we started, %llu route(s) from ExaBGP's "
		    "Adj-RIB-In, %llu older than an update already read "
		    "(skipped), %.2f s", rs.detail,
		    rs.peers, (unsigned long long)rs.routes,
		    (unsigned long long)rs.superseded,
		    (double)(ev_monotonic() - l->rec_start) / (double)EV_NSEC);
		pace_mark(l);
	} else if (now == RECOVER_FAILED) {
		ev_timer_stop(l->loop, &l->rec_timer);
		log_warnx("table recovery failed: %s; every file is kept "
		    "as it is and nothing is rendered until the answer "
		    "comes, every session that was up has restarted, or "
		    "SIGHUP/SIGUSR1 asks again", rs.detail);
	}
	report_touch(l);
}

static void
input_recover_timer(void *arg)
{
	struct listend	*l = arg;
	char		 why[RECOVER_DETAIL_MAX];

	snprintf(why, sizeof(why), "no answer from ExaBGP within %g s "
	    "(exabgp.api.ack and the process's stdout reach it?)",
	    l->conf->listen.recovery_timeout);
	recover_fail(l->rec, why);
	input_recover_moved(l, RECOVER_PENDING);
}

/* a line that cannot be used: counted, logged with a clean preview */
static void
input_skip(struct listend *l, const char *line, size_t len,
    uint64_t lineno, char *err)
{
	char	 pre[INPUT_PREVIEW + 1], *p;

	l->nbad++;
	input_preview(pre, sizeof(pre), line, len);
	/* jansson quotes the offending bytes: clean them as well */
	for (p = err; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	log_warnx("stdin line %llu skipped (%s): %s",
	    (unsigned long long)lineno, err, pre);
}

/* JSON lines start with '{'; the answers to our commands do not */
static int
input_is_text(const char *line, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return line[i] != '{';
	return 0;
}

static int
input_line(const char *line, size_t len, uint64_t lineno, void *arg)
{
	struct listend		*l = arg;
	char			 err[256], a[ADDR_STRLEN];
	enum recover_state	 was = recover_state(l->rec);
	int			 changed;

	if (input_is_text(line, len)) {
		if (recover_text(l->rec, line, len, err, sizeof(err)) == -1)
			input_skip(l, line, len, lineno, err);
		input_recover_moved(l, was);
		return 0;
	}
	if (exabgp_decode(&l->msg, line, len, err, sizeof(err)) == -1) {
		input_skip(l, line, len, lineno, err);
		return 0;
	}
	switch (l->msg.type) {
	case EXABGP_MSG_SHUTDOWN:
		log_info("ExaBGP is shutting down");
		l->shutdown = 1;
		return 1;	/* what follows is of no use */
	case EXABGP_MSG_STATE:		/* rib_apply logs the change */
	case EXABGP_MSG_UPDATE:
	case EXABGP_MSG_EOR:
		break;
	default:
		return 0;
	}
	recover_live(l->rec, &l->msg);
	changed = rib_apply(l->rib, &l->msg);
	if (l->msg.type != EXABGP_MSG_UPDATE)
		pace_stale_arm(l);	/* a state or an EOR moves it */
	/*
	 * What the status counts may change with no file changing: an
	 * ignored route, a second reflector's copy of a route, a stale
	 * route sent again, an End-of-RIB. Touching only arms the status
	 * timer (one write per status_interval at most).
	 */
	report_touch(l);
	if (l->msg.type == EXABGP_MSG_EOR && l->msg.has_peer)
		log_debug("End-of-RIB %s from %s",
		    exabgp_family_name(l->msg.family),
		    addr_fmt(&l->msg.peer, a, sizeof(a)));
	/* before the first render, an EOR or a state may open the gate */
	if (changed || (!l->first_done && !l->once &&
	    (l->msg.type == EXABGP_MSG_EOR ||
	    l->msg.type == EXABGP_MSG_STATE)))
		pace_mark(l);
	if (recover_state(l->rec) != was)
		input_recover_moved(l, was);
	return 0;
}

static void
input_oversized(const char *head, size_t len, uint64_t lineno, void *arg)
{
	struct listend	*l = arg;
	char		 pre[INPUT_PREVIEW + 1];

	input_preview(pre, sizeof(pre), head, len);
	log_warnx("stdin line %llu skipped: longer than max_line (%zu "
	    "bytes): %s", (unsigned long long)lineno, l->in.max, pre);
}

static void
input_stdin(int fd, unsigned int events, void *arg)
{
	struct listend	*l = arg;
	char		 chunk[INPUT_READ_CHUNK];
	ssize_t		 n;
	int		 i;

	/* bounded: other events get their turn on a busy pipe */
	for (i = 0; i < 16; i++) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1) {
			log_warn("stdin");
			n = 0;
		}
		if (n == 0) {
			lines_eof(&l->in);
			log_info("stdin closed: ExaBGP is gone, exiting");
			l->eof = 1;
			break;
		}
		lines_feed(&l->in, chunk, (size_t)n);
		if (l->shutdown)
			break;
	}
	if (l->eof || l->shutdown) {
		ev_io_del(l->loop, fd);
		ev_timer_stop(l->loop, &l->timer);
	ev_timer_stop(l->loop, &l->stale_timer);
		/* a pass in progress completes (it has a whole table) */
		if (!render_busy(l->render))
			ev_break(l->loop);
	}
}

void
input_init(struct listend *l)
{
	exabgp_msg_init(&l->msg);
	lines_init(&l->in, (size_t)l->conf->listen.max_line, input_line,
	    input_oversized, l);
	ev_timer_init(&l->rec_timer, input_recover_timer, l);
}

void
input_free(struct listend *l)
{
	exabgp_msg_free(&l->msg);
	lines_free(&l->in);
}

int
input_start(struct listend *l)
{
	int	 flags;

	if ((flags = fcntl(STDIN_FILENO, F_GETFL)) == -1 ||
	    fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_warn("stdin");
		return -1;
	}
	/* ExaBGP's command channel: never block on it */
	if ((l->out = outq_new(l->loop, STDOUT_FILENO, NULL,
	    input_out_error, l)) == NULL)
		return -1;
	if (ev_io_add(l->loop, STDIN_FILENO, EV_READ, input_stdin, l) == -1) {
		log_warnx("cannot set up the event loop");
		return -1;
	}
	return 0;
}
