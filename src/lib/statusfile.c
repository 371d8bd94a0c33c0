/*
 * statusfile.c - the status and metrics files of both programs, written
 * from a timer. See statusfile.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "buf.h"
#include "ev.h"
#include "log.h"
#include "statusfile.h"

#define STATUSFILE_ERR_MAX	600

struct statusfile_one {
	char			*path;
	statusfile_build_cb	 build;
	char			 last_err[STATUSFILE_ERR_MAX];
};

struct statusfile {
	struct ev_loop		*loop;
	struct statusfile_one	 f[2];		/* status, metrics */
	void			*arg;
	uint64_t		 interval;	/* ns */
	uint64_t		 last;		/* monotonic ns of the last write */
	uint64_t		 writes;
	struct ev_timer		 timer;
};

static void
statusfile_timer_cb(void *arg)
{
	(void)statusfile_write(arg);
}

struct statusfile *
statusfile_new(struct ev_loop *loop, statusfile_build_cb status,
    statusfile_build_cb metrics, void *arg)
{
	struct statusfile	*sf;

	sf = xcalloc(1, sizeof(*sf));
	sf->loop = loop;
	sf->f[0].build = status;
	sf->f[1].build = metrics;
	sf->arg = arg;
	sf->interval = (uint64_t)(STATUSFILE_DEFAULT_INTERVAL * EV_NSEC);
	ev_timer_init(&sf->timer, statusfile_timer_cb, sf);
	return sf;
}

void
statusfile_free(struct statusfile *sf)
{
	if (sf == NULL)
		return;
	ev_timer_stop(sf->loop, &sf->timer);
	free(sf->f[0].path);
	free(sf->f[1].path);
	free(sf);
}

static int
statusfile_path_set(struct statusfile_one *f, const char *path)
{
	if ((f->path == NULL && path == NULL) || (f->path != NULL &&
	    path != NULL && strcmp(f->path, path) == 0))
		return 0;
	free(f->path);
	f->path = path != NULL ? xstrdup(path) : NULL;
	f->last_err[0] = '\0';
	return 1;
}

void
statusfile_set(struct statusfile *sf, const char *status_path,
    const char *metrics_path, double interval)
{
	int	 changed;

	changed = statusfile_path_set(&sf->f[0], status_path);
	changed |= statusfile_path_set(&sf->f[1], metrics_path);
	sf->interval = interval > 0 ? (uint64_t)(interval * EV_NSEC) : 0;
	if (sf->f[0].path == NULL && sf->f[1].path == NULL)
		ev_timer_stop(sf->loop, &sf->timer);
	else if (changed)
		ev_timer_after(sf->loop, &sf->timer, 0);
}

void
statusfile_touch(struct statusfile *sf)
{
	uint64_t	 when, now;

	if (sf == NULL || (sf->f[0].path == NULL && sf->f[1].path == NULL) ||
	    ev_timer_armed(&sf->timer))
		return;
	now = ev_monotonic();
	when = sf->writes == 0 ? now : sf->last + sf->interval;
	ev_timer_at(sf->loop, &sf->timer, when > now ? when : now);
}

/* write one file; a failure is logged once, until a good write */
static int
statusfile_put(struct statusfile *sf, struct statusfile_one *f,
    const char *key)
{
	char	*text, err[STATUSFILE_ERR_MAX - 32], msg[STATUSFILE_ERR_MAX];
	int	 rc = 0;

	if (f->path == NULL || (text = f->build(sf->arg)) == NULL)
		return 0;
	if (atomic_write(f->path, text, strlen(text), 0644, 0, err,
	    sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s %s", key, err);
		if (strcmp(msg, f->last_err) != 0) {
			snprintf(f->last_err, sizeof(f->last_err), "%s", msg);
			log_warnx("%s", msg);
		}
		rc = -1;
	} else
		f->last_err[0] = '\0';
	free(text);
	return rc;
}

int
statusfile_write(struct statusfile *sf)
{
	int	 rc = 0;

	if (sf == NULL)
		return 0;
	ev_timer_stop(sf->loop, &sf->timer);
	if (sf->f[0].path == NULL && sf->f[1].path == NULL)
		return 0;
	if (statusfile_put(sf, &sf->f[0], "status_file") == -1)
		rc = -1;
	if (statusfile_put(sf, &sf->f[1], "metrics_file") == -1)
		rc = -1;
	sf->last = ev_monotonic();
	sf->writes++;
	return rc;
}

uint64_t
statusfile_writes(const struct statusfile *sf)
{
	return sf->writes;
}

void
prom_head(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
prom_label(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_printf(b, "\\n");
		else
			buf_printf(b, "%c", *s);
	}
}
