/*
 * lines.h - a byte stream (ExaBGP's pipe to us) cut into lines, whatever
 * the read sizes, with a hard limit: a line longer than max is reported
 * with its first bytes and dropped up to its newline without ever being
 * held in memory whole. Both programs read ExaBGP through it.
 */
#ifndef BGPSD_LINES_H
#define BGPSD_LINES_H

#include <stddef.h>
#include <stdint.h>

/*
 * line() gets each line without its newline (not NUL-terminated) and its
 * number; over() the first LINES_HEAD bytes of an oversized one (raw:
 * sanitize before logging). A callback returns non-zero to stop: the rest
 * of the data is dropped.
 */
#define LINES_HEAD	80

typedef int	(*lines_line_cb)(const char *line, size_t len, uint64_t lineno,
		    void *arg);
typedef void	(*lines_over_cb)(const char *head, size_t len, uint64_t lineno,
		    void *arg);

struct lines {
	char		*buf;
	size_t		 len;
	size_t		 max;
	int		 skipping;	/* inside an oversized line */
	uint64_t	 nlines;	/* lines seen, oversized ones too */
	uint64_t	 noversized;
	lines_line_cb	 line;
	lines_over_cb	 over;
	void		*arg;
};

void		 lines_init(struct lines *, size_t max, lines_line_cb,
		    lines_over_cb, void *arg);
void		 lines_free(struct lines *);
/* a new limit (SIGHUP); a partial line over it is dropped */
void		 lines_setmax(struct lines *, size_t max);
/* 0, or what a callback returned to stop */
int		 lines_feed(struct lines *, const char *, size_t);
/* the last line may lack its newline; resets the state */
int		 lines_eof(struct lines *);

#endif
