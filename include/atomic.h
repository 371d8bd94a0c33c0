/*
 * atomic.h - replace a file atomically: a temporary file in the same
 * folder, written in full, fsync'ed, then rename(2)d over the target.
 * Readers see either the old or the new content, never a mix, and a
 * failure at any step leaves the old file intact.
 */
#ifndef BGPSD_ATOMIC_H
#define BGPSD_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#define ATOMIC_SYNC	0x01	/* fsync the file and the directory */

/*
 * Write len bytes of buf to path with the given mode (not masked by the
 * umask). Without ATOMIC_SYNC nothing waits for the disk: readers still
 * see the old or the new file whole, but a crash may lose the new one
 * (right for status files, which describe a running process). 0 on
 * success; -1 with a message ("path: what: strerror") in err otherwise.
 * Never logs: the caller decides.
 */
int	atomic_write(const char *path, const void *buf, size_t len,
	    mode_t mode, int flags, char *err, size_t errlen);

#endif
