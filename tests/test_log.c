/*
 * test_log.c - logging goes to stderr (or syslog), never to stdout, one
 * record per line. stdout and stderr are pointed at pipes we read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "testlib.h"

/* stdout and stderr captured at once */
struct capture {
	struct tl_capture	 out, err;
	const char		*outbuf, *errbuf;	/* at the stop */
};

static void
capture_start(struct capture *c)
{
	tl_capture_start(&c->out, STDOUT_FILENO);
	tl_capture_start(&c->err, STDERR_FILENO);
}

static void
capture_stop(struct capture *c)
{
	c->errbuf = tl_capture_stop(&c->err);
	c->outbuf = tl_capture_stop(&c->out);
}

static void
test_stderr_not_stdout(void **state)
{
	struct capture	 c;
	int		 e;

	log_init("tlog", 0, 0);
	capture_start(&c);
	errno = ENOENT;
	log_warn("warn %d", 1);
	e = errno;
	log_warnx("warnx %s", "two");
	log_info("info %u", 3u);
	log_debug("debug hidden");
	capture_stop(&c);

	assert_int_equal(e, ENOENT);	/* log_warn keeps errno */
	assert_string_equal(c.outbuf, "");
	assert_string_equal(c.errbuf,
	    "tlog: warn 1: No such file or directory\n"
	    "tlog: warnx two\n"
	    "tlog: info 3\n");
}

static void
test_verbose(void **state)
{
	struct capture	 c;

	log_init("tlog", 0, 1);
	assert_int_equal(log_getverbose(), 1);
	capture_start(&c);
	log_debug("debug %d", 4);
	log_setverbose(0);
	log_debug("not shown");
	log_setverbose(1);
	log_debug("shown again");
	capture_stop(&c);
	assert_string_equal(c.outbuf, "");
	assert_string_equal(c.errbuf, "tlog: debug 4\ntlog: shown again\n");
	log_setverbose(0);
	assert_int_equal(log_getverbose(), 0);
}

static void
vlog_helper(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

static void
test_vlog(void **state)
{
	struct capture	 c;

	log_init("tlog", 0, 0);
	capture_start(&c);
	vlog_helper(LOG_NOTICE, "notice %s", "x");
	vlog_helper(LOG_DEBUG, "dropped when not verbose");
	capture_stop(&c);
	assert_string_equal(c.outbuf, "");
	assert_string_equal(c.errbuf, "tlog: notice x\n");
}

static void
test_newlines_flattened(void **state)
{
	struct capture	 c;

	log_init("tlog", 0, 1);
	capture_start(&c);
	/* data from a peer must not forge a second record */
	log_warnx("line1\nforged: line2\r\nend");
	errno = EPERM;
	log_warn("a\nb");
	log_info("%s", "x\ny");
	log_debug("d\n");
	capture_stop(&c);
	assert_string_equal(c.outbuf, "");
	assert_int_equal(tl_count(c.errbuf, "\n"), 4);
	assert_string_equal(c.errbuf,
	    "tlog: line1 forged: line2  end\n"
	    "tlog: a b: Operation not permitted\n"
	    "tlog: x y\n"
	    "tlog: d \n");
	log_setverbose(0);
}

/* found by the hardening suite: escape sequences from ExaBGP reached logs */
static void
test_control_bytes(void **state)
{
	struct capture	 c;

	log_init("tlog", 0, 0);
	capture_start(&c);
	log_warnx("a\033[2Jb\007c\td\177e");
	capture_stop(&c);
	assert_string_equal(c.errbuf, "tlog: a?[2Jb?c\td?e\n");
}

static void
test_long_message(void **state)
{
	struct capture	 c;
	char		*big;

	big = malloc(10000);
	assert_non_null(big);
	memset(big, 'q', 9999);
	big[9999] = '\0';
	log_init("tlog", 0, 0);
	capture_start(&c);
	log_warnx("%s", big);
	errno = EIO;
	log_warn("%s", big);
	capture_stop(&c);
	free(big);
	/* truncated, but still exactly one line each */
	assert_string_equal(c.outbuf, "");
	assert_int_equal(tl_count(c.errbuf, "\n"), 2);
	assert_true(strlen(c.errbuf) < 2 * 2100);
	/* log_warn keeps the error text even when the message is cut */
	assert_non_null(strstr(c.errbuf, ": Input/output error\n"));
}

static void
test_syslog_mode(void **state)
{
	struct capture	 c;

	/* to syslog: neither stdout nor stderr */
	capture_start(&c);
	log_init("tlog", 1, 1);
	log_warnx("to syslog");
	log_info("to syslog");
	log_debug("to syslog");
	capture_stop(&c);
	closelog();
	log_init("tlog", 0, 0);
	assert_string_equal(c.outbuf, "");
	assert_string_equal(c.errbuf, "");
}

/* fatal exits: run it in a child and look at what it left */
static void
run_child(int which, int *status, struct capture *c)
{
	pid_t	 pid;

	capture_start(c);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		log_init("tlog", 0, 0);
		switch (which) {
		case 0:
			errno = EACCES;
			fatal("cannot %s", "go on");
		case 1:
			fatalx("impossible state %d", 7);
		default:
			/* overflowing size must be caught, not wrap */
			(void)xreallocarray(NULL, SIZE_MAX / 2, 4);
			_exit(0);
		}
	}
	assert_int_equal(waitpid(pid, status, 0), pid);
	capture_stop(c);
}

static void
test_fatal(void **state)
{
	struct capture	 c;
	int		 status;

	run_child(0, &status, &c);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_string_equal(c.outbuf, "");
	assert_string_equal(c.errbuf,
	    "tlog: cannot go on: Permission denied\n");

	run_child(1, &status, &c);
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_string_equal(c.outbuf, "");
	assert_string_equal(c.errbuf, "tlog: impossible state 7\n");

	run_child(2, &status, &c);
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_string_equal(c.outbuf, "");
	assert_non_null(strstr(c.errbuf, "reallocarray"));
}

static void
test_alloc(void **state)
{
	char	*p, *s;
	int	*a;
	size_t	 i;

	p = xmalloc(0);			/* never NULL, even for 0 */
	assert_non_null(p);
	free(p);
	a = xcalloc(16, sizeof(*a));
	for (i = 0; i < 16; i++)
		assert_int_equal(a[i], 0);
	a = xreallocarray(a, 1024, sizeof(*a));
	a[1023] = 5;
	assert_int_equal(a[1023], 5);
	free(a);
	s = xstrdup("copy");
	assert_string_equal(s, "copy");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stderr_not_stdout),
		cmocka_unit_test(test_verbose),
		cmocka_unit_test(test_vlog),
		cmocka_unit_test(test_newlines_flattened),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_syslog_mode),
		cmocka_unit_test(test_fatal),
		cmocka_unit_test(test_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
