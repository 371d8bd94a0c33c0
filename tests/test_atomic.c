/*
 * test_atomic.c - atomic_write: content and mode of the new file, no
 * temporary left behind, old file intact when the folder is read-only or
 * missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomic.h"
#include "testlib.h"

/* atomic_write of text to path works: the file has text and mode */
static void
write_ok(const char *path, const char *text, mode_t mode)
{
	char		 err[256];
	struct stat	 st;

	assert_int_equal(atomic_write(path, text, strlen(text), mode,
	    ATOMIC_SYNC, err, sizeof(err)), 0);
	assert_string_equal(tl_slurp(path), text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(st.st_size, strlen(text));
}

static void
test_write_and_replace(void **state)
{
	const char	*path = tl_path("status.json");

	write_ok(path, "first\n", 0640);
	write_ok(path, "second", 0644);
	/* no temporary file left behind */
	assert_int_equal(tl_entries(tl_tmpdir), 1);
}

static void
test_empty(void **state)
{
	write_ok(tl_path("empty"), "", 0600);
}

static void
test_large(void **state)
{
	const char	*path = tl_path("big");
	char		 err[256], *big;
	size_t		 len = 3 * 1024 * 1024 + 7;
	struct stat	 st;

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
readonly_attempt(void *arg)
{
	const char	*path = arg;
	char		 err[256];

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
	const char	*path = tl_path("keep");

	write_ok(path, "old", 0644);
	assert_int_equal(chmod(tl_tmpdir, 0555), 0);
	/* root ignores folder modes: tried as nobody */
	assert_int_equal(tl_as_nobody(readonly_attempt, (void *)path), 0);
	assert_int_equal(chmod(tl_tmpdir, 0700), 0);
	assert_string_equal(tl_slurp(path), "old");
	assert_int_equal(tl_entries(tl_tmpdir), 1);
}

static void
test_missing_dir(void **state)
{
	const char	*path = tl_path("no/such/file");
	char		 err[256];

	assert_int_equal(atomic_write(path, "x", 1, 0644, ATOMIC_SYNC,
	    err, sizeof(err)),
	    -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "create temporary file"));
}

static void
test_target_is_dir(void **state)
{
	const char	*path = tl_path("sub");
	char		 err[256];

	/* rename over a folder fails: the temporary file must be removed */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(atomic_write(path, "x", 1, 0644, ATOMIC_SYNC,
	    err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "rename"));
	assert_int_equal(tl_entries(tl_tmpdir), 1);
	rmdir(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TMPDIR_TEST(test_write_and_replace),
		TL_TMPDIR_TEST(test_empty),
		TL_TMPDIR_TEST(test_large),
		TL_TMPDIR_TEST(test_readonly_dir),
		TL_TMPDIR_TEST(test_missing_dir),
		TL_TMPDIR_TEST(test_target_is_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
