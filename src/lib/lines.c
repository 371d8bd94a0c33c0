/*
 * lines.c - cut ExaBGP's output into lines, whatever the read sizes, with
 * a hard limit: a line longer than max is reported with its first bytes
 * and dropped up to its newline without ever being held in memory whole.
 */
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "log.h"

void
lines_init(struct lines *lb, size_t max, lines_line_cb line,
    lines_over_cb over, void *arg)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max;
	lb->buf = xmalloc(max + 1);
	lb->line = line;
	lb->over = over;
	lb->arg = arg;
}

void
lines_free(struct lines *lb)
{
	free(lb->buf);
	lb->buf = NULL;
}

void
lines_setmax(struct lines *lb, size_t max)
{
	if (lb->len > max) {
		/* the partial line no longer fits: drop it whole */
		lb->len = 0;
		lb->skipping = 1;
	}
	lb->buf = xreallocarray(lb->buf, 1, max + 1);
	lb->max = max;
}

/* the first LINES_HEAD bytes of buffered + new data */
static void
lines_oversized(struct lines *lb, const char *data, size_t take)
{
	char	head[LINES_HEAD];
	size_t	n, m;

	lb->nlines++;
	lb->noversized++;
	n = lb->len < sizeof(head) ? lb->len : sizeof(head);
	memcpy(head, lb->buf, n);
	m = take < sizeof(head) - n ? take : sizeof(head) - n;
	memcpy(head + n, data, m);
	if (lb->over != NULL)
		lb->over(head, n + m, lb->nlines, lb->arg);
	lb->len = 0;
}

int
lines_feed(struct lines *lb, const char *data, size_t n)
{
	const char	*nl;
	size_t		 take;
	int		 stop = 0;

	while (n > 0 && !stop) {
		nl = memchr(data, '\n', n);
		take = nl != NULL ? (size_t)(nl - data) : n;
		if (lb->skipping) {
			if (nl == NULL)
				return 0;
			lb->skipping = 0;
		} else if (lb->len + take > lb->max) {
			lines_oversized(lb, data, take);
			if (nl == NULL) {
				lb->skipping = 1;
				return 0;
			}
		} else if (nl == NULL) {
			memcpy(lb->buf + lb->len, data, take);
			lb->len += take;
			return 0;
		} else if (lb->len > 0) {
			memcpy(lb->buf + lb->len, data, take);
			lb->len += take;
			lb->nlines++;
			stop = lb->line(lb->buf, lb->len, lb->nlines, lb->arg);
			lb->len = 0;
		} else {
			lb->nlines++;
			stop = lb->line(data, take, lb->nlines, lb->arg);
		}
		data += take + 1;
		n -= take + 1;
	}
	return stop;
}

int
lines_eof(struct lines *lb)
{
	int	stop = 0;

	if (!lb->skipping && lb->len > 0) {
		lb->nlines++;
		stop = lb->line(lb->buf, lb->len, lb->nlines, lb->arg);
	}
	lb->len = 0;
	lb->skipping = 0;
	return stop;
}
