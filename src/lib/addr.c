/*
 * addr.c - IPv4/IPv6 addresses and prefixes. Parsing is strict: config
 * files and ExaBGP messages are the only inputs and a lenient parser would
 * let "10.1" or "fe80::1%eth0" slip into a route table.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"

/* longest text we ever accept for an address, excluding "/len" */
#define ADDR_TEXT_MAX	(ADDR_STRLEN - 1)

static int
addr_text_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > ADDR_TEXT_MAX)
		return 0;
	/* inet_pton already refuses most junk; be explicit about the rest */
	for (i = 0; i < n; i++) {
		char	 c = s[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F') || c == '.' || c == ':')
			continue;
		return 0;
	}
	return 1;
}

/* parse exactly n bytes of s */
static int
addr_parse_n(const char *s, size_t n, struct addr *a)
{
	char	 buf[ADDR_TEXT_MAX + 1];

	if (!addr_text_ok(s, n))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (memchr(buf, ':', n) != NULL) {
		if (inet_pton(AF_INET6, buf, &a->u.v6) != 1)
			return -1;
		a->family = AF_INET6;
	} else {
		/* glibc inet_pton refuses "1.2.3", "010.1.1.1", "1.2.3.4." */
		if (inet_pton(AF_INET, buf, &a->u.v4) != 1)
			return -1;
		a->family = AF_INET;
	}
	return 0;
}

int
addr_parse(const char *s, struct addr *a)
{
	if (s == NULL)
		return -1;
	return addr_parse_n(s, strlen(s), a);
}

int
addr_maxlen(const struct addr *a)
{
	return a->family == AF_INET6 ? 128 : 32;
}

static size_t
addr_size(const struct addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

/* 1 if any bit beyond the first len bits of a is set */
static int
addr_host_bits(const struct addr *a, int len)
{
	size_t	 i, n = addr_size(a);
	uint8_t	 mask;

	for (i = (size_t)len / 8; i < n; i++) {
		if (i == (size_t)len / 8 && len % 8 != 0)
			mask = (uint8_t)(0xff >> (len % 8));
		else
			mask = 0xff;
		if (a->u.bytes[i] & mask)
			return 1;
	}
	return 0;
}

int
prefix_parse(const char *s, struct prefix *p, int allow_bare)
{
	const char	*slash, *d;
	struct prefix	 tmp;
	int		 len;

	if (s == NULL)
		return -1;
	memset(&tmp, 0, sizeof(tmp));
	if ((slash = strchr(s, '/')) == NULL) {
		if (!allow_bare || addr_parse(s, &tmp.addr) == -1)
			return -1;
		tmp.len = (uint8_t)addr_maxlen(&tmp.addr);
		*p = tmp;
		return 0;
	}
	if (addr_parse_n(s, (size_t)(slash - s), &tmp.addr) == -1)
		return -1;

	/* decimal, 1..3 digits, no sign, no leading zero ("/032" is junk) */
	d = slash + 1;
	if (d[0] < '0' || d[0] > '9')
		return -1;
	if (d[0] == '0' && d[1] != '\0')
		return -1;
	len = 0;
	for (; *d != '\0'; d++) {
		if (*d < '0' || *d > '9' || len > 128)
			return -1;
		len = len * 10 + (*d - '0');
	}
	if (len > addr_maxlen(&tmp.addr))
		return -1;
	if (addr_host_bits(&tmp.addr, len))
		return -1;
	tmp.len = (uint8_t)len;
	*p = tmp;
	return 0;
}

/*
 * IPv4 by hand: glibc's inet_ntop formats it with sprintf, and
 * bgpsd-listen formats every backend's address at every render.
 */
static const char *
addr_fmt4(const uint8_t *b, char *buf, size_t sz)
{
	char	 t[16], *p = t;
	int	 i;

	for (i = 0; i < 4; i++) {
		if (b[i] >= 100)
			*p++ = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			*p++ = (char)('0' + b[i] / 10 % 10);
		*p++ = (char)('0' + b[i] % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	if ((size_t)(p - t) > sz) {
		if (sz > 0)
			buf[0] = '\0';
		return buf;
	}
	memcpy(buf, t, (size_t)(p - t));
	return buf;
}

const char *
addr_fmt(const struct addr *a, char *buf, size_t sz)
{
	int	 af = a->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (a->family != AF_INET && a->family != AF_INET6) {
		if (sz > 0)
			buf[0] = '\0';
		return buf;
	}
	if (a->family == AF_INET)
		return addr_fmt4(a->u.bytes, buf, sz);
	if (inet_ntop(af, a->u.bytes, buf, (socklen_t)sz) == NULL && sz > 0)
		buf[0] = '\0';
	return buf;
}

const char *
prefix_fmt(const struct prefix *p, char *buf, size_t sz)
{
	char	 a[ADDR_STRLEN];
	int	 n;

	addr_fmt(&p->addr, a, sizeof(a));
	n = snprintf(buf, sz, "%s/%u", a, (unsigned int)p->len);
	if ((n < 0 || (size_t)n >= sz) && sz > 0)
		buf[0] = '\0';
	return buf;
}

int
addr_cmp(const struct addr *a, const struct addr *b)
{
	int	 fa = a->family == AF_INET6, fb = b->family == AF_INET6;
	int	 r;

	if (fa != fb)
		return fa < fb ? -1 : 1;
	/* network byte order: memcmp is numeric order */
	r = memcmp(a->u.bytes, b->u.bytes, addr_size(a));
	return r < 0 ? -1 : r > 0 ? 1 : 0;
}

int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int	 r;

	if ((r = addr_cmp(&a->addr, &b->addr)) != 0)
		return r;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

int
prefix_is_host(const struct prefix *p)
{
	return p->len == addr_maxlen(&p->addr);
}

const char *
addr_family_name(const struct addr *a)
{
	return a->family == AF_INET6 ? "ipv6" : "ipv4";
}

/*
 * MurmurHash3's 32-bit finalizer: every bit of h moves every bit of the
 * result, so the low bits that pick a bucket are good ones.
 */
uint32_t
hash_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t
prefix_hash(const struct prefix *p)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a, then a final mix */
	size_t		 i, n = addr_size(&p->addr);

	h = (h ^ (p->addr.family == AF_INET6 ? 6u : 4u)) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ p->addr.u.bytes[i]) * 16777619u;
	h = (h ^ p->len) * 16777619u;
	/* FNV's low bits are weak for power-of-two tables */
	return hash_mix32(h);
}

/* a's first len bits, the rest zero */
static void
prefix_mask(const struct addr *a, int len, struct prefix *out)
{
	size_t	 i, n = addr_size(a);

	memset(out, 0, sizeof(*out));
	out->addr.family = a->family;
	out->len = (uint8_t)len;
	for (i = 0; i < n && (int)(i * 8) < len; i++) {
		if ((int)(i * 8) + 8 <= len)
			out->addr.u.bytes[i] = a->u.bytes[i];
		else
			out->addr.u.bytes[i] = (uint8_t)(a->u.bytes[i] &
			    (0xff << (8 - len % 8)));
	}
}

int
prefix_contains(const struct prefix *net, const struct prefix *p)
{
	struct prefix	 m;

	if (net->addr.family != p->addr.family || p->len < net->len)
		return 0;
	prefix_mask(&p->addr, net->len, &m);
	return memcmp(m.addr.u.bytes, net->addr.u.bytes,
	    addr_size(&net->addr)) == 0;
}

int
prefix_contains_addr(const struct prefix *net, const struct addr *a)
{
	struct prefix	 p;

	memset(&p, 0, sizeof(p));
	p.addr = *a;
	p.len = (uint8_t)addr_maxlen(a);
	return prefix_contains(net, &p);
}

static int
prefix_qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

void
prefix_set_init(struct prefix_set *s, const struct prefix *v, size_t n)
{
	size_t	 i, k;
	int	 f;
	uint8_t	 seen[2][129];

	memset(s, 0, sizeof(*s));
	memset(seen, 0, sizeof(seen));
	s->v = xcalloc(n > 0 ? n : 1, sizeof(*s->v));
	/* canonical copies: host bits cleared, so equal networks sort equal */
	for (i = 0; i < n; i++)
		prefix_mask(&v[i].addr, v[i].len, &s->v[i]);
	qsort(s->v, n, sizeof(*s->v), prefix_qcmp);
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || prefix_cmp(&s->v[k - 1], &s->v[i]) != 0)
			s->v[k++] = s->v[i];
	s->n = k;
	for (i = 0; i < s->n; i++)
		seen[s->v[i].addr.family == AF_INET6][s->v[i].len] = 1;
	for (f = 0; f < 2; f++)
		for (i = 0; i <= (f ? 128u : 32u); i++)
			if (seen[f][i])
				s->lens[f][s->nlens[f]++] = (uint8_t)i;
}

void
prefix_set_free(struct prefix_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int
prefix_set_match(const struct prefix_set *s, const struct prefix *p)
{
	struct prefix	 m;
	size_t		 i, lo, hi, mid;
	int		 f = p->addr.family == AF_INET6, r;

	for (i = 0; i < s->nlens[f] && s->lens[f][i] <= p->len; i++) {
		prefix_mask(&p->addr, s->lens[f][i], &m);
		lo = 0;
		hi = s->n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if ((r = prefix_cmp(&s->v[mid], &m)) == 0)
				return 1;
			if (r < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return 0;
}

int
prefix_set_match_addr(const struct prefix_set *s, const struct addr *a)
{
	struct prefix	 p;

	memset(&p, 0, sizeof(p));
	p.addr = *a;
	p.len = (uint8_t)addr_maxlen(a);
	return prefix_set_match(s, &p);
}

int
prefix_set_equal(const struct prefix_set *a, const struct prefix_set *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (prefix_cmp(&a->v[i], &b->v[i]) != 0)
			return 0;
	return 1;
}
