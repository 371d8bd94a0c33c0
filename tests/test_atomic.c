/*
 * test_atomic.c - atomic_write: content and mode of the new file, no
 * temporary left behind, old file intact when the folder is read-only or
 * missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomic.h"

static char	tmpdir[256];

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_atomic.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	DIR		*d;
	struct dirent	*de;
	char		 p[512];

	chmod(tmpdir, 0700);
	if ((d = opendir(tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static size_t
count_entries(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
read_file(const char *path, char *buf, size_t len)
{
	FILE	*f;
	size_t	 n;

	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
test_write_and_replace(void **state)
{
	char		 path[512], buf[64], err[256];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/status.json", tmpdir);
	assert_int_equal(atomic_write(path, "first\n", 6, 0640, ATOMIC_SYNC,
	    err, sizeof(err)), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "first\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	assert_int_equal(atomic_write(path, "second", 6, 0644, ATOMIC_SYNC, err,
	    sizeof(err)), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "second");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* no temporary file left behind */
	assert_int_equal(count_entries(tmpdir), 1);
}

static void
test_empty(void **state)
{
	char		 path[512], err[256];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	assert_int_equal(atomic_write(path, "", 0, 0600, ATOMIC_SYNC,
	    err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void
test_large(void **state)
{
	char		 path[512], err[256];
	char		*big;
	size_t		 len = 3 * 1024 * 1024 + 7;
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/big", tmpdir);
	big = malloc(len);
	assert_non_null(big);
	memset(big, 'x', len);
	assert_int_equal(atomic_write(path, big, len, 0600, ATOMIC_SYNC,
	    err, sizeof(err)),
	    0);
	free(big);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, len);
}

/* the failing write, run as an unprivileged user when we are root */
static int
readonly_attempt(const char *path)
{
	char	 err[256];

	err[0] = '\0';
	if (atomic_write(path, "new", 3, 0644, ATOMIC_SYNC,
	    err, sizeof(err)) != -1)
		return 1;
	if (errno != EACCES)
		return 2;
	if (strstr(err, path) == NULL || strstr(err, "Permission denied") ==
	    NULL)
		return 3;
	return 0;
}

static void
test_readonly_dir(void **state)
{
	char	 path[512], buf[64], err[256];
	pid_t	 pid;
	int	 status;

	snprintf(path, sizeof(path), "%s/keep", tmpdir);
	assert_int_equal(atomic_write(path, "old", 3, 0644, ATOMIC_SYNC,
	    err, sizeof(err)),
	    0);
	assert_int_equal(chmod(tmpdir, 0555), 0);
	if (geteuid() != 0)
		assert_int_equal(readonly_attempt(path), 0);
	else {
		/* root ignores folder modes: try as nobody */
		pid = fork();
		assert_true(pid != -1);
		if (pid == 0) {
			if (setgid(65534) == -1 || setuid(65534) == -1)
				_exit(9);
			_exit(readonly_attempt(path));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(chmod(tmpdir, 0700), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "old");
	assert_int_equal(count_entries(tmpdir), 1);
}

static void
test_missing_dir(void **state)
{
	char	 path[512], err[256];

	snprintf(path, sizeof(path), "%s/no/such/file", tmpdir);
	assert_int_equal(atomic_write(path, "x", 1, 0644, ATOMIC_SYNC,
	    err, sizeof(err)),
	    -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "create temporary file"));
}

static void
test_target_is_dir(void **state)
{
	char	 path[512], err[256];

	/* rename over a folder fails: the temporary file must be removed */
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(atomic_write(path, "x", 1, 0644, ATOMIC_SYNC,
	    err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "rename"));
	assert_int_equal(count_entries(tmpdir), 1);
	rmdir(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_replace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_target_is_dir, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
