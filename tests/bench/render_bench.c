/*
 * render_bench.c - the render cost of bgpsd-listen alone: build the
 * template context for N backends with the listener's own code
 * (context_from_backends + render_decorate, as main.c does before a
 * pass), then render a template with it (tmpl_render) R times, and
 * report the median, min and max of each step.
 *
 *   render_bench [-n BACKENDS] [-r REPEAT] [-c bgpsd.conf] -t TEMPLATE
 *
 * Backends are the ones gen_stream's final table holds: prefix i
 * (198.18.0.0/15 /32s, every 5th a 2001:db8::/32 /128) on one of ten
 * ports. The config (optional) gives the service names.
 * Prints: render backends=N bytes=B context_ms=... render_ms=... (median)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "addr.h"
#include "conf.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"

#define RB_NPORTS	10

static const uint16_t rb_ports[RB_NPORTS] = {
	80, 443, 8080, 8443, 22, 3306, 5432, 6379, 9000, 9090
};

static double
rb_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
rb_dcmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
rb_backend_cmp(const void *a, const void *b)
{
	const struct rib_backend *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return prefix_cmp(&x->prefix, &y->prefix);
}

/* same layout as gen_stream.c (10 peers) */
static void
rb_backend(int i, struct rib_backend *b)
{
	char	p[64];

	if (i % 5 == 4)
		snprintf(p, sizeof(p), "2001:db8:%x::%x/128", i / 65536 + 1,
		    i % 65536 + 1);
	else
		snprintf(p, sizeof(p), "198.%d.%d.%d/32", 18 + (i >> 16) % 2,
		    (i >> 8) & 0xff, i & 0xff);
	if (prefix_parse(p, &b->prefix, 0) == -1)
		fatalx("bad prefix %s", p);
	b->port = rb_ports[(i / 10) % RB_NPORTS];
	b->npeers = 1;
}

static void
rb_report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), rb_dcmp);
	printf(" %s_ms=%.3f %s_min_ms=%.3f %s_max_ms=%.3f", name, v[n / 2],
	    name, v[0], name, v[n - 1]);
}

int
main(int argc, char *argv[])
{
	struct bgpsd_conf	*conf = NULL;
	struct rib_backend	*v;
	struct tmpl		*t;
	json_t			*ctx = NULL;
	const char		*tpath = NULL, *cpath = NULL;
	double			*tc, *tr, t0;
	char			 err[1024], *out = NULL;
	size_t			 outlen = 0;
	int			 n = 10000, reps = 21, ch, i;

	while ((ch = getopt(argc, argv, "n:r:c:t:")) != -1) {
		switch (ch) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'c':
			cpath = optarg;
			break;
		case 't':
			tpath = optarg;
			break;
		default:
			goto usage;
		}
	}
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
	v = xreallocarray(NULL, (size_t)n, sizeof(*v));
	for (i = 0; i < n; i++)
		rb_backend(i, &v[i]);
	qsort(v, (size_t)n, sizeof(*v), rb_backend_cmp);
	tc = xreallocarray(NULL, (size_t)reps, sizeof(*tc));
	tr = xreallocarray(NULL, (size_t)reps, sizeof(*tr));
	for (i = 0; i < reps; i++) {
		json_decref(ctx);
		t0 = rb_now();
		ctx = context_from_backends(v, (size_t)n, conf);
		render_decorate(ctx);
		tc[i] = rb_now() - t0;
		free(out);
		t0 = rb_now();
		if (tmpl_render(t, ctx, 0, &out, &outlen, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
		tr[i] = rb_now() - t0;
	}
	printf("render backends=%d bytes=%zu reps=%d", n, outlen, reps);
	rb_report("context", tc, reps);
	rb_report("render", tr, reps);
	printf("\n");
	free(out);
	free(tc);
	free(tr);
	free(v);
	json_decref(ctx);
	tmpl_free(t);
	if (conf != NULL)
		conf_free(conf);
	return 0;
usage:
	fprintf(stderr, "usage: render_bench [-n BACKENDS] [-r REPEAT] "
	    "[-c bgpsd.conf] -t TEMPLATE\n");
	return 2;
}
