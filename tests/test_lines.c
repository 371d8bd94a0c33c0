/*
 * test_lines.c - stdin line splitting: the same lines whatever the read
 * sizes, the max_line limit exactly, oversized lines over several reads
 * dropped up to their newline with their head reported, a last line
 * without newline, stopping, a smaller limit on reload.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen.h"
#include "testlib.h"

#define MAXREC	64

struct rec {
	char		*lines[MAXREC];
	size_t		 n;
	uint64_t	 lineno[MAXREC];
	char		 heads[MAXREC][LINES_HEAD + 1];
	uint64_t	 overno[MAXREC];
	size_t		 nover;
	const char	*stop_at;	/* stop after this line */
};

static int
on_line(const char *line, size_t len, uint64_t lineno, void *arg)
{
	struct rec	*r = arg;

	assert_true(r->n < MAXREC);
	r->lines[r->n] = strndup(line, len);
	r->lineno[r->n] = lineno;
	r->n++;
	return r->stop_at != NULL && strcmp(r->lines[r->n - 1],
	    r->stop_at) == 0;
}

static void
on_over(const char *head, size_t len, uint64_t lineno, void *arg)
{
	struct rec	*r = arg;

	assert_true(r->nover < MAXREC);
	assert_true(len <= LINES_HEAD);
	memcpy(r->heads[r->nover], head, len);
	r->heads[r->nover][len] = '\0';
	r->overno[r->nover] = lineno;
	r->nover++;
}

static void
rec_free(struct rec *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		free(r->lines[i]);
	memset(r, 0, sizeof(*r));
}

/* a splitter of lines up to max bytes, recording into r (emptied) */
static void
rec_open(struct lines *lb, struct rec *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	lines_init(lb, max, on_line, on_over, r);
}

static void
rec_close(struct lines *lb, struct rec *r)
{
	lines_free(lb);
	rec_free(r);
}

/* feed text in chunks of step bytes */
static void
feed(struct lines *lb, const char *text, size_t step)
{
	size_t	off, len = strlen(text), n;

	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		lines_feed(lb, text + off, n);
	}
}

static void
test_any_chunking(void **state)
{
	const char	*text = "{\"a\": 1}\n\nsecond line\r\nthird";
	size_t		 step;
	struct lines	 lb;
	struct rec	 r;

	for (step = 1; step <= strlen(text) + 1; step++) {
		rec_open(&lb, &r, 4096);
		feed(&lb, text, step);
		assert_int_equal(r.n, 3);
		lines_eof(&lb);
		assert_int_equal(r.n, 4);
		assert_string_equal(r.lines[0], "{\"a\": 1}");
		assert_string_equal(r.lines[1], "");
		/* the decoder copes with \r; the splitter keeps bytes */
		assert_string_equal(r.lines[2], "second line\r");
		assert_string_equal(r.lines[3], "third");
		assert_int_equal(r.lineno[3], 4);
		assert_int_equal(r.nover, 0);
		assert_int_equal(lb.nlines, 4);
		rec_close(&lb, &r);
	}
}

static void
test_limit_exact(void **state)
{
	struct lines	 lb;
	struct rec	 r;
	char		 text[64];

	rec_open(&lb, &r, 10);
	/* 10 bytes pass, 11 do not, in one read or byte by byte */
	snprintf(text, sizeof(text), "0123456789\n0123456789A\nok\n");
	feed(&lb, text, sizeof(text));
	feed(&lb, text, 1);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.lines[0], "0123456789");
	assert_string_equal(r.lines[1], "ok");
	assert_string_equal(r.lines[2], "0123456789");
	assert_string_equal(r.lines[3], "ok");
	assert_int_equal(r.nover, 2);
	assert_string_equal(r.heads[0], "0123456789A");
	assert_int_equal(r.overno[0], 2);
	/* byte by byte the limit is hit before the whole line is seen */
	assert_string_equal(r.heads[1], "0123456789A");
	assert_int_equal(r.overno[1], 5);
	assert_int_equal(lb.noversized, 2);
	assert_int_equal(lb.nlines, 6);
	rec_close(&lb, &r);
}

static void
test_oversized_over_many_reads(void **state)
{
	struct lines	 lb;
	struct rec	 r;
	char		*big;
	size_t		 i, len = 100000;

	rec_open(&lb, &r, 4096);
	big = malloc(len);
	assert_non_null(big);
	for (i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	lines_feed(&lb, "before\nstart-of-", 16);
	for (i = 0; i < len; i += 1000)
		lines_feed(&lb, big + i, 1000);
	lines_feed(&lb, "tail\nafter\n", 11);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.lines[0], "before");
	assert_string_equal(r.lines[1], "after");
	assert_int_equal(r.nover, 1);
	/* the head is the line's own first bytes */
	assert_int_equal(strncmp(r.heads[0], "start-of-abcdef", 15), 0);
	assert_int_equal(strlen(r.heads[0]), LINES_HEAD);
	/* the line after an oversized one keeps its own number */
	assert_int_equal(r.lineno[1], 3);
	/* never more than max + 1 bytes held */
	assert_true(lb.len <= lb.max);
	free(big);
	rec_close(&lb, &r);
}

static void
test_eof(void **state)
{
	struct lines	 lb;
	struct rec	 r;
	char		 big[200];

	memset(big, 'x', sizeof(big));
	rec_open(&lb, &r, 100);
	/* EOF inside an oversized line: nothing delivered */
	lines_feed(&lb, big, sizeof(big));
	lines_eof(&lb);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.nover, 1);
	/* the state is reset: a new stream works */
	lines_feed(&lb, "x\ny", 3);
	lines_eof(&lb);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.lines[1], "y");
	/* an empty stream gives nothing */
	lines_eof(&lb);
	assert_int_equal(r.n, 2);
	rec_close(&lb, &r);
}

static void
test_stop(void **state)
{
	struct lines	 lb;
	struct rec	 r;

	rec_open(&lb, &r, 100);
	r.stop_at = "shutdown";
	assert_int_equal(lines_feed(&lb, "a\nshutdown\nb\nc\n", 15), 1);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.lines[1], "shutdown");
	rec_close(&lb, &r);
}

static void
test_setmax(void **state)
{
	struct lines	 lb;
	struct rec	 r;

	rec_open(&lb, &r, 100);
	lines_feed(&lb, "0123456789012345", 16);
	/* the held partial line is over the new limit: dropped whole */
	lines_setmax(&lb, 10);
	lines_feed(&lb, "rest\nshort\n0123456789X\n", 23);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.lines[0], "short");
	assert_int_equal(r.nover, 1);
	/* a larger limit keeps the partial line */
	lines_feed(&lb, "01234", 5);
	lines_setmax(&lb, 1000);
	lines_feed(&lb, "56789-and-more\n", 15);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.lines[1], "0123456789-and-more");
	rec_close(&lb, &r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_chunking),
		cmocka_unit_test(test_limit_exact),
		cmocka_unit_test(test_oversized_over_many_reads),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_setmax),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
