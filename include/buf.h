/*
 * buf.h - a growable text buffer for building protocol lines and files.
 */
#ifndef BGPSD_BUF_H
#define BGPSD_BUF_H

#include <stddef.h>

struct buf {
	char	*s;		/* NUL-terminated once anything was added */
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

/* append printf-style; fatal on out of memory */
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_free(struct buf *);

#endif
