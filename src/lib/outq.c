/*
 * outq.c - lines to ExaBGP on a nonblocking fd, each tracked until its
 * last byte is written. See outq.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "outq.h"

/* a line in the buffer, until its last byte is written */
struct outq_line {
	uint64_t	 seq;
	uintptr_t	 tag;
	size_t		 left;		/* bytes not written yet, '\n' too */
	char		*line;
};

struct outq {
	struct ev_loop	*loop;
	int		 fd;
	int		 flags;		/* restored on free; -1 none */
	int		 watched;	/* EV_WRITE asked of the loop */
	int		 failed;
	outq_written_cb	 written;
	outq_error_cb	 error;
	void		*arg;

	char		*buf;
	size_t		 len;		/* bytes in buf */
	size_t		 off;		/* of which written */
	size_t		 cap;

	struct outq_line *q;		/* a ring, in buffer order */
	size_t		 qhead, qlen, qcap;
	uint64_t	 seq;
};

static struct outq_line *
outq_at(const struct outq *o, size_t i)
{
	return &o->q[(o->qhead + i) % o->qcap];
}

static void
outq_cb(int fd, unsigned int events, void *arg)
{
	outq_flush(arg);
}

static void
outq_watch(struct outq *o, int on)
{
	if (on && !o->watched) {
		if (ev_io_add(o->loop, o->fd, EV_WRITE, outq_cb, o) == -1) {
			log_warn("watch stdout");
			return;
		}
		o->watched = 1;
	} else if (!on && o->watched) {
		ev_io_del(o->loop, o->fd);
		o->watched = 0;
	}
}

struct outq *
outq_new(struct ev_loop *loop, int fd, outq_written_cb written,
    outq_error_cb error, void *arg)
{
	struct outq	*o;
	int		 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    ((fl & O_NONBLOCK) == 0 &&
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)) {
		log_warn("stdout: O_NONBLOCK");
		return NULL;
	}
	o = xcalloc(1, sizeof(*o));
	o->loop = loop;
	o->fd = fd;
	o->flags = fl;
	o->written = written;
	o->error = error;
	o->arg = arg;
	return o;
}

void
outq_free(struct outq *o)
{
	size_t	 i;

	if (o == NULL)
		return;
	outq_watch(o, 0);
	if (o->flags != -1)
		(void)fcntl(o->fd, F_SETFL, o->flags);
	for (i = 0; i < o->qlen; i++)
		free(outq_at(o, i)->line);
	free(o->q);
	free(o->buf);
	free(o);
}

/* n more bytes left through write(2): finish the lines they complete */
static void
outq_advance(struct outq *o, size_t n)
{
	struct outq_line	 done;
	struct outq_line	*l;
	size_t			 take;

	while (n > 0 && o->qlen > 0) {
		l = outq_at(o, 0);
		take = n < l->left ? n : l->left;
		l->left -= take;
		n -= take;
		if (l->left > 0)
			break;
		done = *l;
		o->qhead = (o->qhead + 1) % o->qcap;
		o->qlen--;
		if (o->written != NULL)
			o->written(done.seq, done.line, done.tag, o->arg);
		free(done.line);
	}
}

void
outq_flush(struct outq *o)
{
	ssize_t	 n;

	while (!o->failed && o->off < o->len) {
		n = write(o->fd, o->buf + o->off, o->len - o->off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				outq_watch(o, 1);
				return;
			}
			o->failed = 1;
			outq_watch(o, 0);
			if (o->error != NULL)
				o->error(errno, o->arg);
			return;
		}
		o->off += (size_t)n;
		outq_advance(o, (size_t)n);
	}
	if (o->off < o->len)
		return;		/* failed: what is left is outq_line's */
	o->off = o->len = 0;
	outq_watch(o, 0);
}

uint64_t
outq_push(struct outq *o, const char *line, uintptr_t tag)
{
	struct outq_line	*nq, *l;
	size_t			 len = strlen(line), i, ncap;

	if (o->off > 0 && o->off == o->len)
		o->off = o->len = 0;
	if (o->len + len + 1 > o->cap) {
		if (o->off > 0) {
			memmove(o->buf, o->buf + o->off, o->len - o->off);
			o->len -= o->off;
			o->off = 0;
		}
		while (o->len + len + 1 > o->cap)
			o->cap = o->cap == 0 ? 4096 : o->cap * 2;
		o->buf = xreallocarray(o->buf, o->cap, 1);
	}
	memcpy(o->buf + o->len, line, len);
	o->buf[o->len + len] = '\n';
	o->len += len + 1;
	if (o->qlen == o->qcap) {
		ncap = o->qcap == 0 ? 16 : o->qcap * 2;
		nq = xreallocarray(NULL, ncap, sizeof(*nq));
		for (i = 0; i < o->qlen; i++)
			nq[i] = *outq_at(o, i);
		free(o->q);
		o->q = nq;
		o->qcap = ncap;
		o->qhead = 0;
	}
	l = outq_at(o, o->qlen++);
	l->seq = ++o->seq;
	l->tag = tag;
	l->left = len + 1;
	l->line = xstrdup(line);
	return l->seq;
}

size_t
outq_lines(const struct outq *o)
{
	return o->qlen;
}

size_t
outq_bytes(const struct outq *o)
{
	return o->len - o->off;
}

const char *
outq_line(const struct outq *o, size_t i, uintptr_t *tag, uint64_t *seq)
{
	const struct outq_line	*l;

	if (i >= o->qlen)
		return NULL;
	l = outq_at(o, i);
	if (tag != NULL)
		*tag = l->tag;
	if (seq != NULL)
		*seq = l->seq;
	return l->line;
}

int
outq_failed(const struct outq *o)
{
	return o->failed;
}
