/*
 * test_render.c - a render pass through the public API: every template
 * rendered to its destination, an unchanged result leaves the file alone
 * (inode and mtime kept) and is reported so, min_backends keeps the old
 * file, identical reload commands run once per pass, a failed reload is
 * retried (also after render_inherit), a broken template set is refused
 * as a whole, render_decorate (for --data) and render_short.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ev.h"
#include "listen.h"
#include "testlib.h"

static const char	*dest_a, *dest_b, *counter, *failflag;

/*
 * Template a: every service with its backends' host; template b: the
 * port 80 backends as "server" lines, with booleans from the context.
 */
static const char tmpl_a[] =
    "{{#services}}{{name}} {{port}} {{count}}:"
    "{{#backends}} {{host}}{{/backends}}\n{{/services}}";
static const char tmpl_b[] =
    "{{#by_port.80.backends}}server s{{index}} {{host}}:80"
    "{{#ipv6}} v6{{/ipv6}}{{#last}} last{{/last}}\n{{/by_port.80.backends}}";
/* an unclosed section */
static const char tmpl_bad[] = "{{#services}}{{name}}\n";

/* sorted like rib_backends(): port, family, numeric address */
static const char *const full[] = {
	"80 192.0.2.2/32", "80 192.0.2.10/32", "80 2001:db8::1/128",
	"443 192.0.2.10/32", "443 2001:db8::2/128", NULL
};
static const char full_a[] =
    "http 80 3: 192.0.2.2 192.0.2.10 [2001:db8::1]\n"
    "https 443 2: 192.0.2.10 [2001:db8::2]\n";
static const char full_b[] =
    "server s0 192.0.2.2:80\n"
    "server s1 192.0.2.10:80\n"
    "server s2 [2001:db8::1]:80 v6 last\n";

static const char *const thin[] = {
	"80 192.0.2.10/32", "443 192.0.2.10/32", "443 2001:db8::2/128", NULL
};
static const char thin_a[] =
    "http 80 1: 192.0.2.10\n"
    "https 443 2: 192.0.2.10 [2001:db8::2]\n";

/* lines in the counter file: how many times the reload command ran */
static size_t
runs(void)
{
	const char	*s = tl_slurp(counter);

	return s == NULL ? 0 : tl_count(s, "\n");
}

static int
setup(void **state)
{
	if (tl_setup(state) == -1)
		return -1;
	dest_a = tl_path("a.out");
	dest_b = tl_path("b.out");
	counter = tl_path("counter");
	failflag = tl_path("fail");
	tl_put("a.mustache", tmpl_a);
	tl_put("b.mustache", tmpl_b);
	tl_put("bad.mustache", tmpl_bad);
	return 0;
}

/*
 * Write name.conf with templates (first, second) -> (a.out, b.out), or
 * the other way round when swap, both with the same reload command (it
 * counts its runs and fails while the file "fail" exists), and load it.
 */
static struct bgpsd_conf *
load_conf_check(const char *name, const char *first, const char *second,
    int swap, int min_b, const char *check_first)
{
	struct bgpsd_conf	*conf;
	const char		*path;
	char			 text[8192], cmd[1024], file[64], err[512];
	char			 check[512];

	snprintf(cmd, sizeof(cmd),
	    "echo run >> '%s'; test ! -e '%s'", counter, failflag);
	check[0] = '\0';
	if (check_first != NULL)
		snprintf(check, sizeof(check), " check = \"%s\";",
		    check_first);
	snprintf(text, sizeof(text),
	    "services = (\n"
	    "\t{ name = \"http\"; port = 80; },\n"
	    "\t{ name = \"https\"; port = 443; }\n"
	    ");\n"
	    "listen = {\n"
	    "\ttemplates = (\n"
	    "\t\t{ source = \"%s/%s\"; destination = \"%s\";\n"
	    "\t\t  command = \"%s\"; command_timeout = 5;%s },\n"
	    "\t\t{ source = \"%s/%s\"; destination = \"%s\";\n"
	    "\t\t  command = \"%s\"; command_timeout = 5;\n"
	    "\t\t  min_backends = %d; }\n"
	    "\t);\n"
	    "};\n",
	    tl_tmpdir, first, swap ? dest_b : dest_a, cmd, check,
	    tl_tmpdir, second, swap ? dest_a : dest_b, cmd, min_b);
	snprintf(file, sizeof(file), "%s.conf", name);
	path = tl_put(file, text);
	conf = conf_load(path, err, sizeof(err));
	if (conf == NULL)
		fail_msg("conf_load: %s", err);
	/* the config is not needed on disk any more */
	unlink(path);
	return conf;
}

static struct bgpsd_conf *
load_conf(const char *name, const char *first, const char *second,
    int swap, int min_b)
{
	return load_conf_check(name, first, second, swap, min_b, NULL);
}

/* a table and the context of it, as the daemon renders with */
struct tctx {
	struct rib	*rib;
	struct context	 c;
};

/* one line of ExaBGP JSON into the table */
static void
feed(struct rib *rib, const char *line)
{
	struct exabgp_msg	 msg;
	char			 err[256];

	exabgp_msg_init(&msg);
	if (exabgp_decode(&msg, line, strlen(line), err, sizeof(err)) == -1)
		fail_msg("test line refused: %s: %s", err, line);
	rib_apply(rib, &msg);
	exabgp_msg_free(&msg);
}

/*
 * A context from "PORT PREFIX" strings: one peer announces each prefix
 * with the communities 12345:PORT of every line that names it.
 */
static struct tctx *
make_ctx(const char *const *spec, const struct bgpsd_conf *conf)
{
	struct rib_conf	 rc;
	struct tctx	*t;
	char		 pfx[64], other[64], comm[1024], line[2048];
	unsigned	 port, p2;
	size_t		 i, j, off;
	int		 seen;

	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	t->rib = rib_new(&rc);
	feed(t->rib, "{ \"type\": \"state\", \"neighbor\": { \"address\": "
	    "{ \"local\": \"x\", \"peer\": \"198.51.100.1\" }, "
	    "\"state\": \"up\" } }");
	for (i = 0; spec[i] != NULL; i++) {
		assert_int_equal(sscanf(spec[i], "%u %63s", &port, pfx), 2);
		for (j = 0, seen = 0; j < i; j++) {
			assert_int_equal(sscanf(spec[j], "%u %63s", &p2,
			    other), 2);
			seen |= strcmp(other, pfx) == 0;
		}
		if (seen)
			continue;
		for (j = i, off = 0; spec[j] != NULL; j++) {
			assert_int_equal(sscanf(spec[j], "%u %63s", &p2,
			    other), 2);
			if (strcmp(other, pfx) == 0)
				off += (size_t)snprintf(comm + off,
				    sizeof(comm) - off, "%s[12345, %u]",
				    off ? ", " : "", p2);
		}
		snprintf(line, sizeof(line), "{ \"type\": \"update\", "
		    "\"neighbor\": { \"address\": { \"peer\": "
		    "\"198.51.100.1\" }, \"direction\": \"receive\", "
		    "\"message\": { \"update\": { \"attribute\": { "
		    "\"origin\": \"igp\", \"community\": [ %s ] }, "
		    "\"announce\": { \"%s unicast\": { \"198.51.100.1\": "
		    "[ { \"nlri\": \"%s\" } ] } } } } } }", comm,
		    strchr(pfx, ':') != NULL ? "ipv6" : "ipv4", pfx);
		feed(t->rib, line);
	}
	context_open(&t->c, t->rib, conf);
	return t;
}

static void
free_ctx(struct tctx *t)
{
	context_close(&t->c);
	rib_free(t->rib);
	free(t);
}

/* one pass, the loop run until its callback (at most 5 s); nfailed */
static int
pass(struct render *r, struct tctx *ctx)
{
	struct tl_done	 d = { 0, -1 };

	render_pass(r, &ctx->c, tl_done_cb, &d);
	tl_run_until(tl_loop, &d.called, 5 * EV_NSEC);
	if (d.called != 1)
		fail_msg("render pass callback ran %d times", d.called);
	assert_false(render_busy(r));
	return d.nfailed;
}

/*
 * A pass of r over the table spec (its own context, freed after): the
 * pass must fail nfailed templates and leave the first with result
 */
static void
pass_spec(struct render *r, const struct bgpsd_conf *conf,
    const char *const *spec, int nfailed, enum writer_result result)
{
	struct tctx	*ctx = make_ctx(spec, conf);

	assert_int_equal(pass(r, ctx), nfailed);
	assert_int_equal(render_status(r, 0)->result, result);
	free_ctx(ctx);
}

/*
 * The table spec under conf with min_backends min and nothing written
 * before: render_short must name the service name with count backends
 */
static void
assert_short(const struct bgpsd_conf *conf, const char *const *spec,
    int min, const char *name, long long count)
{
	struct tctx		*ctx = make_ctx(spec, conf);
	struct render_short	 sh;

	assert_int_equal(render_short(conf, &ctx->c, min, NULL, 0, &sh), 1);
	assert_string_equal(sh.name, name);
	assert_int_equal(sh.count, count);
	free_ctx(ctx);
}

/* a render of conf's templates, loaded */
static struct render *
render_loaded(const struct bgpsd_conf *conf)
{
	struct render	*r = render_new(tl_loop, NULL);

	assert_int_equal(render_load(r, conf), 0);
	return r;
}

/* the end of a test: its render, its config and its two contexts */
static void
free_test(struct render *r, struct bgpsd_conf *conf, struct tctx *ctx,
    struct tctx *ctx2)
{
	free_ctx(ctx);
	free_ctx(ctx2);
	render_free(r);
	conf_free(conf);
}

static void
assert_same_file(const struct stat *a, const char *path)
{
	struct stat	b;

	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a->st_ino, b.st_ino);
	assert_int_equal(a->st_mtim.tv_sec, b.st_mtim.tv_sec);
	assert_int_equal(a->st_mtim.tv_nsec, b.st_mtim.tv_nsec);
}

static void
test_pass_written_then_unchanged(void **state)
{
	struct bgpsd_conf		*conf;
	struct render			*r;
	const struct render_status	*st;
	struct stat			 sa, sb;
	struct tctx			*ctx, *ctx2;
	size_t				 n0;

	(void)state;
	conf = load_conf("good", "a.mustache", "b.mustache", 0, 0);
	r = render_loaded(conf);
	assert_int_equal(render_count(r), 2);
	assert_null(render_status(r, 2));
	st = render_status(r, 0);
	assert_string_equal(st->destination, dest_a);
	assert_string_equal(st->detail, "not rendered");
	assert_false(render_busy(r));

	ctx = make_ctx(full, conf);
	assert_int_equal(pass(r, ctx), 0);
	assert_string_equal(tl_slurp(dest_a), full_a);
	assert_string_equal(tl_slurp(dest_b), full_b);
	assert_int_equal(render_status(r, 0)->result, WRITER_WRITTEN);
	assert_int_equal(render_status(r, 1)->result, WRITER_WRITTEN);
	assert_true(render_status(r, 0)->when > 0);
	assert_false(render_status(r, 0)->command_pending);
	assert_false(render_status(r, 1)->command_pending);
	/* two templates, one identical command: it ran once */
	assert_int_equal(runs(), 1);
	assert_string_equal(render_commands_result(r), "exit 0");
	/* sources, outputs, counter: no staged file left */
	n0 = tl_entries(tl_tmpdir);
	assert_int_equal(n0, 6);

	/* the same context again: nothing written, no reload */
	assert_int_equal(stat(dest_a, &sa), 0);
	assert_int_equal(stat(dest_b, &sb), 0);
	usleep(20000);
	assert_int_equal(pass(r, ctx), 0);
	assert_same_file(&sa, dest_a);
	assert_same_file(&sb, dest_b);
	assert_int_equal(render_status(r, 0)->result, WRITER_UNCHANGED);
	assert_int_equal(render_status(r, 1)->result, WRITER_UNCHANGED);
	assert_int_equal(runs(), 1);
	assert_int_equal(tl_entries(tl_tmpdir), n0);

	/* a new context changes only a.out: one reload */
	ctx2 = make_ctx(thin, conf);
	assert_int_equal(pass(r, ctx2), 0);
	assert_string_equal(tl_slurp(dest_a), thin_a);
	assert_int_equal(render_status(r, 0)->result, WRITER_WRITTEN);
	/* b.out: port 80 now has one backend */
	assert_string_equal(tl_slurp(dest_b), "server s0 192.0.2.10:80 last\n");
	assert_int_equal(render_status(r, 1)->result, WRITER_WRITTEN);
	assert_int_equal(runs(), 2);

	free_test(r, conf, ctx, ctx2);
}

static void
test_min_backends_keeps_old_file(void **state)
{
	struct bgpsd_conf		*conf;
	struct render			*r;
	const struct render_status	*st;
	struct stat			 sb;
	struct tctx			*ctx, *ctx2;

	(void)state;
	/* b needs 2 backends in every catalogued service */
	conf = load_conf("minb", "a.mustache", "b.mustache", 0, 2);
	r = render_loaded(conf);
	ctx = make_ctx(full, conf);
	assert_int_equal(pass(r, ctx), 0);
	assert_string_equal(tl_slurp(dest_b), full_b);
	assert_int_equal(runs(), 1);

	/* http drops to 1 backend: a follows, b keeps the old file */
	assert_int_equal(stat(dest_b, &sb), 0);
	ctx2 = make_ctx(thin, conf);
	assert_int_equal(pass(r, ctx2), 1);
	assert_string_equal(tl_slurp(dest_a), thin_a);
	assert_int_equal(render_status(r, 0)->result, WRITER_WRITTEN);
	st = render_status(r, 1);
	assert_int_equal(st->result, WRITER_REFUSED);
	assert_string_equal(st->detail, "min_backends: http has 1");
	assert_string_equal(tl_slurp(dest_b), full_b);
	assert_same_file(&sb, dest_b);
	/* a was written: the (shared) command ran once more */
	assert_int_equal(runs(), 2);

	/* refused again, a unchanged: no reload, still reported */
	assert_int_equal(pass(r, ctx2), 1);
	assert_int_equal(render_status(r, 0)->result, WRITER_UNCHANGED);
	assert_int_equal(render_status(r, 1)->result, WRITER_REFUSED);
	assert_string_equal(render_status(r, 1)->detail,
	    "min_backends: http has 1");
	assert_int_equal(runs(), 2);

	/*
	 * Enough backends again: b renders the bytes it kept, so it is
	 * unchanged (no longer refused); a is written back.
	 */
	assert_int_equal(pass(r, ctx), 0);
	assert_int_equal(render_status(r, 1)->result, WRITER_UNCHANGED);
	assert_same_file(&sb, dest_b);
	assert_int_equal(render_status(r, 0)->result, WRITER_WRITTEN);
	assert_string_equal(tl_slurp(dest_a), full_a);
	assert_int_equal(runs(), 3);

	free_test(r, conf, ctx, ctx2);
}

static void
test_bad_template_keeps_set(void **state)
{
	struct bgpsd_conf		*conf, *bad, *missing;
	struct render			*r;
	const struct render_status	*st;
	struct tctx			*ctx, *ctx2;

	(void)state;
	conf = load_conf("good", "a.mustache", "b.mustache", 0, 0);
	bad = load_conf("bad", "a.mustache", "bad.mustache", 0, 0);
	missing = load_conf("missing", "nonexistent.mustache", "b.mustache",
	    0, 0);
	r = render_loaded(conf);
	ctx = make_ctx(full, conf);
	assert_int_equal(pass(r, ctx), 0);
	assert_int_equal(runs(), 1);

	/* one good and one broken template: the whole new set refused */
	assert_int_equal(render_load(r, bad), -1);
	assert_int_equal(render_load(r, missing), -1);
	assert_int_equal(render_count(r), 2);
	st = render_status(r, 1);
	assert_ptr_equal(st->source, conf->listen.templates[1].source);
	assert_int_equal(st->result, WRITER_WRITTEN);
	assert_string_not_equal(st->detail, "not rendered");

	/* and the old templates still render */
	ctx2 = make_ctx(thin, conf);
	assert_int_equal(pass(r, ctx2), 0);
	assert_string_equal(tl_slurp(dest_a), thin_a);
	assert_string_equal(tl_slurp(dest_b), "server s0 192.0.2.10:80 last\n");
	assert_int_equal(runs(), 2);

	free_ctx(ctx);
	free_ctx(ctx2);
	render_free(r);
	conf_free(conf);
	conf_free(bad);
	conf_free(missing);
}

static void
test_failed_reload_retried_and_inherited(void **state)
{
	struct bgpsd_conf	*conf, *swapped;
	struct render		*r, *r2;
	struct tctx		*ctx;
	char			 detail1[256];

	(void)state;
	conf = load_conf("good", "a.mustache", "b.mustache", 0, 0);
	r = render_loaded(conf);
	ctx = make_ctx(full, conf);

	tl_put("fail", "");
	assert_int_equal(pass(r, ctx), 1);
	assert_string_equal(render_commands_result(r), "exit 1");
	assert_int_equal(runs(), 1);
	assert_true(render_status(r, 0)->command_pending);
	assert_true(render_status(r, 1)->command_pending);

	/* nothing changed, but the failed reload is run again */
	assert_int_equal(pass(r, ctx), 1);
	assert_int_equal(render_status(r, 0)->result, WRITER_UNCHANGED);
	assert_int_equal(runs(), 2);
	assert_true(render_status(r, 0)->command_pending);
	snprintf(detail1, sizeof(detail1), "%s", render_status(r, 1)->detail);

	/*
	 * A reload with the templates in the other order: results and the
	 * pending reload follow the destination, names come from the new
	 * config.
	 */
	swapped = load_conf("swapped", "b.mustache", "a.mustache", 1, 0);
	r2 = render_loaded(swapped);
	assert_false(render_status(r2, 0)->command_pending);
	assert_string_equal(render_commands_result(r2), "");
	render_inherit(r2, r);
	assert_string_equal(render_status(r2, 0)->destination, dest_b);
	assert_ptr_equal(render_status(r2, 0)->destination,
	    swapped->listen.templates[0].destination);
	assert_ptr_equal(render_status(r2, 0)->source,
	    swapped->listen.templates[0].source);
	assert_string_equal(render_status(r2, 0)->detail, detail1);
	assert_int_equal(render_status(r2, 0)->result, WRITER_UNCHANGED);
	assert_true(render_status(r2, 0)->command_pending);
	assert_true(render_status(r2, 1)->command_pending);
	assert_string_equal(render_commands_result(r2), "exit 1");
	render_free(r);
	/* a context is of one config: made anew for the new one */
	free_ctx(ctx);
	conf_free(conf);
	ctx = make_ctx(full, swapped);

	/* the new render retries the reload once more; now it works */
	unlink(failflag);
	assert_int_equal(pass(r2, ctx), 0);
	assert_int_equal(runs(), 3);
	assert_string_equal(render_commands_result(r2), "exit 0");
	assert_false(render_status(r2, 0)->command_pending);
	assert_false(render_status(r2, 1)->command_pending);
	assert_int_equal(render_status(r2, 0)->result, WRITER_UNCHANGED);
	assert_string_equal(tl_slurp(dest_a), full_a);
	assert_string_equal(tl_slurp(dest_b), full_b);

	/* and not again after that */
	assert_int_equal(pass(r2, ctx), 0);
	assert_int_equal(runs(), 3);

	free_ctx(ctx);
	render_free(r2);
	conf_free(swapped);
}

static void
test_check_failed_keeps_old_file(void **state)
{
	struct bgpsd_conf		*conf;
	struct render			*r;
	const struct render_status	*st;
	struct stat			 sa;
	struct tctx			*ctx, *ctx2;
	struct tl_done			 d = { 0, -1 };

	(void)state;
	/* a's check runs in the background: wants 192.0.2.2 in the file */
	conf = load_conf_check("check", "a.mustache", "b.mustache", 0, 0,
	    "grep -q 192.0.2.2 %s");
	r = render_loaded(conf);
	ctx = make_ctx(full, conf);
	render_pass(r, &ctx->c, tl_done_cb, &d);
	/* the check is running: the pass waits for it */
	assert_int_equal(d.called, 0);
	assert_true(render_busy(r));
	render_cancel(r);
	assert_false(render_busy(r));
	assert_null(tl_slurp(dest_a));
	assert_null(tl_slurp(dest_b));
	/* sources only: the staged copy was removed */
	assert_int_equal(tl_entries(tl_tmpdir), 3);

	assert_int_equal(pass(r, ctx), 0);
	assert_string_equal(tl_slurp(dest_a), full_a);
	assert_string_equal(tl_slurp(dest_b), full_b);
	assert_int_equal(render_status(r, 0)->result, WRITER_WRITTEN);
	assert_int_equal(runs(), 1);
	assert_int_equal(d.called, 0);

	/* without 192.0.2.2 the check fails: a kept, b written */
	assert_int_equal(stat(dest_a, &sa), 0);
	ctx2 = make_ctx(thin, conf);
	assert_int_equal(pass(r, ctx2), 1);
	st = render_status(r, 0);
	assert_int_equal(st->result, WRITER_CHECK_FAILED);
	assert_non_null(strstr(st->detail, "check"));
	assert_same_file(&sa, dest_a);
	assert_string_equal(tl_slurp(dest_a), full_a);
	assert_int_equal(render_status(r, 1)->result, WRITER_WRITTEN);
	assert_string_equal(tl_slurp(dest_b), "server s0 192.0.2.10:80 last\n");
	assert_false(render_status(r, 0)->command_pending);
	assert_int_equal(runs(), 2);
	/* sources, outputs, counter: no staged file left */
	assert_int_equal(tl_entries(tl_tmpdir), 6);

	/* freed in the middle of a pass: no callback, nothing left */
	free_ctx(ctx);
	ctx = make_ctx(full, conf);
	render_pass(r, &ctx->c, tl_done_cb, &d);
	assert_true(render_busy(r));
	render_free(r);
	assert_int_equal(d.called, 0);
	assert_int_equal(tl_entries(tl_tmpdir), 6);

	free_ctx(ctx);
	free_ctx(ctx2);
	conf_free(conf);
}

static void
check_decorated(json_t *svc, const char *const *ips)
{
	json_t	*b;
	size_t	 i;
	char	 host[64];
	int	 v6;

	assert_non_null(svc);
	assert_int_equal(json_array_size(json_object_get(svc, "backends")),
	    (size_t)json_integer_value(json_object_get(svc, "count")));
	json_array_foreach(json_object_get(svc, "backends"), i, b) {
		assert_non_null(ips[i]);
		assert_string_equal(json_string_value(json_object_get(b,
		    "ip")), ips[i]);
		v6 = strchr(ips[i], ':') != NULL;
		snprintf(host, sizeof(host), v6 ? "[%s]" : "%s", ips[i]);
		assert_string_equal(json_string_value(json_object_get(b,
		    "host")), host);
		assert_true(json_is_boolean(json_object_get(b, "ipv4")));
		assert_true(json_is_boolean(json_object_get(b, "ipv6")));
		assert_int_equal(json_is_true(json_object_get(b, "ipv4")), !v6);
		assert_int_equal(json_is_true(json_object_get(b, "ipv6")), v6);
	}
	assert_null(ips[i]);
}

static void
test_decorate(void **state)
{
	static const char *const ips80[] = {
		"192.0.2.2", "192.0.2.10", "2001:db8::1", NULL
	};
	static const char *const ips443[] = {
		"192.0.2.10", "2001:db8::2", NULL
	};
	struct bgpsd_conf	*conf;
	struct tctx		*t;
	json_t			*ctx, *once, *copy;

	(void)state;
	conf = load_conf("good", "a.mustache", "b.mustache", 0, 0);
	/* the JSON of the context has them already */
	t = make_ctx(full, conf);
	ctx = context_json(&t->c);
	free_ctx(t);
	check_decorated(json_array_get(json_object_get(ctx, "services"), 0),
	    ips80);
	check_decorated(json_array_get(json_object_get(ctx, "services"), 1),
	    ips443);
	check_decorated(json_object_get(json_object_get(ctx, "by_name"),
	    "http"), ips80);
	check_decorated(json_object_get(json_object_get(ctx, "by_port"),
	    "443"), ips443);

	/* idempotent */
	once = json_deep_copy(ctx);
	render_decorate(ctx);
	assert_true(json_equal(once, ctx));

	/* copies in by_name / by_port are decorated too */
	copy = json_object();
	json_object_set_new(copy, "services", json_array());
	json_object_set_new(copy, "by_name", json_deep_copy(json_object_get(
	    once, "by_name")));
	json_object_set_new(copy, "by_port", json_object());
	json_object_set_new(json_object_get(copy, "by_port"), "80",
	    json_deep_copy(json_object_get(json_object_get(once, "by_name"),
	    "http")));
	/* strip the decoration of the copies, then decorate again */
	json_object_del(json_array_get(json_object_get(json_object_get(
	    json_object_get(copy, "by_name"), "http"), "backends"), 2),
	    "host");
	json_object_del(json_array_get(json_object_get(json_object_get(
	    json_object_get(copy, "by_port"), "80"), "backends"), 0),
	    "ipv4");
	render_decorate(copy);
	check_decorated(json_object_get(json_object_get(copy, "by_name"),
	    "http"), ips80);
	check_decorated(json_object_get(json_object_get(copy, "by_port"),
	    "80"), ips80);

	/* no backends, no services, not an object: nothing to do */
	render_decorate(NULL);
	render_decorate(json_object_get(once, "services"));

	json_decref(copy);
	json_decref(once);
	json_decref(ctx);
	conf_free(conf);
}

static void
test_short_service(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const other[] = { "8080 192.0.2.9/32", NULL };
	static const uint16_t	 last[] = { 8080 };
	struct bgpsd_conf	*conf;
	struct render_short	 sh;
	struct tctx		*ctx;

	(void)state;
	conf = load_conf("good", "a.mustache", "b.mustache", 0, 0);
	ctx = make_ctx(thin, conf);	/* http 1, https 2 */
	assert_int_equal(render_short(conf, &ctx->c, 0, NULL, 0, &sh), 0);
	assert_int_equal(render_short(conf, &ctx->c, 1, NULL, 0, &sh), 0);
	assert_int_equal(render_short(conf, &ctx->c, 2, NULL, 0, &sh), 1);
	assert_string_equal(sh.name, "http");
	assert_int_equal(sh.port, 80);
	assert_int_equal(sh.count, 1);
	/* the first catalogued service short of min is named */
	assert_int_equal(render_short(conf, &ctx->c, 3, NULL, 0, &sh), 1);
	assert_string_equal(sh.name, "http");
	free_ctx(ctx);

	ctx = make_ctx(full, conf);	/* http 3, https 2 */
	assert_int_equal(render_short(conf, &ctx->c, 3, NULL, 0, &sh), 1);
	assert_string_equal(sh.name, "https");
	assert_int_equal(sh.port, 443);
	assert_int_equal(sh.count, 2);
	assert_int_equal(render_short(conf, &ctx->c, 2, NULL, 0, &sh), 0);
	/* a port the file was last written with is guarded too */
	assert_int_equal(render_short(conf, &ctx->c, 2, last, 1, &sh), 1);
	assert_string_equal(sh.name, "port_8080");
	assert_int_equal(sh.port, 8080);
	assert_int_equal(sh.count, 0);
	free_ctx(ctx);

	/* catalogued services without backends count 0 */
	assert_short(conf, none, 1, "http", 0);
	/* an uncatalogued port does not help a catalogued one */
	assert_short(conf, other, 1, "http", 0);
	conf_free(conf);
}

/*
 * Without a catalogue: min_backends guards what the file was last
 * written with, and an empty table never replaces the file.
 */
static void
test_min_backends_uncatalogued(void **state)
{
	static const char *const two[] = {
		"8080 192.0.2.1/32", "8080 192.0.2.2/32", NULL };
	static const char *const one[] = { "8080 192.0.2.1/32", NULL };
	static const char *const none[] = { NULL };
	static const char *const more[] = {
		"8080 192.0.2.1/32", "8080 192.0.2.2/32",
		"9090 192.0.2.3/32", NULL };
	struct bgpsd_conf	*conf;
	struct render		*r;
	struct tctx		*ctx;
	char			 text[1024], err[512], *kept;

	(void)state;
	snprintf(text, sizeof(text), "listen = { templates = ( {\n"
	    "\tsource = \"%s/a.mustache\"; destination = \"%s\";\n"
	    "\tmin_backends = 2; } ); };\n", tl_tmpdir, dest_a);
	if ((conf = conf_load(tl_put("nocat.conf", text), err,
	    sizeof(err))) == NULL)
		fail_msg("conf_load: %s", err);
	/* nothing learned, nothing known: the empty table is short */
	assert_short(conf, none, 2, "(all services)", 0);

	r = render_loaded(conf);
	pass_spec(r, conf, two, 0, WRITER_WRITTEN);
	assert_non_null(kept = tl_slurp(dest_a));
	kept = strdup(kept);
	/* port_8080 was in the file: one backend left is too few */
	ctx = make_ctx(one, conf);
	assert_int_equal(pass(r, ctx), 1);
	assert_int_equal(render_status(r, 0)->result, WRITER_REFUSED);
	assert_string_equal(render_status(r, 0)->detail,
	    "min_backends: port_8080 has 1");
	assert_string_equal(tl_slurp(dest_a), kept);
	free_ctx(ctx);
	/* the table emptied: the file is not replaced by an empty one */
	pass_spec(r, conf, none, 1, WRITER_REFUSED);
	assert_string_equal(tl_slurp(dest_a), kept);
	/* a new port may join with fewer; the guarded one is back to 2 */
	pass_spec(r, conf, more, 0, WRITER_WRITTEN);
	free(kept);
	render_free(r);
	conf_free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TL_SETUP_TEST(test_pass_written_then_unchanged),
		TL_SETUP_TEST(test_min_backends_keeps_old_file),
		TL_SETUP_TEST(test_bad_template_keeps_set),
		TL_SETUP_TEST(test_failed_reload_retried_and_inherited),
		TL_SETUP_TEST(test_check_failed_keeps_old_file),
		TL_SETUP_TEST(test_decorate),
		TL_SETUP_TEST(test_short_service),
		TL_SETUP_TEST(test_min_backends_uncatalogued),
	};

	return cmocka_run_group_tests(tests, tl_log_setup, NULL);
}
