/*
 * render_bench.c - the render cost of bgpsd-listen alone: a table of N
 * backends (the listener's own rib), then R times each of
 *   the daemon's way: open a context on the table (context_open) and
 *     render the template through it (tmpl_render_view);
 *   the JSON way (what the daemon did before, and --dump does): build
 *     the tree (context_build), render against it (tmpl_render);
 * and report the median, min and max of each step. The outputs must be
 * the same bytes.
 *
 *   render_bench [-n BACKENDS] [-r REPEAT] [-c bgpsd.conf] -t TEMPLATE
 *
 * Backends are the ones gen_stream's final table holds: prefix i
 * (198.18.0.0/15 /32s, every 5th a 2001:db8::/32 /128) on one of ten
 * ports. The config (optional) gives the service names.
 * Prints: render backends=N bytes=B context_ms=... render_ms=...
 *         json_context_ms=... json_render_ms=... (medians, and min, max)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "addr.h"
#include "conf.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"

#include "bench_util.h"

#define RB_NPORTS	10

static const uint16_t rb_ports[RB_NPORTS] = {
	80, 443, 8080, 8443, 22, 3306, 5432, 6379, 9000, 9090
};

/* same layout as gen_stream.c: prefix i on one of ten ports */
static void
rb_announce(struct rib *rib, struct exabgp_msg *msg, int i)
{
	char	p[64], line[512], err[256];

	if (i % 5 == 4)
		snprintf(p, sizeof(p), "2001:db8:%x::%x/128", i / 65536 + 1,
		    i % 65536 + 1);
	else
		snprintf(p, sizeof(p), "198.%d.%d.%d/32", 18 + (i >> 16) % 2,
		    (i >> 8) & 0xff, i & 0xff);
	snprintf(line, sizeof(line), "{ \"type\": \"update\", \"neighbor\": "
	    "{ \"address\": { \"peer\": \"198.51.100.1\" }, \"direction\": "
	    "\"receive\", \"message\": { \"update\": { \"attribute\": { "
	    "\"origin\": \"igp\", \"community\": [ [ 12345, %u ] ] }, "
	    "\"announce\": { \"%s unicast\": { \"198.51.100.1\": [ { "
	    "\"nlri\": \"%s\" } ] } } } } } }",
	    (unsigned int)rb_ports[(i / 10) % RB_NPORTS],
	    i % 5 == 4 ? "ipv6" : "ipv4", p);
	if (exabgp_decode(msg, line, strlen(line), err, sizeof(err)) == -1)
		fatalx("%s: %s", err, line);
	rib_apply(rib, msg);
}

static void
rb_report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_dcmp);
	printf(" %s_ms=%.3f %s_min_ms=%.3f %s_max_ms=%.3f", name, v[n / 2],
	    name, v[0], name, v[n - 1]);
}

int
main(int argc, char *argv[])
{
	struct bgpsd_conf	*conf = NULL;
	struct rib_conf		 rc;
	struct rib		*rib;
	struct exabgp_msg	 msg;
	struct context		 c;
	struct tmpl_value	 root;
	struct tmpl		*t;
	json_t			*ctx;
	const char		*tpath = NULL, *cpath = NULL;
	double			*tc, *tr, *jc, *jr, t0;
	char			 err[1024], *out = NULL, *jout = NULL;
	size_t			 outlen = 0, joutlen = 0;
	int			 n = 10000, reps = 21, i;
	const struct bench_opt	 opts[] = {
		{ 'n', BENCH_INT, &n },
		{ 'r', BENCH_INT, &reps },
		{ 'c', BENCH_STR, &cpath },
		{ 't', BENCH_STR, &tpath },
	};

	if (bench_options(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    "") == -1)
		goto usage;
	if (tpath == NULL || n < 1 || n > 1000000 || reps < 1 ||
	    reps > 10000)
		goto usage;
	log_init("render_bench", 0, 0);
	if (cpath != NULL && (conf = conf_load(cpath, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((t = tmpl_load(tpath, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	rib = rib_new(&rc);
	exabgp_msg_init(&msg);
	for (i = 0; i < n; i++)
		rb_announce(rib, &msg, i);
	exabgp_msg_free(&msg);
	tc = xreallocarray(NULL, (size_t)reps, sizeof(*tc));
	tr = xreallocarray(NULL, (size_t)reps, sizeof(*tr));
	jc = xreallocarray(NULL, (size_t)reps, sizeof(*jc));
	jr = xreallocarray(NULL, (size_t)reps, sizeof(*jr));
	for (i = 0; i < reps; i++) {
		free(out);
		free(jout);
		t0 = bench_now_ns() / 1e6;
		context_open(&c, rib, conf);
		context_root(&c, &root);
		tc[i] = bench_now_ns() / 1e6 - t0;
		t0 = bench_now_ns() / 1e6;
		if (tmpl_render_view(t, &root, 0, &out, &outlen, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
		context_close(&c);
		tr[i] = bench_now_ns() / 1e6 - t0;
		t0 = bench_now_ns() / 1e6;
		ctx = context_build(rib, conf);
		jc[i] = bench_now_ns() / 1e6 - t0;
		t0 = bench_now_ns() / 1e6;
		if (tmpl_render(t, ctx, 0, &jout, &joutlen, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
		json_decref(ctx);
		jr[i] = bench_now_ns() / 1e6 - t0;
		if (outlen != joutlen || memcmp(out, jout, outlen) != 0) {
			fprintf(stderr, "the view and the JSON tree render "
			    "differently\n");
			return 1;
		}
	}
	printf("render backends=%d bytes=%zu reps=%d", n, outlen, reps);
	rb_report("context", tc, reps);
	rb_report("render", tr, reps);
	rb_report("json_context", jc, reps);
	rb_report("json_render", jr, reps);
	printf("\n");
	free(out);
	free(jout);
	free(tc);
	free(tr);
	free(jc);
	free(jr);
	rib_free(rib);
	tmpl_free(t);
	if (conf != NULL)
		conf_free(conf);
	return 0;
usage:
	fprintf(stderr, "usage: render_bench [-n BACKENDS] [-r REPEAT] "
	    "[-c bgpsd.conf] -t TEMPLATE\n");
	return 2;
}
