/*
 * filewatch.c - the fleet benchmark's eye on a rendered file: every time
 * a new version of PATH appears (bgpsd-listen renames a staged file over
 * it, or writes it in place), print one line
 *
 *   <realtime ns> <server lines> <bytes> <fnv-1a 64 hash, hex>
 *
 * flushed at once. "Server lines" are lines whose first word is
 * "server" (haproxy's backend servers). The time is CLOCK_REALTIME, read
 * when the inotify event arrives, so that it compares with the shell's
 * $EPOCHREALTIME. A line for the version present at start comes first
 * ("0 0 0 0" when there is none). inotify watches the directory, so
 * every rename is seen (no polling, no version missed between samples);
 * a version replaced before it was read is read as its successor, and
 * then only the successor is reported.
 *
 *   filewatch [-t SECONDS] PATH
 *
 * Lifetime is bounded by -t (default 3600 s); the harness stops it by
 * its pid (SIGTERM) before that.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FW_READ		(1 << 20)
#define FW_LEAD		(-1)	/* in the blanks that start a line */
#define FW_DONE		(-2)	/* this line is decided */

struct fw_state {
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 mtim;
	off_t		 size;
	int		 seen;
};

static uint64_t
fw_now(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * fw_scan: count the server lines of PATH, its size and hash. Returns
 * -1 when it cannot be opened (absent between two renames: never, since
 * rename replaces atomically; absent before the first render: yes).
 */
static int
fw_scan(const char *path, struct fw_state *st, uint64_t *count,
    uint64_t *bytes, uint64_t *hash)
{
	static char	 buf[FW_READ];
	static const char word[] = "server";
	struct stat	 sb;
	uint64_t	 h = 0xcbf29ce484222325ULL;
	ssize_t		 n, i;
	int		 fd, pos = FW_LEAD;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return -1;
	}
	*count = 0;
	*bytes = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			char c = buf[i];

			h = (h ^ (unsigned char)c) * 0x100000001b3ULL;
			if (c == '\n') {
				pos = FW_LEAD;
				continue;
			}
			if (pos == FW_DONE)
				continue;
			if (pos == FW_LEAD) {
				if (c == ' ' || c == '\t')
					continue;
				pos = 0;
			}
			if (word[pos] != '\0')
				pos = c == word[pos] ? pos + 1 : FW_DONE;
			else {
				/* "server" then a blank: one server line */
				if (c == ' ' || c == '\t')
					(*count)++;
				pos = FW_DONE;
			}
		}
		*bytes += (uint64_t)n;
	}
	close(fd);
	if (n == -1)
		return -1;
	*hash = h;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->mtim = sb.st_mtim;
	st->size = sb.st_size;
	st->seen = 1;
	return 0;
}

/* fw_changed: PATH is not the version last reported */
static int
fw_changed(const char *path, const struct fw_state *st)
{
	struct stat	sb;

	if (stat(path, &sb) == -1)
		return 0;
	return !st->seen || sb.st_dev != st->dev || sb.st_ino != st->ino ||
	    sb.st_size != st->size || sb.st_mtim.tv_sec != st->mtim.tv_sec ||
	    sb.st_mtim.tv_nsec != st->mtim.tv_nsec;
}

static void
fw_report(const char *path, struct fw_state *st)
{
	uint64_t	t, count, bytes, hash;

	t = fw_now(CLOCK_REALTIME);
	if (fw_scan(path, st, &count, &bytes, &hash) == -1)
		return;
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %016" PRIx64 "\n", t,
	    count, bytes, hash);
	fflush(stdout);
}

static void
fw_usage(void)
{
	fprintf(stderr, "usage: filewatch [-t seconds] path\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	char			 dir[PATH_MAX], evbuf[8192];
	struct fw_state		 st;
	struct pollfd		 pfd;
	const char		*path, *slash;
	uint64_t		 end;
	long			 limit = 3600;
	ssize_t			 n;
	int			 ch, in;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		switch (ch) {
		case 't':
			limit = strtol(optarg, NULL, 10);
			if (limit < 1 || limit > 86400)
				fw_usage();
			break;
		default:
			fw_usage();
		}
	}
	if (argc - optind != 1)
		fw_usage();
	path = argv[optind];
	if ((slash = strrchr(path, '/')) == NULL) {
		strcpy(dir, ".");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir) - 1)
			fw_usage();
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (dir[0] == '\0')
			strcpy(dir, "/");
	}
	if ((in = inotify_init1(IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(in, dir, IN_MOVED_TO | IN_CLOSE_WRITE |
	    IN_CREATE) == -1) {
		fprintf(stderr, "filewatch: inotify %s: %s\n", dir,
		    strerror(errno));
		return 1;
	}
	memset(&st, 0, sizeof(st));
	if (fw_changed(path, &st))
		fw_report(path, &st);
	else {
		printf("%" PRIu64 " 0 0 0\n", fw_now(CLOCK_REALTIME));
		fflush(stdout);
	}
	end = fw_now(CLOCK_MONOTONIC) + (uint64_t)limit * 1000000000ULL;
	pfd.fd = in;
	pfd.events = POLLIN;
	while (fw_now(CLOCK_MONOTONIC) < end) {
		if (poll(&pfd, 1, 1000) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (!(pfd.revents & POLLIN))
			continue;
		/* drain the events: whatever changed in the directory, the
		 * question is only whether PATH is a new version */
		n = read(in, evbuf, sizeof(evbuf));
		if (n <= 0)
			continue;
		if (fw_changed(path, &st))
			fw_report(path, &st);
	}
	return 0;
}
