/*
 * context.c - the data templates are rendered against, read straight
 * from the table through a view (rib_view): no tree is built for a
 * render, so its cost follows the size of the output, not the number of
 * allocations. The same data as JSON (context_build) is for --dump,
 * --render without --data, and the tests.
 *
 *   { "services": [ SERVICE, ... ],          by port, ascending
 *     "by_name": { NAME: SERVICE }, "by_port": { "PORT": SERVICE } }
 *   SERVICE: { "name", "port", "count", "backends": [ BACKEND, ... ] }
 *   BACKEND: { "ip", "prefix", "family", "index", "first", "last",
 *              "host", "ipv4", "ipv6", "weight", "draining", "peer",
 *              "next_hop", "med", "local_pref", "tags": [ "A:B", ... ] }
 *
 * Deterministic on purpose: the same table gives the same bytes, so an
 * unchanged state renders an identical file and nothing is rewritten or
 * reloaded. Only text made by inet_ntop (addr_fmt/prefix_fmt), names from
 * our own config, numbers, and communities formatted from their numbers
 * go in: nothing a BGP peer wrote as text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "conf.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"

/* ---- the services: the catalogue and every port with backends ---- */

static int
context_port_cmp(const void *a, const void *b)
{
	uint16_t	 x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

void
context_open(struct context *c, struct rib *rib,
    const struct bgpsd_conf *conf)
{
	size_t	 i, k, n = 0, cat = conf != NULL ? conf->nservices : 0;

	memset(c, 0, sizeof(*c));
	c->conf = conf;
	rib_view(rib, &c->view);
	c->ports = xcalloc(c->view.nports + cat + 1, sizeof(*c->ports));
	for (i = 0; i < c->view.nports; i++)
		c->ports[n++] = c->view.ports[i];
	for (i = 0; i < cat; i++)
		c->ports[n++] = conf->services[i].port;
	qsort(c->ports, n, sizeof(*c->ports), context_port_cmp);
	for (i = 1, k = n > 0 ? 1 : 0; i < n; i++)
		if (c->ports[i] != c->ports[k - 1])
			c->ports[k++] = c->ports[i];
	c->nports = k;
	c->vidx = xcalloc(k + 1, sizeof(*c->vidx));
	for (i = 0; i < k; i++)
		c->vidx[i] = rib_view_port(&c->view, c->ports[i]);
}

void
context_close(struct context *c)
{
	rib_view_free(&c->view);
	free(c->ports);
	free(c->vidx);
	memset(c, 0, sizeof(*c));
}

size_t
context_count(const struct context *c, uint16_t port)
{
	size_t	 pi = rib_view_port(&c->view, port);

	return pi == RIB_VIEW_NONE ? 0 : RIB_VIEW_COUNT(&c->view, pi);
}

size_t
context_total(const struct context *c)
{
	return c->view.start[c->view.nports];
}

/* the name of service s: the catalogue's, else "port_N" into buf */
static const char *
context_name(const struct context *c, size_t s, char *buf, size_t len)
{
	const struct service_conf *sc = NULL;

	if (c->conf != NULL)
		sc = conf_service_by_port(c->conf, c->ports[s]);
	if (sc != NULL && sc->name != NULL)
		return sc->name;
	snprintf(buf, len, "port_%u", (unsigned int)c->ports[s]);
	return buf;
}

const char *
context_service_name(const struct context *c, size_t s, char *buf,
    size_t len)
{
	const char	*name = context_name(c, s, buf, len);

	if (name != buf)
		snprintf(buf, len, "%s", name);
	return buf;
}

/* the service of a name: first by port order (port_N vs a name) */
static size_t
context_by_name(const struct context *c, const char *name)
{
	char	 buf[32];
	size_t	 i;

	for (i = 0; i < c->nports; i++)
		if (strcmp(context_name(c, i, buf, sizeof(buf)), name) == 0)
			return i;
	return RIB_VIEW_NONE;
}

static size_t
context_by_port(const struct context *c, const char *key)
{
	char		*end;
	unsigned long	 v;
	size_t		 lo = 0, hi = c->nports, mid;

	if (*key < '1' || *key > '9')
		return RIB_VIEW_NONE;
	v = strtoul(key, &end, 10);
	if (*end != '\0' || v > 65535)
		return RIB_VIEW_NONE;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->ports[mid] == v)
			return mid;
		if (c->ports[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return RIB_VIEW_NONE;
}

static size_t
context_nbackends(const struct context *c, size_t s)
{
	return c->vidx[s] == RIB_VIEW_NONE ? 0 :
	    RIB_VIEW_COUNT(&c->view, c->vidx[s]);
}

/* ---- the view as Mustache values (struct tmpl_class) ---- */

/*
 * Kinds of values, in idx: the root map, the services list, by_name and
 * by_port maps, a service map (aux = service), its backends list, a
 * backend map (aux = service, i = backend in aux's high bits), its tags.
 */
enum context_kind {
	CTX_ROOT,
	CTX_SERVICES,
	CTX_BY_NAME,
	CTX_BY_PORT,
	CTX_SERVICE,
	CTX_BACKENDS,
	CTX_BACKEND,
	CTX_TAGS,
};

static int	context_get(const struct tmpl_value *, const char *,
		    struct tmpl_value *);
static size_t	context_len(const struct tmpl_value *);
static void	context_at(const struct tmpl_value *, size_t,
		    struct tmpl_value *);

static const struct tmpl_class context_class = {
	context_get, context_len, context_at
};

/* a backend is service s (< 65536) and backend b: b in the high bits */
#define CTX_BE(s, b)	((size_t)(s) | ((size_t)(b) << 16))
#define CTX_BE_S(aux)	((aux) & 0xffff)
#define CTX_BE_B(aux)	((aux) >> 16)

/*
 * An empty value, field by field: a memset of the whole value (its buf
 * included) is a slow "rep stos" for its size, and a render makes
 * several values per backend.
 */
static void
context_clear(struct tmpl_value *v)
{
	v->type = TMPL_NULL;
	v->cls = NULL;
	v->obj = NULL;
	v->idx = 0;
	v->aux = 0;
	v->i = 0;
	v->d = 0.0;
	v->s = NULL;
	v->len = 0;
	v->buf[0] = '\0';
}

static void
context_val(struct tmpl_value *v, const struct context *c,
    enum context_kind kind, size_t aux)
{
	context_clear(v);
	v->type = kind == CTX_SERVICES || kind == CTX_BACKENDS ||
	    kind == CTX_TAGS ? TMPL_LIST : TMPL_MAP;
	v->cls = &context_class;
	v->obj = c;
	v->idx = kind;
	v->aux = aux;
}

/* a string that lives in the value itself (what fits of it) */
static void
context_buf(struct tmpl_value *v, const char *s)
{
	size_t	 n = strnlen(s, sizeof(v->buf) - 1);

	memcpy(v->buf, s, n);
	v->buf[n] = '\0';
	v->type = TMPL_STR;
	v->s = v->buf;
	v->len = n;
}

/* v->buf holds the string already */
static void
context_own(struct tmpl_value *v)
{
	v->type = TMPL_STR;
	v->s = v->buf;
	v->len = strlen(v->buf);
}

/*
 * The keys of a backend. Those before BK_WEIGHT come from its prefix
 * alone; the rest from its preferred route, which takes a walk of the
 * destination's routes: a render asks for several keys per backend, and
 * a key of the enclosing service ("port") first misses here.
 */
enum context_bkey {
	BK_IP, BK_HOST, BK_PREFIX, BK_FAMILY, BK_IPV4, BK_IPV6, BK_INDEX,
	BK_FIRST, BK_LAST,
	BK_WEIGHT, BK_DRAINING, BK_PEER, BK_NEXT_HOP, BK_MED, BK_LOCAL_PREF,
	BK_TAGS,
	BK_NONE
};

static const char *const context_bkeys[BK_NONE] = {
	"ip", "host", "prefix", "family", "ipv4", "ipv6", "index", "first",
	"last", "weight", "draining", "peer", "next_hop", "med",
	"local_pref", "tags"
};

static enum context_bkey
context_bkey(const char *key)
{
	int	 k;

	for (k = 0; k < BK_NONE; k++)
		if (key[0] == context_bkeys[k][0] &&
		    strcmp(key, context_bkeys[k]) == 0)
			return (enum context_bkey)k;
	return BK_NONE;
}

static int
context_backend_get(const struct context *c, size_t aux, const char *key,
    struct tmpl_value *out)
{
	struct rib_backend_info	 b;
	const struct prefix	*p;
	enum context_bkey	 k = context_bkey(key);
	size_t			 s = CTX_BE_S(aux), i = CTX_BE_B(aux);
	char			 ip[ADDR_STRLEN];
	int			 v6;

	if (k == BK_NONE)
		return -1;
	p = rib_view_prefix(&c->view, c->vidx[s], i);
	v6 = p->addr.family == AF_INET6;
	context_clear(out);
	if (k >= BK_WEIGHT)
		rib_view_backend(&c->view, c->vidx[s], i, &b);
	switch (k) {
	case BK_IP:
		addr_fmt(&p->addr, out->buf, sizeof(out->buf));
		context_own(out);
		break;
	case BK_HOST:
		if (v6) {
			addr_fmt(&p->addr, ip, sizeof(ip));
			snprintf(out->buf, sizeof(out->buf), "[%s]", ip);
		} else
			addr_fmt(&p->addr, out->buf, sizeof(out->buf));
		context_own(out);
		break;
	case BK_PREFIX:
		prefix_fmt(p, out->buf, sizeof(out->buf));
		context_own(out);
		break;
	case BK_FAMILY:
		tmpl_value_str(out, v6 ? "ipv6" : "ipv4");
		break;
	case BK_IPV4:
		tmpl_value_bool(out, !v6);
		break;
	case BK_IPV6:
		tmpl_value_bool(out, v6);
		break;
	case BK_INDEX:
		tmpl_value_int(out, (int64_t)i);
		break;
	case BK_FIRST:
		tmpl_value_bool(out, i == 0);
		break;
	case BK_LAST:
		tmpl_value_bool(out, i + 1 == context_nbackends(c, s));
		break;
	case BK_WEIGHT:
		tmpl_value_int(out, b.draining ? 0 : b.weight);
		break;
	case BK_DRAINING:
		tmpl_value_bool(out, b.draining);
		break;
	case BK_PEER:
		addr_fmt(b.peer, out->buf, sizeof(out->buf));
		context_own(out);
		break;
	case BK_NEXT_HOP:
		if (b.next_hop->family != 0) {
			addr_fmt(b.next_hop, out->buf, sizeof(out->buf));
			context_own(out);
		} else
			out->type = TMPL_NULL;
		break;
	case BK_MED:
		if (b.med >= 0)
			tmpl_value_int(out, b.med);
		else
			out->type = TMPL_NULL;
		break;
	case BK_LOCAL_PREF:
		if (b.local_pref >= 0)
			tmpl_value_int(out, b.local_pref);
		else
			out->type = TMPL_NULL;
		break;
	case BK_TAGS:
		context_val(out, c, CTX_TAGS, aux);
		break;
	case BK_NONE:
		return -1;
	}
	return 0;
}

static int
context_get(const struct tmpl_value *m, const char *key,
    struct tmpl_value *out)
{
	const struct context	*c = m->obj;
	char			 buf[32];
	size_t			 s;

	switch ((enum context_kind)m->idx) {
	case CTX_ROOT:
		if (strcmp(key, "services") == 0)
			context_val(out, c, CTX_SERVICES, 0);
		else if (strcmp(key, "by_name") == 0)
			context_val(out, c, CTX_BY_NAME, 0);
		else if (strcmp(key, "by_port") == 0)
			context_val(out, c, CTX_BY_PORT, 0);
		else
			return -1;
		return 0;
	case CTX_BY_NAME:
	case CTX_BY_PORT:
		s = m->idx == CTX_BY_NAME ? context_by_name(c, key) :
		    context_by_port(c, key);
		if (s == RIB_VIEW_NONE)
			return -1;
		context_val(out, c, CTX_SERVICE, s);
		return 0;
	case CTX_SERVICE:
		s = m->aux;
		context_clear(out);
		if (strcmp(key, "name") == 0)
			context_buf(out, context_name(c, s, buf, sizeof(buf)));
		else if (strcmp(key, "port") == 0)
			tmpl_value_int(out, c->ports[s]);
		else if (strcmp(key, "count") == 0)
			tmpl_value_int(out, (int64_t)context_nbackends(c, s));
		else if (strcmp(key, "backends") == 0)
			context_val(out, c, CTX_BACKENDS, s);
		else
			return -1;
		return 0;
	case CTX_BACKEND:
		return context_backend_get(c, m->aux, key, out);
	default:
		return -1;
	}
}

static size_t
context_len(const struct tmpl_value *l)
{
	const struct context	*c = l->obj;
	struct rib_backend_info	 b;

	switch ((enum context_kind)l->idx) {
	case CTX_SERVICES:
		return c->nports;
	case CTX_BACKENDS:
		return context_nbackends(c, l->aux);
	case CTX_TAGS:
		rib_view_backend(&c->view, c->vidx[CTX_BE_S(l->aux)],
		    CTX_BE_B(l->aux), &b);
		return rib_backend_ntags(&b);
	default:
		return 0;
	}
}

static void
context_at(const struct tmpl_value *l, size_t i, struct tmpl_value *out)
{
	const struct context	*c = l->obj;
	struct rib_backend_info	 b;

	switch ((enum context_kind)l->idx) {
	case CTX_SERVICES:
		context_val(out, c, CTX_SERVICE, i);
		break;
	case CTX_BACKENDS:
		/* templates walk the backends in order: fetch ahead */
		rib_view_prefetch(&c->view, c->vidx[l->aux], i);
		context_val(out, c, CTX_BACKEND, CTX_BE(l->aux, i));
		break;
	case CTX_TAGS:
		rib_view_backend(&c->view, c->vidx[CTX_BE_S(l->aux)],
		    CTX_BE_B(l->aux), &b);
		context_clear(out);
		rib_backend_tag(&b, i, out->buf, sizeof(out->buf));
		out->type = TMPL_STR;
		out->s = out->buf;
		out->len = strlen(out->buf);
		break;
	default:
		context_clear(out);
		break;
	}
}

void
context_root(const struct context *c, struct tmpl_value *root)
{
	context_val(root, c, CTX_ROOT, 0);
}

/* ---- the same as JSON ---- */

static json_t *
context_checked(json_t *j)
{
	if (j == NULL)
		fatalx("context: out of memory");
	return j;
}

/* set a new reference; jansson only fails here on out of memory */
static void
context_set(json_t *obj, const char *key, json_t *value)
{
	if (json_object_set_new(obj, key, context_checked(value)) == -1)
		fatalx("context: out of memory");
}

/* one member of a view map as JSON (the same value the templates see) */
static json_t *
context_json_value(const struct tmpl_value *v)
{
	struct tmpl_value	 e;
	json_t			*arr;
	size_t			 i, n;

	switch (v->type) {
	case TMPL_NULL:
		return json_null();
	case TMPL_BOOL:
		return json_boolean(v->i);
	case TMPL_INT:
		return json_integer((json_int_t)v->i);
	case TMPL_REAL:
		return json_real(v->d);
	case TMPL_STR:
		return json_stringn(v->s, v->len);
	case TMPL_LIST:
		arr = context_checked(json_array());
		n = v->cls->len(v);
		for (i = 0; i < n; i++) {
			v->cls->at(v, i, &e);
			if (json_array_append_new(arr, context_checked(
			    context_json_value(&e))) == -1)
				fatalx("context: out of memory");
		}
		return arr;
	case TMPL_MAP:
		break;
	}
	return json_null();
}

static json_t *
context_json_map(const struct tmpl_value *m, const char *const *keys)
{
	struct tmpl_value	 v;
	json_t			*o;
	size_t			 i;

	o = context_checked(json_object());
	for (i = 0; keys[i] != NULL; i++)
		if (m->cls->get(m, keys[i], &v) == 0)
			context_set(o, keys[i], context_json_value(&v));
	return o;
}

json_t *
context_json(const struct context *c)
{
	static const char *const skeys[] = { "name", "port", "count", NULL };
	static const char *const bkeys[] = {
		"ip", "prefix", "family", "index", "first", "last", "host",
		"ipv4", "ipv6", "weight", "draining", "peer", "next_hop",
		"med", "local_pref", "tags", NULL
	};
	struct tmpl_value	 root, svc, list, be;
	json_t			*ctx, *services, *s, *bl, *by_name, *by_port;
	const char		*name;
	char			 key[8], buf[32];
	size_t			 i, j, n;

	context_root(c, &root);
	ctx = context_checked(json_object());
	services = context_checked(json_array());
	by_name = context_checked(json_object());
	by_port = context_checked(json_object());
	context_set(ctx, "services", services);
	context_set(ctx, "by_name", by_name);
	context_set(ctx, "by_port", by_port);
	for (i = 0; i < c->nports; i++) {
		context_val(&svc, c, CTX_SERVICE, i);
		s = context_json_map(&svc, skeys);
		bl = context_checked(json_array());
		context_val(&list, c, CTX_BACKENDS, i);
		n = context_len(&list);
		for (j = 0; j < n; j++) {
			context_at(&list, j, &be);
			if (json_array_append_new(bl, context_json_map(&be,
			    bkeys)) == -1)
				fatalx("context: out of memory");
		}
		context_set(s, "backends", bl);
		/* the same object three times: templates see one service */
		snprintf(key, sizeof(key), "%u", (unsigned int)c->ports[i]);
		if (json_array_append(services, s) == -1 ||
		    json_object_set(by_port, key, s) == -1)
			fatalx("context: out of memory");
		/* two ports with one name: the first wins */
		name = context_name(c, i, buf, sizeof(buf));
		if (json_object_get(by_name, name) == NULL &&
		    json_object_set(by_name, name, s) == -1)
			fatalx("context: out of memory");
		json_decref(s);
	}
	return ctx;
}

json_t *
context_build(struct rib *rib, const struct bgpsd_conf *conf)
{
	struct context	 c;
	json_t		*j;

	context_open(&c, rib, conf);
	j = context_json(&c);
	context_close(&c);
	return j;
}

json_t *
context_map(struct rib *rib)
{
	struct rib_backend	*v;
	json_t			*map, *list = NULL;
	char			 key[8], ip[ADDR_STRLEN];
	size_t			 n, i;

	n = rib_backends(rib, &v);
	map = context_checked(json_object());
	for (i = 0; i < n; i++) {
		if (i == 0 || v[i].port != v[i - 1].port) {
			snprintf(key, sizeof(key), "%u",
			    (unsigned int)v[i].port);
			list = context_checked(json_array());
			context_set(map, key, list);
		} else if (addr_cmp(&v[i].prefix.addr,
		    &v[i - 1].prefix.addr) == 0)
			continue;	/* same address, other length */
		if (json_array_append_new(list, context_checked(json_string(
		    addr_fmt(&v[i].prefix.addr, ip, sizeof(ip))))) == -1)
			fatalx("context: out of memory");
	}
	free(v);
	return map;
}

char *
context_dump(const json_t *j)
{
	char	*s, *out;
	size_t	 len;

	/* insertion order is kept by jansson >= 2.8: already deterministic */
	if ((s = json_dumps(j, JSON_INDENT(2))) == NULL)
		fatalx("context: out of memory");
	len = strlen(s);
	out = xmalloc(len + 2);
	memcpy(out, s, len);
	out[len] = '\n';
	out[len + 1] = '\0';
	free(s);
	return out;
}
