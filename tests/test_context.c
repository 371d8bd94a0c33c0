/*
 * test_context.c - the template context: order of services and
 * backends, catalogue names, port_<N>, empty catalogued services,
 * index/first/last, shared service objects, byte-identical output;
 * and golden --dump contexts for every fixture stream (set
 * BGPSD_REGEN=1 to rewrite tests/data/listen/context/ after a review).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <jansson.h>

#include "addr.h"
#include "conf.h"
#include "listen.h"
#include "mustache.h"
#include "testlib.h"

#define CATALOGUE	"data/listen/catalogue.conf"
#define GOLDEN		"data/listen/context/"

#define P1	"169.254.179.1"
#define P2	"fd00:179::1"

static struct bgpsd_conf	*conf;

static int
setup(void **state)
{
	char	 err[512];

	exabgp_msg_init(&tl_msg);
	if ((conf = conf_load(CATALOGUE, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	return 0;
}

static int
teardown(void **state)
{
	exabgp_msg_free(&tl_msg);
	conf_free(conf);
	conf = NULL;
	return 0;
}

static const char *
str(json_t *obj, const char *key)
{
	json_t	*v = json_object_get(obj, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static json_int_t
num(json_t *obj, const char *key)
{
	json_t	*v = json_object_get(obj, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static int
flag(json_t *obj, const char *key)
{
	json_t	*v = json_object_get(obj, key);

	assert_true(json_is_boolean(v));
	return json_is_true(v);
}

/* obj has exactly the keys named, in this order */
static void
assert_keys(json_t *obj, const char *const *keys, size_t n)
{
	const char	*k;
	json_t		*v;
	size_t		 i = 0;

	json_object_foreach(obj, k, v) {
		assert_true(i < n);
		assert_string_equal(k, keys[i]);
		i++;
	}
	assert_int_equal(i, n);
}

/* a backend is exactly these keys, in this order */
static void
assert_backend(json_t *b, const char *ip, const char *prefix,
    const char *family, json_int_t index, int first, int last)
{
	static const char *const keys[] = { "ip", "prefix", "family", "index",
	    "first", "last", "host", "ipv4", "ipv6", "weight", "draining",
	    "peer", "next_hop", "med", "local_pref", "tags" };
	int	 v6 = strcmp(family, "ipv6") == 0;
	char	 host[64];

	assert_keys(b, keys, TL_NITEMS(keys));
	assert_string_equal(str(b, "ip"), ip);
	assert_string_equal(str(b, "prefix"), prefix);
	assert_string_equal(str(b, "family"), family);
	assert_int_equal(num(b, "index"), index);
	assert_int_equal(flag(b, "first"), first);
	assert_int_equal(flag(b, "last"), last);
	snprintf(host, sizeof(host), v6 ? "[%s]" : "%s", ip);
	assert_string_equal(str(b, "host"), host);
	assert_int_equal(flag(b, "ipv4"), !v6);
	assert_int_equal(flag(b, "ipv6"), v6);
	assert_int_equal(num(b, "weight"), 100);
	assert_false(flag(b, "draining"));
	assert_true(json_is_array(json_object_get(b, "tags")));
}

static void
assert_service(json_t *s, const char *name, json_int_t port,
    json_int_t count)
{
	static const char *const keys[] = { "name", "port", "count",
	    "backends" };

	assert_keys(s, keys, TL_NITEMS(keys));
	assert_string_equal(str(s, "name"), name);
	assert_int_equal(num(s, "port"), port);
	assert_int_equal(num(s, "count"), count);
	assert_true(json_is_array(json_object_get(s, "backends")));
	assert_int_equal(json_array_size(json_object_get(s, "backends")),
	    (size_t)count);
}

static void
test_shape(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);
	json_t		*ctx, *services, *s, *b;
	const char	*k;
	json_t		*v;
	size_t		 i = 0;
	char		 key[8];

	tl_feed(rib, "{ \"type\": \"state\", \"neighbor\": { \"address\": { "
	    "\"peer\": \"" P1 "\" }, \"state\": \"up\" } }");
	tl_announce(rib, P2, "2001:db8::10/128", "[[12345, 443]]", NULL);
	tl_announce(rib, P1, "192.0.2.10/32", "[[12345, 443], [12345, 8080]]",
	    NULL);
	tl_announce(rib, P1, "192.0.2.9/32", "[[12345, 443]]", NULL);
	tl_announce(rib, P2, "2001:db8::9/128", "[[12345, 443]]", NULL);
	tl_announce(rib, P1, "10.1.2.3/32", "[[12345, 22]]", NULL);

	ctx = context_build(rib, conf);
	/* top level: services, by_name, by_port, in that order */
	json_object_foreach(ctx, k, v) {
		assert_string_equal(k, i == 0 ? "services" : i == 1 ?
		    "by_name" : "by_port");
		i++;
	}
	assert_int_equal(i, 3);
	services = json_object_get(ctx, "services");
	/* 22 ssh, 80 http (empty), 443 https, 8080 port_8080, 9100 empty */
	assert_int_equal(json_array_size(services), 5);
	assert_service(json_array_get(services, 0), "ssh", 22, 1);
	assert_service(json_array_get(services, 1), "http", 80, 0);
	assert_service(json_array_get(services, 2), "https", 443, 4);
	assert_service(json_array_get(services, 3), "port_8080", 8080, 1);
	assert_service(json_array_get(services, 4), "metrics", 9100, 0);

	s = json_array_get(services, 2);
	b = json_object_get(s, "backends");
	assert_backend(json_array_get(b, 0), "192.0.2.9", "192.0.2.9/32",
	    "ipv4", 0, 1, 0);
	assert_backend(json_array_get(b, 1), "192.0.2.10", "192.0.2.10/32",
	    "ipv4", 1, 0, 0);
	assert_backend(json_array_get(b, 2), "2001:db8::9",
	    "2001:db8::9/128", "ipv6", 2, 0, 0);
	assert_backend(json_array_get(b, 3), "2001:db8::10",
	    "2001:db8::10/128", "ipv6", 3, 0, 1);
	/* a single backend is first and last */
	b = json_object_get(json_array_get(services, 0), "backends");
	assert_backend(json_array_get(b, 0), "10.1.2.3", "10.1.2.3/32",
	    "ipv4", 0, 1, 1);

	/* by_name and by_port hold the very same service objects */
	for (i = 0; i < json_array_size(services); i++) {
		s = json_array_get(services, i);
		snprintf(key, sizeof(key), "%lld", (long long)num(s, "port"));
		assert_ptr_equal(json_object_get(json_object_get(ctx,
		    "by_port"), key), s);
		assert_ptr_equal(json_object_get(json_object_get(ctx,
		    "by_name"), str(s, "name")), s);
	}
	assert_int_equal(json_object_size(json_object_get(ctx, "by_name")), 5);
	assert_int_equal(json_object_size(json_object_get(ctx, "by_port")), 5);
	json_decref(ctx);
	rib_free(rib);
}

/* without a catalogue: port_<N> names, no empty services */
static void
test_no_catalogue(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);
	json_t		*ctx, *services;
	char		*dump;

	ctx = context_build(rib, NULL);
	dump = context_dump(ctx);
	assert_string_equal(dump, "{\n  \"services\": [],\n  \"by_name\": {},"
	    "\n  \"by_port\": {}\n}\n");
	free(dump);
	json_decref(ctx);

	tl_announce(rib, P1, "192.0.2.1/32", "[[12345, 65535], [12345, 1]]",
	    NULL);
	ctx = context_build(rib, NULL);
	services = json_object_get(ctx, "services");
	assert_int_equal(json_array_size(services), 2);
	assert_service(json_array_get(services, 0), "port_1", 1, 1);
	assert_service(json_array_get(services, 1), "port_65535", 65535, 1);
	assert_non_null(json_object_get(json_object_get(ctx, "by_port"),
	    "65535"));
	json_decref(ctx);

	/* the catalogue alone, empty table: every entry with count 0 */
	rib_free(rib);
	rib = tl_rib_new(12345, 0, 1, 0);
	ctx = context_build(rib, conf);
	services = json_object_get(ctx, "services");
	assert_int_equal(json_array_size(services), 4);
	assert_service(json_array_get(services, 0), "ssh", 22, 0);
	assert_service(json_array_get(services, 3), "metrics", 9100, 0);
	json_decref(ctx);
	rib_free(rib);
}

/* exact bytes of a small context: what a --dump prints */
static void
test_dump_text(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);
	json_t		*ctx;
	char		*dump;
	const char	*want =
	    "{\n"
	    "  \"services\": [\n"
	    "    {\n"
	    "      \"name\": \"port_8443\",\n"
	    "      \"port\": 8443,\n"
	    "      \"count\": 2,\n"
	    "      \"backends\": [\n"
	    "        {\n"
	    "          \"ip\": \"192.0.2.1\",\n"
	    "          \"prefix\": \"192.0.2.1/32\",\n"
	    "          \"family\": \"ipv4\",\n"
	    "          \"index\": 0,\n"
	    "          \"first\": true,\n"
	    "          \"last\": false,\n"
	    "          \"host\": \"192.0.2.1\",\n"
	    "          \"ipv4\": true,\n"
	    "          \"ipv6\": false,\n"
	    "          \"weight\": 100,\n"
	    "          \"draining\": false,\n"
	    "          \"peer\": \"169.254.179.1\",\n"
	    "          \"next_hop\": null,\n"
	    "          \"med\": null,\n"
	    "          \"local_pref\": null,\n"
	    "          \"tags\": []\n"
	    "        },\n"
	    "        {\n"
	    "          \"ip\": \"2001:db8::1\",\n"
	    "          \"prefix\": \"2001:db8::1/128\",\n"
	    "          \"family\": \"ipv6\",\n"
	    "          \"index\": 1,\n"
	    "          \"first\": false,\n"
	    "          \"last\": true,\n"
	    "          \"host\": \"[2001:db8::1]\",\n"
	    "          \"ipv4\": false,\n"
	    "          \"ipv6\": true,\n"
	    "          \"weight\": 100,\n"
	    "          \"draining\": false,\n"
	    "          \"peer\": \"fd00:179::1\",\n"
	    "          \"next_hop\": null,\n"
	    "          \"med\": null,\n"
	    "          \"local_pref\": null,\n"
	    "          \"tags\": []\n"
	    "        }\n"
	    "      ]\n"
	    "    }\n"
	    "  ],\n"
	    "  \"by_name\": {\n"
	    "    \"port_8443\": {\n";

	/* uppercase and long forms in: canonical inet_ntop text out */
	tl_announce(rib, P2, "2001:DB8:0:0::1/128", "[[12345, 8443]]", NULL);
	tl_announce(rib, P1, "192.0.2.1/32", "[[12345, 8443]]", NULL);
	ctx = context_build(rib, NULL);
	dump = context_dump(ctx);
	if (strncmp(dump, want, strlen(want)) != 0)
		fail_msg("dump:\n%s", dump);
	assert_int_equal(dump[strlen(dump) - 1], '\n');
	free(dump);
	json_decref(ctx);
	rib_free(rib);
}

/* the same table reached in a different order renders the same bytes */
static void
test_deterministic(void **state)
{
	static const char *const routes[][3] = {
		{ P1, "192.0.2.3/32", "[[12345, 80], [12345, 443]]" },
		{ P2, "2001:db8::3/128", "[[12345, 443]]" },
		{ P1, "192.0.2.1/32", "[[12345, 80]]" },
		{ P2, "2001:db8::1/128", "[[12345, 443], [12345, 22]]" },
		{ P1, "198.51.100.7/32", "[[12345, 22]]" },
		{ P2, "192.0.2.3/32", "[[12345, 443]]" },
	};
	size_t		 n = sizeof(routes) / sizeof(routes[0]), i;
	struct rib	*a = tl_rib_new(12345, 0, 1, 0);
	struct rib	*b = tl_rib_new(12345, 0, 1, 0);
	json_t		*ca, *cb;
	char		*da, *db;

	for (i = 0; i < n; i++)
		tl_announce(a, routes[i][0], routes[i][1], routes[i][2], NULL);
	for (i = n; i-- > 0;)
		tl_announce(b, routes[i][0], routes[i][1], routes[i][2], NULL);
	/* and some churn on b that ends where it started */
	tl_announce(b, P1, "192.0.2.1/32", "[[12345, 9999]]", NULL);
	tl_announce(b, P1, "192.0.2.1/32", "[[12345, 80]]", NULL);
	ca = context_build(a, conf);
	cb = context_build(b, conf);
	da = context_dump(ca);
	db = context_dump(cb);
	assert_string_equal(da, db);
	free(da);
	free(db);
	json_decref(ca);
	json_decref(cb);

	/*
	 * The view templates read and its JSON say the same: one template
	 * naming every key renders the same text against both.
	 */
	{
		static const char every[] = "{{#services}}{{name}} {{port}} "
		    "{{count}}\n{{#backends}}{{ip}} {{prefix}} {{family}} "
		    "{{index}} {{first}} {{last}} {{host}} {{ipv4}} {{ipv6}} "
		    "{{weight}} {{draining}} {{peer}} {{next_hop}} {{med}} "
		    "{{local_pref}} [{{#tags}}{{.}},{{/tags}}]\n{{/backends}}"
		    "{{/services}}{{by_name.https.count}} "
		    "{{by_port.22.backends.0.ip}}{{by_port.23.name}}\n";
		struct tmpl_opts	 opts;
		struct tmpl		*t;
		struct context		 c;
		struct tmpl_value	 root;
		char			*o1, *o2, err[256];
		size_t			 l1, l2;

		memset(&opts, 0, sizeof(opts));
		t = tmpl_compile(every, strlen(every), &opts, err, sizeof(err));
		assert_non_null(t);
		context_open(&c, a, conf);
		context_root(&c, &root);
		ca = context_json(&c);
		assert_int_equal(tmpl_render_view(t, &root, 0, &o1, &l1, err,
		    sizeof(err)), 0);
		assert_int_equal(tmpl_render(t, ca, 0, &o2, &l2, err,
		    sizeof(err)), 0);
		assert_string_equal(o1, o2);
		assert_non_null(strstr(o1, "192.0.2.3 192.0.2.3/32 ipv4 "));
		context_close(&c);
		json_decref(ca);
		free(o1);
		free(o2);
		tmpl_free(t);
	}
	rib_free(a);
	rib_free(b);
}

/* map and context agree for every port */
static void
test_map_matches_context(void **state)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);
	json_t		*ctx, *map, *s, *b, *list;
	size_t		 i, j, nonempty = 0;
	char		 key[8];

	tl_announce(rib, P1, "192.0.2.3/32", "[[12345, 80], [12345, 443]]",
	    NULL);
	tl_announce(rib, P2, "2001:db8::3/128", "[[12345, 443]]", NULL);
	tl_announce(rib, P2, "2001:db8::4/128", "[[12345, 7]]", NULL);
	ctx = context_build(rib, conf);
	map = context_map(rib);
	json_array_foreach(json_object_get(ctx, "services"), i, s) {
		snprintf(key, sizeof(key), "%lld", (long long)num(s, "port"));
		list = json_object_get(map, key);
		if (num(s, "count") == 0) {
			assert_null(list);
			continue;
		}
		nonempty++;
		assert_int_equal(json_array_size(list), (size_t)num(s,
		    "count"));
		json_array_foreach(json_object_get(s, "backends"), j, b)
			assert_string_equal(json_string_value(
			    json_array_get(list, j)), str(b, "ip"));
	}
	assert_int_equal(json_object_size(map), nonempty);
	assert_int_equal(nonempty, 3);
	json_decref(ctx);
	json_decref(map);
	rib_free(rib);
}

/* ---- golden contexts of every fixture stream ---- */

static void
golden_one(const char *name)
{
	struct rib	*rib = tl_capture_rib(name);
	json_t		*ctx = context_build(rib, conf);
	char		 path[512], *dump = context_dump(ctx);

	snprintf(path, sizeof(path), GOLDEN "%s.json", name);
	tl_golden(path, dump);
	free(dump);
	json_decref(ctx);
	rib_free(rib);
}

static void
test_golden_contexts(void **state)
{
	assert_true(tl_each_file(TL_FIXTURES, ".jsonl", golden_one) >= 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_TEST(test_shape),
		TL_TEST(test_no_catalogue),
		TL_TEST(test_dump_text),
		TL_TEST(test_deterministic),
		TL_TEST(test_map_matches_context),
		TL_TEST(test_golden_contexts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
