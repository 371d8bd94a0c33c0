/*
 * floor_json.c - the floor for the listener: read a stream of ExaBGP
 * JSON lines from stdin and only parse each with jansson (json_loadb
 * with JSON_REJECT_DUPLICATES, exactly as src/listen/exabgp_json.c
 * does), then free it. No decoding, no table, no render: what any
 * jansson-based reader must pay at least.
 *
 *   floor_json < stream.jsonl
 *
 * Prints: floor_json lines=N bad=N cpu_s=X lines_per_cpu_s=Y wall_s=Z
 * (read(2) in 1 MiB blocks and line splitting included, like a real
 * reader).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_util.h"

#define FJ_BUF		(1024 * 1024)

static uint64_t	fj_lines, fj_bad;

static void
fj_line(const char *s, size_t len)
{
	json_error_t	 jerr;
	json_t		*root;

	if (len == 0)
		return;
	fj_lines++;
	root = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		fj_bad++;
		return;
	}
	json_decref(root);
}

int
main(void)
{
	char		*buf, *nl, *p;
	size_t		 len = 0;
	ssize_t		 n;
	double		 cpu0 = bench_cpu_s(), wall0 = bench_now_ns() / 1e9, cpu;

	if ((buf = malloc(FJ_BUF)) == NULL)
		return 1;
	for (;;) {
		n = read(STDIN_FILENO, buf + len, FJ_BUF - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		p = buf;
		while ((nl = memchr(p, '\n', len - (size_t)(p - buf))) !=
		    NULL) {
			fj_line(p, (size_t)(nl - p));
			p = nl + 1;
		}
		len -= (size_t)(p - buf);
		memmove(buf, p, len);
		if (len == FJ_BUF)	/* a line longer than the buffer */
			len = 0;
	}
	fj_line(buf, len);
	cpu = bench_cpu_s() - cpu0;
	printf("floor_json lines=%llu bad=%llu cpu_s=%.3f "
	    "lines_per_cpu_s=%.0f wall_s=%.3f\n",
	    (unsigned long long)fj_lines, (unsigned long long)fj_bad, cpu,
	    cpu > 0 ? fj_lines / cpu : 0.0, bench_now_ns() / 1e9 - wall0);
	free(buf);
	return fj_lines > 0 ? 0 : 1;
}
