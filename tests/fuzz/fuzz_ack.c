/*
 * fuzz_ack.c - libFuzzer target: what bgpsd-announce reads from ExaBGP on
 * its stdin (acks, neighbor lines, shutdown). The pure parts: lines.c
 * splits the byte stream (cut into reads of fuzzer-chosen sizes) into
 * lines of at most EXABGP_LINE_MAX bytes, answer.c classifies each line.
 *
 * Oracle beyond the sanitizers: a plain reference model run over the
 * whole stream at once must see the same lines, the same classification
 * and the same discarded lines (with the same first bytes), whatever the
 * read sizes were.
 *
 * Then the same stream is the stdin of a real struct exabgp (pipes, the
 * event loop) while routes of four prefixes change between reads, so
 * acks arrive early, late, twice or never: the layer must never hold
 * more lines in flight than there are prefixes (one change per prefix
 * in flight), never count more answers than lines written, and notice
 * the end of the stream (EOF or shutdown).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "announce.h"
#include "answer.h"
#include "lines.h"
#include "ev.h"
#include "log.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_EVENTS	4096

struct fuzz_event {
	int		 toolong;
	size_t		 len;
	enum answer	 msg;
	const char	*text;		/* into the input, for lines */
};

struct fuzz_log {
	struct fuzz_event ev[FUZZ_MAX_EVENTS];
	size_t		 n;
	const uint8_t	*base;		/* stream start (reference) */
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", 0, 0);
	return 0;
}

/* the reference: whole stream in memory, cut at each '\n' */
static void
fuzz_reference(const char *s, size_t n, struct fuzz_log *lg)
{
	const char	*end = s + n, *nl;
	struct fuzz_event *e;

	lg->n = 0;
	while (s < end && lg->n < FUZZ_MAX_EVENTS) {
		nl = memchr(s, '\n', (size_t)(end - s));
		/*
		 * An unfinished line is kept, not reported, unless it is
		 * already too long: that is reported as soon as it is.
		 */
		if (nl == NULL && (size_t)(end - s) <= EXABGP_LINE_MAX)
			break;
		e = &lg->ev[lg->n++];
		e->len = (size_t)((nl != NULL ? nl : end) - s);
		e->toolong = e->len > EXABGP_LINE_MAX;
		e->text = s;
		if (!e->toolong)
			e->msg = answer_parse(s, e->len);
		else
			e->len = LINES_HEAD;	/* what over() gets */
		if (nl == NULL)
			break;
		s = nl + 1;
	}
}

static struct fuzz_log	 ref, got;

static int
fuzz_on_line(const char *line, size_t len, uint64_t lineno, void *arg)
{
	struct fuzz_log		*lg = arg;
	struct fuzz_event	*e;

	if (memchr(line, '\n', len) != NULL || len > EXABGP_LINE_MAX)
		abort();
	if (lg->n >= FUZZ_MAX_EVENTS)
		return 0;
	e = &lg->ev[lg->n++];
	e->toolong = 0;
	e->len = len;
	e->msg = answer_parse(line, len);
	if ((unsigned)e->msg >= ANSWER_MAX || answer_name(e->msg) == NULL)
		abort();
	/* compare the bytes right away: line is only valid now */
	if (lg->n <= ref.n && (ref.ev[lg->n - 1].toolong ||
	    ref.ev[lg->n - 1].len != len ||
	    memcmp(ref.ev[lg->n - 1].text, line, len) != 0))
		abort();
	if (lineno != lg->n)
		abort();
	return 0;
}

static void
fuzz_on_toolong(const char *head, size_t len, uint64_t lineno, void *arg)
{
	struct fuzz_log		*lg = arg;
	struct fuzz_event	*e;

	/* the head of the discarded line: its first LINES_HEAD bytes */
	if (len != LINES_HEAD)
		abort();
	if (lg->n >= FUZZ_MAX_EVENTS)
		return;
	e = &lg->ev[lg->n++];
	e->toolong = 1;
	e->len = len;
	if (lg->n <= ref.n && (!ref.ev[lg->n - 1].toolong ||
	    memcmp(ref.ev[lg->n - 1].text, head, len) != 0))
		abort();
}

#define FUZZ_NPREFIX	4

static struct ev_loop	*loop;
static struct prefix	 pfx[FUZZ_NPREFIX];
/* per prefix: announced with 443, with 80 and 443, withdrawn */
static struct route_want want[FUZZ_NPREFIX][3];
static struct port_meta	 ports[2] = { { 80, 100, 0 }, { 443, 100, 0 } };

static void
fuzz_gone(enum exabgp_gone why, void *arg)
{
	int	*gone = arg;

	*gone = 1 + (int)why;
}

static void
fuzz_setup(void)
{
	char	 s[PREFIX_STRLEN];
	int	 i, j;

	loop = ev_new();
	if (loop == NULL)
		abort();
	for (i = 0; i < FUZZ_NPREFIX; i++) {
		snprintf(s, sizeof(s), i % 2 ? "2001:db8::%d/128" :
		    "192.0.2.%d/32", i + 1);
		if (prefix_parse(s, &pfx[i], 0) == -1)
			abort();
		for (j = 0; j < 3; j++) {
			want[i][j].prefix = pfx[i];
			want[i][j].attrs.asn = 12345;
			want[i][j].attrs.attr.med = -1;
			want[i][j].attrs.attr.local_pref = -1;
			/* 0: 443, 1: 80 and 443, 2: withdrawn */
			want[i][j].announce = j < 2;
			want[i][j].ports = &ports[j == 0];
			want[i][j].nports = j < 2 ? 2 - (size_t)(j == 0) : 0;
		}
	}
}

/* read what the layer wrote, then check its counters */
static void
fuzz_drain(int fd, struct exabgp *x)
{
	char			 buf[65536];
	struct exabgp_stats	 st;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	exabgp_get_stats(x, &st);
	if (st.inflight > FUZZ_NPREFIX || st.done + st.errors > st.lines)
		abort();
}

static void
fuzz_layer(const uint8_t *p, size_t n, size_t seed)
{
	struct exabgp	*x;
	int		 to_us[2], from_us[2], gone = 0, i, k;
	size_t		 chunk, w;
	ssize_t		 r;

	if (pipe2(to_us, O_CLOEXEC) == -1 ||
	    pipe2(from_us, O_CLOEXEC | O_NONBLOCK) == -1)
		abort();
	/* the stream must fit the pipe: the writer is this thread */
	(void)fcntl(to_us[1], F_SETPIPE_SZ, 1 << 20);
	x = exabgp_new(loop, to_us[0], from_us[1], fuzz_gone, &gone);
	if (x == NULL)
		abort();
	exabgp_configure(x, seed & 1 ? 0 : 1, 0, 60 * EV_NSEC);
	for (i = 0; i < 64 && n > 0 && !gone; i++) {
		k = (int)(seed % FUZZ_NPREFIX);
		exabgp_set(x, &want[k][(seed >> 3) % 3]);
		if ((seed >> 6) % 5 == 0)
			exabgp_flush(x);
		chunk = 1 + (seed >> 8) % 300;
		if (chunk > n || i == 63)
			chunk = n;
		for (w = 0; w < chunk; w += (size_t)r) {
			r = write(to_us[1], p + w, chunk - w);
			if (r <= 0)
				abort();
		}
		p += chunk;
		n -= chunk;
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		ev_run_once(loop, 0);
		ev_run_once(loop, 0);
		fuzz_drain(from_us[0], x);
	}
	if ((seed >> 5) % 4 == 0)
		exabgp_withdraw_all(x);
	close(to_us[1]);
	for (i = 0; i < 100 && !gone; i++) {
		ev_run_once(loop, 0);
		fuzz_drain(from_us[0], x);
	}
	if (!gone)
		abort();	/* EOF was never noticed */
	exabgp_free(x);
	close(to_us[0]);
	close(from_us[0]);
	close(from_us[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lines lb;
	const uint8_t	*p, *end;
	size_t		 i, chunk, seed;

	if (size < 1)
		return 0;
	/* byte 0 picks the read sizes; the rest is the stream */
	seed = data[0];
	p = data + 1;
	end = data + size;
	fuzz_reference((const char *)p, (size_t)(end - p), &ref);

	if (lb.buf == NULL)
		lines_init(&lb, EXABGP_LINE_MAX, fuzz_on_line,
		    fuzz_on_toolong, &got);
	lb.len = 0;
	lb.skipping = 0;
	lb.nlines = 0;
	got.n = 0;
	while (p < end) {
		chunk = 1 + (seed % 251);
		seed = seed * 1103515245u + 12345u;
		if (seed % 7 == 0)
			chunk = 1;
		else if (seed % 11 == 0)
			chunk = EXABGP_LINE_MAX + 3;
		if (chunk > (size_t)(end - p))
			chunk = (size_t)(end - p);
		lines_feed(&lb, (const char *)p, chunk);
		p += chunk;
	}
	if (got.n != ref.n)
		abort();
	for (i = 0; i < ref.n; i++) {
		if (got.ev[i].toolong != ref.ev[i].toolong ||
		    got.ev[i].len != ref.ev[i].len)
			abort();
		if (!ref.ev[i].toolong && got.ev[i].msg != ref.ev[i].msg)
			abort();
	}
	/* what the state machine acts on: exact words only */
	for (i = 0; i < ref.n; i++) {
		if (ref.ev[i].toolong)
			continue;
		if (ref.ev[i].msg == ANSWER_DONE &&
		    !(ref.ev[i].len >= 4 && ref.ev[i].len <= 5 &&
		    memcmp(ref.ev[i].text, "done", 4) == 0))
			abort();
	}
	if (loop == NULL)
		fuzz_setup();
	if (size - 1 <= 256 * 1024)
		fuzz_layer(data + 1, size - 1, data[0]);
	return 0;
}
