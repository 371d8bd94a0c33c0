/*
 * fakeclock.c - LD_PRELOAD shim for tests/hardening/test_faults.sh: shifts
 * the wall clock (CLOCK_REALTIME, time(), gettimeofday()) by the number
 * of seconds written in the file $FAKECLOCK_FILE, read at every call, so
 * a test can make the wall clock jump while a daemon runs. The monotonic
 * clock is left alone: timers that use it must not notice anything.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

int	clock_gettime(clockid_t, struct timespec *);
time_t	time(time_t *);
int	gettimeofday(struct timeval *, void *);

static long long
fakeclock_offset(void)
{
	const char	*path = getenv("FAKECLOCK_FILE");
	long long	 off = 0;
	FILE		*fp;

	if (path == NULL || (fp = fopen(path, "re")) == NULL)
		return 0;
	if (fscanf(fp, "%lld", &off) != 1)
		off = 0;
	fclose(fp);
	return off;
}

static int
fakeclock_real(clockid_t id, struct timespec *ts)
{
	static int	(*real)(clockid_t, struct timespec *);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "clock_gettime");
	return real(id, ts);
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int	 rc;

	rc = fakeclock_real(id, ts);
	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += fakeclock_offset();
	return rc;
}

time_t
time(time_t *t)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec	 ts;

	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}
