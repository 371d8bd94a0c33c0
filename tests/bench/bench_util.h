/*
 * bench_util.h - what every bench program in tests/bench needs: the
 * monotonic clock, the process's own CPU time, a comparator for qsort
 * and one table-driven option parser (linked into each bench binary,
 * see the tests/bench rule in the Makefile).
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* how an option's argument is stored in bench_opt.dst */
enum bench_opt_type {
	BENCH_FLAG,	/* int, set to 1; takes no argument */
	BENCH_INT,	/* int, atoi() */
	BENCH_DOUBLE,	/* double, atof() */
	BENCH_U64,	/* uint64_t, strtoull() base 10 */
	BENCH_STR,	/* const char *, the argument itself */
};

struct bench_opt {
	int			 ch;
	enum bench_opt_type	 type;
	void			*dst;
};

uint64_t	bench_now_ns(void);
double		bench_cpu_s(void);
int		bench_dcmp(const void *, const void *);
int		bench_options(int, char *[], const struct bench_opt *, size_t,
		    const char *);

#endif
