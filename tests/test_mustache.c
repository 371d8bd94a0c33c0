/*
 * test_mustache.c - the Mustache renderer.
 *
 * Data-driven: every case of the five official spec files (comments,
 * interpolation, inverted, partials, sections) and of our own files in
 * data/mustache/ (delimiters, extra rules, errors) runs as its own
 * cmocka test, named "file: case". A case has name, data, template,
 * optional partials, and either expected (output) or error (the exact
 * message of the compile or render failure); optional html_escape
 * (default true, the spec's behaviour), max_depth, max_size, max_output.
 *
 * Then C tests for what a JSON case cannot say: one template rendered
 * many times, a 10,000-backend list, nesting limits, partial files next
 * to a template, and random templates that must never crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "mustache.h"
#include "testlib.h"

#define SPEC_DIR	"data/fixtures/mustache-spec"
#define OWN_GLOB	"data/mustache/*.json"
#define SPEC_CASES	122	/* the README's count for the five files */

static const char *const spec_files[] = {
	"comments", "interpolation", "inverted", "partials", "sections",
};

struct dcase {
	char		*file;	/* label, e.g. "spec/partials" */
	json_t		*test;	/* NULL: no file, see msg */
	char		*msg;
};

static json_t	*loaded[64];	/* whole files, kept for their cases */
static size_t	 nloaded;
static size_t	 nspec_cases;

/* a JSON string on one line, for failure messages */
static char *
quote(const char *s, size_t len)
{
	json_t	*j = json_stringn_nocheck(s, len);
	char	*q = json_dumps(j, JSON_ENCODE_ANY);

	json_decref(j);
	return q;
}

static int
case_partial(void *arg, const char *name, char **text, size_t *len,
    char *err, size_t errlen)
{
	json_t	*p = json_object_get(arg, name);

	*text = NULL;
	*len = 0;
	if (p == NULL)
		return 0;
	if (!json_is_string(p)) {
		snprintf(err, errlen, "partial is not a string");
		return -1;
	}
	*len = json_string_length(p);
	*text = malloc(*len + 1);
	assert_non_null(*text);
	memcpy(*text, json_string_value(p), *len + 1);
	return 0;
}

static void
run_case(void **state)
{
	struct dcase	*c = *state;
	struct tmpl_opts opts;
	struct tmpl	*t;
	json_t		*tt = c->test, *v;
	const char	*tmpl_s, *want, *want_err;
	char		 err[512];
	char		*out = NULL, *out2 = NULL, *q1, *q2, *q3;
	size_t		 outlen = 0, out2len = 0;
	int		 html = 1, rc;

	if (tt == NULL)
		fail_msg("%s", c->msg);
	memset(&opts, 0, sizeof(opts));
	opts.partial = case_partial;
	opts.partial_arg = json_object_get(tt, "partials");
	if ((v = json_object_get(tt, "html_escape")) != NULL)
		html = json_is_true(v);
	if ((v = json_object_get(tt, "max_depth")) != NULL)
		opts.max_depth = (int)json_integer_value(v);
	if ((v = json_object_get(tt, "max_size")) != NULL)
		opts.max_size = (size_t)json_integer_value(v);
	if ((v = json_object_get(tt, "max_output")) != NULL)
		opts.max_output = (size_t)json_integer_value(v);
	tmpl_s = json_string_value(json_object_get(tt, "template"));
	want = json_string_value(json_object_get(tt, "expected"));
	want_err = json_string_value(json_object_get(tt, "error"));
	assert_non_null(tmpl_s);
	assert_true(want != NULL || want_err != NULL);

	err[0] = '\0';
	t = tmpl_compile(tmpl_s, json_string_length(json_object_get(tt,
	    "template")), &opts, err, sizeof(err));
	if (t == NULL) {
		if (want_err != NULL && strcmp(err, want_err) == 0)
			return;
		q1 = quote(tmpl_s, strlen(tmpl_s));
		fail_msg("compile failed: %s\ntemplate: %s\nwant error: %s",
		    err, q1, want_err != NULL ? want_err : "(none)");
	}
	rc = tmpl_render(t, json_object_get(tt, "data"), html, &out, &outlen,
	    err, sizeof(err));
	if (rc == 0) {
		/* a compiled template renders the same every time */
		assert_int_equal(tmpl_render(t, json_object_get(tt, "data"),
		    html, &out2, &out2len, err, sizeof(err)), 0);
		assert_int_equal(outlen, out2len);
		assert_memory_equal(out, out2, outlen);
		assert_int_equal(out[outlen], '\0');
		free(out2);
	}
	tmpl_free(t);
	if (want_err != NULL) {
		if (rc == -1 && strcmp(err, want_err) == 0)
			return;
		q1 = quote(tmpl_s, strlen(tmpl_s));
		fail_msg("want error: %s\ngot: %s\ntemplate: %s", want_err,
		    rc == -1 ? err : "(rendered fine)", q1);
	}
	if (rc == -1)
		fail_msg("render failed: %s", err);
	if (outlen == json_string_length(json_object_get(tt, "expected")) &&
	    memcmp(out, want, outlen) == 0) {
		free(out);
		return;
	}
	q1 = quote(tmpl_s, strlen(tmpl_s));
	q2 = quote(want, json_string_length(json_object_get(tt, "expected")));
	q3 = quote(out, outlen);
	fail_msg("template: %s\nexpected: %s\ngot:      %s", q1, q2, q3);
}

static void
add_file(struct CMUnitTest **tests, size_t *ntests, const char *path,
    const char *label, int spec)
{
	struct dcase	*c;
	json_error_t	 jerr;
	json_t		*root, *cases, *tt;
	size_t		 i;
	char		*name, *p;

	root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	cases = root != NULL ? json_object_get(root, "tests") : NULL;
	if (root == NULL || !json_is_array(cases) || nloaded == 64) {
		/* one failing test says the file is missing or bad */
		*tests = realloc(*tests, (*ntests + 1) * sizeof(**tests));
		c = calloc(1, sizeof(*c));
		assert_non_null(*tests);
		assert_non_null(c);
		c->file = strdup(label);
		if (asprintf(&c->msg, "%s: cannot load: %s", path,
		    root == NULL ? jerr.text : "no tests array") == -1)
			abort();
		if (asprintf(&name, "%s: load", label) == -1)
			abort();
		memset(&(*tests)[*ntests], 0, sizeof(**tests));
		(*tests)[*ntests].name = name;
		(*tests)[*ntests].test_func = run_case;
		(*tests)[*ntests].initial_state = c;
		(*ntests)++;
		json_decref(root);
		return;
	}
	loaded[nloaded++] = root;
	*tests = realloc(*tests, (*ntests + json_array_size(cases)) *
	    sizeof(**tests));
	assert_non_null(*tests);
	json_array_foreach(cases, i, tt) {
		c = calloc(1, sizeof(*c));
		assert_non_null(c);
		c->file = strdup(label);
		c->test = tt;
		if (asprintf(&name, "%s: %s", label,
		    json_string_value(json_object_get(tt, "name"))) == -1)
			abort();
		/* '#' would read as a TAP directive */
		for (p = name; *p != '\0'; p++)
			if (*p == '#')
				*p = '_';
		memset(&(*tests)[*ntests], 0, sizeof(**tests));
		(*tests)[*ntests].name = name;
		(*tests)[*ntests].test_func = run_case;
		(*tests)[*ntests].initial_state = c;
		(*ntests)++;
		if (spec)
			nspec_cases++;
	}
}

/* the five spec files hold the README's 122 cases: none was skipped */
static void
test_spec_count(void **state)
{
	assert_int_equal(nspec_cases, SPEC_CASES);
}

static struct tmpl *
compile_str(const char *s, const struct tmpl_opts *opts)
{
	struct tmpl	*t;
	char		 err[512];

	t = tmpl_compile(s, strlen(s), opts, err, sizeof(err));
	if (t == NULL)
		fail_msg("compile %s: %s", s, err);
	return t;
}

static char *
render_str(const struct tmpl *t, json_t *ctx, int html)
{
	char	 err[512];
	char	*out;
	size_t	 len;

	if (tmpl_render(t, ctx, html, &out, &len, err, sizeof(err)) == -1)
		fail_msg("render: %s", err);
	assert_int_equal(strlen(out), len);
	return out;
}

/* t renders ctx (html escaping or not) to want */
static void
assert_renders(const struct tmpl *t, json_t *ctx, int html, const char *want)
{
	char	*out = render_str(t, ctx, html);

	assert_string_equal(out, want);
	free(out);
}

/* one compiled template, both escaping modes, many contexts */
static void
test_render_many(void **state)
{
	struct tmpl	*t;
	json_t		*ctx;
	char		*out, want[64];
	int		 i;

	t = compile_str("{{x}}|{{{x}}}|{{&x}}|{{n}}", NULL);
	ctx = json_pack("{s:s, s:i}", "x", "a<b>&\"c\"", "n", 7);
	assert_renders(t, ctx, 0, "a<b>&\"c\"|a<b>&\"c\"|a<b>&\"c\"|7");
	assert_renders(t, ctx, 1,
	    "a&lt;b&gt;&amp;&quot;c&quot;|a<b>&\"c\"|a<b>&\"c\"|7");
	json_decref(ctx);
	for (i = 0; i < 1000; i++) {
		ctx = json_pack("{s:i, s:i}", "x", i, "n", -i);
		out = render_str(t, ctx, i & 1);
		snprintf(want, sizeof(want), "%d|%d|%d|%d", i, i, i, -i);
		assert_string_equal(out, want);
		free(out);
		json_decref(ctx);
	}
	/* no context at all: names are missing */
	assert_renders(t, NULL, 1, "|||");
	tmpl_free(t);
	tmpl_free(NULL);
}

/* integers are written by hand: the ends of int64 and every length */
static void
test_render_ints(void **state)
{
	static const json_int_t v[] = {
		0, 1, -1, 9, 10, -10, 99, 100, 65535, 65536, 4294967295LL,
		999999999999999999LL, INT64_MAX, INT64_MIN + 1, INT64_MIN
	};
	struct tmpl	*t;
	json_t		*ctx;
	char		 want[64];
	size_t		 i;

	t = compile_str("[{{n}}]", NULL);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ctx = json_pack("{s:I}", "n", v[i]);
		snprintf(want, sizeof(want), "[%lld]", (long long)v[i]);
		assert_renders(t, ctx, 0, want);
		json_decref(ctx);
	}
	tmpl_free(t);
}

/* an empty template renders an empty, NUL-terminated string */
static void
test_empty(void **state)
{
	struct tmpl	*t;

	t = compile_str("", NULL);
	assert_renders(t, NULL, 0, "");
	tmpl_free(t);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* the listener's context with 10,000 backends, checked line by line */
static void
test_big_list(void **state)
{
	const char	*src =
	    "{{#services}}\n"
	    "backend {{name}}\n"
	    "{{#backends}}\n"
	    "    server b{{index}} {{ip}}:{{port}} check{{#last}} # last"
	    "{{/last}}\n"
	    "{{/backends}}\n"
	    "{{/services}}\n";
	struct tmpl	*t;
	json_t		*ctx, *svc, *bes, *be;
	char		*out, *want, ip[64];
	size_t		 wlen = 0, wcap = 1024 * 1024;
	double		 t0, t1;
	int		 i, n = 10000;

	bes = json_array();
	want = malloc(wcap);
	assert_non_null(want);
	wlen += snprintf(want + wlen, wcap - wlen, "backend https\n");
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "198.51.%d.%d", 100 + i / 256,
		    i % 256);
		be = json_pack("{s:s, s:i, s:b, s:b}", "ip", ip, "index", i,
		    "first", i == 0, "last", i == n - 1);
		json_array_append_new(bes, be);
		wlen += snprintf(want + wlen, wcap - wlen,
		    "    server b%d %s:443 check%s\n", i, ip,
		    i == n - 1 ? " # last" : "");
		assert_true(wlen < wcap);
	}
	svc = json_pack("{s:s, s:i, s:i, s:o}", "name", "https", "port", 443,
	    "count", n, "backends", bes);
	ctx = json_pack("{s:[o]}", "services", svc);
	t = compile_str(src, NULL);
	t0 = now_ms();
	out = render_str(t, ctx, 0);
	t1 = now_ms();
	print_message("# 10000 backends rendered in %.1f ms (not a "
	    "benchmark)\n", t1 - t0);
	assert_int_equal(strlen(out), wlen);
	assert_memory_equal(out, want, wlen);
	free(out);
	free(want);
	tmpl_free(t);
	json_decref(ctx);
}

static char *
repeat(const char *s, int n, const char *mid, const char *s2)
{
	size_t	 l = strlen(s), l2 = strlen(s2), m = strlen(mid);
	char	*b = malloc(n * (l + l2) + m + 1), *p = b;
	int	 i;

	assert_non_null(b);
	for (i = 0; i < n; i++, p += l)
		memcpy(p, s, l);
	memcpy(p, mid, m);
	p += m;
	for (i = 0; i < n; i++, p += l2)
		memcpy(p, s2, l2);
	*p = '\0';
	return b;
}

/* TMPL_MAX_NEST sections compile, one more does not */
static void
test_nest_limit(void **state)
{
	struct tmpl	*t;
	json_t		*ctx = json_pack("{s:b}", "a", 1);
	char		*src, err[512];

	src = repeat("{{#a}}", TMPL_MAX_NEST, "x", "{{/a}}");
	t = compile_str(src, NULL);
	assert_renders(t, ctx, 0, "x");
	tmpl_free(t);
	free(src);
	src = repeat("{{#a}}", TMPL_MAX_NEST + 1, "x", "{{/a}}");
	t = tmpl_compile(src, strlen(src), NULL, err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "line 1: sections nested deeper than 100");
	free(src);
	json_decref(ctx);
}

static int
map_partial(void *arg, const char *name, char **text, size_t *len,
    char *err, size_t errlen)
{
	const char *const	*m;

	*text = NULL;
	for (m = arg; *m != NULL; m += 2)
		if (strcmp(m[0], name) == 0) {
			*text = strdup(m[1]);
			assert_non_null(*text);
			*len = strlen(m[1]);
			return 0;
		}
	return 0;
}

/*
 * Partials recursing through nested sections stop at TMPL_MAX_LEVELS
 * even when max_depth would allow more; a recursion at max_depth works.
 */
static void
test_levels_limit(void **state)
{
	const char		*parts[] = {
		"p", "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{>p}}"
		    "{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}",
		"q", "{{#k}}<{{>q}}>{{/k}}",
		NULL, NULL,
	};
	struct tmpl_opts	 opts;
	struct tmpl		*t;
	json_t			*ctx, *k;
	char			*out, *out2, err[512];
	size_t			 len;
	int			 i;

	memset(&opts, 0, sizeof(opts));
	opts.partial = map_partial;
	opts.partial_arg = parts;
	opts.max_depth = 100000;	/* clamped to TMPL_MAX_DEPTH */
	t = compile_str("{{>p}}", &opts);
	ctx = json_pack("{s:b}", "a", 1);
	assert_int_equal(tmpl_render(t, ctx, 0, &out, &len, err,
	    sizeof(err)), -1);
	assert_null(out);
	assert_non_null(strstr(err, "sections and partials nested deeper "
	    "than 1024"));
	json_decref(ctx);
	tmpl_free(t);

	/* data nested TMPL_MAX_DEPTH - 1 deep: every level renders */
	t = compile_str("{{>q}}", &opts);
	ctx = json_object();
	k = ctx;
	for (i = 0; i < TMPL_MAX_DEPTH - 1; i++) {
		json_t *inner = json_object();

		json_object_set_new(k, "k", inner);
		k = inner;
	}
	/* false stops the lookup walking up to the outer k */
	json_object_set_new(k, "k", json_false());
	out = render_str(t, ctx, 0);
	out2 = repeat("<", TMPL_MAX_DEPTH - 1, "", ">");
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	/* one level more is refused */
	json_object_set_new(k, "k", json_pack("{s:b}", "k", 0));
	assert_int_equal(tmpl_render(t, ctx, 0, &out, &len, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "partial 'q': line 1: partial 'q' nested "
	    "deeper than 256");
	json_decref(ctx);
	tmpl_free(t);
}

static int
fail_partial(void *arg, const char *name, char **text, size_t *len,
    char *err, size_t errlen)
{
	snprintf(err, errlen, "no partials here");
	return -1;
}

static void
test_resolver_error(void **state)
{
	struct tmpl_opts	 opts;
	struct tmpl		*t;
	char			 err[512];

	memset(&opts, 0, sizeof(opts));
	opts.partial = fail_partial;
	assert_null(tmpl_compile("a\n{{>x}}", 8, &opts, err, sizeof(err)));
	assert_string_equal(err, "line 2: partial 'x': no partials here");
	/* without a resolver a partial is simply missing */
	t = compile_str("<{{>x}}>", NULL);
	assert_renders(t, NULL, 0, "<>");
	tmpl_free(t);
}

/* tmpl_load of tl_tmpdir/name fails with tl_tmpdir + want */
static void
load_fails(const char *name, const char *want)
{
	char	 err[512], expect[1024];

	snprintf(expect, sizeof(expect), "%s%s", tl_tmpdir, want);
	assert_null(tmpl_load(tl_path("%s", name), NULL, err, sizeof(err)));
	assert_string_equal(err, expect);
}

/* tmpl_load: partials are name.mustache next to the template */
static void
test_files(void **state)
{
	struct tmpl_opts	 opts;
	struct tmpl		*t;
	json_t			*ctx;
	const char		*dir = tl_tmpdir, *path;
	char			 err[512], expect[1024], *out;
	size_t			 len;

	path = tl_put("main.mustache",
	    "{{>head}}\n{{#list}}\n  {{>row}}\n{{/list}}\n{{>missing}}end\n");
	/* a standalone partial tag takes its line, newline included */
	tl_put("head.mustache", "# {{title}}\n");
	tl_put("row.mustache", "- {{name}}\n");
	ctx = json_pack("{s:s, s:[{s:s},{s:s}]}", "title", "T", "list",
	    "name", "a", "name", "b");
	t = tmpl_load(path, NULL, err, sizeof(err));
	if (t == NULL)
		fail_msg("%s", err);
	assert_renders(t, ctx, 0, "# T\n  - a\n  - b\nend\n");
	tmpl_free(t);
	json_decref(ctx);

	path = tl_put("rec.mustache", "{{>rec}}");
	t = tmpl_load(path, NULL, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(tmpl_render(t, NULL, 0, &out, &len, err,
	    sizeof(err)), -1);
	tmpl_free(t);

	tl_put("badname.mustache", "x\n{{>../etc/passwd}}");
	load_fails("badname.mustache", "/badname.mustache:2: partial "
	    "'../etc/passwd': bad partial name: it must not start with '.' "
	    "or contain '/'");
	tl_put("dot.mustache", "{{>.hidden}}");
	load_fails("dot.mustache", "/dot.mustache:1: partial "
	    "'.hidden': bad partial name: it must not start with '.' or "
	    "contain '/'");
	tl_put("broken.mustache", "a\nb\n{{#x}}\n");
	tl_put("usebroken.mustache", "{{>broken}}");
	load_fails("usebroken.mustache", "/broken.mustache:3: unclosed "
	    "section 'x'");

	/* a FIFO in place of a partial is refused, without hanging */
	assert_int_equal(mkfifo(tl_path("fifo.mustache"), 0600), 0);
	path = tl_put("usefifo.mustache", "{{>fifo}}");
	assert_null(tmpl_load(path, NULL, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s/usefifo.mustache:1: partial "
	    "'fifo': %s/fifo.mustache: not a regular file", dir, dir);
	assert_string_equal(err, expect);

	/* size limits count partials; a missing template is an error */
	tl_put("big.mustache", "0123456789");
	tl_put("usebig.mustache", "{{>big}}");
	memset(&opts, 0, sizeof(opts));
	opts.max_size = 12;
	path = tl_path("usebig.mustache");
	assert_null(tmpl_load(path, &opts, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s/usebig.mustache:1: partial "
	    "'big': template and partials larger than 12 bytes", dir);
	assert_string_equal(err, expect);
	path = tl_put("bigmain.mustache", "0123456789abc");
	assert_null(tmpl_load(path, &opts, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s: larger than 12 bytes", path);
	assert_string_equal(err, expect);
	load_fails("nope.mustache", "/nope.mustache: No such file or "
	    "directory");
	/* a folder is not a template */
	assert_null(tmpl_load(dir, NULL, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s: not a regular file", dir);
	assert_string_equal(err, expect);
}

/* xorshift: deterministic random templates */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const char *const frags[] = {
	"{{", "}}", "{{{", "}}}", "{{#a}}", "{{/a}}", "{{^a}}", "{{#b}}",
	"{{/b}}", "{{>p}}", "{{>q}}", "{{!c}}", "{{=<% %>=}}", "<%", "%>",
	"<%#a%>", "<%/a%>", "<%>p%>", "<%={{ }}=%>", "{{.}}", "{{a.b}}",
	"{{&a}}", "{{{b}}}", "x", " ", "  ", "\n", "\r\n", "\t", "=", "{",
	"}", "#", "/", ">", ".", "{{=| |=}}", "|a|", "|#a|", "|/a|", "|",
	"{{#.}}", "{{/.}}", "{{b.b}}", "{{^b}}", "\r", "{{!", "!}}",
	"{{= =}}", "{{<x}}", "{{>}}", "{{# a }}", "{{/ a }}",
};

static char *
random_source(uint32_t *s, size_t *len)
{
	char	*b = malloc(1024);
	size_t	 n = 0, k, l;
	int	 i, count = (int)(rnd(s) % 24);

	assert_non_null(b);
	for (i = 0; i < count; i++) {
		k = rnd(s) % (sizeof(frags) / sizeof(frags[0]));
		l = strlen(frags[k]);
		memcpy(b + n, frags[k], l);
		n += l;
	}
	/* sometimes a NUL byte inside */
	if (n > 0 && rnd(s) % 16 == 0)
		b[rnd(s) % n] = '\0';
	b[n] = '\0';
	*len = n;
	return b;
}

struct rparts {
	char	*p, *q;
	size_t	 plen, qlen;
};

static int
rnd_partial(void *arg, const char *name, char **text, size_t *len,
    char *err, size_t errlen)
{
	struct rparts	*r = arg;
	const char	*src;

	*text = NULL;
	if (strcmp(name, "p") == 0) {
		src = r->p;
		*len = r->plen;
	} else if (strcmp(name, "q") == 0) {
		src = r->q;
		*len = r->qlen;
	} else
		return 0;
	*text = malloc(*len + 1);
	assert_non_null(*text);
	memcpy(*text, src, *len + 1);
	return 0;
}

/* random templates and partials: never a crash, always a message */
static void
test_random(void **state)
{
	struct tmpl_opts	 opts;
	struct rparts		 rp;
	struct tmpl		*t;
	json_t			*ctx;
	uint32_t		 seed = 0x9e3779b9;
	char			*src, *out, err[512];
	size_t			 len, outlen;
	int			 i, ok = 0, bad = 0;

	ctx = json_loads("{\"a\":[{\"b\":\"x<\"},true,{\"a\":false}],"
	    "\"b\":{\"b\":1.5}}", 0, NULL);
	assert_non_null(ctx);
	memset(&opts, 0, sizeof(opts));
	opts.partial = rnd_partial;
	opts.partial_arg = &rp;
	opts.max_output = 1 << 20;
	opts.max_depth = 8;
	for (i = 0; i < 20000; i++) {
		src = random_source(&seed, &len);
		rp.p = random_source(&seed, &rp.plen);
		rp.q = random_source(&seed, &rp.qlen);
		err[0] = '\0';
		t = tmpl_compile(src, len, &opts, err, sizeof(err));
		if (t == NULL) {
			assert_true(strncmp(err, "line ", 5) == 0 ||
			    strncmp(err, "partial '", 9) == 0);
			bad++;
		} else {
			if (tmpl_render(t, ctx, (int)(i & 1), &out, &outlen,
			    err, sizeof(err)) == 0) {
				assert_int_equal(out[outlen], '\0');
				free(out);
				ok++;
			} else {
				assert_null(out);
				assert_true(err[0] != '\0');
			}
			tmpl_free(t);
		}
		free(src);
		free(rp.p);
		free(rp.q);
	}
	print_message("# random templates: %d rendered, %d refused\n", ok,
	    bad);
	assert_true(ok > 1000);
	assert_true(bad > 1000);
	json_decref(ctx);
}

/* every prefix of a rich template compiles or fails cleanly */
static void
test_prefixes(void **state)
{
	const char	*src = "a {{#l}}\n  {{>p}}\n{{/l}}{{=<% %>=}}<%{x}%>"
	    "<%! c %>\n<%^n%>none<%/n%> {{x}}<%={{ }}=%>{{&x}}{{{x}}}\n";
	struct tmpl	*t;
	json_t		*ctx;
	char		*out, err[512];
	size_t		 len, outlen;

	ctx = json_pack("{s:[i,i], s:s}", "l", 1, 2, "x", "<");
	for (len = 0; len <= strlen(src); len++) {
		t = tmpl_compile(src, len, NULL, err, sizeof(err));
		if (t == NULL) {
			assert_true(strncmp(err, "line ", 5) == 0);
			continue;
		}
		assert_int_equal(tmpl_render(t, ctx, 1, &out, &outlen, err,
		    sizeof(err)), 0);
		free(out);
		tmpl_free(t);
	}
	t = compile_str(src, NULL);
	assert_renders(t, ctx, 1, "a \n\n<\nnone {{x}}<<\n");
	tmpl_free(t);
	json_decref(ctx);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_spec_count),
		cmocka_unit_test(test_render_many),
		cmocka_unit_test(test_render_ints),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_big_list),
		cmocka_unit_test(test_nest_limit),
		cmocka_unit_test(test_levels_limit),
		cmocka_unit_test(test_resolver_error),
		TL_TMPDIR_TEST(test_files),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_prefixes),
	};
	struct CMUnitTest	*tests = NULL;
	struct dcase		*c;
	glob_t			 g;
	const char		*dir;
	char			 path[1024], label[256], *base;
	size_t			 ntests = 0, i;
	int			 rc;

	if ((dir = getenv("BGPSD_MUSTACHE_SPEC")) == NULL)
		dir = SPEC_DIR;
	for (i = 0; i < sizeof(spec_files) / sizeof(spec_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.json", dir, spec_files[i]);
		snprintf(label, sizeof(label), "spec/%s", spec_files[i]);
		add_file(&tests, &ntests, path, label, 1);
	}
	if (glob(OWN_GLOB, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			base = strrchr(g.gl_pathv[i], '/') + 1;
			snprintf(label, sizeof(label), "own/%.*s",
			    (int)(strlen(base) - 5), base);
			add_file(&tests, &ntests, g.gl_pathv[i], label, 0);
		}
		globfree(&g);
	} else
		add_file(&tests, &ntests, OWN_GLOB, "own", 0);
	tests = realloc(tests, (ntests + sizeof(fixed) / sizeof(fixed[0])) *
	    sizeof(*tests));
	if (tests == NULL)
		abort();
	memcpy(tests + ntests, fixed, sizeof(fixed));
	ntests += sizeof(fixed) / sizeof(fixed[0]);

	rc = _cmocka_run_group_tests("mustache", tests, ntests, NULL, NULL);

	for (i = 0; i < ntests; i++) {
		if (tests[i].test_func != run_case)
			continue;
		c = tests[i].initial_state;
		free((char *)tests[i].name);
		free(c->file);
		free(c->msg);
		free(c);
	}
	free(tests);
	for (i = 0; i < nloaded; i++)
		json_decref(loaded[i]);
	return rc;
}
