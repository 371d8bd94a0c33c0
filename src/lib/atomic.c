/*
 * atomic.c - atomic file replacement (temporary file, fsync, rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

static int
atomic_fail(char *err, size_t errlen, const char *path, const char *what,
    int saved)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s: %s", path, what,
		    strerror(saved));
	errno = saved;
	return -1;
}

/* make the rename itself durable; failure here is not fatal */
static void
atomic_sync_dir(const char *dir)
{
	int	 fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

int
atomic_write(const char *path, const void *buf, size_t len, mode_t mode,
    int flags, char *err, size_t errlen)
{
	char		 tmp[PATH_MAX], dcopy[PATH_MAX], bcopy[PATH_MAX];
	const char	*dir, *base, *p = buf;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd = -1, saved;
	const char	*what;

	if (path == NULL || *path == '\0' ||
	    strlen(path) >= sizeof(dcopy) - 16)
		return atomic_fail(err, errlen, path == NULL ? "(null)" : path,
		    "bad path", ENAMETOOLONG);
	strcpy(dcopy, path);
	strcpy(bcopy, path);
	dir = dirname(dcopy);
	base = basename(bcopy);
	/* hidden, so that a glob over the folder does not pick it up */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >=
	    sizeof(tmp))
		return atomic_fail(err, errlen, path, "bad path", ENAMETOOLONG);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		what = "create temporary file";
		goto fail_nofile;
	}
	if (fchmod(fd, mode) == -1) {
		what = "fchmod";
		goto fail;
	}
	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			what = "write";
			goto fail;
		}
		off += (size_t)n;
	}
	if ((flags & ATOMIC_SYNC) && fsync(fd) == -1) {
		what = "fsync";
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		what = "close";
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		what = "rename";
		goto fail;
	}
	if (flags & ATOMIC_SYNC)
		atomic_sync_dir(dir);
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return atomic_fail(err, errlen, path, what, saved);
fail_nofile:
	return atomic_fail(err, errlen, path, what, errno);
}
