/*
 * reload.c - bgpsd-listen's configuration: loaded at start, and on
 * SIGHUP replaced only when the new file, its templates and its user and
 * group are all good (the running ones stay otherwise); who checks and
 * commands run as.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "creds.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"
#include "statusfile.h"

/* plain: print "file:line: message" alone on stderr (for -n), else log */
int
reload_run_as(const struct bgpsd_conf *conf, struct run_as *ra, int plain)
{
	struct creds	 c;
	char		 err[256], msg[512];

	memset(ra, 0, sizeof(*ra));
	if (geteuid() != 0 || (conf->user == NULL && conf->group == NULL))
		return 0;
	if (creds_resolve(conf->user, NULL, 1, &c, err, sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s:%d: %s", conf->user_file,
		    conf->user_line, err);
		goto fail;
	}
	ra->uid = c.uid != CREDS_KEEP_UID ? c.uid : geteuid();
	ra->gid = c.gid != CREDS_KEEP_GID ? c.gid : getegid();
	if (creds_resolve(NULL, conf->group, 0, &c, err, sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s:%d: %s", conf->group_file,
		    conf->group_line, err);
		goto fail;
	}
	if (c.gid != CREDS_KEEP_GID)
		ra->gid = c.gid;
	ra->drop = 1;
	return 0;
 fail:
	if (plain)
		fprintf(stderr, "%s\n", msg);
	else
		log_warnx("%s", msg);
	return -1;
}

/*
 * plain: -n prints the error as "file:line: message" alone, like
 * bgpsd-announce -n, for editors and scripts that parse it.
 */
struct bgpsd_conf *
reload_load_conf(const char *path, int plain)
{
	struct bgpsd_conf	*conf;
	char			 err[1024];

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		if (plain)
			fprintf(stderr, "%s\n", err);
		else
			log_warnx("%s", err);
		return NULL;
	}
	return conf;
}

void
reload_rib_conf(struct listend *l)
{
	struct rib_conf	rc;

	rib_conf_from(&rc, l->conf);
	if (l->rib == NULL)
		l->rib = rib_new(&rc);
	else
		rib_reconf(l->rib, &rc);
}

static void
reload_done(struct listend *l, int good)
{
	l->last_reload = (int64_t)time(NULL);
	l->reload_result = good ? "ok" : "failed";
	report_touch(l);
}

int
reload_config(struct listend *l)
{
	struct bgpsd_conf	*conf, *old;
	struct run_as		 ra;
	struct render		*r;

	if (render_busy(l->render)) {
		l->reload_pending = 1;
		return 0;
	}
	l->reload_pending = 0;
	if (l->bad_argv) {
		log_warnx("SIGHUP: a bad command line cannot be reloaded; "
		    "fix the process's run line in ExaBGP's configuration");
		reload_done(l, 0);
		return 0;
	}
	log_info("reloading %s", l->conf_path);
	if ((conf = reload_load_conf(l->conf_path, 0)) == NULL) {
		log_warnx("reload failed: keeping the running configuration");
		reload_done(l, 0);
		return 0;
	}
	if (reload_run_as(conf, &ra, 0) == -1) {
		log_warnx("reload failed: keeping the running configuration");
		conf_free(conf);
		reload_done(l, 0);
		return 0;
	}
	/* a fresh render so that the new user applies to checks too */
	r = render_new(l->loop, &ra);
	if (render_load(r, conf) == -1) {
		log_warnx("reload failed: a template does not compile; keeping "
		    "the running configuration and templates");
		render_free(r);
		conf_free(conf);
		reload_done(l, 0);
		return 0;
	}
	render_inherit(r, l->render);
	render_free(l->render);
	l->render = r;
	old = l->conf;
	l->conf = conf;
	l->run_as = ra;
	child_nag_stop(&l->nag);
	if (old != &l->defconf)
		conf_free(old);
	reload_rib_conf(l);
	lines_setmax(&l->in, (size_t)conf->listen.max_line);
	statusfile_set(l->sf, conf->listen.status_file,
	    conf->listen.metrics_file, conf->listen.status_interval);
	if (conf->listen.recovery_timeout <= 0 &&
	    (recover_state(l->rec) == RECOVER_PENDING ||
	    recover_state(l->rec) == RECOVER_FAILED)) {
		log_warnx("recovery_timeout = 0: no longer waiting for the "
		    "routes ExaBGP held at start; the table may be partial");
		recover_cancel(l->rec, "given up: recovery_timeout = 0");
		ev_timer_stop(l->loop, &l->rec_timer);
	}
	log_info("configuration reloaded");
	reload_done(l, 1);
	return 1;
}

void
reload_defaults(struct bgpsd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->asn = CONF_DEFAULT_ASN;
	c->listen.wait_min = 0.5;
	c->listen.wait_max = 5;
	c->listen.host_routes_only = 1;
	c->listen.recovery_timeout = 10;
	c->listen.max_routes = 1000000;
	c->listen.max_line = 262144;
	c->listen.max_template = TMPL_DEFAULT_MAX_SIZE;
	c->listen.status_interval = STATUSFILE_DEFAULT_INTERVAL;
}
