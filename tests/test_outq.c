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

/*
 * What each test works on: a pipe (fds[0] to read, fds[1] the queue's,
 * -1 once closed), tl_loop, the queue o writing to fds[1] (NULL once
 * freed) and what its callbacks saw.
 */
static int		 fds[2] = { -1, -1 };
static struct seen	 seen;
static struct outq	*o;

static int
setup(void **state)
{
	memset(&seen, 0, sizeof(seen));
	if (pipe(fds) == -1 || tl_loop_setup(state) == -1)
		return -1;
	o = outq_new(tl_loop, fds[1], on_written, on_error, &seen);
	return o != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	size_t	 i;

	outq_free(o);
	o = NULL;
	for (i = 0; i < 2; i++)
		if (fds[i] != -1)
			close(fds[i]);
	fds[0] = fds[1] = -1;
	return tl_loop_teardown(state);
}

static void
test_written_in_order(void **state)
{
	char		 buf[64];
	ssize_t		 n;

	assert_int_equal(outq_push(o, "announce a", 7), 1);
	assert_int_equal(outq_push(o, "withdraw b", 8), 2);
	/* queued, not written before a flush */
	assert_int_equal(seen.n, 0);
	assert_int_equal(outq_lines(o), 2);
	assert_int_equal(outq_bytes(o), 22);
	outq_flush(o);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.seq[0], 1);
	assert_int_equal(seen.tag[0], 7);
	assert_string_equal(seen.line[1], "withdraw b");
	assert_int_equal(outq_lines(o), 0);
	n = read(fds[0], buf, sizeof(buf) - 1);
	assert_int_equal(n, 22);
	buf[n] = '\0';
	assert_string_equal(buf, "announce a\nwithdraw b\n");
}

static void
test_full_pipe(void **state)
{
	char		 big[1000], drain[65536];
	const char	*l;
	uintptr_t	 tag;
	size_t		 i, pushed = 0;
	int		 fl;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* the writing end is nonblocking now: fill the pipe past full */
	fl = fcntl(fds[1], F_GETFL);
	assert_true(fl & O_NONBLOCK);
	for (i = 0; i < 200; i++) {
		(void)outq_push(o, big, i);
		pushed++;
	}
	outq_flush(o);		/* returns: never blocks */
	assert_true(seen.n < pushed);
	assert_true(outq_lines(o) == pushed - seen.n);
	l = outq_line(o, 0, &tag, NULL);
	assert_non_null(l);
	assert_int_equal(tag, seen.n);	/* the oldest not written */
	/* the reader drains: the loop writes the rest on EV_WRITE */
	while (seen.n < pushed) {
		while (read(fds[0], drain, sizeof(drain)) > 0 &&
		    seen.n < pushed)
			ev_run_once(tl_loop, 10 * EV_MSEC);
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		ev_run_once(tl_loop, 10 * EV_MSEC);
	}
	assert_int_equal(outq_lines(o), 0);
	assert_int_equal(seen.nerr, 0);
	outq_free(o);
	o = NULL;
	/* the flags are given back */
	assert_false(fcntl(fds[1], F_GETFL) & O_NONBLOCK);
}

static void
test_epipe(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	close(fds[0]);
	fds[0] = -1;
	(void)outq_push(o, "withdraw a", 1);
	outq_flush(o);
	assert_int_equal(seen.nerr, 1);
	assert_int_equal(seen.err, EPIPE);
	assert_true(outq_failed(o));
	assert_int_equal(seen.n, 0);
	/* after the failure nothing more is tried, nor reported again */
	(void)outq_push(o, "withdraw b", 2);
	outq_flush(o);
	assert_int_equal(seen.nerr, 1);
	assert_int_equal(outq_lines(o), 2);
	assert_string_equal(outq_line(o, 1, NULL, NULL), "withdraw b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_written_in_order),
		TL_TEST(test_full_pipe),
		TL_TEST(test_epipe),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
