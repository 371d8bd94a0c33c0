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
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "statusfile.h"

static char		 dir[64];
static struct ev_loop	*loop;
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

static char *
slurp(const char *path)
{
	static char	 buf[4096];
	FILE		*fp;
	size_t		 n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
spit(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static size_t
dir_count(void)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	size_t		 n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_statusfile.XXXXXX");
	if (mkdtemp(dir) == NULL || (loop = ev_new()) == NULL)
		return -1;
	builds = 0;
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[256];

	(void)state;
	ev_free(loop);
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", dir,
	    dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* run the loop for ms milliseconds */
static void
run_for(int ms)
{
	uint64_t	 end = ev_monotonic() + (uint64_t)ms * EV_MSEC;

	while (ev_monotonic() < end)
		ev_run_once(loop, (int64_t)(end - ev_monotonic()));
}

static void
test_paced(void **state)
{
	struct statusfile	*sf;
	char			 sp[128], mp[128];
	int			 i;

	(void)state;
	snprintf(sp, sizeof(sp), "%s/status.json", dir);
	snprintf(mp, sizeof(mp), "%s/bgpsd.prom", dir);
	sf = statusfile_new(loop, build_status, build_metrics, NULL);
	/* no path: touching does nothing */
	statusfile_touch(sf);
	run_for(50);
	assert_int_equal(statusfile_writes(sf), 0);
	/* a new path: written at the next turn of the loop */
	statusfile_set(sf, sp, mp, 0.3);
	run_for(20);
	assert_int_equal(statusfile_writes(sf), 1);
	assert_string_equal(slurp(sp), "{\"build\": 1}\n");
	assert_string_equal(slurp(mp), "# HELP x_total things\n"
	    "# TYPE x_total counter\nx_total{name=\"a\\\\b\\\"c\\nd\"} 1\n");
	/* a thousand changes within the interval: one more write */
	for (i = 0; i < 1000; i++) {
		statusfile_touch(sf);
		run_for(0);
	}
	assert_int_equal(statusfile_writes(sf), 1);
	run_for(400);
	assert_int_equal(statusfile_writes(sf), 2);
	assert_string_equal(slurp(sp), "{\"build\": 2}\n");
	/* nothing changed: nothing written */
	run_for(400);
	assert_int_equal(statusfile_writes(sf), 2);
	/* at exit: at once */
	assert_int_equal(statusfile_write(sf), 0);
	assert_int_equal(statusfile_writes(sf), 3);
	assert_int_equal(dir_count(), 2);
	statusfile_free(sf);
}

static void
test_modes(void **state)
{
	struct statusfile	*sf;
	char			 sp[128], mp[128];
	struct stat		 st;
	mode_t			 um, masks[] = { 0, 077, 0777 };
	size_t			 i;

	(void)state;
	snprintf(sp, sizeof(sp), "%s/status.json", dir);
	snprintf(mp, sizeof(mp), "%s/bgpsd.prom", dir);
	sf = statusfile_new(loop, build_status, build_metrics, NULL);
	statusfile_set(sf, sp, mp, 1);
	/* an old file is replaced */
	spit(sp, "old\n");
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		um = umask(masks[i]);
		assert_int_equal(statusfile_write(sf), 0);
		umask(um);
		/* readable by the collector, never writable by others */
		assert_int_equal(stat(sp, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		assert_int_equal(stat(mp, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		/* no temporary file left behind */
		assert_int_equal(dir_count(), 2);
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
	char			 sp[512], mp[128], base[251];

	(void)state;
	snprintf(mp, sizeof(mp), "%s/bgpsd.prom", dir);
	sf = statusfile_new(loop, build_status, build_metrics, NULL);
	/* a folder that does not exist: -1, the other file still written */
	snprintf(sp, sizeof(sp), "%s/nope/status.json", dir);
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
	snprintf(sp, sizeof(sp), "%s/%s", dir, base);
	spit(sp, "{\"old\": true}\n");
	statusfile_set(sf, sp, NULL, 1);
	assert_int_equal(statusfile_write(sf), -1);
	assert_int_equal(statusfile_write(sf), -1);
	assert_string_equal(slurp(sp), "{\"old\": true}\n");
	assert_int_equal(dir_count(), 1);
	/* fixed: a good write works again */
	unlink(sp);
	snprintf(sp, sizeof(sp), "%s/status.json", dir);
	statusfile_set(sf, sp, NULL, 1);
	assert_int_equal(statusfile_write(sf), 0);
	assert_non_null(strstr(slurp(sp), "\"build\""));
	statusfile_free(sf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_paced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fails, setup, teardown),
	};

	log_init("test_statusfile", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
