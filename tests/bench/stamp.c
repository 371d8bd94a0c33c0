/*
 * stamp.c - copy stdin to stdout line by line, each line prefixed with
 * the CLOCK_MONOTONIC time (ns) at which it was read, and flushed at
 * once. Put behind a program's stdout to time its output lines against
 * events stamped on the same clock (listeners' "closed PORT T").
 *
 *   program | stamp [-r] > file
 *
 * -r stamps with CLOCK_REALTIME instead, to compare with times taken by
 * a shell ($EPOCHREALTIME) or another host's stamps.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	char		 buf[65536], line[65536];
	struct timespec	 ts;
	clockid_t	 clk = CLOCK_MONOTONIC;
	size_t		 len = 0;
	ssize_t		 n, i;

	if (argc == 2 && strcmp(argv[1], "-r") == 0)
		clk = CLOCK_REALTIME;
	else if (argc != 1) {
		fprintf(stderr, "usage: stamp [-r]\n");
		return 2;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		/* one stamp per read: the lines in it arrived together */
		clock_gettime(clk, &ts);
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			printf("%llu %s\n", (unsigned long long)ts.tv_sec *
			    1000000000ULL + (unsigned long long)ts.tv_nsec,
			    line);
			len = 0;
		}
		fflush(stdout);
	}
	return 0;
}
