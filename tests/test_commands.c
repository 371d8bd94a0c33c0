/*
 * test_commands.c - the reload commands of a render pass: identical
 * commands run once, in config order, one after the other; a hanging one
 * is killed with its whole process group at its timeout; a failure does
 * not stop the rest; output goes to the log, never to stdout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "listen.h"
#include "testlib.h"


static void
cmd_init(struct cmd_conf *c, char **argv, int shell)
{
	c->argv = argv;
	c->shell = shell;
}

/* /bin/sh -c buf (argv without a shell), buf appending tag to "order" */
static void
cmd_append(struct cmd_conf *c, char *argv[4], char *buf, size_t len,
    const char *tag)
{
	snprintf(buf, len, "echo %s >> '%s'", tag, tl_path("order"));
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = buf;
	argv[3] = NULL;
	cmd_init(c, argv, 0);
}

/* the queued commands started, the loop run until they are all done */
static void
run_all(struct commands *c, struct tl_done *d)
{
	assert_int_equal(commands_start(c, tl_done_cb, d), 0);
	tl_run_until(tl_loop, &d->called, 10 * EV_NSEC);
	assert_int_equal(d->called, 1);
}

static void
test_identical_once_in_order(void **state)
{
	struct commands	*c;
	struct cmd_conf	 a, b, a2, ash;
	char		*av[4], *bv[4], *a2v[4], *ashv[2];
	char		 abuf[512], bbuf[512], a2buf[512];
	struct tl_done	 d = { 0, -1 };

	c = commands_new(tl_loop, NULL);
	cmd_append(&a, av, abuf, sizeof(abuf), "a");
	cmd_append(&b, bv, bbuf, sizeof(bbuf), "b");
	/* an equal copy (other memory) is the same command */
	cmd_append(&a2, a2v, a2buf, sizeof(a2buf), "a");
	/* the same text as a shell string is another command */
	ashv[0] = abuf;
	ashv[1] = NULL;
	cmd_init(&ash, ashv, 1);

	commands_add(c, &a, 5, "/tmp/dest");
	commands_add(c, &b, 5, "/tmp/dest");
	commands_add(c, &a2, 5, "/tmp/dest");
	commands_add(c, &a, 5, "/tmp/dest");
	commands_add(c, NULL, 5, "/tmp/dest");
	assert_int_equal(commands_count(c), 2);
	commands_add(c, &ash, 5, "/tmp/dest");
	assert_int_equal(commands_count(c), 3);

	run_all(c, &d);
	assert_int_equal(d.nfailed, 0);
	assert_string_equal(tl_slurp(tl_path("order")), "a\nb\na\n");
	assert_string_equal(commands_last_result(c), "exit 0");
	/* the queue is empty after a pass */
	assert_int_equal(commands_count(c), 0);
	d.called = 0;
	assert_int_equal(commands_start(c, tl_done_cb, &d), 1);
	assert_int_equal(d.called, 0);
	commands_free(c);
}

static void
test_timeout_kills_group(void **state)
{
	struct commands	*c;
	struct cmd_conf	 h;
	const char	*path = tl_path("bgpid");
	char		 buf[1024], *hv[] = { "/bin/sh", "-c", buf, NULL }, *s;
	struct tl_done	 d = { 0, -1 };
	uint64_t	 t0;
	pid_t		 bg;

	/* a background child in the group, then the command hangs */
	snprintf(buf, sizeof(buf), "sleep 60 & echo $! > '%s'; sleep 60",
	    path);
	cmd_init(&h, hv, 0);
	c = commands_new(tl_loop, NULL);
	commands_add(c, &h, 0.3, "/tmp/dest");
	commands_add(c, &h, 0.1, "/tmp/dest");	/* merged: the longer timeout stays */
	t0 = ev_monotonic();
	run_all(c, &d);
	assert_int_equal(d.nfailed, 1);
	assert_true(ev_monotonic() - t0 >= 250 * EV_MSEC);
	assert_true(ev_monotonic() - t0 < 5 * EV_NSEC);
	assert_string_equal(commands_last_result(c), "timeout");
	assert_non_null(s = tl_slurp(path));
	bg = (pid_t)atoi(s);
	assert_true(bg > 1);
	assert_true(tl_wait_gone(bg, EV_NSEC));
	commands_free(c);
}

static void
test_failure_does_not_stop_the_rest(void **state)
{
	struct commands	*c;
	struct cmd_conf	 f, b, m;
	char		*fv[] = { "/bin/sh", "-c", "exit 2", NULL };
	char		*mv[] = { "/nonexistent/bgpsd-reload", NULL };
	char		*bv[4], bbuf[512];
	struct tl_done	 d = { 0, -1 };

	cmd_init(&f, fv, 0);
	cmd_init(&m, mv, 0);
	cmd_append(&b, bv, bbuf, sizeof(bbuf), "after");
	c = commands_new(tl_loop, NULL);
	commands_add(c, &f, 5, "/tmp/dest");
	commands_add(c, &m, 5, "/tmp/dest");
	commands_add(c, &b, 5, "/tmp/dest");
	run_all(c, &d);
	assert_int_equal(d.nfailed, 2);
	assert_string_equal(tl_slurp(tl_path("order")), "after\n");
	commands_free(c);
}

static void
test_output_to_log_not_stdout(void **state)
{
	struct commands	*c;
	struct cmd_conf	 o;
	char		*ov[] = { "/bin/sh", "-c",
			    "echo OUT-MARK; echo ERR-MARK >&2; exit 1", NULL };
	struct tl_capture out, err;
	const char	*o_text, *s;
	struct tl_done	 d = { 0, -1 };

	/* no assertion while captured: its message would be captured too */
	tl_capture_start(&out, STDOUT_FILENO);
	tl_capture_start(&err, STDERR_FILENO);
	cmd_init(&o, ov, 0);
	c = commands_new(tl_loop, NULL);
	commands_add(c, &o, 5, "/tmp/dest");
	commands_start(c, tl_done_cb, &d);
	tl_run_until(tl_loop, &d.called, 10 * EV_NSEC);
	commands_free(c);
	s = tl_capture_stop(&err);
	o_text = tl_capture_stop(&out);

	assert_int_equal(d.nfailed, 1);
	assert_null(strstr(o_text, "OUT-MARK"));
	assert_null(strstr(o_text, "ERR-MARK"));
	assert_non_null(strstr(s, "OUT-MARK"));
	assert_non_null(strstr(s, "ERR-MARK"));
	assert_non_null(strstr(s, "exit 1"));
}

static void
test_cancel(void **state)
{
	struct commands	*c;
	struct cmd_conf	 h, b;
	char		*hv[] = { "/bin/sleep", "60", NULL };
	char		*bv[4], bbuf[512];
	struct tl_done	 d = { 0, -1 };
	uint64_t	 t0;
	int		 i;

	cmd_init(&h, hv, 0);
	cmd_append(&b, bv, bbuf, sizeof(bbuf), "never");
	c = commands_new(tl_loop, NULL);
	commands_add(c, &h, 30, "/tmp/dest");
	commands_add(c, &b, 30, "/tmp/dest");
	assert_int_equal(commands_start(c, tl_done_cb, &d), 0);
	t0 = ev_monotonic();
	commands_cancel(c);
	assert_true(ev_monotonic() - t0 < EV_NSEC);
	for (i = 0; i < 10; i++)
		ev_run_once(tl_loop, 20 * EV_MSEC);
	assert_int_equal(d.called, 0);
	assert_null(tl_slurp(tl_path("order")));
	assert_int_equal(commands_count(c), 0);
	commands_free(c);
}

/* %s is the file, %% a literal %, anything else stays as written */
static void
expect_expand(const char *in, const char *path, int shell, const char *want)
{
	char	*out = commands_expand(in, path, shell);

	assert_string_equal(out, want);
	free(out);
}

static void
test_expand(void **state)
{
	(void)state;
	expect_expand("haproxy -c -f %s", "/x/f", 0, "haproxy -c -f /x/f");
	expect_expand("haproxy -c -f %s", "/x/f", 1, "haproxy -c -f '/x/f'");
	expect_expand("cp %s %s.bak", "/a", 0, "cp /a /a.bak");
	expect_expand("date +%%s", "/a", 1, "date +%s");
	expect_expand("date +%%s > %s", "/a b", 1, "date +%s > '/a b'");
	expect_expand("100%% %%%s", "/p", 0, "100% %/p");
	expect_expand("%d %x 100% %", "/p", 0, "%d %x 100% %");
	expect_expand("%%%%", "/p", 0, "%%");
	expect_expand("it %s", "/it's", 1, "it '/it'\\''s'");
	expect_expand("", "/p", 0, "");
}

/*
 * A command's %s is the destination it follows (so two files with
 * "reload %s" are two commands), %% a literal % (date +%%s works).
 */
static void
test_command_expanded(void **state)
{
	struct commands	*c;
	struct cmd_conf	 cmd;
	char		 text[1100], *argv[] = { text, NULL }, *got;
	struct tl_done	 d = { 0, -1 };
	long		 stamp;

	snprintf(text, sizeof(text), "date +%%%%s > %%s.stamp; "
	    "echo %%s >> '%s'", tl_path("ran"));
	cmd_init(&cmd, argv, 1);
	c = commands_new(tl_loop, NULL);
	commands_add(c, &cmd, 5, tl_path("one"));
	commands_add(c, &cmd, 5, tl_path("one"));
	commands_add(c, &cmd, 5, tl_path("two"));
	assert_int_equal(commands_count(c), 2);
	run_all(c, &d);
	assert_int_equal(d.nfailed, 0);
	assert_non_null(got = tl_slurp(tl_path("one.stamp")));
	stamp = strtol(got, NULL, 10);
	assert_true(stamp > 1600000000L);
	snprintf(text, sizeof(text), "%s\n%s\n", tl_path("one"),
	    tl_path("two"));
	assert_string_equal(tl_slurp(tl_path("ran")), text);
	commands_free(c);
}

static void
test_log_output_lines(void **state)
{
	/* empty, NULL and unterminated output must all be fine */
	commands_log_output("x", NULL, 1);
	commands_log_output("x", "", 1);
	commands_log_output("x", "a\r\n\nb", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_DIR_LOOP_TEST(test_identical_once_in_order),
		TL_DIR_LOOP_TEST(test_timeout_kills_group),
		TL_DIR_LOOP_TEST(test_failure_does_not_stop_the_rest),
		TL_DIR_LOOP_TEST(test_output_to_log_not_stdout),
		TL_DIR_LOOP_TEST(test_cancel),
		cmocka_unit_test(test_log_output_lines),
		cmocka_unit_test(test_expand),
		TL_DIR_LOOP_TEST(test_command_expanded),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
