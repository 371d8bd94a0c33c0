/*
 * bench_util.c - shared by the bench programs; see bench_util.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

uint64_t
bench_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* user + system time of this process, in seconds */
double
bench_cpu_s(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int
bench_dcmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * getopt(3) over a table of options: each program lists its letters,
 * their types and where they go, and checks the ranges itself. On an
 * unknown option prints usage to stderr and returns -1.
 */
int
bench_options(int argc, char *argv[], const struct bench_opt *opts,
    size_t nopts, const char *usage)
{
	char	spec[64];
	size_t	i, n = 0;
	int	ch;

	for (i = 0; i < nopts && n + 3 <= sizeof(spec); i++) {
		spec[n++] = (char)opts[i].ch;
		if (opts[i].type != BENCH_FLAG)
			spec[n++] = ':';
	}
	spec[n] = '\0';
	while ((ch = getopt(argc, argv, spec)) != -1) {
		for (i = 0; i < nopts && opts[i].ch != ch; i++)
			;
		if (i == nopts) {
			fprintf(stderr, "%s", usage);
			return -1;
		}
		switch (opts[i].type) {
		case BENCH_FLAG:
			*(int *)opts[i].dst = 1;
			break;
		case BENCH_INT:
			*(int *)opts[i].dst = atoi(optarg);
			break;
		case BENCH_DOUBLE:
			*(double *)opts[i].dst = atof(optarg);
			break;
		case BENCH_U64:
			*(uint64_t *)opts[i].dst = strtoull(optarg, NULL, 10);
			break;
		case BENCH_STR:
			*(const char **)opts[i].dst = optarg;
			break;
		}
	}
	return 0;
}
