/*
 * offline.c - bgpsd-listen without ExaBGP: -n (the configuration and
 * what the daemon would load), --once (a stream read to its end, every
 * template rendered once, or the context dumped) and --render (one
 * template on stdout, from a stream or a JSON file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "conf.h"
#include "creds.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"
#include "printconf.h"

#define OFFLINE_READ_CHUNK	65536

/* read stdin to EOF in blocking mode (the offline modes) */
static void
offline_slurp(struct listend *l)
{
	char	chunk[OFFLINE_READ_CHUNK];
	ssize_t	n;

	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("stdin");
			break;
		}
		if (n == 0)
			break;
		if (lines_feed(&l->in, chunk, (size_t)n) != 0)
			return;
	}
	lines_eof(&l->in);
}

static void
offline_once_done(int nfailed, void *arg)
{
	int	*result = arg;

	*result = nfailed;
}

int
offline_once(struct listend *l, int dump)
{
	struct context	 ctx;
	json_t		*j;
	char		*text;
	int		 result = -1;

	offline_slurp(l);
	if (dump) {
		j = context_build(l->rib, l->conf);
		text = context_dump(j);
		fputs(text, stdout);
		free(text);
		json_decref(j);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	context_open(&ctx, l->rib, l->conf);
	render_pass(l->render, &ctx, offline_once_done, &result);
	context_close(&ctx);
	/* bounded by the checks' and commands' timeouts */
	while (render_busy(l->render))
		if (ev_run_once(l->loop, -1) == -1)
			return 1;
	return result == 0 ? 0 : 1;
}

int
offline_render(struct listend *l, const char *path, const char *data,
    int html_escape)
{
	struct tmpl_opts opts;
	struct tmpl	*t;
	struct context	 c;
	struct tmpl_value root;
	json_error_t	 jerr;
	json_t		*ctx = NULL;
	char		*out, err[1024];
	size_t		 outlen;
	int		 rc = 1, r;

	memset(&opts, 0, sizeof(opts));
	opts.max_size = (size_t)l->conf->listen.max_template;
	if ((t = tmpl_load(path, &opts, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	if (data != NULL) {
		if ((ctx = json_load_file(data, 0, &jerr)) == NULL) {
			log_warnx("%s:%d: %s", data, jerr.line, jerr.text);
			tmpl_free(t);
			return 1;
		}
		render_decorate(ctx);
		r = tmpl_render(t, ctx, html_escape, &out, &outlen, err,
		    sizeof(err));
	} else {
		/* the very values the daemon renders with */
		offline_slurp(l);
		context_open(&c, l->rib, l->conf);
		context_root(&c, &root);
		r = tmpl_render_view(t, &root, html_escape, &out, &outlen,
		    err, sizeof(err));
		context_close(&c);
	}
	if (r == -1)
		log_warnx("%s: %s", path, err);
	else {
		if (fwrite(out, 1, outlen, stdout) == outlen &&
		    fflush(stdout) == 0)
			rc = 0;
		else
			log_warn("stdout");
		free(out);
	}
	json_decref(ctx);
	tmpl_free(t);
	return rc;
}

/*
 * -n: the configuration, then what the daemon would refuse at load: an
 * unknown user or group, and every template: its source readable and
 * compiling (with its partials), its owner and group known. Each error
 * is "file:line: message" alone on its line.
 */
int
offline_check(const struct bgpsd_conf *conf, int verbose)
{
	struct tmpl_opts opts;
	struct tmpl	*t;
	struct creds	 owner;
	struct run_as	 ra;
	char		 err[1024];
	size_t		 i;
	int		 rc = 0;

	if (reload_run_as(conf, &ra, 1) == -1)
		rc = 1;
	memset(&opts, 0, sizeof(opts));
	opts.max_size = (size_t)conf->listen.max_template;
	for (i = 0; i < conf->listen.ntemplates; i++) {
		if (render_template_open(&conf->listen.templates[i], &opts,
		    &t, &owner, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			rc = 1;
			continue;
		}
		tmpl_free(t);
	}
	if (rc != 0)
		return rc;
	if (verbose)
		conf_print(stdout, conf);
	else
		fprintf(stderr, "configuration OK\n");
	return 0;
}
