/*
 * test_proc.c - spawning: exit statuses, output capture and its cap, shell
 * mode, environment, exec failure, timeouts that kill the whole process
 * group, cancellation, and that nothing reaches our own stdout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "proc.h"
#include "testlib.h"

struct done {
	int		 calls;
	int		 status;
	int		 timed_out;
	int		 spawn_errno;
	char		 out[1 << 16];
	size_t		 outlen;
	uint64_t	 elapsed;
	char		 str[128];
};

static void
done_cb(const struct proc_result *r, void *arg)
{
	struct done	*d = arg;

	d->calls++;
	d->status = r->status;
	d->timed_out = r->timed_out;
	d->spawn_errno = r->spawn_errno;
	d->elapsed = r->elapsed;
	assert_true(r->outlen < sizeof(d->out));
	assert_int_equal(r->output[r->outlen], '\0');
	memcpy(d->out, r->output, r->outlen + 1);
	d->outlen = r->outlen;
	proc_status_str(r, d->str, sizeof(d->str));
}

/* run the loop until cb ran or max_ns passed (bounded) */
static void
wait_done(struct ev_loop *loop, struct done *d, uint64_t max_ns)
{
	uint64_t	 end = ev_monotonic() + max_ns;

	while (d->calls == 0 && ev_monotonic() < end)
		assert_int_equal(ev_run_once(loop, 20 * EV_MSEC), 0);
	assert_int_equal(d->calls, 1);
}

static struct done *
run_spec(struct ev_loop *loop, struct proc_spec *spec)
{
	struct done	*d;
	struct proc	*p;

	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	p = proc_run(loop, spec, done_cb, d);
	assert_non_null(p);
	assert_true(proc_pid(p) > 0);
	wait_done(loop, d, 10 * EV_NSEC);
	return d;
}

/* a spec for argv, through the shell when shell, nothing else set */
static struct proc_spec
spec_of(const char *const *argv, int shell)
{
	struct proc_spec	 spec;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.shell = shell;
	return spec;
}

static struct done *
run_argv(struct ev_loop *loop, const char *const *argv, int shell)
{
	struct proc_spec	 spec = spec_of(argv, shell);

	return run_spec(loop, &spec);
}

static void
test_true_false(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 t[] = { "/bin/true", NULL };
	const char *const	 f[] = { "false", NULL };	/* via PATH */
	struct done		*d;

	d = run_argv(loop, t, 0);
	assert_true(WIFEXITED(d->status));
	assert_int_equal(WEXITSTATUS(d->status), 0);
	assert_false(d->timed_out);
	assert_int_equal(d->spawn_errno, 0);
	assert_int_equal(d->outlen, 0);
	assert_string_equal(d->str, "exit 0");
	free(d);

	d = run_argv(loop, f, 0);
	assert_int_equal(WEXITSTATUS(d->status), 1);
	assert_string_equal(d->str, "exit 1");
	free(d);
}

static void
test_exit_code_and_signal(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 e2[] = { "exit 2", NULL };
	const char *const	 k9[] = { "kill -9 $$", NULL };
	struct done		*d;

	d = run_argv(loop, e2, 1);
	assert_string_equal(d->str, "exit 2");
	free(d);
	d = run_argv(loop, k9, 1);
	assert_true(WIFSIGNALED(d->status));
	assert_string_equal(d->str, "signal 9");
	free(d);
}

static void
test_output_capture(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "/bin/echo", "hello", "world", NULL };
	const char *const	 b[] = { "echo out; echo err >&2", NULL };
	struct done		*d;

	d = run_argv(loop, a, 0);
	assert_string_equal(d->out, "hello world\n");
	assert_int_equal(d->outlen, 12);
	free(d);
	/* stdout and stderr share the one pipe, in order */
	d = run_argv(loop, b, 1);
	assert_string_equal(d->out, "out\nerr\n");
	free(d);
}

static void
test_output_cap(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 big[] = {
		"head -c 1000000 /dev/zero | tr '\\0' a; echo tail", NULL };
	struct proc_spec	 spec;
	struct done		*d;
	size_t			 i;

	spec = spec_of(big, 1);
	spec.output_max = 100;
	d = run_spec(loop, &spec);
	/* the writer was never blocked nor killed by SIGPIPE */
	assert_string_equal(d->str, "exit 0");
	assert_int_equal(d->outlen, 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(d->out[i], 'a');
	free(d);

	/* default cap */
	spec.output_max = 0;
	d = run_spec(loop, &spec);
	assert_string_equal(d->str, "exit 0");
	assert_int_equal(d->outlen, PROC_OUTPUT_MAX);
	free(d);
}

static void
test_discard_output(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "echo hidden; echo hidden >&2", NULL };
	struct proc_spec	 spec;
	struct done		*d;

	spec = spec_of(a, 1);
	spec.discard_output = 1;
	d = run_spec(loop, &spec);
	assert_string_equal(d->str, "exit 0");
	assert_int_equal(d->outlen, 0);
	assert_string_equal(d->out, "");
	free(d);
}

static void
test_shell_and_args(void **state)
{
	struct ev_loop		*loop = *state;
	/* shell mode: argv[1] is $0, argv[2] is $1 */
	const char *const	 a[] = { "echo \"$0:$1\" | tr a-z A-Z", "nm",
				    "arg", NULL };
	/* no shell: metacharacters are plain bytes */
	const char *const	 b[] = { "/bin/echo", "$HOME;", "|", "x",
				    NULL };
	struct done		*d;

	d = run_argv(loop, a, 1);
	assert_string_equal(d->out, "NM:ARG\n");
	free(d);
	d = run_argv(loop, b, 0);
	assert_string_equal(d->out, "$HOME; | x\n");
	free(d);
}

static void
test_env(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = {
		"echo \"$BGPSD_T1|$BGPSD_T2|$BGPSD_KEEP\"", NULL };
	const char *const	 env[] = { "BGPSD_T1=hello world",
				    "BGPSD_T2=new", NULL };
	struct proc_spec	 spec;
	struct done		*d;

	setenv("BGPSD_T2", "old", 1);
	setenv("BGPSD_KEEP", "kept", 1);
	spec = spec_of(a, 1);
	spec.env = env;
	d = run_spec(loop, &spec);
	assert_string_equal(d->out, "hello world|new|kept\n");
	free(d);
	/* and without extras the environment is inherited as is */
	spec.env = NULL;
	d = run_spec(loop, &spec);
	assert_string_equal(d->out, "|old|kept\n");
	free(d);
	unsetenv("BGPSD_T2");
	unsetenv("BGPSD_KEEP");
}

static void
test_nonexistent(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "/nonexistent/bgpsd-prog", NULL };
	const char *const	 b[] = { "bgpsd-no-such-program-xyz", NULL };
	struct done		*d;

	d = run_argv(loop, a, 0);
	assert_int_equal(d->spawn_errno, ENOENT);
	assert_true(WIFEXITED(d->status));
	assert_int_equal(WEXITSTATUS(d->status), 127);
	assert_string_equal(d->str, "exec: No such file or directory");
	assert_int_equal(d->outlen, 0);
	free(d);
	d = run_argv(loop, b, 0);
	assert_int_equal(d->spawn_errno, ENOENT);
	free(d);
}

static void
test_not_executable(void **state)
{
	struct ev_loop		*loop = *state;
	char			 path[] = "/tmp/bgpsd-test-noexec.XXXXXX";
	const char *const	 a[] = { path, NULL };
	struct done		*d;
	int			 fd;

	fd = mkstemp(path);
	assert_true(fd != -1);
	close(fd);
	chmod(path, 0644);
	d = run_argv(loop, a, 0);
	unlink(path);
	/* root may still be refused: no x bit anywhere */
	assert_int_equal(d->spawn_errno, EACCES);
	assert_string_equal(d->str, "exec: Permission denied");
	free(d);
}

static void
test_stdin_and_fds(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 c[] = { "/bin/cat", NULL };
	/* no pipeline: the shell would hold the pipe's fds meanwhile */
	const char *const	 l[] = { "ls /proc/$$/fd", NULL };
	struct done		*d;
	int			 leak;

	/* stdin is /dev/null: cat ends at once */
	d = run_argv(loop, c, 0);
	assert_string_equal(d->str, "exit 0");
	assert_int_equal(d->outlen, 0);
	free(d);

	/* a descriptor of ours without close-on-exec must not leak */
	leak = open("/dev/null", O_RDONLY);
	assert_true(leak > 2);
	d = run_argv(loop, l, 1);
	close(leak);
	assert_string_equal(d->out, "0\n1\n2\n");
	free(d);
}

static void
test_own_group(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = {
		"read -r pid comm state ppid pgid rest </proc/$$/stat; "
		"echo $pgid $$", NULL };
	struct done		*d;
	long			 pgid, pid;

	d = run_argv(loop, a, 1);
	assert_int_equal(sscanf(d->out, "%ld %ld", &pgid, &pid), 2);
	assert_int_equal(pgid, pid);
	assert_int_not_equal(pgid, (long)getpgrp());
	free(d);
}

static void
test_timeout(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "/bin/sleep", "30", NULL };
	struct proc_spec	 spec;
	struct done		*d;

	spec = spec_of(a, 0);
	spec.timeout = 200 * EV_MSEC;
	spec.kill_grace = 2 * EV_NSEC;
	d = run_spec(loop, &spec);
	assert_true(d->timed_out);
	assert_string_equal(d->str, "timeout");
	/* sleep dies on TERM: no need to wait for the grace period */
	assert_true(d->elapsed >= 200 * EV_MSEC);
	assert_true(d->elapsed < 1500 * EV_MSEC);
	free(d);
}

static void
test_timeout_kill_after_grace(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "trap '' TERM; sleep 30; echo no",
				    NULL };
	struct proc_spec	 spec;
	struct done		*d;

	spec = spec_of(a, 1);
	spec.timeout = 200 * EV_MSEC;
	spec.kill_grace = 300 * EV_MSEC;
	d = run_spec(loop, &spec);
	assert_true(d->timed_out);
	assert_true(WIFSIGNALED(d->status));
	assert_int_equal(WTERMSIG(d->status), SIGKILL);
	assert_true(d->elapsed >= 500 * EV_MSEC);
	assert_true(d->elapsed < 2 * EV_NSEC);
	assert_null(strstr(d->out, "no"));
	free(d);
}

static void
test_timeout_kills_grandchild(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "sleep 30 & echo $!; sleep 30", NULL };
	struct proc_spec	 spec;
	struct done		*d;
	long			 gpid;

	spec = spec_of(a, 1);
	spec.timeout = 300 * EV_MSEC;
	spec.kill_grace = 300 * EV_MSEC;
	d = run_spec(loop, &spec);
	assert_true(d->timed_out);
	assert_true(d->elapsed < 2 * EV_NSEC);
	assert_int_equal(sscanf(d->out, "%ld", &gpid), 1);
	assert_true(gpid > 1);
	assert_true(tl_wait_gone((pid_t)gpid, 2 * EV_NSEC));
	free(d);
}

static void
test_grandchild_does_not_delay(void **state)
{
	struct ev_loop		*loop = *state;
	/* the background sleep keeps the output pipe open */
	const char *const	 a[] = { "sleep 30 & echo $!; echo done",
				    NULL };
	struct done		*d;
	long			 gpid;

	d = run_argv(loop, a, 1);
	assert_string_equal(d->str, "exit 0");
	assert_true(d->elapsed < 2 * EV_NSEC);
	assert_int_equal(sscanf(d->out, "%ld", &gpid), 1);
	assert_non_null(strstr(d->out, "done\n"));
	assert_false(tl_pid_gone((pid_t)gpid));
	/* a normal exit leaves others alone; clean up ourselves */
	assert_int_equal(kill((pid_t)gpid, SIGKILL), 0);
	assert_true(tl_wait_gone((pid_t)gpid, 2 * EV_NSEC));
	free(d);
}

/*
 * found by tests/hardening/test_faults.sh: an exec check running
 * "sleep N & exit 0" left one sleep behind per run; with kill_group
 * the rest of the group dies when the child exits
 */
static void
test_kill_group_on_exit(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "sleep 30 & echo $!; echo done",
				    NULL };
	struct proc_spec	 spec;
	struct done		*d;
	long			 gpid;

	spec = spec_of(a, 1);
	spec.kill_group = 1;
	d = run_spec(loop, &spec);
	assert_string_equal(d->str, "exit 0");
	assert_true(d->elapsed < 2 * EV_NSEC);
	assert_int_equal(sscanf(d->out, "%ld", &gpid), 1);
	assert_true(gpid > 1);
	assert_true(tl_wait_gone((pid_t)gpid, 2 * EV_NSEC));
	free(d);
}

static void
never_cb(const struct proc_result *r, void *arg)
{
	fail_msg("callback after proc_cancel");
}

static void
test_cancel(void **state)
{
	struct ev_loop		*loop = *state;
	char			 path[] = "/tmp/bgpsd-test-cancel.XXXXXX";
	const char *const	 a[] = { "sleep 30 & echo $! >\"$1\"; sleep 30",
				    "sh", path, NULL };
	struct proc_spec	 spec;
	struct proc		*p;
	pid_t			 pid;
	uint64_t		 end;
	long			 gpid = 0;
	FILE			*f;
	int			 i, fd;

	fd = mkstemp(path);
	assert_true(fd != -1);
	close(fd);
	spec = spec_of(a, 1);
	spec.timeout = 10 * EV_NSEC;
	p = proc_run(loop, &spec, never_cb, NULL);
	assert_non_null(p);
	pid = proc_pid(p);
	/* until the background sleep is started and its pid written */
	end = ev_monotonic() + 3 * EV_NSEC;
	while (gpid == 0 && ev_monotonic() < end) {
		assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
		if ((f = fopen(path, "r")) != NULL) {
			if (fscanf(f, "%ld", &gpid) != 1)
				gpid = 0;
			fclose(f);
		}
	}
	unlink(path);
	assert_true(gpid > 1);
	proc_cancel(p);
	/* the loop reaps it: no zombie left behind */
	end = ev_monotonic() + 3 * EV_NSEC;
	while (kill(pid, 0) == 0 && ev_monotonic() < end)
		assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	/* and the whole group got the KILL */
	assert_true(tl_wait_gone((pid_t)gpid, 2 * EV_NSEC));
	for (i = 0; i < 5; i++)
		assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
}

struct chain {
	struct ev_loop	*loop;
	int		 n;
	char		 str[64];
};

static void
chain_cb(const struct proc_result *r, void *arg)
{
	static const char *const	 next[] = { "exit 4", NULL };
	struct chain			*c = arg;
	struct proc_spec		 spec;

	c->n++;
	proc_status_str(r, c->str, sizeof(c->str));
	if (c->n > 1)
		return;
	/* start another from the callback, as queues of commands do */
	spec = spec_of(next, 1);
	assert_non_null(proc_run(c->loop, &spec, chain_cb, c));
}

static void
test_run_from_callback(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "/bin/true", NULL };
	struct proc_spec	 spec;
	struct chain		 c;
	uint64_t		 end;

	memset(&c, 0, sizeof(c));
	c.loop = loop;
	spec = spec_of(a, 0);
	assert_non_null(proc_run(loop, &spec, chain_cb, &c));
	end = ev_monotonic() + 5 * EV_NSEC;
	while (c.n < 2 && ev_monotonic() < end)
		assert_int_equal(ev_run_once(loop, 20 * EV_MSEC), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.str, "exit 4");
}

static void
test_many_parallel(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "echo $$", NULL };
	struct proc_spec	 spec;
	struct done		*d;
	uint64_t		 end;
	int			 i, all;

	enum { N = 50 };
	d = calloc(N, sizeof(*d));
	assert_non_null(d);
	spec = spec_of(a, 1);
	for (i = 0; i < N; i++)
		assert_non_null(proc_run(loop, &spec, done_cb, &d[i]));
	end = ev_monotonic() + 10 * EV_NSEC;
	do {
		assert_int_equal(ev_run_once(loop, 20 * EV_MSEC), 0);
		for (i = 0, all = 1; i < N; i++)
			all &= d[i].calls == 1;
	} while (!all && ev_monotonic() < end);
	for (i = 0; i < N; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_string_equal(d[i].str, "exit 0");
		assert_true(d[i].outlen > 1);
	}
	free(d);
}

static void
test_drop_privileges(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "id -u; id -g; id -G", NULL };
	struct proc_spec	 spec;
	struct done		*d;

	if (geteuid() != 0)
		skip();
	spec = spec_of(a, 1);
	spec.drop = 1;
	spec.uid = 65534;
	spec.gid = 65534;
	d = run_spec(loop, &spec);
	assert_string_equal(d->str, "exit 0");
	assert_string_equal(d->out, "65534\n65534\n65534\n");
	free(d);
}

static void
test_status_str(void **state)
{
	struct proc_result	 r;
	char			 buf[64];

	memset(&r, 0, sizeof(r));
	r.status = 2 << 8;
	assert_string_equal(proc_status_str(&r, buf, sizeof(buf)), "exit 2");
	r.status = SIGKILL;
	assert_string_equal(proc_status_str(&r, buf, sizeof(buf)),
	    "signal 9");
	r.timed_out = 1;
	assert_string_equal(proc_status_str(&r, buf, sizeof(buf)), "timeout");
	r.spawn_errno = ENOENT;
	r.status = 127 << 8;
	assert_string_equal(proc_status_str(&r, buf, sizeof(buf)),
	    "exec: No such file or directory");
	/* truncation is safe */
	assert_string_equal(proc_status_str(&r, buf, 5), "exec");
}

/*
 * Our stdout is ExaBGP's command channel: point fd 1 at a file, run
 * children that write to stdout and stderr, and find the file empty.
 */
static void
test_never_our_stdout(void **state)
{
	struct ev_loop		*loop = *state;
	const char *const	 a[] = { "echo LEAK-A; echo LEAK-B >&2", NULL };
	const char *const	 b[] = { "/bin/echo", "LEAK-C", NULL };
	const char *const	 c[] = { "/nonexistent", NULL };
	struct tl_capture	 out;
	const char		*text;
	struct proc_spec	 spec;
	struct done		*d[4];
	int			 i;

	tl_capture_start(&out, STDOUT_FILENO);
	d[0] = run_argv(loop, a, 1);
	d[1] = run_argv(loop, b, 0);
	d[2] = run_argv(loop, c, 0);
	spec = spec_of(a, 1);
	spec.discard_output = 1;
	d[3] = run_spec(loop, &spec);
	text = tl_capture_stop(&out);
	if (out.len != 0)
		fail_msg("child output on our stdout: %s", text);
	assert_string_equal(d[0]->out, "LEAK-A\nLEAK-B\n");
	assert_string_equal(d[1]->out, "LEAK-C\n");
	for (i = 0; i < 4; i++)
		free(d[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_LOOP_TEST(test_true_false),
		TL_LOOP_TEST(test_exit_code_and_signal),
		TL_LOOP_TEST(test_output_capture),
		TL_LOOP_TEST(test_output_cap),
		TL_LOOP_TEST(test_discard_output),
		TL_LOOP_TEST(test_shell_and_args),
		TL_LOOP_TEST(test_env),
		TL_LOOP_TEST(test_nonexistent),
		TL_LOOP_TEST(test_not_executable),
		TL_LOOP_TEST(test_stdin_and_fds),
		TL_LOOP_TEST(test_own_group),
		TL_LOOP_TEST(test_timeout),
		TL_LOOP_TEST(test_timeout_kill_after_grace),
		TL_LOOP_TEST(test_timeout_kills_grandchild),
		TL_LOOP_TEST(test_grandchild_does_not_delay),
		TL_LOOP_TEST(test_kill_group_on_exit),
		TL_LOOP_TEST(test_cancel),
		TL_LOOP_TEST(test_run_from_callback),
		TL_LOOP_TEST(test_many_parallel),
		TL_LOOP_TEST(test_drop_privileges),
		cmocka_unit_test(test_status_str),
		TL_LOOP_TEST(test_never_our_stdout),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
