/*
 * test_outq.c - lines to ExaBGP through a pipe: written in order with a
 * callback per line once its last byte is out, queued (never blocking)
 * while the pipe is full and written when it drains, the lines still
 * queued listed, EPIPE reported once and nothing written after it.
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

#include "ev.h"
#include "outq.h"
#include "testlib.h"

struct seen {
	uint64_t	 seq[64];
	uintptr_t	 tag[64];
	char		 line[64][32];
	size_t		 n;
	int		 err;
	int		 nerr;
};

static void
on_written(uint64_t seq, const char *line, uintptr_t tag, void *arg)
{
	struct seen	*s = arg;

	/* in order, each once */
	assert_int_equal(seq, s->n + 1);
	if (s->n < 64) {
		s->seq[s->n] = seq;
		s->tag[s->n] = tag;
		snprintf(s->line[s->n], sizeof(s->line[0]), "%s", line);
	}
	s->n++;
}

static void
on_error(int err, void *arg)
{
	struct seen	*s = arg;

	s->err = err;
	s->nerr++;
}

static void
test_written_in_order(void **state)
{
	struct ev_loop	*loop = ev_new();
	struct outq	*o;
	struct seen	 s;
	char		 buf[64];
	int		 p[2];
	ssize_t		 n;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(pipe(p), 0);
	assert_non_null(o = outq_new(loop, p[1], on_written, on_error, &s));
	assert_int_equal(outq_push(o, "announce a", 7), 1);
	assert_int_equal(outq_push(o, "withdraw b", 8), 2);
	/* queued, not written before a flush */
	assert_int_equal(s.n, 0);
	assert_int_equal(outq_lines(o), 2);
	assert_int_equal(outq_bytes(o), 22);
	outq_flush(o);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.seq[0], 1);
	assert_int_equal(s.tag[0], 7);
	assert_string_equal(s.line[1], "withdraw b");
	assert_int_equal(outq_lines(o), 0);
	n = read(p[0], buf, sizeof(buf) - 1);
	assert_int_equal(n, 22);
	buf[n] = '\0';
	assert_string_equal(buf, "announce a\nwithdraw b\n");
	outq_free(o);
	close(p[0]);
	close(p[1]);
	ev_free(loop);
}

static void
test_full_pipe(void **state)
{
	struct ev_loop	*loop = ev_new();
	struct outq	*o;
	struct seen	 s;
	char		 big[1000], drain[65536];
	const char	*l;
	uintptr_t	 tag;
	size_t		 i, pushed = 0;
	int		 p[2], fl;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(pipe(p), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_non_null(o = outq_new(loop, p[1], on_written, on_error, &s));
	/* the writing end is nonblocking now: fill the pipe past full */
	fl = fcntl(p[1], F_GETFL);
	assert_true(fl & O_NONBLOCK);
	for (i = 0; i < 200; i++) {
		(void)outq_push(o, big, i);
		pushed++;
	}
	outq_flush(o);		/* returns: never blocks */
	assert_true(s.n < pushed);
	assert_true(outq_lines(o) == pushed - s.n);
	l = outq_line(o, 0, &tag, NULL);
	assert_non_null(l);
	assert_int_equal(tag, s.n);	/* the oldest not written */
	/* the reader drains: the loop writes the rest on EV_WRITE */
	while (s.n < pushed) {
		while (read(p[0], drain, sizeof(drain)) > 0 &&
		    s.n < pushed)
			ev_run_once(loop, 10 * EV_MSEC);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		ev_run_once(loop, 10 * EV_MSEC);
	}
	assert_int_equal(outq_lines(o), 0);
	assert_int_equal(s.nerr, 0);
	outq_free(o);
	/* the flags are given back */
	assert_false(fcntl(p[1], F_GETFL) & O_NONBLOCK);
	close(p[0]);
	close(p[1]);
	ev_free(loop);
}

static void
test_epipe(void **state)
{
	struct ev_loop	*loop = ev_new();
	struct outq	*o;
	struct seen	 s;
	int		 p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_non_null(o = outq_new(loop, p[1], on_written, on_error, &s));
	(void)outq_push(o, "withdraw a", 1);
	outq_flush(o);
	assert_int_equal(s.nerr, 1);
	assert_int_equal(s.err, EPIPE);
	assert_true(outq_failed(o));
	assert_int_equal(s.n, 0);
	/* after the failure nothing more is tried, nor reported again */
	(void)outq_push(o, "withdraw b", 2);
	outq_flush(o);
	assert_int_equal(s.nerr, 1);
	assert_int_equal(outq_lines(o), 2);
	assert_string_equal(outq_line(o, 1, NULL, NULL), "withdraw b");
	outq_free(o);
	close(p[1]);
	ev_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_in_order),
		cmocka_unit_test(test_full_pipe),
		cmocka_unit_test(test_epipe),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
