/*
 * test_answer.c - ExaBGP's plain-text lines to a process, classified:
 * exact words only, a trailing CR ignored, the summary header whatever
 * its spacing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "answer.h"

#define SUMHDR	"Peer            AS        up/down state       |     #sent     #recvd"
#define SUMROW	"127.0.0.2       65000     0:00:04 established           2          1"

static void
test_parse_table(void **state)
{
	static const struct {
		const char	*in;
		enum answer	 want;
	} t[] = {
		{ "done", ANSWER_DONE },
		{ "done\r", ANSWER_DONE },
		{ "error", ANSWER_ERROR },
		{ "shutdown", ANSWER_SHUTDOWN },
		{ "shutdown 123 1", ANSWER_SHUTDOWN },
		{ "neighbor 192.0.2.1 up", ANSWER_NEIGHBOR },
		{ "neighbor 2001:db8::1 down - hold timer expired",
		    ANSWER_NEIGHBOR },
		{ SUMHDR, ANSWER_SUMMARY },
		{ "Peer AS up/down state | #sent #recvd", ANSWER_SUMMARY },
		{ SUMHDR "\r", ANSWER_SUMMARY },
		{ "Peer AS up/down state | #sent", ANSWER_OTHER },
		{ "Peer AS up/down state | #sent #recvd x", ANSWER_OTHER },
		{ "Peers AS up/down state | #sent #recvd", ANSWER_OTHER },
		{ SUMROW, ANSWER_OTHER },
		{ "exabgp 4.2.21", ANSWER_OTHER },
		{ "", ANSWER_EMPTY },
		{ "\r", ANSWER_EMPTY },
		{ "Done", ANSWER_OTHER },
		{ "done ", ANSWER_OTHER },
		{ " done", ANSWER_OTHER },
		{ "doneX", ANSWER_OTHER },
		{ "errors", ANSWER_OTHER },
		{ "shutdownx", ANSWER_OTHER },
		{ "neighbor", ANSWER_OTHER },
		{ "neighbors 1", ANSWER_OTHER },
		{ "{\"type\": \"state\"}", ANSWER_OTHER },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (answer_parse(t[i].in, strlen(t[i].in)) != t[i].want)
			fail_msg("'%s': %s", t[i].in, answer_name(
			    answer_parse(t[i].in, strlen(t[i].in))));
	/* a NUL inside is not "done" */
	assert_int_equal(answer_parse("do\0e", 4), ANSWER_OTHER);
	assert_string_equal(answer_name(ANSWER_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
