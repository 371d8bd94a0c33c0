/*
 * fuzz_conf.c - libFuzzer target: conf_load() of bgpsd.conf(5), both the
 * announce and the listen section (the seeds have both). conf_load only
 * reads a path, so each input is written to a file in a private folder
 * under /dev/shm (a tmpfs: no disk I/O per execution).
 *
 * Oracles beyond the sanitizers: a refused config gives a non-empty
 * message that names a file ("path:line: ..." or "path: ..."); an
 * accepted one prints in canonical form, and that text loads again and
 * prints identically (print -> load -> print is a fixed point).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "printconf.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 dir[64];
static char	 path[128];
static char	 path2[128];

static void
fuzz_cleanup(void)
{
	unlink(path);
	unlink(path2);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", 0, 0);
	snprintf(dir, sizeof(dir), "/dev/shm/bgpsd-fuzz-conf.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/bgpsd-fuzz-conf.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/bgpsd.conf", dir);
	snprintf(path2, sizeof(path2), "%s/printed.conf", dir);
	atexit(fuzz_cleanup);
	return 0;
}

static void
fuzz_write(const char *p, const void *buf, size_t len)
{
	int	 fd;

	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (len > 0 && write(fd, buf, len) != (ssize_t)len))
		abort();
	close(fd);
}

static char *
fuzz_print(const struct bgpsd_conf *c)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		abort();
	conf_print(fp, c);
	if (fclose(fp) != 0)
		abort();
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgpsd_conf	*c, *c2;
	char			 err[1024], err2[1024];
	char			*p1, *p2;

	fuzz_write(path, data, size);
	err[0] = '\0';
	c = conf_load(path, err, sizeof(err));
	if (c == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		/* always names a file: ours or one it included */
		if (strstr(err, ": ") == NULL)
			abort();
		return 0;
	}
	p1 = fuzz_print(c);
	fuzz_write(path2, p1, strlen(p1));
	err2[0] = '\0';
	c2 = conf_load(path2, err2, sizeof(err2));
	if (c2 == NULL) {
		fprintf(stderr, "canonical form refused: %s\n%s\n", err2, p1);
		abort();
	}
	p2 = fuzz_print(c2);
	if (strcmp(p1, p2) != 0) {
		fprintf(stderr, "not a fixed point:\n%s\n----\n%s\n", p1, p2);
		abort();
	}
	free(p2);
	free(p1);
	conf_free(c2);
	conf_free(c);
	return 0;
}
