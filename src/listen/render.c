/*
 * render.c - a render pass: each template rendered against one context,
 * written through the writer one after the other (a check may take a
 * while, and two checks of one haproxy would fight), then the reload
 * commands of what was written.
 *
 * Templates are compiled at load time only, so a SIGHUP with a broken
 * template keeps the whole previous set and nothing half-new runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "creds.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"

struct render {
	struct ev_loop		*loop;
	struct writer		*writer;
	struct commands		*commands;
	const struct bgpsd_conf	*conf;
	struct tmpl		**tmpls;
	struct creds		*owners;	/* resolved at load */
	struct render_status	*status;
	size_t			 n;
	/* the pass in progress: every output made at its start */
	int			 busy;
	size_t			 next;
	struct render_job	*jobs;
	int			 nfailed;
	render_done_cb		 cb;
	void			*arg;
	char			 cmd_result[64];
	/* haproxy_socket: what each file was last made from, the client */
	struct haproxy_snap	*snaps;
	struct haproxy_client	*haproxy;
	size_t			 hnext;		/* next template to tell */
	/* the last pass: time to make every text, their total size */
	double			 last_seconds;
	size_t			 last_bytes;
};

/*
 * A template's part of a pass, made from the context before anything is
 * written (the table may change while a check runs): the text, or why
 * there is none, and the ports it was made with.
 */
enum render_job_kind {
	RENDER_JOB_TEXT,
	RENDER_JOB_SHORT,	/* min_backends: old file kept */
	RENDER_JOB_ERROR,	/* the template failed: old file kept */
};

struct render_job {
	enum render_job_kind	 kind;
	char			*text;
	size_t			 len;
	char			 detail[256];
	uint16_t		*ports;		/* with backends */
	size_t			 nports;
	/* haproxy_socket: this pass's servers, and the commands when only
	 * weights and drains changed (runtime: send them, no reload) */
	struct haproxy_snap	 snap;
	struct haproxy_cmds	 cmds;
	size_t			 nservers;	/* ... they change */
	int			 runtime;
};

static void
render_jobs_free(struct render_job *jobs, size_t n)
{
	size_t	i;

	for (i = 0; jobs != NULL && i < n; i++) {
		free(jobs[i].text);
		free(jobs[i].ports);
		haproxy_snap_free(&jobs[i].snap);
		haproxy_cmds_free(&jobs[i].cmds);
	}
	free(jobs);
}

struct render *
render_new(struct ev_loop *loop, const struct run_as *ra)
{
	struct render	*r;

	r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->writer = writer_new(loop, ra);
	r->commands = commands_new(loop, ra);
	r->haproxy = haproxy_client_new(loop);
	return r;
}

static void
render_status_free(struct render_status *st, size_t n)
{
	size_t	i;

	for (i = 0; st != NULL && i < n; i++)
		free(st[i].ports);
	free(st);
}

static void
render_snaps_free(struct haproxy_snap *snaps, size_t n)
{
	size_t	i;

	for (i = 0; snaps != NULL && i < n; i++)
		haproxy_snap_free(&snaps[i]);
	free(snaps);
}

static void
render_unload(struct tmpl **tmpls, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		tmpl_free(tmpls[i]);
	free(tmpls);
}

void
render_free(struct render *r)
{
	if (r == NULL)
		return;
	render_cancel(r);
	writer_free(r->writer);
	commands_free(r->commands);
	haproxy_client_free(r->haproxy);
	render_snaps_free(r->snaps, r->n);
	render_unload(r->tmpls, r->n);
	render_status_free(r->status, r->n);
	free(r->owners);
	free(r);
}

int
render_template_open(const struct template_conf *tc,
    const struct tmpl_opts *opts, struct tmpl **t, struct creds *owner,
    char *err, size_t errlen)
{
	char	 why[512];

	*t = NULL;
	/* once here, not at every write: getpwnam may block */
	if (creds_resolve(tc->owner, tc->group, 0, owner, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "%s:%d: template %s: %s", tc->file,
		    tc->line, tc->destination, why);
		return -1;
	}
	if ((*t = tmpl_load(tc->source, opts, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s:%d: template %s", tc->file, tc->line,
		    why);
		return -1;
	}
	return 0;
}

int
render_load(struct render *r, const struct bgpsd_conf *conf)
{
	const struct listen_conf *lc = &conf->listen;
	struct tmpl_opts	 opts;
	const struct template_conf *tc;
	struct tmpl		**tmpls;
	struct render_status	*st;
	struct creds		*owners;
	char			 err[512];
	size_t			 i;
	int			 bad = 0;

	if (r->busy)
		fatalx("render_load during a pass");
	memset(&opts, 0, sizeof(opts));
	if (lc->max_template > 0)
		opts.max_size = (size_t)lc->max_template;
	tmpls = xcalloc(lc->ntemplates + 1, sizeof(*tmpls));
	st = xcalloc(lc->ntemplates + 1, sizeof(*st));
	owners = xcalloc(lc->ntemplates + 1, sizeof(*owners));
	for (i = 0; i < lc->ntemplates; i++) {
		tc = &lc->templates[i];
		if (render_template_open(tc, &opts, &tmpls[i], &owners[i],
		    err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			bad = 1;
		}
		st[i].source = lc->templates[i].source;
		st[i].destination = lc->templates[i].destination;
		st[i].result = WRITER_UNCHANGED;
		snprintf(st[i].detail, sizeof(st[i].detail), "not rendered");
	}
	if (bad) {
		render_unload(tmpls, lc->ntemplates);
		render_status_free(st, lc->ntemplates);
		free(owners);
		return -1;
	}
	for (i = 0; i < lc->ntemplates; i++)
		writer_sweep(lc->templates[i].destination);
	render_unload(r->tmpls, r->n);
	render_status_free(r->status, r->n);
	/*
	 * No snapshot survives a load: the template itself may have
	 * changed, so the first change of a file goes through its reload.
	 */
	render_snaps_free(r->snaps, r->n);
	r->snaps = xcalloc(lc->ntemplates + 1, sizeof(*r->snaps));
	free(r->owners);
	r->owners = owners;
	r->tmpls = tmpls;
	r->status = st;
	r->n = lc->ntemplates;
	r->conf = conf;
	return 0;
}

void
render_inherit(struct render *to, const struct render *from)
{
	size_t	i, j;

	for (i = 0; i < to->n; i++)
		for (j = 0; j < from->n; j++)
			if (strcmp(to->status[i].destination,
			    from->status[j].destination) == 0) {
				free(to->status[i].ports);
				to->status[i] = from->status[j];
				to->status[i].ports = xcalloc(
				    from->status[j].nports + 1,
				    sizeof(*to->status[i].ports));
				memcpy(to->status[i].ports,
				    from->status[j].ports,
				    from->status[j].nports *
				    sizeof(*to->status[i].ports));
				to->status[i].source =
				    to->conf->listen.templates[i].source;
				to->status[i].destination =
				    to->conf->listen.templates[i].destination;
			}
	snprintf(to->cmd_result, sizeof(to->cmd_result), "%s",
	    from->cmd_result);
}

size_t
render_count(const struct render *r)
{
	return r->n;
}

const struct render_status *
render_status(const struct render *r, size_t i)
{
	return i < r->n ? &r->status[i] : NULL;
}

int
render_busy(const struct render *r)
{
	return r->busy;
}

const char *
render_commands_result(const struct render *r)
{
	return r->cmd_result;
}

static void
render_decorate_service(json_t *svc)
{
	json_t		*backends, *b, *ip;
	const char	*s;
	char		 host[ADDR_STRLEN + 2];
	size_t		 i;
	int		 v6;

	backends = json_object_get(svc, "backends");
	json_array_foreach(backends, i, b) {
		if ((ip = json_object_get(b, "ip")) == NULL ||
		    (s = json_string_value(ip)) == NULL)
			continue;
		v6 = strchr(s, ':') != NULL;
		if (v6)
			snprintf(host, sizeof(host), "[%s]", s);
		else
			snprintf(host, sizeof(host), "%s", s);
		json_object_set_new(b, "host", json_string(host));
		json_object_set_new(b, "ipv4", json_boolean(!v6));
		json_object_set_new(b, "ipv6", json_boolean(v6));
	}
}

void
render_decorate(json_t *ctx)
{
	json_t		*v;
	const char	*k;
	size_t		 i;

	/* by_name and by_port may hold copies rather than the same objects */
	json_array_foreach(json_object_get(ctx, "services"), i, v)
		render_decorate_service(v);
	json_object_foreach(json_object_get(ctx, "by_name"), k, v)
		render_decorate_service(v);
	json_object_foreach(json_object_get(ctx, "by_port"), k, v)
		render_decorate_service(v);
}

static void
render_short_name(const struct bgpsd_conf *conf, uint16_t port,
    struct render_short *sh)
{
	const struct service_conf *sc = conf_service_by_port(conf, port);

	sh->port = port;
	if (sc != NULL && sc->name != NULL)
		snprintf(sh->name, sizeof(sh->name), "%s", sc->name);
	else
		snprintf(sh->name, sizeof(sh->name), "port_%u",
		    (unsigned int)port);
}

int
render_short(const struct bgpsd_conf *conf, const struct context *ctx,
    int min, const uint16_t *last, size_t nlast, struct render_short *sh)
{
	size_t		 i;

	memset(sh, 0, sizeof(*sh));
	if (min <= 0)
		return 0;
	for (i = 0; i < conf->nservices + nlast; i++) {
		uint16_t port = i < conf->nservices ?
		    conf->services[i].port : last[i - conf->nservices];

		sh->count = (long long)context_count(ctx, port);
		if (sh->count < min) {
			render_short_name(conf, port, sh);
			return 1;
		}
	}
	if (context_total(ctx) == 0) {
		sh->count = 0;
		snprintf(sh->name, sizeof(sh->name), "(all services)");
		return 1;
	}
	return 0;
}

/* the ports with backends in ctx: what min_backends guards next time */
static void
render_job_ports(struct render_job *job, const struct context *ctx)
{
	size_t	 i, n = 0;

	job->ports = xcalloc(ctx->nports + 1, sizeof(*job->ports));
	for (i = 0; i < ctx->nports; i++)
		if (context_count(ctx, ctx->ports[i]) > 0)
			job->ports[n++] = ctx->ports[i];
	job->nports = n;
}

/*
 * haproxy_socket: the servers of this pass, and whether haproxy can take
 * the change at run time: only weights and drains changed since the file
 * was last made, and no reload of it is still owed.
 */
static void
render_job_haproxy(struct render *r, size_t i, struct render_job *job,
    const struct context *ctx)
{
	haproxy_snap_take(&job->snap, ctx);
	if (r->status[i].command_pending)
		return;
	if (haproxy_diff(&r->snaps[i], &job->snap) != HAPROXY_RUNTIME)
		return;
	job->nservers = haproxy_commands(&r->snaps[i], &job->snap,
	    &job->cmds);
	job->runtime = job->nservers > 0;
}

static double
render_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Every template against ctx, now: the texts wait in r->jobs while the
 * files are written one after the other.
 */
static void
render_make(struct render *r, const struct context *ctx)
{
	const struct template_conf *tc;
	struct render_status	*st;
	struct render_short	 sh;
	struct render_job	*job;
	struct tmpl_value	 root;
	char			 err[512];
	double			 t0 = render_now();
	size_t			 i;

	r->jobs = xcalloc(r->n + 1, sizeof(*r->jobs));
	context_root(ctx, &root);
	r->last_bytes = 0;
	for (i = 0; i < r->n; i++) {
		tc = &r->conf->listen.templates[i];
		st = &r->status[i];
		job = &r->jobs[i];
		if (render_short(r->conf, ctx, tc->min_backends, st->ports,
		    st->nports, &sh)) {
			log_warnx("%s: service %s has %lld backend(s), "
			    "min_backends is %d: old file kept",
			    tc->destination, sh.name, sh.count,
			    tc->min_backends);
			snprintf(job->detail, sizeof(job->detail),
			    "min_backends: %s has %lld", sh.name, sh.count);
			job->kind = RENDER_JOB_SHORT;
			continue;
		}
		if (tmpl_render_view(r->tmpls[i], &root, tc->html_escape,
		    &job->text, &job->len, err, sizeof(err)) == -1) {
			log_warnx("%s: render: %s; old file kept", tc->source,
			    err);
			snprintf(job->detail, sizeof(job->detail),
			    "render: %.200s", err);
			job->kind = RENDER_JOB_ERROR;
			continue;
		}
		st->bytes = job->len;
		r->last_bytes += job->len;
		render_job_ports(job, ctx);
		if (tc->haproxy_socket != NULL)
			render_job_haproxy(r, i, job, ctx);
	}
	r->last_seconds = render_now() - t0;
}

static void	render_step(struct render *);

static void
render_finish(struct render *r, int nfailed_cmds)
{
	render_done_cb	 cb = r->cb;
	void		*arg = r->arg;
	int		 nfailed = r->nfailed + nfailed_cmds;

	render_jobs_free(r->jobs, r->n);
	r->jobs = NULL;
	r->busy = 0;
	r->cb = NULL;
	if (cb != NULL)
		cb(nfailed, arg);
}

static void
render_commands_done(int nfailed, void *arg)
{
	struct render	*r = arg;
	size_t		 i;

	snprintf(r->cmd_result, sizeof(r->cmd_result), "%s",
	    commands_last_result(r->commands));
	/*
	 * Commands are merged, so per template we only know "all went
	 * well": then nothing is pending any more; otherwise retry all
	 * of them next time (a reload twice is harmless, none is not).
	 */
	if (nfailed == 0)
		for (i = 0; i < r->n; i++)
			r->status[i].command_pending = 0;
	render_finish(r, nfailed);
}

/* record the outcome of template r->next and move on */
static void
render_record(struct render *r, enum writer_result res)
{
	struct render_status	*st = &r->status[r->next];
	struct render_job	*job = &r->jobs[r->next];

	st->result = res;
	st->when = (int64_t)time(NULL);
	if (job->detail[0] != '\0')
		snprintf(st->detail, sizeof(st->detail), "%s", job->detail);
	else
		snprintf(st->detail, sizeof(st->detail), "%s",
		    writer_detail(r->writer));
	/* a runtime change reloads only if telling haproxy fails */
	if (res == WRITER_WRITTEN && !job->runtime)
		st->command_pending = 1;
	if (res != WRITER_WRITTEN)
		job->runtime = 0;
	if (res == WRITER_WRITTEN || res == WRITER_UNCHANGED) {
		free(st->ports);
		st->ports = job->ports;
		st->nports = job->nports;
		job->ports = NULL;
		/* the file now holds this pass's servers */
		if (job->snap.valid)
			haproxy_snap_move(&r->snaps[r->next], &job->snap);
	}
	if (res != WRITER_WRITTEN && res != WRITER_UNCHANGED)
		r->nfailed++;
	r->next++;
}

static void
render_write_done(enum writer_result res, void *arg)
{
	struct render	*r = arg;

	render_record(r, res);
	render_step(r);
}

static void	render_haproxy_step(struct render *);

static void
render_haproxy_done(enum haproxy_result res, const char *detail, void *arg)
{
	struct render		*r = arg;
	const struct template_conf *tc = &r->conf->listen.templates[r->hnext];
	struct render_job	*job = &r->jobs[r->hnext];
	struct render_status	*st = &r->status[r->hnext];

	if (res == HAPROXY_OK) {
		log_info("%s: %zu server(s) changed through %s, no reload",
		    tc->destination, job->nservers, tc->haproxy_socket);
		snprintf(st->detail, sizeof(st->detail), "runtime API: %zu "
		    "server(s) changed, no reload", job->nservers);
	} else {
		/* the file is written: its reload brings haproxy in line */
		log_warnx("%s: haproxy runtime API failed (%s: %s); "
		    "reloading instead", tc->destination,
		    haproxy_result_name(res), detail);
		snprintf(st->detail, sizeof(st->detail), "runtime API "
		    "failed (%s), reloaded", haproxy_result_name(res));
		st->command_pending = 1;
	}
	r->hnext++;
	render_haproxy_step(r);
}

/*
 * After the files: tell haproxy of the runtime changes, one template after
 * the other, then run the commands (among them the reloads of templates
 * whose runtime change failed).
 */
static void
render_haproxy_step(struct render *r)
{
	const struct template_conf *tc;
	struct render_job	*job;
	size_t			 i;

	for (; r->hnext < r->n; r->hnext++) {
		job = &r->jobs[r->hnext];
		if (!job->runtime)
			continue;
		tc = &r->conf->listen.templates[r->hnext];
		haproxy_send(r->haproxy, tc->haproxy_socket, &job->cmds,
		    tc->command_timeout, render_haproxy_done, r);
		return;
	}
	for (i = 0; i < r->n; i++) {
		if (!r->status[i].command_pending)
			continue;
		tc = &r->conf->listen.templates[i];
		if (tc->command.argv == NULL)
			r->status[i].command_pending = 0;
		else
			commands_add(r->commands, &tc->command,
			    tc->command_timeout, tc->destination);
	}
	if (commands_start(r->commands, render_commands_done, r) == 1)
		render_finish(r, 0);
}

static void
render_step(struct render *r)
{
	struct render_job	*job;
	const struct template_conf *tc;
	enum writer_result	 res;

	while (r->next < r->n) {
		tc = &r->conf->listen.templates[r->next];
		job = &r->jobs[r->next];
		if (job->kind != RENDER_JOB_TEXT) {
			render_record(r, job->kind == RENDER_JOB_SHORT ?
			    WRITER_REFUSED : WRITER_ERROR);
			continue;
		}
		res = writer_write(r->writer, tc, &r->owners[r->next],
		    job->text, job->len, render_write_done, r);
		if (res == WRITER_PENDING)
			return;
		render_record(r, res);
	}
	r->hnext = 0;
	render_haproxy_step(r);
}

void
render_pass(struct render *r, const struct context *ctx, render_done_cb cb,
    void *arg)
{
	if (r->busy)
		fatalx("render_pass: a pass is running");
	r->busy = 1;
	r->next = 0;
	r->nfailed = 0;
	r->cb = cb;
	r->arg = arg;
	render_make(r, ctx);
	render_step(r);
}

void
render_last(const struct render *r, double *seconds, size_t *bytes)
{
	*seconds = r->last_seconds;
	*bytes = r->last_bytes;
}

void
render_cancel(struct render *r)
{
	if (!r->busy)
		return;
	writer_cancel(r->writer);
	haproxy_cancel(r->haproxy);
	commands_cancel(r->commands);
	render_jobs_free(r->jobs, r->n);
	r->jobs = NULL;
	r->busy = 0;
	r->cb = NULL;
}
