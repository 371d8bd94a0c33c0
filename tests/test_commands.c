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
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "listen.h"
#include "log.h"

static char		 tmpdir[256];
static struct ev_loop	*loop;

struct done {
	int	called;
	int	nfailed;
};

static void
on_done(int nfailed, void *arg)
{
	struct done	*d = arg;

	d->called++;
	d->nfailed = nfailed;
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_commands.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if ((loop = ev_new()) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return -1;
	ev_free(loop);
	loop = NULL;
	return 0;
}

static void
run_until(struct done *d, double seconds)
{
	uint64_t	end = ev_monotonic() + (uint64_t)(seconds * EV_NSEC);

	while (!d->called && ev_monotonic() < end)
		ev_run_once(loop, 50 * EV_MSEC);
}

static char *
slurp(const char *path)
{
	static char	 buf[8192];
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* a shell command appending tag to the file "order" */
static void
cmd_append(struct cmd_conf *c, char *argv[4], char *buf, size_t len,
    const char *tag)
{
	snprintf(buf, len, "echo %s >> '%s/order'", tag, tmpdir);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = buf;
	argv[3] = NULL;
	c->argv = argv;
	c->shell = 0;
}

static void
test_identical_once_in_order(void **state)
{
	struct commands	*c;
	struct cmd_conf	 a, b, a2, ash;
	char		*av[4], *bv[4], *a2v[4], *ashv[2];
	char		 abuf[512], bbuf[512], a2buf[512], path[512];
	struct done	 d = { 0, -1 };

	c = commands_new(loop, NULL);
	cmd_append(&a, av, abuf, sizeof(abuf), "a");
	cmd_append(&b, bv, bbuf, sizeof(bbuf), "b");
	/* an equal copy (other memory) is the same command */
	cmd_append(&a2, a2v, a2buf, sizeof(a2buf), "a");
	/* the same text as a shell string is another command */
	ashv[0] = abuf;
	ashv[1] = NULL;
	ash.argv = ashv;
	ash.shell = 1;

	commands_add(c, &a, 5, "/tmp/dest");
	commands_add(c, &b, 5, "/tmp/dest");
	commands_add(c, &a2, 5, "/tmp/dest");
	commands_add(c, &a, 5, "/tmp/dest");
	commands_add(c, NULL, 5, "/tmp/dest");
	assert_int_equal(commands_count(c), 2);
	commands_add(c, &ash, 5, "/tmp/dest");
	assert_int_equal(commands_count(c), 3);

	assert_int_equal(commands_start(c, on_done, &d), 0);
	run_until(&d, 10);
	assert_int_equal(d.called, 1);
	assert_int_equal(d.nfailed, 0);
	snprintf(path, sizeof(path), "%s/order", tmpdir);
	assert_string_equal(slurp(path), "a\nb\na\n");
	assert_string_equal(commands_last_result(c), "exit 0");
	/* the queue is empty after a pass */
	assert_int_equal(commands_count(c), 0);
	d.called = 0;
	assert_int_equal(commands_start(c, on_done, &d), 1);
	assert_int_equal(d.called, 0);
	commands_free(c);
}

static int
pid_gone(pid_t pid)
{
	char	 path[64], *s, state;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	/* reparented to an init that has not reaped it yet: a zombie */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((s = slurp(path)) == NULL || (s = strrchr(s, ')')) == NULL)
		return 1;
	state = s[2];
	return state == 'Z' || state == 'X';
}

static void
test_timeout_kills_group(void **state)
{
	struct commands	*c;
	struct cmd_conf	 h;
	char		*hv[4], buf[1024], path[512], *s;
	struct done	 d = { 0, -1 };
	uint64_t	 t0;
	pid_t		 bg;
	int		 i;

	/* a background child in the group, then the command hangs */
	snprintf(path, sizeof(path), "%s/bgpid", tmpdir);
	snprintf(buf, sizeof(buf), "sleep 60 & echo $! > '%s'; sleep 60",
	    path);
	hv[0] = "/bin/sh";
	hv[1] = "-c";
	hv[2] = buf;
	hv[3] = NULL;
	h.argv = hv;
	h.shell = 0;
	c = commands_new(loop, NULL);
	commands_add(c, &h, 0.3, "/tmp/dest");
	commands_add(c, &h, 0.1, "/tmp/dest");	/* merged: the longer timeout stays */
	t0 = ev_monotonic();
	assert_int_equal(commands_start(c, on_done, &d), 0);
	run_until(&d, 10);
	assert_int_equal(d.called, 1);
	assert_int_equal(d.nfailed, 1);
	assert_true(ev_monotonic() - t0 >= 250 * EV_MSEC);
	assert_true(ev_monotonic() - t0 < 5 * EV_NSEC);
	assert_string_equal(commands_last_result(c), "timeout");
	assert_non_null(s = slurp(path));
	bg = (pid_t)atoi(s);
	assert_true(bg > 1);
	for (i = 0; i < 50 && !pid_gone(bg); i++)
		usleep(20000);
	assert_true(pid_gone(bg));
	commands_free(c);
}

static void
test_failure_does_not_stop_the_rest(void **state)
{
	struct commands	*c;
	struct cmd_conf	 f, b, m;
	char		*fv[] = { "/bin/sh", "-c", "exit 2", NULL };
	char		*mv[] = { "/nonexistent/bgpsd-reload", NULL };
	char		*bv[4], bbuf[512], path[512];
	struct done	 d = { 0, -1 };

	f.argv = fv;
	f.shell = 0;
	m.argv = mv;
	m.shell = 0;
	cmd_append(&b, bv, bbuf, sizeof(bbuf), "after");
	c = commands_new(loop, NULL);
	commands_add(c, &f, 5, "/tmp/dest");
	commands_add(c, &m, 5, "/tmp/dest");
	commands_add(c, &b, 5, "/tmp/dest");
	assert_int_equal(commands_start(c, on_done, &d), 0);
	run_until(&d, 10);
	assert_int_equal(d.called, 1);
	assert_int_equal(d.nfailed, 2);
	snprintf(path, sizeof(path), "%s/order", tmpdir);
	assert_string_equal(slurp(path), "after\n");
	commands_free(c);
}

static void
test_output_to_log_not_stdout(void **state)
{
	struct commands	*c;
	struct cmd_conf	 o;
	char		*ov[] = { "/bin/sh", "-c",
			    "echo OUT-MARK; echo ERR-MARK >&2; exit 1", NULL };
	char		 outp[512], errp[512], *s;
	struct done	 d = { 0, -1 };
	int		 saved_out, saved_err, fo, fe;

	snprintf(outp, sizeof(outp), "%s/stdout", tmpdir);
	snprintf(errp, sizeof(errp), "%s/stderr", tmpdir);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved_out != -1 && saved_err != -1 && fo != -1 &&
	    fe != -1);
	dup2(fo, STDOUT_FILENO);
	dup2(fe, STDERR_FILENO);

	o.argv = ov;
	o.shell = 0;
	c = commands_new(loop, NULL);
	commands_add(c, &o, 5, "/tmp/dest");
	commands_start(c, on_done, &d);
	run_until(&d, 10);
	commands_free(c);

	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	close(fo);
	close(fe);

	assert_int_equal(d.nfailed, 1);
	assert_non_null(s = slurp(outp));
	assert_null(strstr(s, "OUT-MARK"));
	assert_null(strstr(s, "ERR-MARK"));
	assert_non_null(s = slurp(errp));
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
	char		*bv[4], bbuf[512], path[512];
	struct done	 d = { 0, -1 };
	uint64_t	 t0;
	int		 i;

	h.argv = hv;
	h.shell = 0;
	cmd_append(&b, bv, bbuf, sizeof(bbuf), "never");
	c = commands_new(loop, NULL);
	commands_add(c, &h, 30, "/tmp/dest");
	commands_add(c, &b, 30, "/tmp/dest");
	assert_int_equal(commands_start(c, on_done, &d), 0);
	t0 = ev_monotonic();
	commands_cancel(c);
	assert_true(ev_monotonic() - t0 < EV_NSEC);
	for (i = 0; i < 10; i++)
		ev_run_once(loop, 20 * EV_MSEC);
	assert_int_equal(d.called, 0);
	snprintf(path, sizeof(path), "%s/order", tmpdir);
	assert_null(slurp(path));
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
	char		*argv[2], text[1100], path[512], *got;
	struct done	 d = { 0, -1 };
	long		 stamp;

	(void)state;
	snprintf(text, sizeof(text), "date +%%%%s > %%s.stamp; "
	    "echo %%s >> '%s/ran'", tmpdir);
	argv[0] = text;
	argv[1] = NULL;
	cmd.argv = argv;
	cmd.shell = 1;
	c = commands_new(loop, NULL);
	snprintf(path, sizeof(path), "%s/one", tmpdir);
	commands_add(c, &cmd, 5, path);
	commands_add(c, &cmd, 5, path);
	snprintf(path, sizeof(path), "%s/two", tmpdir);
	commands_add(c, &cmd, 5, path);
	assert_int_equal(commands_count(c), 2);
	assert_int_equal(commands_start(c, on_done, &d), 0);
	run_until(&d, 10);
	assert_int_equal(d.nfailed, 0);
	snprintf(path, sizeof(path), "%s/one.stamp", tmpdir);
	assert_non_null(got = slurp(path));
	stamp = strtol(got, NULL, 10);
	assert_true(stamp > 1600000000L);
	snprintf(path, sizeof(path), "%s/ran", tmpdir);
	snprintf(text, sizeof(text), "%s/one\n%s/two\n", tmpdir, tmpdir);
	assert_string_equal(slurp(path), text);
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
		cmocka_unit_test_setup_teardown(test_identical_once_in_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failure_does_not_stop_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_to_log_not_stdout,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test(test_log_output_lines),
		cmocka_unit_test(test_expand),
		cmocka_unit_test_setup_teardown(test_command_expanded, setup,
		    teardown),
	};

	log_init("test_commands", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
