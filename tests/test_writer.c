/*
 * test_writer.c - the listener's staged write: unchanged output is not
 * rewritten (mtime and inode kept), a failing or hanging check keeps the
 * old file, a read-only, full or read-only-mounted destination keeps the
 * old file and reports an error, backup, perms and owner, cancel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "ev.h"
#include "listen.h"
#include "testlib.h"

static const char	*dest;
static int		 mounted;

struct done {
	int			called;
	enum writer_result	res;
};

static void
on_done(enum writer_result res, void *arg)
{
	struct done	*d = arg;

	d->called++;
	d->res = res;
}

static int
setup(void **state)
{
	if (tl_setup(state) == -1)
		return -1;
	dest = tl_path("out.conf");
	return 0;
}

static int
teardown(void **state)
{
	if (mounted) {
		umount2(tl_path("small"), MNT_DETACH);
		mounted = 0;
	}
	return tl_teardown(state);
}

static void
tc_init(struct template_conf *tc, const char *path)
{
	memset(tc, 0, sizeof(*tc));
	tc->source = "test.mustache";
	tc->destination = (char *)path;
	tc->perms = 0644;
	tc->command_timeout = 5;
}

/*
 * "OLD\n" at dest, then "NEW\n" written behind the check argv with the
 * given timeout: the writer, its check running
 */
/* run until d's callback ran (at most 10 s): it must have said want */
static void
await_result(struct done *d, enum writer_result want)
{
	tl_run_until(tl_loop, &d->called, 10 * EV_NSEC);
	assert_int_equal(d->res, want);
}

/* a write of "NEW" over "OLD" whose check is still running */
struct checked {
	struct template_conf	 tc;
	struct writer		*w;
	struct done		 d;	/* what on_done was told */
};

static void
write_checked(struct checked *c, char **argv, double timeout)
{
	c->d.called = 0;
	c->d.res = WRITER_PENDING;
	tl_spit(dest, "OLD\n");
	tc_init(&c->tc, dest);
	c->tc.check.argv = argv;
	c->tc.command_timeout = timeout;
	c->w = writer_new(tl_loop, NULL);
	assert_int_equal(writer_write(c->w, &c->tc, NULL, "NEW\n", 4, on_done,
	    &c->d), WRITER_PENDING);
}

static void
test_result_names(void **state)
{
	assert_string_equal(writer_result_name(WRITER_UNCHANGED), "unchanged");
	assert_string_equal(writer_result_name(WRITER_WRITTEN), "written");
	assert_string_equal(writer_result_name(WRITER_CHECK_FAILED),
	    "check-failed");
	assert_string_equal(writer_result_name((enum writer_result)99),
	    "unknown");
}

static void
test_unchanged_not_rewritten(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct stat		 st1, st2;
	struct timeval		 tv[2] = { { 1000000000, 0 },
				    { 1000000000, 0 } };

	tc_init(&tc, dest);
	tc.perms = 0640;
	w = writer_new(tl_loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "one\n", 4, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(tl_slurp(dest), "one\n");
	assert_int_equal(stat(dest, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0640);
	assert_int_equal(tl_entries(tl_tmpdir), 1);	/* no temp left */

	/* same bytes: not touched at all */
	assert_int_equal(utimes(dest, tv), 0);
	assert_int_equal(writer_write(w, &tc, NULL, "one\n", 4, on_done, NULL),
	    WRITER_UNCHANGED);
	assert_int_equal(stat(dest, &st2), 0);
	assert_int_equal(st2.st_mtime, 1000000000);
	assert_int_equal(st2.st_ino, st1.st_ino);

	/* same length, other bytes: rewritten, a new inode (rename) */
	assert_int_equal(writer_write(w, &tc, NULL, "two\n", 4, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(tl_slurp(dest), "two\n");
	assert_int_equal(stat(dest, &st2), 0);
	assert_true(st2.st_mtime != 1000000000);
	assert_int_equal(tl_entries(tl_tmpdir), 1);
	/* an empty output is a valid output */
	assert_int_equal(writer_write(w, &tc, NULL, "", 0, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(tl_slurp(dest), "");
	assert_int_equal(writer_write(w, &tc, NULL, "", 0, on_done, NULL),
	    WRITER_UNCHANGED);
	writer_free(w);
}

/*
 * A FIFO (or device) at the destination must not block the daemon: the
 * comparison with the old bytes opens it without waiting for a writer,
 * and the rename replaces it like any other file.
 */
static void
test_fifo_destination(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct stat		 st;

	tc_init(&tc, dest);
	assert_int_equal(mkfifo(dest, 0600), 0);
	w = writer_new(tl_loop, NULL);
	alarm(5);	/* a blocking open would hang here: fail instead */
	assert_int_equal(writer_write(w, &tc, NULL, "one\n", 4, on_done, NULL),
	    WRITER_WRITTEN);
	alarm(0);
	assert_int_equal(lstat(dest, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(tl_slurp(dest), "one\n");
	writer_free(w);
}

static void
test_check_failure_keeps_old(void **state)
{
	struct checked		 c;
	char			*argv[] = { "/bin/sh", "-c",
				    "echo bad config line 3; exit 3", NULL };

	write_checked(&c, argv, 5);
	assert_string_not_equal(writer_staged_path(c.w), "");
	await_result(&c.d, WRITER_CHECK_FAILED);
	assert_int_equal(c.d.called, 1);
	assert_string_equal(tl_slurp(dest), "OLD\n");
	assert_int_equal(tl_entries(tl_tmpdir), 1);
	assert_non_null(strstr(writer_detail(c.w), "exit 3"));
	assert_non_null(strstr(writer_detail(c.w), "bad config line 3"));
	writer_free(c.w);
}

static void
test_check_sees_staged(void **state)
{
	struct checked		 c;
	char			*argv[] = { "/bin/grep", "-q", "NEW", "%s",
				    NULL };
	/* shell form: %s is quoted for sh, $BGPSD_STAGED is the same */
	char			*sh[] = { "test \"$BGPSD_STAGED\" = %s && "
				    "grep -q NEWER \"$BGPSD_STAGED\"", NULL };
	const char		*odd = tl_path("it's a.conf");

	write_checked(&c, argv, 5);
	await_result(&c.d, WRITER_WRITTEN);
	assert_string_equal(tl_slurp(dest), "NEW\n");

	/* a destination name with a quote and a space survives sh */
	tc_init(&c.tc, odd);
	c.tc.check.argv = sh;
	c.tc.check.shell = 1;
	c.d.called = 0;
	assert_int_equal(writer_write(c.w, &c.tc, NULL, "NEWER\n", 6, on_done,
	    &c.d), WRITER_PENDING);
	await_result(&c.d, WRITER_WRITTEN);
	assert_string_equal(tl_slurp(odd), "NEWER\n");
	assert_int_equal(tl_entries(tl_tmpdir), 2);
	writer_free(c.w);
}

static void
test_check_timeout(void **state)
{
	struct checked		 c;
	char			*argv[] = { "/bin/sleep", "30", NULL };
	uint64_t		 t0 = ev_monotonic();

	write_checked(&c, argv, 0.2);
	await_result(&c.d, WRITER_CHECK_FAILED);
	assert_true(ev_monotonic() - t0 < 5 * EV_NSEC);
	assert_non_null(strstr(writer_detail(c.w), "timeout"));
	assert_string_equal(tl_slurp(dest), "OLD\n");
	assert_int_equal(tl_entries(tl_tmpdir), 1);
	writer_free(c.w);
}

/*
 * the hardening suite's finding for exec checks applies to a template's
 * check too: a background child of the check must not outlive it
 */
static void
test_check_background_child(void **state)
{
	struct checked		 c;
	char			 script[512], pidfile[300], *text;
	char			*argv[] = { "/bin/sh", "-c", script, NULL };
	long			 pid = 0;

	snprintf(pidfile, sizeof(pidfile), "%s/../bg.%ld", tl_tmpdir,
	    (long)getpid());
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; exit 0",
	    pidfile);
	write_checked(&c, argv, 5);
	await_result(&c.d, WRITER_WRITTEN);
	text = tl_slurp(pidfile);
	assert_non_null(text);
	assert_int_equal(sscanf(text, "%ld", &pid), 1);
	unlink(pidfile);
	assert_true(pid > 1);
	if (!tl_wait_gone((pid_t)pid, 2 * EV_NSEC))
		fail_msg("the check's background child %ld survived", pid);
	writer_free(c.w);
}

static void
test_cancel(void **state)
{
	struct checked		 c;
	char			*argv[] = { "/bin/sleep", "30", NULL };
	int			 i;

	write_checked(&c, argv, 5);
	assert_int_equal(tl_entries(tl_tmpdir), 2);
	writer_cancel(c.w);
	assert_int_equal(tl_entries(tl_tmpdir), 1);
	assert_string_equal(writer_staged_path(c.w), "");
	for (i = 0; i < 5; i++)
		ev_run_once(tl_loop, 20 * EV_MSEC);
	assert_int_equal(c.d.called, 0);
	assert_string_equal(tl_slurp(dest), "OLD\n");
	/* usable again */
	assert_int_equal(writer_write(c.w, &c.tc, NULL, "OLD\n", 4, on_done,
	    &c.d), WRITER_UNCHANGED);
	writer_free(c.w);
}

static void
test_backup(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	const char		*bak = tl_path("out.conf.bak");

	tc_init(&tc, dest);
	tc.backup = 1;
	w = writer_new(tl_loop, NULL);
	/* no previous file: nothing to back up */
	assert_int_equal(writer_write(w, &tc, NULL, "v1\n", 3, on_done, NULL),
	    WRITER_WRITTEN);
	assert_int_equal(access(bak, F_OK), -1);
	assert_int_equal(writer_write(w, &tc, NULL, "v2\n", 3, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(tl_slurp(bak), "v1\n");
	assert_string_equal(tl_slurp(dest), "v2\n");
	assert_int_equal(writer_write(w, &tc, NULL, "v3\n", 3, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(tl_slurp(bak), "v2\n");
	assert_string_equal(tl_slurp(dest), "v3\n");
	assert_int_equal(tl_entries(tl_tmpdir), 2);
	writer_free(w);
}

/* the write must fail with the old file intact; 0 when it behaved */
static int
readonly_attempt(void *arg)
{
	struct template_conf	 tc;
	struct writer		*w;
	enum writer_result	 r;
	char			*s;

	tc_init(&tc, dest);
	w = writer_new(NULL, NULL);
	r = writer_write(w, &tc, NULL, "NEW\n", 4, on_done, NULL);
	writer_free(w);
	if (r != WRITER_ERROR)
		return 1;
	if ((s = tl_slurp(dest)) == NULL || strcmp(s, "OLD\n") != 0)
		return 2;
	return 0;
}

static void
test_readonly_dir(void **state)
{
	tl_spit(dest, "OLD\n");
	assert_int_equal(chmod(dest, 0644), 0);
	/* root ignores modes: tried as nobody, who meets a read-only dir */
	assert_int_equal(chmod(tl_tmpdir, 0555), 0);
	assert_int_equal(tl_as_nobody(readonly_attempt, NULL), 0);
	assert_int_equal(chmod(tl_tmpdir, 0700), 0);
	assert_string_equal(tl_slurp(dest), "OLD\n");
	assert_int_equal(tl_entries(tl_tmpdir), 1);
}

static void
test_full_and_readonly_fs(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	const char		*dir = tl_path("small");
	const char		*path = tl_path("small/out.conf");
	char			*big;
	size_t			 len = 256 * 1024;

	assert_int_equal(mkdir(dir, 0755), 0);
	if (geteuid() != 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=64k") == -1)
		skip();		/* needs root and mount(2) */
	mounted = 1;
	tl_spit(path, "OLD\n");
	tc_init(&tc, path);
	w = writer_new(tl_loop, NULL);

	/* ENOSPC: the old file stays, the staged one goes */
	big = malloc(len);
	assert_non_null(big);
	memset(big, 'x', len);
	assert_int_equal(writer_write(w, &tc, NULL, big, len, on_done, NULL),
	    WRITER_ERROR);
	assert_string_equal(tl_slurp(path), "OLD\n");
	assert_int_equal(tl_entries(dir), 1);
	assert_non_null(strstr(writer_detail(w), "No space"));
	/* and the next, smaller, change goes through */
	assert_int_equal(writer_write(w, &tc, NULL, "NEW\n", 4, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(tl_slurp(path), "NEW\n");

	/* EROFS */
	assert_int_equal(mount("tmpfs", dir, "tmpfs", MS_REMOUNT | MS_RDONLY,
	    "size=64k"), 0);
	assert_int_equal(writer_write(w, &tc, NULL, "NEWER\n", 6, on_done, NULL),
	    WRITER_ERROR);
	assert_string_equal(tl_slurp(path), "NEW\n");
	assert_non_null(strstr(writer_detail(w), "Read-only"));
	free(big);
	writer_free(w);
	assert_int_equal(umount2(dir, MNT_DETACH), 0);
	mounted = 0;
}

static void
test_owner_group(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct passwd		*pw;
	struct creds		 owner;
	struct stat		 st;
	char			 err[128];

	tc_init(&tc, dest);
	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL)
		skip();
	w = writer_new(tl_loop, NULL);
	/* render_load resolves owner and group once, the writer applies */
	assert_int_equal(creds_resolve("nobody", "0", 0, &owner, err,
	    sizeof(err)), 0);
	tc.perms = 0600;
	assert_int_equal(writer_write(w, &tc, &owner, "x\n", 2, on_done,
	    NULL), WRITER_WRITTEN);
	assert_int_equal(stat(dest, &st), 0);
	assert_int_equal(st.st_uid, pw->pw_uid);
	assert_int_equal(st.st_gid, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	writer_free(w);
}

static void
test_missing_dir(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	const char		*path = tl_path("nodir/out.conf");

	tc_init(&tc, path);
	w = writer_new(tl_loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "x\n", 2, on_done, NULL),
	    WRITER_ERROR);
	assert_non_null(strstr(writer_detail(w), "No such file"));
	writer_free(w);
}

static void
test_sweep(void **state)
{
	tl_put(".out.conf.bgpsd-Ab12Cd", "stale");
	tl_put(".out.conf.bgpsd-toolong", "not ours");
	tl_put(".other.conf.bgpsd-Ab12Cd", "another destination's");
	tl_spit(dest, "live");
	assert_int_equal(writer_sweep(dest), 1);
	assert_int_equal(tl_entries(tl_tmpdir), 3);
	assert_string_equal(tl_slurp(dest), "live");
	assert_int_equal(writer_sweep(dest), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_names),
		TL_TEST(test_unchanged_not_rewritten),
		TL_TEST(test_fifo_destination),
		TL_TEST(test_check_failure_keeps_old),
		TL_TEST(test_check_sees_staged),
		TL_TEST(test_check_timeout),
		TL_TEST(test_check_background_child),
		TL_TEST(test_cancel),
		TL_TEST(test_backup),
		TL_TEST(test_readonly_dir),
		TL_TEST(test_full_and_readonly_fs),
		TL_TEST(test_owner_group),
		TL_TEST(test_missing_dir),
		TL_TEST(test_sweep),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
