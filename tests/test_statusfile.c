/*
 * test_statusfile.c - the status and metrics files of both programs:
 * written from a timer, the first at once, then at most once per
 * interval however often something changes, and at exit; atomically,
 * 0644 under any umask, nothing left behind; a failing path keeps the old
 * file, the other file is still written, a good write recovers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "buf.h"
#include "ev.h"
#include "statusfile.h"
#include "testlib.h"

static int		 builds;

static char *
build_status(void *arg)
{
	char	*s;

	(void)arg;
	builds++;
	if (asprintf(&s, "{\"build\": %d}\n", builds) == -1)
		return NULL;
	return s;
}

static char *
build_metrics(void *arg)
{
	struct buf	 b = BUF_INIT;

	(void)arg;
	prom_head(&b, "x_total", "counter", "things");
	buf_printf(&b, "x_total{name=\"");
	prom_label(&b, "a\\b\"c\nd");
	buf_printf(&b, "\"} 1\n");
	return b.s;
}

static int
setup(void **state)
{
	builds = 0;
	return tl_setup(state);
}

static void
test_paced(void **state)
{
	struct statusfile	*sf;
	const char		*sp = tl_path("status.json");
	const char		*mp = tl_path("bgpsd.prom");
	int			 i;

	sf = statusfile_new(tl_loop, build_status, build_metrics, NULL);
	/* no path: touching does nothing */
	statusfile_touch(sf);
	tl_run_for(tl_loop, 50 * EV_MSEC);
	assert_int_equal(statusfile_writes(sf), 0);
	/* a new path: written at the next turn of the loop */
	statusfile_set(sf, sp, mp, 0.3);
	tl_run_for(tl_loop, 20 * EV_MSEC);
	assert_int_equal(statusfile_writes(sf), 1);
	assert_string_equal(tl_slurp(sp), "{\"build\": 1}\n");
	assert_string_equal(tl_slurp(mp), "# HELP x_total things\n"
	    "# TYPE x_total counter\nx_total{name=\"a\\\\b\\\"c\\nd\"} 1\n");
	/* a thousand changes within the interval: one more write */
	for (i = 0; i < 1000; i++) {
		statusfile_touch(sf);
		tl_run_for(tl_loop, 0);
	}
	assert_int_equal(statusfile_writes(sf), 1);
	tl_run_for(tl_loop, 400 * EV_MSEC);
	assert_int_equal(statusfile_writes(sf), 2);
	assert_string_equal(tl_slurp(sp), "{\"build\": 2}\n");
	/* nothing changed: nothing written */
	tl_run_for(tl_loop, 400 * EV_MSEC);
	assert_int_equal(statusfile_writes(sf), 2);
	/* at exit: at once */
	assert_int_equal(statusfile_write(sf), 0);
	assert_int_equal(statusfile_writes(sf), 3);
	assert_int_equal(tl_entries(tl_tmpdir), 2);
	statusfile_free(sf);
}

static void
test_modes(void **state)
{
	struct statusfile	*sf;
	const char		*sp = tl_path("status.json");
	const char		*mp = tl_path("bgpsd.prom");
	struct stat		 st;
	mode_t			 um, masks[] = { 0, 077, 0777 };
	size_t			 i;

	sf = statusfile_new(tl_loop, build_status, build_metrics, NULL);
	statusfile_set(sf, sp, mp, 1);
	/* an old file is replaced */
	tl_spit(sp, "old\n");
	for (i = 0; i < TL_NITEMS(masks); i++) {
		um = umask(masks[i]);
		assert_int_equal(statusfile_write(sf), 0);
		umask(um);
		/* readable by the collector, never writable by others */
		assert_int_equal(stat(sp, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		assert_int_equal(stat(mp, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		/* no temporary file left behind */
		assert_int_equal(tl_entries(tl_tmpdir), 2);
	}
	/* only one of the two files: only that one written */
	unlink(sp);
	unlink(mp);
	statusfile_set(sf, NULL, mp, 1);
	assert_int_equal(statusfile_write(sf), 0);
	assert_int_equal(access(sp, F_OK), -1);
	assert_int_equal(access(mp, F_OK), 0);
	statusfile_free(sf);
}

static void
test_fails(void **state)
{
	struct statusfile	*sf;
	const char		*sp = tl_path("nope/status.json");
	const char		*mp = tl_path("bgpsd.prom");
	char			 base[251];

	sf = statusfile_new(tl_loop, build_status, build_metrics, NULL);
	/* a folder that does not exist: -1, the other file still written */
	statusfile_set(sf, sp, mp, 1);
	assert_int_equal(statusfile_write(sf), -1);
	assert_int_equal(access(mp, F_OK), 0);
	unlink(mp);
	/*
	 * An existing file whose temporary sibling cannot be created (the
	 * name would pass NAME_MAX); works as root too. The old content
	 * stays, and nothing is left behind.
	 */
	memset(base, 'b', sizeof(base) - 1);
	base[sizeof(base) - 1] = '\0';
	sp = tl_path("%s", base);
	tl_spit(sp, "{\"old\": true}\n");
	statusfile_set(sf, sp, NULL, 1);
	assert_int_equal(statusfile_write(sf), -1);
	assert_int_equal(statusfile_write(sf), -1);
	assert_string_equal(tl_slurp(sp), "{\"old\": true}\n");
	assert_int_equal(tl_entries(tl_tmpdir), 1);
	/* fixed: a good write works again */
	unlink(sp);
	sp = tl_path("status.json");
	statusfile_set(sf, sp, NULL, 1);
	assert_int_equal(statusfile_write(sf), 0);
	assert_non_null(strstr(tl_slurp(sp), "\"build\""));
	statusfile_free(sf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_SETUP_TEST(test_paced),
		TL_SETUP_TEST(test_modes),
		TL_SETUP_TEST(test_fails),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
