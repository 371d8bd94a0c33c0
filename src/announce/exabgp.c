/*
 * exabgp.c - the ExaBGP side of bgpsd-announce: lines out on stdout,
 * acks and events in on stdin, both nonblocking on the one loop.
 *
 * Rules (../shared/EXABGP.md has the evidence):
 * - One wanted state per prefix (a struct route_want), compared as data
 *   with the one last written; its line is formatted once, when it is
 *   written. A change is written when the batch window (announce.batch)
 *   closes, so that changes close together leave as one line per prefix.
 * - With acks on, at most one line per prefix is in flight: several
 *   changes of one prefix handed over together may reach the peer out of
 *   order. The next change waits for the previous one's done/error; only
 *   the latest wanted line is then written. ExaBGP runs announce and
 *   withdraw commands one after the other and answers in that order, so
 *   the lines in flight form a FIFO and an answer pops its head.
 * - A line not answered within ack_timeout (counted from the write of its
 *   last byte) is logged once as late and stays in the FIFO: a late
 *   answer pops it and only it, and its prefix stays in flight. Some
 *   lines get no answer at all (an invalid address is only logged by
 *   ExaBGP): to tell late from never, a sync marker, "show neighbor
 *   summary", is written behind it. ExaBGP runs that command in the same
 *   queue as ours and writes its header line first, so when the header
 *   arrives every line ahead of the marker that is still in the FIFO was
 *   never answered: it is dropped and its prefix's wanted line written
 *   again. The marker's table and done follow its header. ("version" is
 *   answered at once, ahead of commands still queued: no marker.)
 * - Never any done or error, only timeouts (ExaBGP runs with api.ack =
 *   false): stop waiting; the first answer turns waiting back on, behind
 *   a marker so that answers to lines written meanwhile are told apart.
 * - stdin is always read (ExaBGP blocks when its pipe to us fills).
 *   EOF or "shutdown": ExaBGP is gone. EPIPE on stdout: the same.
 * - The output buffer is ours; write(2) never blocks (O_NONBLOCK); a
 *   short write waits for EV_WRITE. Each queued line is tracked until its
 *   last byte is written: only then is it logged ("> line", debug) and
 *   does its ack timeout start. Lines still queued at exit are named in
 *   one warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "announce.h"
#include "answer.h"
#include "lines.h"
#include "outq.h"
#include "ev.h"
#include "log.h"

#define EXABGP_UNKNOWN_LOGGED	10
#define EXABGP_NOACK_GUESS	3	/* timeouts without any answer */
#define EXABGP_UNDELIVERED_MAX	1024	/* bytes of prefixes in the warning */
#define EXABGP_NO_ENTRY		SIZE_MAX	/* a queued sync marker */

struct xentry {
	struct prefix	 prefix;
	struct route_want want;		/* wanted state */
	struct route_want sent;		/* last one handed over */
	char		*line;		/* sent's line as written */
	int		 has_want;	/* 0: nothing wanted yet */
	int		 has_sent;	/* 0: nothing handed over */
	int		 inflight;	/* sent is waiting for its ack */
	int		 acked;		/* sent was answered done */
};

enum xflight_kind {
	XFLIGHT_LINE,		/* a prefix's line */
	XFLIGHT_SYNC,		/* a sync marker */
	XFLIGHT_KIND_MAX
};

/* an entry of the in-flight FIFO, in the order of the output queue */
struct xflight {
	enum xflight_kind kind;
	size_t		 entry;		/* LINE: index into entries */
	uint64_t	 seq;		/* its line in the output queue */
	char		*line;		/* as written, for the log */
	uint64_t	 written;	/* monotonic ns of its last byte */
	int		 header;	/* SYNC: its header came */
};

struct exabgp {
	struct ev_loop	*loop;
	int		 in_fd;
	int		 out_fd;
	int		 in_flags;	/* restored on free */
	int		 in_watch;	/* in_fd added to the loop */
	int		 in_polled;	/* stdin not pollable (a file): timer */
	struct outq	*out;		/* stdout: the lines, as written */
	int		 gone;
	exabgp_gone_cb	 gone_cb;
	void		*arg;
	void		(*notify_cb)(void *);
	void		*notify_arg;

	int		 ack;
	int		 ack_guessed_off;	/* ExaBGP never answered */
	int		 answered;	/* a done or error was ever read */
	uint64_t	 silent;	/* timeouts while never answered */
	uint64_t	 batch;
	uint64_t	 ack_timeout;

	struct xentry	*entries;
	size_t		 nentries;
	size_t		 centries;

	/*
	 * In-flight FIFO, a ring. Its first fwrit entries are written, the
	 * first flate of those logged as late: flate <= fwrit <= flen.
	 */
	struct xflight	*fifo;
	size_t		 fhead;
	size_t		 flen;
	size_t		 fcap;
	size_t		 fwrit;
	size_t		 flate;
	size_t		 nsync;		/* sync markers in the FIFO */

	struct lines	 in;
	struct ev_timer	 batch_timer;
	struct ev_timer	 ack_timer;
	struct ev_timer	 poll_timer;

	struct exabgp_stats stats;
};


static const char *const exabgp_gone_names[EXABGP_GONE_MAX] = {
	[EXABGP_GONE_EOF] = "end of file on stdin",
	[EXABGP_GONE_SHUTDOWN] = "shutdown received",
	[EXABGP_GONE_EPIPE] = "stdout closed",
	[EXABGP_GONE_IOERR] = "I/O error",
};

static const char *const xflight_kind_names[XFLIGHT_KIND_MAX] = {
	[XFLIGHT_LINE] = "line",
	[XFLIGHT_SYNC] = "sync marker",
};

static void	exabgp_write_ready(struct exabgp *);
static void	exabgp_fifo_written(struct exabgp *, uint64_t seq);

static void
exabgp_notify(struct exabgp *x)
{
	if (x->notify_cb != NULL)
		x->notify_cb(x->notify_arg);
}

void
exabgp_set_notify(struct exabgp *x, void (*cb)(void *), void *arg)
{
	x->notify_cb = cb;
	x->notify_arg = arg;
}


const char *
exabgp_gone_name(enum exabgp_gone g)
{
	if ((unsigned)g >= EXABGP_GONE_MAX)
		return "?";
	return exabgp_gone_names[g];
}

/* ---- pure parsing: a fuzz target ---- */

/* ---- output buffer ---- */

static void
exabgp_go(struct exabgp *x, enum exabgp_gone why)
{
	if (x->gone)
		return;
	x->gone = 1;
	ev_timer_stop(x->loop, &x->batch_timer);
	ev_timer_stop(x->loop, &x->ack_timer);
	ev_timer_stop(x->loop, &x->poll_timer);
	if (x->gone_cb != NULL)
		x->gone_cb(why, x->arg);
}

/* a line's last byte went out: log it, start its ack clock */
static void
exabgp_out_written(uint64_t seq, const char *line, uintptr_t tag, void *arg)
{
	struct exabgp	*x = arg;

	log_debug("exabgp: > %s", line);
	exabgp_fifo_written(x, seq);
}

static void
exabgp_out_error(int err, void *arg)
{
	struct exabgp	*x = arg;

	if (err == EPIPE)
		exabgp_go(x, EXABGP_GONE_EPIPE);
	else {
		errno = err;
		log_warn("exabgp: write to stdout");
		exabgp_go(x, EXABGP_GONE_IOERR);
	}
}

/* queue a line of entry (EXABGP_NO_ENTRY: a sync marker); its seq */
static uint64_t
exabgp_out_line(struct exabgp *x, const char *line, size_t entry)
{
	if (entry != EXABGP_NO_ENTRY)
		x->stats.lines++;
	return outq_push(x->out, line, (uintptr_t)entry);
}

static void
exabgp_out_flush(struct exabgp *x)
{
	if (!x->gone)
		outq_flush(x->out);
}

/*
 * Before exiting: name the lines that never left the output buffer (a
 * line written in part counts: ExaBGP acts on whole lines only).
 */
static void
exabgp_out_report(struct exabgp *x)
{
	char		 list[EXABGP_UNDELIVERED_MAX], pfx[PREFIX_STRLEN];
	char		 item[PREFIX_STRLEN + 32];
	const char	*line;
	uintptr_t	 entry;
	size_t		 i, used = 0, nlines = 0, listed = 0;
	int		 n, full = 0;

	list[0] = '\0';
	for (i = 0; (line = outq_line(x->out, i, &entry, NULL)) != NULL;
	    i++) {
		if (entry == EXABGP_NO_ENTRY)
			continue;
		nlines++;
		/* "withdraw 192.0.2.10/32": the command's first word */
		n = snprintf(item, sizeof(item), "%s%.*s %s",
		    listed > 0 ? ", " : "", (int)strcspn(line, " "), line,
		    prefix_fmt(&x->entries[entry].prefix, pfx, sizeof(pfx)));
		if (full || n < 0 || used + (size_t)n >= sizeof(list) - 32) {
			full = 1;
			continue;
		}
		memcpy(list + used, item, (size_t)n + 1);
		used += (size_t)n;
		listed++;
	}
	if (nlines == 0)
		return;
	if (listed < nlines)
		snprintf(list + used, sizeof(list) - used, " and %zu more",
		    nlines - listed);
	log_warnx("exabgp: exiting with %zu line%s never delivered to ExaBGP "
	    "(%zu bytes still queued for stdout): %s", nlines,
	    nlines == 1 ? "" : "s", outq_bytes(x->out), list);
}

/* ---- the in-flight FIFO ---- */

static struct xflight *
exabgp_fifo_at(struct exabgp *x, size_t i)
{
	return &x->fifo[(x->fhead + i) % x->fcap];
}

/* the ack timer: the first written entry not yet late */
static void
exabgp_ack_arm(struct exabgp *x)
{
	if (x->flate < x->fwrit && !x->gone)
		ev_timer_at(x->loop, &x->ack_timer,
		    exabgp_fifo_at(x, x->flate)->written + x->ack_timeout);
	else
		ev_timer_stop(x->loop, &x->ack_timer);
}

static void
exabgp_fifo_push(struct exabgp *x, enum xflight_kind kind, size_t entry,
    uint64_t seq, const char *line)
{
	struct xflight	*nf, *f;
	size_t		 i, ncap;

	if (x->flen == x->fcap) {
		ncap = x->fcap == 0 ? 16 : x->fcap * 2;
		nf = xreallocarray(NULL, ncap, sizeof(*nf));
		for (i = 0; i < x->flen; i++)
			nf[i] = *exabgp_fifo_at(x, i);
		free(x->fifo);
		x->fifo = nf;
		x->fcap = ncap;
		x->fhead = 0;
	}
	f = exabgp_fifo_at(x, x->flen++);
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->entry = entry;
	f->seq = seq;
	f->line = xstrdup(line);
	if (kind == XFLIGHT_SYNC)
		x->nsync++;
}

/* the line seq left through write(2): its ack may come from now on */
static void
exabgp_fifo_written(struct exabgp *x, uint64_t seq)
{
	struct xflight	*f;
	int		 arm = 0;

	while (x->fwrit < x->flen &&
	    (f = exabgp_fifo_at(x, x->fwrit))->seq <= seq) {
		f->written = ev_monotonic();
		if (x->fwrit == x->flate)
			arm = 1;
		x->fwrit++;
	}
	if (arm)
		exabgp_ack_arm(x);
}

/* drop the head; returns a copy of it (the caller frees its line) */
static struct xflight
exabgp_fifo_pop(struct exabgp *x)
{
	struct xflight	 f = *exabgp_fifo_at(x, 0);

	x->fhead = (x->fhead + 1) % x->fcap;
	x->flen--;
	if (x->fwrit > 0)
		x->fwrit--;
	if (x->flate > 0)
		x->flate--;
	if (f.kind == XFLIGHT_SYNC)
		x->nsync--;
	exabgp_ack_arm(x);
	return f;
}

/* ExaBGP may not have it: written again */
static void
exabgp_unsent(struct xentry *e)
{
	e->has_sent = 0;
	e->acked = 0;
	free(e->line);
	e->line = NULL;
}

/* forget every entry; resend: write the lines' prefixes again */
static void
exabgp_fifo_clear(struct exabgp *x, int resend)
{
	struct xflight	 f;
	struct xentry	*e;

	while (x->flen > 0) {
		f = exabgp_fifo_pop(x);
		free(f.line);
		if (f.kind != XFLIGHT_LINE)
			continue;
		e = &x->entries[f.entry];
		e->inflight = 0;
		if (resend)
			exabgp_unsent(e);
	}
}

/* a sync marker behind everything written so far */
static void
exabgp_sync(struct exabgp *x)
{
	uint64_t	 seq;

	if (x->gone || !x->ack)
		return;
	seq = exabgp_out_line(x, EXABGP_SYNC_LINE, EXABGP_NO_ENTRY);
	exabgp_fifo_push(x, XFLIGHT_SYNC, EXABGP_NO_ENTRY, seq,
	    EXABGP_SYNC_LINE);
	x->stats.syncs++;
	exabgp_out_flush(x);
}

/* ---- wanted lines ---- */

static int
exabgp_dirty(const struct xentry *e)
{
	return e->has_want && (!e->has_sent ||
	    !route_want_equal(&e->want, &e->sent));
}

/* the wanted state becomes the sent one; its line, made here, goes out */
static void
exabgp_send(struct exabgp *x, size_t i)
{
	struct xentry	*e = &x->entries[i];
	uint64_t	 seq;

	route_want_copy(&e->sent, &e->want);
	e->has_sent = 1;
	e->acked = 0;
	free(e->line);
	e->line = route_want_fmt(&e->sent);
	seq = exabgp_out_line(x, e->line, i);
	if (x->ack) {
		e->inflight = 1;
		exabgp_fifo_push(x, XFLIGHT_LINE, i, seq, e->line);
	} else
		e->acked = 1;	/* nothing to wait for */
	exabgp_notify(x);
}

/* write every changed prefix that has nothing in flight */
static void
exabgp_write_ready(struct exabgp *x)
{
	size_t	 i;

	if (x->gone)
		return;
	for (i = 0; i < x->nentries; i++)
		if (exabgp_dirty(&x->entries[i]) && !x->entries[i].inflight)
			exabgp_send(x, i);
	exabgp_out_flush(x);
}

static void
exabgp_batch_cb(void *arg)
{
	exabgp_write_ready(arg);
}

void
exabgp_flush(struct exabgp *x)
{
	ev_timer_stop(x->loop, &x->batch_timer);
	exabgp_write_ready(x);
}

/*
 * Last resort before exiting: write every wanted line still held back by
 * an unanswered one. That one was written long ago, so ExaBGP can no
 * longer reorder the two; a prefix left announced would be worse.
 */
void
exabgp_flush_all(struct exabgp *x)
{
	size_t	 i;

	if (x->gone)
		return;
	ev_timer_stop(x->loop, &x->batch_timer);
	for (i = 0; i < x->nentries; i++)
		if (exabgp_dirty(&x->entries[i]))
			exabgp_send(x, i);
	exabgp_out_flush(x);
}

static struct xentry *
exabgp_find(const struct exabgp *x, const struct prefix *p, size_t *at)
{
	size_t	 i;

	/* a host has a handful of prefixes: a scan is the right tool */
	for (i = 0; i < x->nentries; i++)
		if (prefix_cmp(&x->entries[i].prefix, p) == 0) {
			if (at != NULL)
				*at = i;
			return &x->entries[i];
		}
	return NULL;
}

void
exabgp_set(struct exabgp *x, const struct route_want *w)
{
	struct xentry	*e;

	if ((e = exabgp_find(x, &w->prefix, NULL)) == NULL) {
		if (x->nentries == x->centries) {
			x->centries = x->centries == 0 ? 8 : x->centries * 2;
			x->entries = xreallocarray(x->entries, x->centries,
			    sizeof(*x->entries));
		}
		e = &x->entries[x->nentries++];
		memset(e, 0, sizeof(*e));
		e->prefix = w->prefix;
	}
	route_want_copy(&e->want, w);
	e->has_want = 1;
	if (exabgp_dirty(e) && !x->gone && !ev_timer_armed(&x->batch_timer))
		ev_timer_after(x->loop, &x->batch_timer, x->batch);
}

void
exabgp_withdraw_all(struct exabgp *x)
{
	size_t		 i;
	struct xentry	*e;

	for (i = 0; i < x->nentries; i++) {
		e = &x->entries[i];
		if (e->has_want)
			route_want_withdraw(&e->want);
	}
	exabgp_flush(x);
}

int
exabgp_idle(const struct exabgp *x)
{
	size_t	 i;

	if (x->gone)
		return 1;
	if (x->flen > 0 || outq_bytes(x->out) > 0)
		return 0;
	for (i = 0; i < x->nentries; i++)
		if (exabgp_dirty(&x->entries[i]))
			return 0;
	return 1;
}

const struct route_want *
exabgp_current(const struct exabgp *x, const struct prefix *p, int *acked,
    const char **line)
{
	const struct xentry	*e;

	if ((e = exabgp_find(x, p, NULL)) == NULL || !e->has_sent) {
		if (acked != NULL)
			*acked = 0;
		if (line != NULL)
			*line = NULL;
		return NULL;
	}
	if (acked != NULL)
		*acked = e->acked;
	if (line != NULL)
		*line = e->line;
	return &e->sent;
}

void
exabgp_get_stats(const struct exabgp *x, struct exabgp_stats *st)
{
	*st = x->stats;
	st->inflight = x->flen - x->nsync;
	st->outbuf = outq_bytes(x->out);
}

/* ---- acks and events from stdin ---- */

/*
 * done (ok) or error: the answer to the FIFO's head. ExaBGP answers
 * only whole lines it read, and writes a summary's header before its
 * done, so an answer finding no written head, or a sync marker still
 * waiting for its header, belongs to a line given up on: stray.
 */
static void
exabgp_ack(struct exabgp *x, int ok)
{
	struct xflight	 f, *h;
	struct xentry	*e;
	int		 late;

	x->answered = 1;
	if (x->flen == 0 && x->ack_guessed_off) {
		log_info("exabgp: ExaBGP answers after all: waiting for its "
		    "answers again");
		x->ack_guessed_off = 0;
		x->ack = 1;
		x->stats.stray++;
		/* the lines written meanwhile may still be answered */
		exabgp_sync(x);
		return;
	}
	if (x->fwrit == 0 ||
	    ((h = exabgp_fifo_at(x, 0))->kind == XFLIGHT_SYNC && !h->header)) {
		/* a line given up on, or acks turned off */
		x->stats.stray++;
		log_debug("exabgp: %s with no line waiting for one",
		    ok ? "done" : "error");
		return;
	}
	late = x->flate > 0;	/* the head was logged as late */
	f = exabgp_fifo_pop(x);
	if (f.kind == XFLIGHT_SYNC) {
		log_debug("exabgp: %s answered %s: in step with ExaBGP",
		    xflight_kind_names[f.kind], ok ? "done" : "error");
		free(f.line);
		return;
	}
	e = &x->entries[f.entry];
	e->inflight = 0;
	if (late) {
		x->stats.late++;
		log_info("exabgp: late answer from ExaBGP (%s after %.1fs) "
		    "to: %s", ok ? "done" : "error",
		    (double)(ev_monotonic() - f.written) / EV_NSEC, f.line);
	}
	if (ok) {
		x->stats.done++;
		e->acked = 1;
	} else {
		x->stats.errors++;
		/* not re-sent: the same line would fail the same way */
		log_warnx("exabgp: ExaBGP answered error to: %s", f.line);
	}
	free(f.line);
	exabgp_notify(x);
}

/*
 * The header of a sync marker's answer: ExaBGP is done with every command
 * written before the marker. What is still ahead of it in the FIFO was
 * never answered: a line's prefix is written again, and a marker whose
 * header came but not its done (ExaBGP with api.ack = false) is dropped.
 */
static void
exabgp_on_summary(struct exabgp *x)
{
	struct xflight	 f, *h;
	struct xentry	*e;
	size_t		 i;

	for (i = 0; i < x->fwrit; i++) {
		h = exabgp_fifo_at(x, i);
		if (h->kind == XFLIGHT_SYNC && !h->header)
			break;
	}
	if (i == x->fwrit) {
		log_debug("exabgp: neighbor summary without a sync marker "
		    "written");
		return;
	}
	while (i-- > 0) {
		f = exabgp_fifo_pop(x);
		if (f.kind == XFLIGHT_LINE) {
			x->stats.unanswered++;
			log_warnx("exabgp: ExaBGP never answered: %s; writing "
			    "the prefix's line again", f.line);
			e = &x->entries[f.entry];
			e->inflight = 0;
			exabgp_unsent(e);
		}
		free(f.line);
	}
	exabgp_fifo_at(x, 0)->header = 1;
	exabgp_notify(x);
}

/*
 * The first bytes of a line from ExaBGP as printable ASCII, for the log:
 * whatever a broken peer sends (NUL, escapes, invalid UTF-8) stays out.
 */
static const char *
exabgp_preview(char *buf, size_t size, const char *line, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && i + 1 < size; i++)
		buf[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	buf[i] = '\0';
	return buf;
}

static int
exabgp_on_line(const char *line, size_t len, uint64_t lineno, void *arg)
{
	struct exabgp	*x = arg;
	struct xflight	*h;
	char		 pre[201];

	if (x->gone)
		return 1;
	exabgp_preview(pre, sizeof(pre), line, len);
	switch (answer_parse(line, len)) {
	case ANSWER_DONE:
		exabgp_ack(x, 1);
		break;
	case ANSWER_ERROR:
		exabgp_ack(x, 0);
		break;
	case ANSWER_SHUTDOWN:
		log_info("exabgp: %s", pre);
		exabgp_go(x, EXABGP_GONE_SHUTDOWN);
		break;
	case ANSWER_NEIGHBOR:
		x->stats.neighbor++;
		log_debug("exabgp: %s", pre);
		break;
	case ANSWER_SUMMARY:
		log_debug("exabgp: < %s", pre);
		exabgp_on_summary(x);
		break;
	case ANSWER_EMPTY:
		break;
	default:
		/* the rows of a summary, between its header and its done */
		if (x->flen > 0 && (h = exabgp_fifo_at(x, 0))->kind ==
		    XFLIGHT_SYNC && h->header) {
			log_debug("exabgp: < %s", pre);
			break;
		}
		/* a misconfigured encoder would flood the log: ten, then debug */
		if (++x->stats.unknown <= EXABGP_UNKNOWN_LOGGED)
			log_info("exabgp: ignored: %s%s", pre,
			    x->stats.unknown == EXABGP_UNKNOWN_LOGGED ?
			    " (more ignored lines are logged at debug level)" :
			    "");
		else
			log_debug("exabgp: ignored: %s", pre);
		break;
	}
	return x->gone;	/* after "shutdown" the rest is of no use */
}

static void
exabgp_on_toolong(const char *head, size_t len, uint64_t lineno, void *arg)
{
	struct exabgp	*x = arg;
	char		 pre[LINES_HEAD + 1];

	x->stats.unknown++;
	log_warnx("exabgp: discarded a line longer than %d bytes from "
	    "ExaBGP: %s", EXABGP_LINE_MAX, exabgp_preview(pre, sizeof(pre),
	    head, len));
}

/* returns 1 while more may be read now */
static int
exabgp_read(struct exabgp *x)
{
	char	 buf[16384];
	ssize_t	 n;
	int	 rounds;

	for (rounds = 0; rounds < 16 && !x->gone; rounds++) {
		n = read(x->in_fd, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			log_warn("exabgp: read stdin");
			exabgp_go(x, EXABGP_GONE_IOERR);
			return 0;
		}
		if (n == 0) {
			exabgp_go(x, EXABGP_GONE_EOF);
			return 0;
		}
		lines_feed(&x->in, buf, (size_t)n);
	}
	/* acks may have freed prefixes whose batch window already closed */
	if (!x->gone && !ev_timer_armed(&x->batch_timer))
		exabgp_write_ready(x);
	return !x->gone && rounds == 16;
}

static void
exabgp_in_cb(int fd, unsigned int events, void *arg)
{
	exabgp_read(arg);
}

/* stdin is a regular file (epoll refuses those): read it from a timer */
static void
exabgp_poll_cb(void *arg)
{
	struct exabgp	*x = arg;

	exabgp_read(x);
	if (!x->gone)
		ev_timer_after(x->loop, &x->poll_timer, 100 * EV_MSEC);
}

static void
exabgp_ack_timeout_cb(void *arg)
{
	struct exabgp	*x = arg;
	struct xflight	*f;
	uint64_t	 now = ev_monotonic();
	size_t		 i, start, last_line = SIZE_MAX;
	int		 silent_sync = 0;

	/* each entry is late once; it stays until answered or given up */
	while (x->flate < x->fwrit && (f = exabgp_fifo_at(x,
	    x->flate))->written + x->ack_timeout <= now) {
		if (!x->answered)
			x->silent++;
		if (f->kind == XFLIGHT_LINE) {
			x->stats.timeouts++;
			last_line = x->flate;
			log_warnx("exabgp: no answer from ExaBGP within %.1fs "
			    "to: %s; waiting for it, and asking ExaBGP where "
			    "it stands", (double)x->ack_timeout / EV_NSEC,
			    f->line);
		} else {
			log_warnx("exabgp: no answer from ExaBGP within %.1fs "
			    "to its %s: %s", (double)x->ack_timeout / EV_NSEC,
			    xflight_kind_names[f->kind], f->line);
			silent_sync = !x->answered;
		}
		x->flate++;
	}
	/*
	 * Not a single answer, ever: ExaBGP runs with api.ack = false while
	 * we wait for acks. Stop waiting rather than delay every change by
	 * ack_timeout forever; the first answer seen turns waiting back on.
	 * What ExaBGP did with the lines in flight is unknown: written again.
	 */
	if (x->ack && !x->answered && x->silent >= EXABGP_NOACK_GUESS) {
		log_warnx("exabgp: ExaBGP answered none of %" PRIu64 " lines: "
		    "no longer waiting for answers (does ExaBGP run with "
		    "api.ack = false? then set announce.ack = false)",
		    x->stats.lines);
		exabgp_fifo_clear(x, 1);
		x->ack = 0;
		x->ack_guessed_off = 1;
	} else if (last_line != SIZE_MAX || silent_sync) {
		/*
		 * A sync marker behind the late line, unless one still waiting
		 * for its header stands behind it already. While nothing was
		 * ever answered, a late marker gets a successor too: the guess
		 * above counts them.
		 */
		start = silent_sync ? x->flate : last_line + 1;
		for (i = start; i < x->flen; i++) {
			f = exabgp_fifo_at(x, i);
			if (f->kind == XFLIGHT_SYNC && !f->header)
				break;
		}
		if (i == x->flen)
			exabgp_sync(x);
	}
	exabgp_ack_arm(x);
	if (!ev_timer_armed(&x->batch_timer))
		exabgp_write_ready(x);
}

/* ---- life cycle ---- */

static int
exabgp_nonblock(int fd, int *old)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	*old = fl;
	if (fl & O_NONBLOCK)
		return 0;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

struct exabgp *
exabgp_new(struct ev_loop *loop, int in_fd, int out_fd, exabgp_gone_cb cb,
    void *arg)
{
	struct exabgp	*x;

	if (in_fd == out_fd) {
		log_warnx("exabgp: stdin and stdout must differ");
		return NULL;
	}
	x = xcalloc(1, sizeof(*x));
	x->loop = loop;
	x->in_fd = in_fd;
	x->in_flags = -1;
	x->gone_cb = cb;
	x->arg = arg;
	x->ack = 1;
	x->batch = 50 * EV_MSEC;
	x->ack_timeout = 5 * EV_NSEC;
	lines_init(&x->in, EXABGP_LINE_MAX, exabgp_on_line, exabgp_on_toolong,
	    x);
	ev_timer_init(&x->batch_timer, exabgp_batch_cb, x);
	ev_timer_init(&x->ack_timer, exabgp_ack_timeout_cb, x);
	ev_timer_init(&x->poll_timer, exabgp_poll_cb, x);
	if (exabgp_nonblock(in_fd, &x->in_flags) == -1) {
		log_warn("exabgp: O_NONBLOCK");
		goto fail;
	}
	if ((x->out = outq_new(loop, out_fd, exabgp_out_written,
	    exabgp_out_error, x)) == NULL)
		goto fail;
	if (ev_io_add(loop, in_fd, EV_READ, exabgp_in_cb, x) == -1) {
		if (errno != EPERM) {
			log_warn("exabgp: watch stdin");
			goto fail;
		}
		x->in_polled = 1;
		ev_timer_after(loop, &x->poll_timer, 0);
	} else
		x->in_watch = 1;
	return x;

fail:
	exabgp_free(x);
	return NULL;
}

void
exabgp_configure(struct exabgp *x, int ack, uint64_t batch_ns,
    uint64_t ack_timeout_ns)
{
	int	 on = !x->ack && ack;

	if (x->ack && !ack)
		exabgp_fifo_clear(x, 0);
	x->ack = ack;
	x->ack_guessed_off = 0;
	x->batch = batch_ns;
	x->ack_timeout = ack_timeout_ns > 0 ? ack_timeout_ns : EV_NSEC;
	/* answers to the lines written without waiting are told apart */
	if (on)
		exabgp_sync(x);
	exabgp_ack_arm(x);
}

void
exabgp_free(struct exabgp *x)
{
	size_t	 i;

	if (x == NULL)
		return;
	if (x->out != NULL)
		exabgp_out_report(x);
	ev_timer_stop(x->loop, &x->batch_timer);
	ev_timer_stop(x->loop, &x->ack_timer);
	ev_timer_stop(x->loop, &x->poll_timer);
	if (x->in_watch)
		ev_io_del(x->loop, x->in_fd);
	if (x->in_flags != -1)
		(void)fcntl(x->in_fd, F_SETFL, x->in_flags);
	exabgp_fifo_clear(x, 0);
	free(x->fifo);
	outq_free(x->out);
	for (i = 0; i < x->nentries; i++) {
		route_want_free(&x->entries[i].want);
		route_want_free(&x->entries[i].sent);
		free(x->entries[i].line);
	}
	free(x->entries);
	lines_free(&x->in);
	free(x);
}
