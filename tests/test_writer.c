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
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "ev.h"
#include "listen.h"
#include "log.h"

static char		 tmpdir[256];
static char		 dest[512];
static struct ev_loop	*loop;
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

static void
rm_tree(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 p[1024];
	struct stat	 st;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_writer.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(dest, sizeof(dest), "%s/out.conf", tmpdir);
	if ((loop = ev_new()) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	p[512];

	if (mounted) {
		snprintf(p, sizeof(p), "%s/small", tmpdir);
		umount2(p, MNT_DETACH);
		mounted = 0;
	}
	chmod(tmpdir, 0700);
	rm_tree(tmpdir);
	ev_free(loop);
	loop = NULL;
	return 0;
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

static void
put(const char *path, const char *text)
{
	FILE	*f;

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *
slurp(const char *path)
{
	static char	 buf[65536];
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* entries of dir other than . and .. */
static size_t
entries(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
run_until(struct done *d, double seconds)
{
	uint64_t	end = ev_monotonic() + (uint64_t)(seconds * EV_NSEC);

	while (!d->called && ev_monotonic() < end)
		ev_run_once(loop, 50 * EV_MSEC);
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
	w = writer_new(loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "one\n", 4, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(slurp(dest), "one\n");
	assert_int_equal(stat(dest, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0640);
	assert_int_equal(entries(tmpdir), 1);	/* no temp left */

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
	assert_string_equal(slurp(dest), "two\n");
	assert_int_equal(stat(dest, &st2), 0);
	assert_true(st2.st_mtime != 1000000000);
	assert_int_equal(entries(tmpdir), 1);
	/* an empty output is a valid output */
	assert_int_equal(writer_write(w, &tc, NULL, "", 0, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(slurp(dest), "");
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
	w = writer_new(loop, NULL);
	alarm(5);	/* a blocking open would hang here: fail instead */
	assert_int_equal(writer_write(w, &tc, NULL, "one\n", 4, on_done, NULL),
	    WRITER_WRITTEN);
	alarm(0);
	assert_int_equal(lstat(dest, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(dest), "one\n");
	writer_free(w);
}

static void
test_check_failure_keeps_old(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct done		 d = { 0, WRITER_PENDING };
	char			*argv[] = { "/bin/sh", "-c",
				    "echo bad config line 3; exit 3", NULL };

	put(dest, "OLD\n");
	tc_init(&tc, dest);
	tc.check.argv = argv;
	w = writer_new(loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "NEW\n", 4, on_done, &d),
	    WRITER_PENDING);
	assert_string_not_equal(writer_staged_path(w), "");
	run_until(&d, 10);
	assert_int_equal(d.called, 1);
	assert_int_equal(d.res, WRITER_CHECK_FAILED);
	assert_string_equal(slurp(dest), "OLD\n");
	assert_int_equal(entries(tmpdir), 1);
	assert_non_null(strstr(writer_detail(w), "exit 3"));
	assert_non_null(strstr(writer_detail(w), "bad config line 3"));
	writer_free(w);
}

static void
test_check_sees_staged(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct done		 d = { 0, WRITER_PENDING };
	char			*argv[] = { "/bin/grep", "-q", "NEW", "%s",
				    NULL };
	/* shell form: %s is quoted for sh, $BGPSD_STAGED is the same */
	char			*sh[] = { "test \"$BGPSD_STAGED\" = %s && "
				    "grep -q NEWER \"$BGPSD_STAGED\"", NULL };
	char			 odd[512];

	put(dest, "OLD\n");
	tc_init(&tc, dest);
	tc.check.argv = argv;
	w = writer_new(loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "NEW\n", 4, on_done, &d),
	    WRITER_PENDING);
	run_until(&d, 10);
	assert_int_equal(d.res, WRITER_WRITTEN);
	assert_string_equal(slurp(dest), "NEW\n");

	/* a destination name with a quote and a space survives sh */
	snprintf(odd, sizeof(odd), "%s/it's a.conf", tmpdir);
	tc_init(&tc, odd);
	tc.check.argv = sh;
	tc.check.shell = 1;
	d.called = 0;
	assert_int_equal(writer_write(w, &tc, NULL, "NEWER\n", 6, on_done, &d),
	    WRITER_PENDING);
	run_until(&d, 10);
	assert_int_equal(d.res, WRITER_WRITTEN);
	assert_string_equal(slurp(odd), "NEWER\n");
	assert_int_equal(entries(tmpdir), 2);
	writer_free(w);
}

static void
test_check_timeout(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct done		 d = { 0, WRITER_PENDING };
	char			*argv[] = { "/bin/sleep", "30", NULL };
	uint64_t		 t0;

	put(dest, "OLD\n");
	tc_init(&tc, dest);
	tc.check.argv = argv;
	tc.command_timeout = 0.2;
	w = writer_new(loop, NULL);
	t0 = ev_monotonic();
	assert_int_equal(writer_write(w, &tc, NULL, "NEW\n", 4, on_done, &d),
	    WRITER_PENDING);
	run_until(&d, 10);
	assert_int_equal(d.res, WRITER_CHECK_FAILED);
	assert_true(ev_monotonic() - t0 < 5 * EV_NSEC);
	assert_non_null(strstr(writer_detail(w), "timeout"));
	assert_string_equal(slurp(dest), "OLD\n");
	assert_int_equal(entries(tmpdir), 1);
	writer_free(w);
}

/* pid gone, or a zombie nobody reaps (init in a container may not) */
static int
gone(pid_t pid)
{
	char	 path[64], buf[512], *s;
	FILE	*fp;
	int	 dead = 1;

	if (kill(pid, 0) == -1)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 1;
	if (fgets(buf, sizeof(buf), fp) != NULL &&
	    (s = strrchr(buf, ')')) != NULL && s[1] == ' ')
		dead = s[2] == 'Z' || s[2] == 'X';
	fclose(fp);
	return dead;
}

/*
 * the hardening suite's finding for exec checks applies to a template's
 * check too: a background child of the check must not outlive it
 */
static void
test_check_background_child(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct done		 d = { 0, WRITER_PENDING };
	char			 script[512], pidfile[300], *text;
	char			*argv[] = { "/bin/sh", "-c", script, NULL };
	long			 pid = 0;
	int			 i;

	snprintf(pidfile, sizeof(pidfile), "%s/../bg.%ld", tmpdir,
	    (long)getpid());
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; exit 0",
	    pidfile);
	put(dest, "OLD\n");
	tc_init(&tc, dest);
	tc.check.argv = argv;
	w = writer_new(loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "NEW\n", 4, on_done, &d),
	    WRITER_PENDING);
	run_until(&d, 10);
	assert_int_equal(d.res, WRITER_WRITTEN);
	text = slurp(pidfile);
	assert_non_null(text);
	assert_int_equal(sscanf(text, "%ld", &pid), 1);
	unlink(pidfile);
	assert_true(pid > 1);
	for (i = 0; i < 200 && !gone((pid_t)pid); i++)
		usleep(10000);
	if (!gone((pid_t)pid)) {
		kill((pid_t)pid, SIGKILL);
		fail_msg("the check's background child %ld survived", pid);
	}
	writer_free(w);
}

static void
test_cancel(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	struct done		 d = { 0, WRITER_PENDING };
	char			*argv[] = { "/bin/sleep", "30", NULL };
	int			 i;

	put(dest, "OLD\n");
	tc_init(&tc, dest);
	tc.check.argv = argv;
	w = writer_new(loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "NEW\n", 4, on_done, &d),
	    WRITER_PENDING);
	assert_int_equal(entries(tmpdir), 2);
	writer_cancel(w);
	assert_int_equal(entries(tmpdir), 1);
	assert_string_equal(writer_staged_path(w), "");
	for (i = 0; i < 5; i++)
		ev_run_once(loop, 20 * EV_MSEC);
	assert_int_equal(d.called, 0);
	assert_string_equal(slurp(dest), "OLD\n");
	/* usable again */
	assert_int_equal(writer_write(w, &tc, NULL, "OLD\n", 4, on_done, &d),
	    WRITER_UNCHANGED);
	writer_free(w);
}

static void
test_backup(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	char			 bak[600];

	snprintf(bak, sizeof(bak), "%s.bak", dest);
	tc_init(&tc, dest);
	tc.backup = 1;
	w = writer_new(loop, NULL);
	/* no previous file: nothing to back up */
	assert_int_equal(writer_write(w, &tc, NULL, "v1\n", 3, on_done, NULL),
	    WRITER_WRITTEN);
	assert_int_equal(access(bak, F_OK), -1);
	assert_int_equal(writer_write(w, &tc, NULL, "v2\n", 3, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(slurp(bak), "v1\n");
	assert_string_equal(slurp(dest), "v2\n");
	assert_int_equal(writer_write(w, &tc, NULL, "v3\n", 3, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(slurp(bak), "v2\n");
	assert_string_equal(slurp(dest), "v3\n");
	assert_int_equal(entries(tmpdir), 2);
	writer_free(w);
}

/* the write must fail with the old file intact; 0 when it behaved */
static int
readonly_attempt(void)
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
	if ((s = slurp(dest)) == NULL || strcmp(s, "OLD\n") != 0)
		return 2;
	return 0;
}

static void
test_readonly_dir(void **state)
{
	struct passwd	*pw;
	pid_t		 pid;
	int		 status;

	put(dest, "OLD\n");
	assert_int_equal(chmod(dest, 0644), 0);
	if (geteuid() != 0) {
		assert_int_equal(chmod(tmpdir, 0555), 0);
		assert_int_equal(readonly_attempt(), 0);
		assert_int_equal(chmod(tmpdir, 0700), 0);
		return;
	}
	/* root ignores modes: an unprivileged child meets the 0755 dir */
	if ((pw = getpwnam("nobody")) == NULL)
		skip();
	assert_int_equal(chmod(tmpdir, 0755), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
			_exit(10);
		_exit(readonly_attempt());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(slurp(dest), "OLD\n");
	assert_int_equal(entries(tmpdir), 1);
}

static void
test_full_and_readonly_fs(void **state)
{
	struct template_conf	 tc;
	struct writer		*w;
	char			 dir[512], path[600], *big;
	size_t			 len = 256 * 1024;

	snprintf(dir, sizeof(dir), "%s/small", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	if (geteuid() != 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=64k") == -1)
		skip();		/* needs root and mount(2) */
	mounted = 1;
	snprintf(path, sizeof(path), "%s/out.conf", dir);
	put(path, "OLD\n");
	tc_init(&tc, path);
	w = writer_new(loop, NULL);

	/* ENOSPC: the old file stays, the staged one goes */
	big = malloc(len);
	assert_non_null(big);
	memset(big, 'x', len);
	assert_int_equal(writer_write(w, &tc, NULL, big, len, on_done, NULL),
	    WRITER_ERROR);
	assert_string_equal(slurp(path), "OLD\n");
	assert_int_equal(entries(dir), 1);
	assert_non_null(strstr(writer_detail(w), "No space"));
	/* and the next, smaller, change goes through */
	assert_int_equal(writer_write(w, &tc, NULL, "NEW\n", 4, on_done, NULL),
	    WRITER_WRITTEN);
	assert_string_equal(slurp(path), "NEW\n");

	/* EROFS */
	assert_int_equal(mount("tmpfs", dir, "tmpfs", MS_REMOUNT | MS_RDONLY,
	    "size=64k"), 0);
	assert_int_equal(writer_write(w, &tc, NULL, "NEWER\n", 6, on_done, NULL),
	    WRITER_ERROR);
	assert_string_equal(slurp(path), "NEW\n");
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
	w = writer_new(loop, NULL);
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
	char			 path[600];

	snprintf(path, sizeof(path), "%s/nodir/out.conf", tmpdir);
	tc_init(&tc, path);
	w = writer_new(loop, NULL);
	assert_int_equal(writer_write(w, &tc, NULL, "x\n", 2, on_done, NULL),
	    WRITER_ERROR);
	assert_non_null(strstr(writer_detail(w), "No such file"));
	writer_free(w);
}

static void
test_sweep(void **state)
{
	char	p[600];

	snprintf(p, sizeof(p), "%s/.out.conf.bgpsd-Ab12Cd", tmpdir);
	put(p, "stale");
	snprintf(p, sizeof(p), "%s/.out.conf.bgpsd-toolong", tmpdir);
	put(p, "not ours");
	snprintf(p, sizeof(p), "%s/.other.conf.bgpsd-Ab12Cd", tmpdir);
	put(p, "another destination's");
	put(dest, "live");
	assert_int_equal(writer_sweep(dest), 1);
	assert_int_equal(entries(tmpdir), 3);
	assert_string_equal(slurp(dest), "live");
	assert_int_equal(writer_sweep(dest), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_names),
		cmocka_unit_test_setup_teardown(test_unchanged_not_rewritten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_destination,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_failure_keeps_old,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_sees_staged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_timeout,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_background_child,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_dir,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_and_readonly_fs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_group,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	};

	log_init("test_writer", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
