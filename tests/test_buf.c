/*
 * test_buf.c - growable text buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_empty_then_append(void **state)
{
	struct buf	 b = BUF_INIT;

	buf_printf(&b, "%s", "");
	assert_non_null(b.s);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.s, "");
	buf_printf(&b, "announce route %s", "192.0.2.10/32");
	buf_printf(&b, " community [%u:%u]", 12345u, 443u);
	assert_string_equal(b.s,
	    "announce route 192.0.2.10/32 community [12345:443]");
	assert_int_equal(b.len, strlen(b.s));
	buf_free(&b);
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void
test_growth_keeps_content(void **state)
{
	struct buf	 b = BUF_INIT;
	char		 want[16];
	size_t		 i, off = 0;

	/* many small appends across several reallocations */
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "%05zu\n", i);
	assert_int_equal(b.len, 10000 * 6);
	for (i = 0; i < 10000; i++, off += 6) {
		snprintf(want, sizeof(want), "%05zu\n", i);
		assert_memory_equal(b.s + off, want, 6);
	}
	assert_int_equal(b.s[b.len], '\0');
	buf_free(&b);
}

static void
test_one_large_append(void **state)
{
	struct buf	 b = BUF_INIT;
	static char	 big[100000];

	memset(big, 'x', sizeof(big) - 1);
	buf_printf(&b, "a");
	buf_printf(&b, "%s", big);
	assert_int_equal(b.len, sizeof(big));
	assert_int_equal(b.s[0], 'a');
	assert_int_equal(b.s[b.len - 1], 'x');
	assert_int_equal(b.s[b.len], '\0');
	assert_true(b.cap > b.len);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_then_append),
		cmocka_unit_test(test_growth_keeps_content),
		cmocka_unit_test(test_one_large_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
