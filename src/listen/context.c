/*
 * context.c - the data templates are rendered against, built from the
 * table at render time.
 *
 * Deterministic on purpose: the same table gives the same bytes, so an
 * unchanged state renders an identical file and nothing is rewritten or
 * reloaded. Only text made by inet_ntop (addr_fmt/prefix_fmt), names
 * from our own config and integers go in: nothing a BGP peer wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "conf.h"
#include "listen.h"
#include "log.h"

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

static void
context_append(json_t *arr, json_t *value)
{
	if (json_array_append_new(arr, context_checked(value)) == -1)
		fatalx("context: out of memory");
}

static json_t *
context_backend(const struct prefix *p, size_t index, size_t count)
{
	json_t	*b;
	char	 ip[ADDR_STRLEN], pfx[PREFIX_STRLEN];

	b = context_checked(json_object());
	context_set(b, "ip", json_string(addr_fmt(&p->addr, ip, sizeof(ip))));
	context_set(b, "prefix", json_string(prefix_fmt(p, pfx, sizeof(pfx))));
	context_set(b, "family", json_string(addr_family_name(&p->addr)));
	context_set(b, "index", json_integer((json_int_t)index));
	context_set(b, "first", json_boolean(index == 0));
	context_set(b, "last", json_boolean(index + 1 == count));
	return b;
}

/* one service: backends v[0..n) all share the port */
static json_t *
context_service(uint16_t port, const struct rib_backend *v, size_t n,
    const struct bgpsd_conf *conf)
{
	const struct service_conf *sc = NULL;
	json_t		*s, *list;
	char		 name[32];
	size_t		 i;

	if (conf != NULL)
		sc = conf_service_by_port(conf, port);
	if (sc != NULL && sc->name != NULL)
		s = context_checked(json_pack("{s:s}", "name", sc->name));
	else {
		snprintf(name, sizeof(name), "port_%u", (unsigned int)port);
		s = context_checked(json_pack("{s:s}", "name", name));
	}
	context_set(s, "port", json_integer(port));
	context_set(s, "count", json_integer((json_int_t)n));
	list = context_checked(json_array());
	for (i = 0; i < n; i++)
		context_append(list, context_backend(&v[i].prefix, i, n));
	context_set(s, "backends", list);
	return s;
}

static int
context_port_cmp(const void *a, const void *b)
{
	uint16_t	 x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

/* the catalogue's ports, sorted and unique; free() */
static size_t
context_catalogue(const struct bgpsd_conf *conf, uint16_t **out)
{
	uint16_t	*ports;
	size_t		 i, k, n = 0;

	*out = NULL;
	if (conf == NULL || conf->nservices == 0)
		return 0;
	ports = xreallocarray(NULL, conf->nservices, sizeof(*ports));
	for (i = 0; i < conf->nservices; i++)
		if (conf->services[i].port != 0)
			ports[n++] = conf->services[i].port;
	qsort(ports, n, sizeof(*ports), context_port_cmp);
	for (i = 1, k = n > 0 ? 1 : 0; i < n; i++)
		if (ports[i] != ports[k - 1])
			ports[k++] = ports[i];
	*out = ports;
	return k;
}

static void
context_add(json_t *ctx, json_t *services, json_t *svc)
{
	json_t		*by_name = json_object_get(ctx, "by_name");
	json_t		*by_port = json_object_get(ctx, "by_port");
	const char	*name = json_string_value(json_object_get(svc, "name"));
	char		 key[8];

	snprintf(key, sizeof(key), "%u",
	    (unsigned int)json_integer_value(json_object_get(svc, "port")));
	/* the same object three times: templates see one service */
	if (json_array_append(services, svc) == -1 ||
	    json_object_set(by_port, key, svc) == -1)
		fatalx("context: out of memory");
	/* two ports with one name (port_N vs a catalogue name): first wins */
	if (json_object_get(by_name, name) == NULL &&
	    json_object_set(by_name, name, svc) == -1)
		fatalx("context: out of memory");
	json_decref(svc);
}

json_t *
context_from_backends(const struct rib_backend *v, size_t n,
    const struct bgpsd_conf *conf)
{
	json_t		*ctx, *services;
	uint16_t	*cat;
	size_t		 ncat, i = 0, j, c = 0;

	ctx = context_checked(json_object());
	services = context_checked(json_array());
	context_set(ctx, "services", services);
	context_set(ctx, "by_name", json_object());
	context_set(ctx, "by_port", json_object());
	ncat = context_catalogue(conf, &cat);

	/* merge two sorted port lists: backends and catalogue */
	while (i < n || c < ncat) {
		if (i < n && (c == ncat || v[i].port <= cat[c])) {
			for (j = i; j < n && v[j].port == v[i].port; j++)
				;
			if (c < ncat && cat[c] == v[i].port)
				c++;
			context_add(ctx, services,
			    context_service(v[i].port, &v[i], j - i, conf));
			i = j;
		} else {
			context_add(ctx, services,
			    context_service(cat[c], NULL, 0, conf));
			c++;
		}
	}
	free(cat);
	return ctx;
}

json_t *
context_build(const struct rib *rib, const struct bgpsd_conf *conf)
{
	struct rib_backend	*v;
	size_t			 n;
	json_t			*ctx;

	n = rib_backends(rib, &v);
	ctx = context_from_backends(v, n, conf);
	free(v);
	return ctx;
}

json_t *
context_map(const struct rib *rib)
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
		context_append(list, json_string(addr_fmt(&v[i].prefix.addr,
		    ip, sizeof(ip))));
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
