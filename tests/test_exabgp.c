/*
 * test_exabgp.c - the ExaBGP protocol layer over pipes (in place of the
 * real stdin/stdout) on a real event loop: batch window coalescing, one
 * change per prefix in flight, only the latest state after an ack,
 * nothing written when nothing changed, error logged with its line,
 * ack = false, withdraw-all, a full stdout pipe, EPIPE, and the stdin
 * stream: acks, neighbor lines, shutdown, EOF, over-long lines, split
 * reads.
 *
 * The test is the stand-in ExaBGP: it reads what was written and answers
 * the way ExaBGP 4.2.21 was seen to answer (in order; "show neighbor
 * summary" with its header, a row per established peer, then done; an
 * invalid line not at all), early, late or never: a late answer is
 * matched to its own line, a line never answered is found by the sync
 * marker and written again, a line is logged ("> line") and its ack
 * timeout started only once write(2) took its last byte, and the lines
 * still queued when the layer is freed are named in one warning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "addr.h"
#include "announce.h"
#include "ev.h"
#include "log.h"
#include "testlib.h"

struct fx {
	struct ev_loop	*loop;
	struct exabgp	*x;
	int		 to_us[2];	/* test writes acks into [1] */
	int		 from_us[2];	/* test reads lines from [0] */
	struct tl_done	 gone;		/* gone_cb: how often, last reason */
	char		 out[65536];
	size_t		 outlen;
	struct tl_capture err;	/* stderr, from err_start */
	int		 capturing;
};

static struct prefix	P1, P2, P6;

/*
 * The layer's "ExaBGP is gone" is a done callback with a reason:
 * tl_done counts the calls and keeps the last reason (as its nfailed)
 */
static void
gone_cb(enum exabgp_gone why, void *arg)
{
	tl_done_cb((int)why, arg);
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));

	if (f == NULL || pipe(f->to_us) == -1 || pipe(f->from_us) == -1)
		return -1;
	fcntl(f->from_us[0], F_SETFL, O_NONBLOCK);
	if ((f->loop = ev_new()) == NULL)
		return -1;
	f->x = exabgp_new(f->loop, f->to_us[0], f->from_us[1], gone_cb,
	    &f->gone);
	if (f->x == NULL)
		return -1;
	/* short windows keep the test fast; ratios as in production */
	exabgp_configure(f->x, 1, 20 * EV_MSEC, 300 * EV_MSEC);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	/* a test failed while stderr was captured: give it back */
	if (f->capturing)
		(void)tl_capture_stop(&f->err);
	exabgp_free(f->x);
	ev_free(f->loop);
	close(f->to_us[0]);
	close(f->to_us[1]);
	close(f->from_us[0]);
	if (f->from_us[1] != -1)
		close(f->from_us[1]);
	free(f);
	return 0;
}

/* stderr captured from now on (the layer's log) */
static void
err_start(struct fx *f)
{
	tl_capture_start(&f->err, STDERR_FILENO);
	f->capturing = 1;
}

/* stderr restored; what the layer logged since err_start */
static const char *
err_stop(struct fx *f)
{
	f->capturing = 0;
	return tl_capture_stop(&f->err);
}

/* the layer freed, as at the exit; what it logged since err_start */
static const char *
free_layer(struct fx *f)
{
	exabgp_free(f->x);
	f->x = NULL;
	return err_stop(f);
}

/* the layer said it is gone, once, for this reason */
static void
expect_gone(struct fx *f, enum exabgp_gone why)
{
	assert_int_equal(f->gone.called, 1);
	assert_int_equal(f->gone.nfailed, (int)why);
}

/*
 * The stand-in's end *fd of a pipe closed, /dev/null open in its place
 * (with flags) for teardown to close
 */
static void
hang_up(int *fd, int flags)
{
	close(*fd);
	*fd = open("/dev/null", flags);
}

/* run the loop for ms milliseconds, collecting what was written */
static void
pump(struct fx *f, unsigned ms)
{
	uint64_t	 end = ev_monotonic() + ms * EV_MSEC;
	uint64_t	 now;
	ssize_t		 n;

	while ((now = ev_monotonic()) < end) {
		/* short waits: the test is the reader of the pipe */
		ev_run_once(f->loop, (int64_t)(end - now) < 2 * (int64_t)EV_MSEC ?
		    (int64_t)(end - now) : 2 * (int64_t)EV_MSEC);
		for (;;) {
			n = read(f->from_us[0], f->out + f->outlen,
			    sizeof(f->out) - 1 - f->outlen);
			if (n <= 0)
				break;
			f->outlen += (size_t)n;
		}
		f->out[f->outlen] = '\0';
	}
}

/* the output so far, then forget it */
static void
expect_out(struct fx *f, const char *want)
{
	f->out[f->outlen] = '\0';
	if (strcmp(f->out, want) != 0)
		fail_msg("output:\n%s\nwanted:\n%s", f->out, want);
	f->outlen = 0;
	f->out[0] = '\0';
}

static void
say(struct fx *f, const char *s)
{
	assert_int_equal(write(f->to_us[1], s, strlen(s)), (ssize_t)strlen(s));
}

/* the stand-in ExaBGP writes s, then the loop runs 10 ms */
static void
answer(struct fx *f, const char *s)
{
	say(f, s);
	pump(f, 10);
}

/* the stand-in ExaBGP writes s; what went out in the next 10 ms is want */
static void
exchange(struct fx *f, const char *s, const char *want)
{
	answer(f, s);
	expect_out(f, want);
}

/* the stand-in ExaBGP writes s, the last answer awaited: idle after it */
static void
answer_idle(struct fx *f, const char *s)
{
	answer(f, s);
	assert_true(exabgp_idle(f->x));
}

/* fn (withdraw or flush all) writes at once, no batch window: want */
static void
at_once(struct fx *f, void (*fn)(struct exabgp *), const char *want)
{
	fn(f->x);
	pump(f, 1);
	expect_out(f, want);
}

/* past the batch window (20 ms, see setup): what went out is want */
static void
expect_sent(struct fx *f, const char *want)
{
	pump(f, 40);
	expect_out(f, want);
}

#define A1	"announce route 192.0.2.10/32 next-hop self community [1:443]"
#define A2	"announce route 192.0.2.10/32 next-hop self community [1:80]"
#define A3	"announce route 192.0.2.10/32 next-hop self community [1:80 1:443]"
#define W1	"withdraw route 192.0.2.10/32 next-hop self"
#define B1	"announce route 192.0.2.11/32 next-hop self community [1:22]"
#define W2	"withdraw route 192.0.2.11/32 next-hop self"
#define V6	"announce route 2001:db8::1/128 next-hop self community [1:53]"
#define W6	"withdraw route 2001:db8::1/128 next-hop self"
#define SYNC	EXABGP_SYNC_LINE
/* ExaBGP 4.2.21's answer to "show neighbor summary", as seen (lab) */
#define SUMHDR	"Peer            AS        up/down state       |     #sent     #recvd"
#define SUMROW	"127.0.0.2       65000     0:00:04 established           2          1"
#define SUMMARY	SUMHDR "\n" SUMROW "\ndone\n"

/*
 * w, the wanted state of p: announced with these ports (ASN 1, next-hop
 * self: the lines A1..V6 above), or withdrawn without any (W1..W6).
 */
static void
want_init(struct route_want *w, const struct prefix *p,
    const uint16_t *ports, size_t n)
{
	size_t	 i;

	memset(w, 0, sizeof(*w));
	w->prefix = *p;
	w->attrs.asn = 1;
	w->attrs.attr.med = w->attrs.attr.local_pref = -1;
	w->announce = n > 0;
	w->ports = calloc(n > 0 ? n : 1, sizeof(*w->ports));
	assert_non_null(w->ports);
	for (i = 0; i < n; i++) {
		w->ports[i].port = ports[i];
		w->ports[i].weight = 100;
	}
	w->nports = w->cap = n;
}

/* the layer told the wanted state of p (want_init) */
static void
xset(struct fx *f, const struct prefix *p, const uint16_t *ports, size_t n)
{
	struct route_want	 w;

	want_init(&w, p, ports, n);
	exabgp_set(f->x, &w);
	route_want_free(&w);
}

static const uint16_t	 pA1[] = { 443 }, pA2[] = { 80 }, pA3[] = { 80, 443 };
static const uint16_t	 pB1[] = { 22 }, pV6[] = { 53 };
#define SET(f, p, ports)	\
	xset(f, p, ports, sizeof(ports) / sizeof(ports[0]))
#define WD(f, p)		xset(f, p, NULL, 0)

/* p is known to the layer, its latest line answered (acked) or not */
static void
expect_acked(struct fx *f, const struct prefix *p, int acked)
{
	int	 got;

	assert_non_null(exabgp_current(f->x, p, &got, NULL));
	if (acked)
		assert_true(got);
	else
		assert_false(got);
}

/* the layer's counters now */
static struct exabgp_stats
stats(struct fx *f)
{
	struct exabgp_stats	 st;

	exabgp_get_stats(f->x, &st);
	return st;
}

/* stdout "full": a 4 KiB pipe filled by the test; returns the bytes put */
static size_t
fill_pipe(struct fx *f)
{
	char	 junk[512];
	size_t	 total = 0;
	ssize_t	 n;

	memset(junk, '#', sizeof(junk));
	(void)fcntl(f->from_us[1], F_SETPIPE_SZ, 4096);
	/* from_us[1] is nonblocking: exabgp_new made it so */
	while ((n = write(f->from_us[1], junk, sizeof(junk))) > 0)
		total += (size_t)n;
	assert_true(n == -1 && errno == EAGAIN);
	return total;
}

/* read and drop n bytes of stdout (the filler) */
static void
drain(struct fx *f, size_t n)
{
	char	 buf[4096];
	ssize_t	 r;

	while (n > 0) {
		r = read(f->from_us[0], buf, n < sizeof(buf) ? n : sizeof(buf));
		assert_true(r > 0);
		n -= (size_t)r;
	}
}

static void
test_batch_coalesces(void **state)
{
	struct fx	*f = *state;

	SET(f, &P1, pA1);
	SET(f, &P2, pB1);
	SET(f, &P1, pA2);
	SET(f, &P6, pV6);
	SET(f, &P1, pA3);
	pump(f, 5);
	expect_out(f, "");	/* window still open */
	pump(f, 40);
	/* one line per prefix, the latest; in order of first mention */
	expect_out(f, A3 "\n" B1 "\n" V6 "\n");
	assert_false(exabgp_idle(f->x));
	answer_idle(f, "done\ndone\ndone\n");
	assert_int_equal(f->gone.called, 0);
}

static void
test_nothing_when_unchanged(void **state)
{
	struct fx		*f = *state;
	int			 acked;

	SET(f, &P1, pA1);
	expect_sent(f, A1 "\n");
	answer(f, "done\n");
	{
		const struct route_want	*cur;
		const char		*line;

		assert_non_null(cur = exabgp_current(f->x, &P1, &acked,
		    &line));
		assert_true(cur->announce);
		assert_int_equal(cur->nports, 1);
		assert_int_equal(cur->ports[0].port, 443);
		assert_string_equal(line, A1);
	}
	assert_true(acked);
	/* same state again, and a change reverted inside the window */
	SET(f, &P1, pA1);
	SET(f, &P1, pA2);
	SET(f, &P1, pA1);
	pump(f, 60);
	expect_out(f, "");
	assert_int_equal(stats(f).lines, 1);
	assert_int_equal(stats(f).done, 1);
	assert_int_equal(stats(f).inflight, 0);
	assert_true(exabgp_idle(f->x));
}

static void
test_one_in_flight_latest_only(void **state)
{
	struct fx		*f = *state;

	SET(f, &P1, pA1);
	expect_sent(f, A1 "\n");
	/* no ack yet: later changes of P1 wait; P2 is not held up */
	WD(f, &P1);
	SET(f, &P2, pB1);
	expect_sent(f, B1 "\n");
	SET(f, &P1, pA2);
	SET(f, &P1, pA3);
	expect_sent(f, "");
	assert_int_equal(stats(f).inflight, 2);
	/* acks are FIFO: the first is A1's; only the latest of P1 follows */
	exchange(f, "done\n", A3 "\n");
	exchange(f, "done\n", "");	/* B1's */
	assert_false(exabgp_idle(f->x));
	answer(f, "done\n");	/* A3 */
	assert_true(exabgp_idle(f->x));
	/* back to A3 again: nothing */
	SET(f, &P1, pA3);
	expect_sent(f, "");
}

/*
 * A line ExaBGP never answers (as an invalid address): after ack_timeout
 * it stays in flight and a sync marker goes behind it; the marker's
 * header shows ExaBGP went past it: written again, once. A line written
 * after the marker keeps its own answer.
 */
static void
test_never_answered_resent(void **state)
{
	struct fx		*f = *state;

	err_start(f);
	SET(f, &P1, pA1);
	expect_sent(f, A1 "\n");
	pump(f, 200);
	expect_out(f, "");	/* 300 ms not over yet */
	pump(f, 150);
	/* not sent again: unknown yet whether ExaBGP will answer it */
	expect_out(f, SYNC "\n");
	assert_int_equal(stats(f).timeouts, 1);
	assert_int_equal(stats(f).inflight, 1);
	assert_int_equal(stats(f).syncs, 1);
	assert_int_equal(stats(f).lines, 1);
	/* meanwhile P2 goes out behind the marker */
	SET(f, &P2, pB1);
	expect_sent(f, B1 "\n");
	/*
	 * ExaBGP: nothing for A1, the summary, done for B1; at the header
	 * A1, never answered, is written again
	 */
	exchange(f, SUMHDR "\n", A1 "\n");
	answer(f, SUMROW "\ndone\ndone\n");
	assert_int_equal(stats(f).unanswered, 1);
	assert_int_equal(stats(f).done, 1);
	assert_int_equal(stats(f).unknown, 0);	/* the row is no stray line */
	expect_acked(f, &P2, 1);
	expect_acked(f, &P1, 0);
	answer(f, "done\n");
	expect_acked(f, &P1, 1);
	assert_true(exabgp_idle(f->x));
	pump(f, 400);
	expect_out(f, "");
	assert_non_null(strstr(err_stop(f), "never answered: " A1));
}

/*
 * Issue 10 (2): a late answer is matched to its own line. A1 times out;
 * its prefix stays in flight (A2 waits: never two lines of one prefix
 * at ExaBGP), and A1's late "error" is logged against A1, not against
 * B1 written meanwhile, whose done is B1's.
 */
static void
test_late_answer_own_line(void **state)
{
	struct fx		*f = *state;
	const char		*log;

	err_start(f);
	SET(f, &P1, pA1);
	expect_sent(f, A1 "\n");
	pump(f, 320);
	expect_out(f, SYNC "\n");
	SET(f, &P1, pA2);
	SET(f, &P2, pB1);
	expect_sent(f, B1 "\n");	/* A2 waits for A1's answer */
	assert_int_equal(stats(f).inflight, 2);
	/* ExaBGP, late: A1 error, then the marker, then B1 */
	exchange(f, "error\n", A2 "\n");	/* A1 answered: P1 is free */
	exchange(f, SUMMARY "done\n", "");
	assert_int_equal(stats(f).errors, 1);
	assert_int_equal(stats(f).done, 1);
	assert_int_equal(stats(f).late, 1);
	assert_int_equal(stats(f).unanswered, 0);
	assert_int_equal(stats(f).stray, 0);
	assert_int_equal(stats(f).inflight, 1);	/* A2 */
	expect_acked(f, &P2, 1);
	answer(f, "done\n");
	expect_acked(f, &P1, 1);
	assert_true(exabgp_idle(f->x));
	log = err_stop(f);
	assert_non_null(strstr(log, "error to: " A1));
	assert_null(strstr(log, "error to: " B1));
	assert_non_null(strstr(log, "late answer from ExaBGP (error after"));
	/* logged once as late, not again */
	assert_int_equal(tl_count(log, "no answer from ExaBGP"), 1);
	assert_int_equal(f->gone.called, 0);
}

/* a late done: no second line of the prefix went out before it */
static void
test_late_done_one_in_flight(void **state)
{
	struct fx		*f = *state;

	SET(f, &P1, pA1);
	pump(f, 40);
	pump(f, 320);
	expect_out(f, A1 "\n" SYNC "\n");
	WD(f, &P1);
	pump(f, 200);	/* still nothing: A1 may yet be answered */
	expect_out(f, "");
	exchange(f, "done\n", W1 "\n");
	expect_acked(f, &P1, 0);	/* W1's answer, not A1's */
	answer(f, SUMMARY);
	assert_int_equal(stats(f).inflight, 1);
	answer(f, "done\n");
	expect_acked(f, &P1, 1);
	assert_int_equal(stats(f).done, 2);
	assert_int_equal(stats(f).late, 1);
	assert_true(exabgp_idle(f->x));
	expect_out(f, "");
}

/* a late line behind a marker still waiting for its header: no second */
static void
test_one_marker_behind(void **state)
{
	struct fx		*f = *state;

	SET(f, &P1, pA1);
	pump(f, 40);
	SET(f, &P2, pB1);
	expect_sent(f, A1 "\n" B1 "\n");
	answer(f, "done\n");	/* someone answered once: no acks-off guess */
	SET(f, &P1, pA2);
	expect_sent(f, A2 "\n");
	/*
	 * B1 late first: a marker goes behind everything written, A2 too;
	 * when A2 is late 50 ms later, that marker stands behind it already
	 */
	pump(f, 300);
	assert_int_equal(stats(f).timeouts, 2);
	expect_out(f, SYNC "\n");
	pump(f, 400);	/* the marker itself times out: nothing new */
	expect_out(f, "");
	answer_idle(f, "done\ndone\n" SUMMARY);
	assert_int_equal(stats(f).late, 2);
	assert_int_equal(stats(f).unanswered, 0);
}

/*
 * Nothing ever answered, not even the marker (a stand-in that never
 * writes): after three timeouts (two lines, one marker) stop waiting and
 * write the lines again.
 */
static void
test_never_answered(void **state)
{
	struct fx		*f = *state;

	SET(f, &P1, pA1);
	SET(f, &P2, pB1);
	expect_sent(f, A1 "\n" B1 "\n");
	pump(f, 320);	/* 2 timeouts: still waiting, a marker behind */
	expect_out(f, SYNC "\n");
	assert_int_equal(stats(f).inflight, 2);
	pump(f, 320);	/* the marker too: no answer ever, no more waiting */
	expect_out(f, A1 "\n" B1 "\n");
	assert_int_equal(stats(f).inflight, 0);
	assert_true(exabgp_idle(f->x));
	SET(f, &P1, pA2);
	SET(f, &P1, pA3);
	expect_sent(f, A3 "\n");
	SET(f, &P1, pA1);
	expect_sent(f, A1 "\n");
	/* an answer after all: back to waiting, behind a marker */
	exchange(f, "done\n", SYNC "\n");
	SET(f, &P1, pA2);
	expect_sent(f, A2 "\n");
	assert_int_equal(stats(f).inflight, 1);
	SET(f, &P1, pA3);
	expect_sent(f, "");
	/* the answers to lines written meanwhile are not taken for A2's */
	exchange(f, "done\ndone\ndone\ndone\n", "");
	assert_int_equal(stats(f).inflight, 1);
	exchange(f, SUMMARY "done\n", A3 "\n");
	answer_idle(f, "done\n");
}

/*
 * ExaBGP with api.ack = false as seen: the marker's header and rows
 * come, never a done. The lines are found never answered, and waiting
 * stops after three timeouts all the same.
 */
static void
test_exabgp_ack_off(void **state)
{
	struct fx		*f = *state;
	size_t			 i, n;

	SET(f, &P1, pA1);
	/* a stand-in answering every marker with header and row only */
	for (i = 0; i < 150; i++) {
		pump(f, 10);
		n = tl_count(f->out, SYNC "\n");
		while (n-- > 0)
			say(f, SUMHDR "\n" SUMROW "\n");
		f->outlen = 0;
		f->out[0] = '\0';
	}
	assert_true(stats(f).unanswered >= 1);
	assert_int_equal(stats(f).done + stats(f).errors, 0);
	assert_int_equal(stats(f).inflight, 0);
	assert_true(exabgp_idle(f->x));
	/* no waiting any more: one change after the other goes out */
	SET(f, &P1, pA2);
	pump(f, 40);
	SET(f, &P1, pA3);
	expect_sent(f, A2 "\n" A3 "\n");
}

/* an error frees the prefix: a change waiting behind it goes out */
static void
test_error_then_pending(void **state)
{
	struct fx	*f = *state;

	SET(f, &P1, pA1);
	pump(f, 40);
	SET(f, &P1, pA2);
	expect_sent(f, A1 "\n");
	exchange(f, "error\n", A2 "\n");
	answer_idle(f, "done\n");
}

/* an "error" is logged with the line that caused it, and not re-sent */
static void
test_error_logged(void **state)
{
	struct fx		*f = *state;
	const char		*log;

	err_start(f);
	SET(f, &P1, pA1);
	pump(f, 40);
	say(f, "error\n");
	pump(f, 20);
	log = err_stop(f);
	expect_out(f, A1 "\n");
	assert_int_equal(stats(f).errors, 1);
	assert_int_equal(stats(f).inflight, 0);
	assert_true(exabgp_idle(f->x));
	assert_true(f->err.len > 0);
	assert_non_null(strstr(log, "error to: " A1));
	/* the next change goes out normally */
	SET(f, &P1, pA2);
	expect_sent(f, A2 "\n");
}

static void
test_no_ack_mode(void **state)
{
	struct fx	*f = *state;

	exabgp_configure(f->x, 0, 20 * EV_MSEC, 300 * EV_MSEC);
	SET(f, &P1, pA1);
	SET(f, &P1, pA2);
	expect_sent(f, A2 "\n");
	assert_true(exabgp_idle(f->x));
	SET(f, &P1, pA3);
	expect_sent(f, A3 "\n");
	SET(f, &P1, pA3);
	expect_sent(f, "");
	/* a stray done is ignored */
	answer(f, "done\n");
	assert_int_equal(f->gone.called, 0);
}

static void
test_withdraw_all(void **state)
{
	struct fx	*f = *state;

	SET(f, &P1, pA1);
	WD(f, &P2);
	SET(f, &P6, pV6);
	expect_sent(f, A1 "\n" W2 "\n" V6 "\n");
	answer(f, "done\ndone\n");	/* P6 still in flight */
	at_once(f, exabgp_withdraw_all, W1 "\n");
	assert_false(exabgp_idle(f->x));
	exchange(f, "done\ndone\n", W6 "\n");
	answer_idle(f, "done\n");
}

/*
 * Wants are compared as data, attributes included: a reload that changes
 * the next hop or the med of an announced prefix re-announces it; one
 * that changes only what a withdraw does not carry writes nothing. The
 * withdraw of withdraw_all keeps the next hop of the want.
 */
static void
test_attrs_compared(void **state)
{
	struct fx		*f = *state;
	struct route_want	 w;
	const char		*line;

	want_init(&w, &P1, pA1, 1);
	exabgp_set(f->x, &w);
	expect_sent(f, A1 "\n");
	answer(f, "done\n");
	w.attrs.attr.med = 7;
	exabgp_set(f->x, &w);
	expect_sent(f, "announce route 192.0.2.10/32 next-hop self med 7 "
	    "community [1:443]\n");
	answer(f, "done\n");
	assert_int_equal(addr_parse("192.0.2.1", &w.attrs.next_hop), 0);
	exabgp_set(f->x, &w);
	expect_sent(f, "announce route 192.0.2.10/32 next-hop 192.0.2.1 med 7 "
	    "community [1:443]\n");
	answer(f, "done\n");
	at_once(f, exabgp_withdraw_all,
	    "withdraw route 192.0.2.10/32 next-hop 192.0.2.1\n");
	answer(f, "done\n");
	assert_non_null(exabgp_current(f->x, &P1, NULL, &line));
	assert_string_equal(line, "withdraw route 192.0.2.10/32 next-hop "
	    "192.0.2.1");
	/* withdrawn: the med is not in the line, nothing to write */
	route_want_withdraw(&w);
	w.attrs.attr.med = 8;
	exabgp_set(f->x, &w);
	expect_sent(f, "");
	assert_int_equal(stats(f).lines, 4);
	assert_true(exabgp_idle(f->x));
	route_want_free(&w);
}

/* before exiting: a withdraw held back by an unanswered announce goes out */
static void
test_flush_all(void **state)
{
	struct fx	*f = *state;

	SET(f, &P1, pA1);
	SET(f, &P6, pV6);
	expect_sent(f, A1 "\n" V6 "\n");
	answer(f, "done\n");	/* P6 stays in flight */
	at_once(f, exabgp_withdraw_all, W1 "\n");
	assert_false(exabgp_idle(f->x));
	at_once(f, exabgp_flush_all, W6 "\n");
	/* nothing more to write: a second call writes nothing */
	at_once(f, exabgp_flush_all, "");
}

static void
test_stdin_events(void **state)
{
	struct fx		*f = *state;

	say(f, "neighbor 169.254.179.2 connected\n\n"
	    "neighbor 169.254.179.2 up\n\n"
	    "neighbor 169.254.179.2 down - peer reset\n\r\n"
	    "something else\n");
	pump(f, 10);
	assert_int_equal(stats(f).neighbor, 3);
	assert_int_equal(stats(f).unknown, 1);
	assert_int_equal(f->gone.called, 0);
	/* split across reads */
	SET(f, &P1, pA1);
	expect_sent(f, A1 "\n");
	say(f, "do");
	pump(f, 5);
	assert_int_equal(stats(f).done, 0);
	say(f, "ne\n");
	pump(f, 5);
	assert_int_equal(stats(f).done, 1);
	answer(f, "shutdown 1234 1\n");
	expect_gone(f, EXABGP_GONE_SHUTDOWN);
	/* gone: nothing more is written */
	SET(f, &P1, pA2);
	expect_sent(f, "");
	assert_true(exabgp_idle(f->x));
}

static void
test_stdin_eof(void **state)
{
	struct fx	*f = *state;

	say(f, "done");	/* unterminated: dropped */
	hang_up(&f->to_us[1], O_WRONLY);
	pump(f, 10);
	expect_gone(f, EXABGP_GONE_EOF);
}

static void
test_stdout_epipe(void **state)
{
	struct fx	*f = *state;

	signal(SIGPIPE, SIG_IGN);
	hang_up(&f->from_us[0], O_RDONLY);
	SET(f, &P1, pA1);
	pump(f, 40);
	expect_gone(f, EXABGP_GONE_EPIPE);
}

/* a full stdout pipe never blocks the loop; everything arrives later */
static void
test_stdout_full(void **state)
{
	struct fx	*f = *state;
	struct prefix	 p;
	char		 pfx[64];
	uint16_t	 ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint64_t	 t0;
	unsigned	 i, nl = 0;
	size_t		 k;

	exabgp_configure(f->x, 0, 0, 300 * EV_MSEC);
	(void)fcntl(f->from_us[1], F_SETPIPE_SZ, 4096);
	t0 = ev_monotonic();
	for (i = 0; i < 250; i++) {
		snprintf(pfx, sizeof(pfx), "198.51.100.%u/32", i);
		assert_int_equal(prefix_parse(pfx, &p, 0), 0);
		/* "announce route P next-hop self community [1:1 ... 1:10]" */
		SET(f, &p, ten);
	}
	/* flush with nobody reading: must come back at once */
	ev_run_once(f->loop, 0);
	ev_run_once(f->loop, 0);
	assert_true(ev_monotonic() - t0 < 500 * EV_MSEC);
	assert_false(exabgp_idle(f->x));
	pump(f, 100);
	for (k = 0; k < f->outlen; k++)
		if (f->out[k] == '\n')
			nl++;
	assert_int_equal(nl, 250);
	assert_true(exabgp_idle(f->x));
}

/*
 * Issue 10 (3): "> line" (debug) means written. Stdout full: the line is
 * queued, not logged; once the reader makes room it is written, then
 * logged.
 */
static void
test_debug_after_write(void **state)
{
	struct fx		*f = *state;
	size_t			 filled;

	exabgp_configure(f->x, 0, 20 * EV_MSEC, 300 * EV_MSEC);
	log_setverbose(1);
	err_start(f);
	filled = fill_pipe(f);
	SET(f, &P1, pA1);
	tl_run_for(f->loop, 60 * EV_MSEC);
	assert_int_equal(stats(f).outbuf, strlen(A1) + 1);
	assert_null(strstr(tl_capture_text(&f->err), "> " A1));
	drain(f, filled);
	tl_run_for(f->loop, 20 * EV_MSEC);
	assert_int_equal(stats(f).outbuf, 0);
	assert_int_equal(tl_count(tl_capture_text(&f->err),
	    "exabgp: > " A1 "\n"), 1);
	pump(f, 1);
	expect_out(f, A1 "\n");
	log_setverbose(0);
	err_stop(f);
}

/*
 * The ack timeout runs from the write, not from the queueing: a line
 * stuck in a full pipe is not late. An answer while nothing written
 * waits for one (a line given up on) pops nothing.
 */
static void
test_ack_timeout_from_write(void **state)
{
	struct fx		*f = *state;
	size_t			 filled;

	filled = fill_pipe(f);
	SET(f, &P1, pA1);
	tl_run_for(f->loop, 400 * EV_MSEC);
	say(f, "done\n");
	tl_run_for(f->loop, 10 * EV_MSEC);
	assert_int_equal(stats(f).timeouts, 0);
	assert_int_equal(stats(f).syncs, 0);
	assert_int_equal(stats(f).stray, 1);
	assert_int_equal(stats(f).inflight, 1);
	drain(f, filled);
	pump(f, 200);
	expect_out(f, A1 "\n");	/* not late yet: no marker */
	answer(f, "done\n");
	expect_acked(f, &P1, 1);
	assert_true(exabgp_idle(f->x));
}

/*
 * Issue 10 (3): what never reached ExaBGP is said. Stdout full, two
 * withdraws queued, one of them written in part: freeing the layer
 * (the exit) names both in one warning.
 */
static void
test_undelivered_named(void **state)
{
	struct fx		*f = *state;
	const char		*log;
	size_t			 filled;

	err_start(f);
	filled = fill_pipe(f);
	drain(f, 20);	/* room for a part of W1 only */
	WD(f, &P1);
	WD(f, &P6);
	SET(f, &P2, pB1);
	exabgp_flush(f->x);
	tl_run_for(f->loop, 10 * EV_MSEC);
	log = free_layer(f);
	assert_int_equal(tl_count(log, "never delivered"), 1);
	assert_non_null(strstr(log, "exiting with 3 lines never delivered to "
	    "ExaBGP"));
	assert_non_null(strstr(log, ": withdraw 192.0.2.10/32, withdraw "
	    "2001:db8::1/128, announce 192.0.2.11/32\n"));
	assert_true(filled > 20);
}

/* everything written: nothing to report */
static void
test_delivered_no_report(void **state)
{
	struct fx		*f = *state;

	err_start(f);
	WD(f, &P1);
	expect_sent(f, W1 "\n");
	assert_null(strstr(free_layer(f), "never delivered"));
}

/* the warning stays bounded with many lines queued */
static void
test_undelivered_many(void **state)
{
	struct fx		*f = *state;
	struct prefix		 p;
	char			 pfx[64];
	const char		*log;
	unsigned		 i;

	err_start(f);
	(void)fill_pipe(f);
	for (i = 0; i < 200; i++) {
		snprintf(pfx, sizeof(pfx), "198.51.100.%u/32", i);
		assert_int_equal(prefix_parse(pfx, &p, 0), 0);
		WD(f, &p);
	}
	exabgp_flush(f->x);
	log = free_layer(f);
	assert_non_null(strstr(log, "exiting with 200 lines never delivered"));
	assert_non_null(strstr(log, ": withdraw 198.51.100.0/32, withdraw "
	    "198.51.100.1/32,"));
	assert_non_null(strstr(log, " more\n"));
	assert_true(strlen(log) < 2048);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_batch_coalesces),
		TL_TEST(test_nothing_when_unchanged),
		TL_TEST(test_one_in_flight_latest_only),
		TL_TEST(test_never_answered_resent),
		TL_TEST(test_error_logged),
		TL_TEST(test_late_answer_own_line),
		TL_TEST(test_late_done_one_in_flight),
		TL_TEST(test_one_marker_behind),
		TL_TEST(test_error_then_pending),
		TL_TEST(test_never_answered),
		TL_TEST(test_exabgp_ack_off),
		TL_TEST(test_no_ack_mode),
		TL_TEST(test_withdraw_all),
		TL_TEST(test_flush_all),
		TL_TEST(test_attrs_compared),
		TL_TEST(test_stdin_events),
		TL_TEST(test_stdin_eof),
		TL_TEST(test_stdout_epipe),
		TL_TEST(test_stdout_full),
		TL_TEST(test_debug_after_write),
		TL_TEST(test_ack_timeout_from_write),
		TL_TEST(test_undelivered_named),
		TL_TEST(test_delivered_no_report),
		TL_TEST(test_undelivered_many),
	};

	log_init("test_exabgp", 0, 0);
	if (prefix_parse("192.0.2.10/32", &P1, 0) == -1 ||
	    prefix_parse("192.0.2.11/32", &P2, 0) == -1 ||
	    prefix_parse("2001:db8::1/128", &P6, 0) == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
