/*
 * main.c - bgpsd-announce: options, the daemon under ExaBGP, --once, -n.
 *
 * Under ExaBGP the process must never crash-loop (ExaBGP gives up on all
 * its sessions after a few deaths of a process within a minute): a bad
 * config at start is logged, again every minute, and the process stays
 * up announcing nothing, reading stdin, until a SIGHUP brings a good one.
 * Signal handlers only set flags (ev.c); the loop does the work.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "addr.h"
#include "announce.h"
#include "check.h"
#include "conf.h"
#include "creds.h"
#include "ev.h"
#include "log.h"
#include "sched.h"
#include "statusfile.h"

#define ANNOUNCE_NAG_INTERVAL	(60 * EV_NSEC)	/* bad config reminder */
#define ANNOUNCE_QUIT_WAIT	(2 * EV_NSEC)	/* withdraw on SIGTERM */

enum {
	OPT_ONCE = 256,
};

static const struct option announce_longopts[] = {
	{ "config",		required_argument,	NULL, 'c' },
	{ "check-config",	no_argument,		NULL, 'n' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "syslog",		no_argument,		NULL, 's' },
	{ "once",		no_argument,		NULL, OPT_ONCE },
	{ NULL,			0,			NULL, 0 },
};

struct announcer {
	struct ev_loop		*loop;
	const char		*conf_path;
	struct bgpsd_conf	*conf;		/* NULL: no valid config */
	struct svc		*svcs;		/* conf->nservices */
	struct route		*routes;	/* conf->announce.nprefixes */
	struct sched		*sched;
	struct exabgp		*x;
	struct ifaddr_set	*ifaddr;	/* this host's addresses */
	char			 conf_error[1024];
	struct ev_timer		 nag_timer;
	struct statusfile	*sf;
	struct ev_timer		 quit_timer;
	struct advert		*adv;		/* results -> routes, hooks */
	int			 stop_draining;	/* drain_on_stop running */
	int			 quitting;
	int			 done;
	int			 bad_argv;	/* no config can ever load */
	time_t			 started;
	uint64_t		 reloads;
	uint64_t		 reload_failures;
};

__attribute__((noreturn)) static void
usage(void)
{
	fprintf(stderr, "usage: bgpsd-announce [-nsVv] [-c file] [--once]\n");
	exit(2);
}

static void
announce_help(void)
{
	printf("usage: bgpsd-announce [options]\n"
	    "  -c, --config FILE     configuration (default %s)\n"
	    "  -n, --check-config    check the configuration and exit\n"
	    "  -v, --verbose         debug logging; with -n print the "
	    "configuration\n"
	    "  -s, --syslog          log to syslog instead of stderr\n"
	    "  -V, --version         print the version and exit\n"
	    "  -h, --help            this text\n"
	    "      --once            run every check once, print the "
	    "ExaBGP commands\n"
	    "                        of the result, exit 0 if all "
	    "services are up\n", CONF_DEFAULT_PATH);
}

/* ---- status file ---- */

static void
announce_status_view(struct announcer *a, struct status_view *v)
{
	memset(v, 0, sizeof(*v));
	v->conf = a->conf;
	v->svcs = a->svcs;
	v->routes = a->routes;
	v->exabgp = a->x;
	v->conf_error = a->conf_error;
	v->started = a->started;
	v->reloads = a->reloads;
	v->reload_failures = a->reload_failures;
}

static char *
announce_status_json_cb(void *arg)
{
	struct status_view	 v;

	announce_status_view(arg, &v);
	return v.conf != NULL ? status_json(&v) : NULL;
}

static char *
announce_status_metrics_cb(void *arg)
{
	struct status_view	 v;

	announce_status_view(arg, &v);
	return v.conf != NULL ? status_metrics(&v) : NULL;
}

/* a change or new counters: the files follow within status_interval */
static void
announce_status_touch(struct announcer *a)
{
	if (!a->quitting)
		statusfile_touch(a->sf);
}

static void
announce_exabgp_notify(void *arg)
{
	announce_status_touch(arg);
}

/* ---- routes ---- */

/* the line of prefix pi to the exabgp layer (advert_push_cb) */
static void
announce_push(size_t pi, void *arg)
{
	struct announcer *a = arg;
	struct route	*r = &a->routes[pi];
	char		*line, *wd;

	line = route_render(a->conf, r);
	wd = route_withdraw_line(r->pc);
	if (line != NULL && wd != NULL && a->x != NULL)
		exabgp_set(a->x, &r->pc->prefix, line, wd);
	free(line);
	free(wd);
}

/* whether the address of pc is on this host, if it is to be looked at */
static enum route_addr
announce_addr_of(const struct ifaddr_set *ia, const struct prefix_conf *pc)
{
	if (!pc->require_address)
		return ROUTE_ADDR_UNCHECKED;
	return ifaddr_has(ia, &pc->prefix.addr) ? ROUTE_ADDR_PRESENT :
	    ROUTE_ADDR_ABSENT;
}

static void
announce_addr_absent_log(const struct route *r, const char *when)
{
	char	 pbuf[PREFIX_STRLEN];

	log_warnx("prefix %s: its address is not on an interface of this "
	    "host that is up%s: withdrawn (%zu healthy ports kept) until it "
	    "is; require_address = false announces it anyway",
	    prefix_fmt(&r->pc->prefix, pbuf, sizeof(pbuf)), when, r->nports);
}

/* the host's addresses changed: withdraw or re-announce what it affects */
static void
announce_ifaddr_cb(void *arg)
{
	struct announcer	*a = arg;
	struct route		*r;
	enum route_addr		 now;
	char			 pbuf[PREFIX_STRLEN];
	size_t			 i;
	int			 changed = 0;

	if (a->conf == NULL || a->quitting)
		return;
	for (i = 0; i < a->conf->announce.nprefixes; i++) {
		r = &a->routes[i];
		if ((now = announce_addr_of(a->ifaddr, r->pc)) == r->addr)
			continue;
		r->addr = now;
		if (now == ROUTE_ADDR_ABSENT)
			announce_addr_absent_log(r, " any more");
		else
			log_info("prefix %s: its address is back on this "
			    "host: announced again (%zu healthy ports)",
			    prefix_fmt(&r->pc->prefix, pbuf, sizeof(pbuf)),
			    r->nports);
		announce_push(i, a);
		changed = 1;
	}
	if (changed)
		announce_status_touch(a);
}

static void
announce_result_cb(size_t i, int ok, enum check_reason reason,
    const char *detail, uint64_t latency, void *arg)
{
	struct announcer	*a = arg;

	advert_result(a->adv, i, ok, reason, detail, latency,
	    sched_weight(a->sched, i));
	announce_status_touch(a);
}

static uint64_t
announce_interval_cb(size_t i, void *arg)
{
	struct announcer	*a = arg;

	return svc_interval(&a->svcs[i]);
}

/* ---- config: start and reload ---- */

/*
 * Switch to nconf: carry the state of unchanged services over, rebuild
 * the routes, hand every prefix's line to the exabgp layer (which writes
 * nothing for a line that did not change), withdraw prefixes that left
 * the config. On failure nconf is freed and the old config stays.
 */
static int
announce_apply(struct announcer *a, struct bgpsd_conf *nconf)
{
	struct svc		*nsvcs;
	struct route		*nroutes;
	struct sched		*nsched;
	const struct prefix_conf *opc;
	uint64_t		 now = ev_monotonic();
	size_t			 i, j, kept, nold = 0;
	char			*wd;

	nsched = sched_new(a->loop, nconf, announce_result_cb,
	    announce_interval_cb, a);
	if (nsched == NULL) {
		snprintf(a->conf_error, sizeof(a->conf_error),
		    "%s: the checks cannot be set up", nconf->path);
		conf_free(nconf);
		return -1;
	}
	if (a->sched != NULL)
		sched_free(a->sched);	/* before the old conf goes */
	a->sched = nsched;

	nsvcs = xcalloc(nconf->nservices > 0 ? nconf->nservices : 1,
	    sizeof(*nsvcs));
	if (a->conf != NULL)
		nold = a->conf->nservices;
	kept = svc_reload(nsvcs, nconf, a->svcs, nold, now);
	for (i = 0; i < nconf->nservices; i++)
		(void)svc_drain_update(&nsvcs[i], now,
		    nconf->announce.disable_file);
	nroutes = xcalloc(nconf->announce.nprefixes > 0 ?
	    nconf->announce.nprefixes : 1, sizeof(*nroutes));
	for (i = 0; i < nconf->announce.nprefixes; i++) {
		nroutes[i].pc = &nconf->announce.prefixes[i];
		nroutes[i].addr = announce_addr_of(a->ifaddr, nroutes[i].pc);
	}
	advert_set(a->adv, nconf, nsvcs, nroutes);

	/* prefixes gone from the config are withdrawn */
	if (a->conf != NULL && a->x != NULL) {
		for (i = 0; i < a->conf->announce.nprefixes; i++) {
			opc = &a->conf->announce.prefixes[i];
			for (j = 0; j < nconf->announce.nprefixes; j++)
				if (prefix_cmp(&opc->prefix,
				    &nconf->announce.prefixes[j].prefix) == 0)
					break;
			if (j < nconf->announce.nprefixes)
				continue;
			if ((wd = route_withdraw_line(opc)) != NULL)
				exabgp_set(a->x, &opc->prefix, wd, wd);
			free(wd);
		}
	}
	if (a->routes != NULL && a->conf != NULL) {
		for (i = 0; i < a->conf->announce.nprefixes; i++)
			route_clear(&a->routes[i]);
		free(a->routes);
	}
	free(a->svcs);
	conf_free(a->conf);
	a->conf = nconf;
	a->svcs = nsvcs;
	a->routes = nroutes;
	a->conf_error[0] = '\0';
	ev_timer_stop(a->loop, &a->nag_timer);
	statusfile_set(a->sf, nconf->announce.status_file,
	    nconf->announce.metrics_file, nconf->announce.status_interval);
	for (i = 0; i < nconf->announce.nprefixes; i++)
		if (nroutes[i].addr == ROUTE_ADDR_ABSENT)
			announce_addr_absent_log(&nroutes[i], "");

	if (a->x != NULL) {
		exabgp_configure(a->x, nconf->announce.ack,
		    (uint64_t)(nconf->announce.batch * EV_NSEC),
		    (uint64_t)(nconf->announce.ack_timeout * EV_NSEC));
		for (i = 0; i < nconf->announce.nprefixes; i++)
			announce_push(i, a);
	}
	log_info("config %s: %zu services (%zu kept their state), "
	    "%zu prefixes", nconf->path, nconf->nservices, kept,
	    nconf->announce.nprefixes);
	sched_start(a->sched);
	announce_status_touch(a);
	return 0;
}

static void
announce_nag_cb(void *arg)
{
	struct announcer	*a = arg;

	log_warnx("NO VALID CONFIGURATION: %s; announcing nothing until a "
	    "SIGHUP brings a valid one", a->conf_error);
	ev_timer_after(a->loop, &a->nag_timer, ANNOUNCE_NAG_INTERVAL);
}

static void
announce_reload(struct announcer *a)
{
	struct bgpsd_conf	*nconf;
	char			 err[1024];

	if (a->bad_argv) {
		log_warnx("SIGHUP: a bad command line cannot be reloaded; "
		    "fix the process's run line in ExaBGP's configuration");
		return;
	}
	log_info("reloading %s", a->conf_path);
	if ((nconf = conf_load(a->conf_path, err, sizeof(err))) == NULL) {
		a->reload_failures++;
		if (a->conf != NULL) {
			log_warnx("reload failed, keeping the running "
			    "config: %s", err);
			announce_status_touch(a);
		} else {
			snprintf(a->conf_error, sizeof(a->conf_error), "%s",
			    err);
			announce_nag_cb(a);
		}
		return;
	}
	if (announce_apply(a, nconf) == -1) {
		a->reload_failures++;
		log_warnx("reload failed: %s", a->conf_error);
		if (a->conf != NULL)
			a->conf_error[0] = '\0';
		else
			announce_nag_cb(a);
		return;
	}
	a->reloads++;
}

/* ---- signals and ExaBGP going away ---- */

/* stop checking, withdraw everything, exit once ExaBGP has it */
static void
announce_withdraw_exit(struct announcer *a, const char *why)
{
	log_info("%s: withdrawing every prefix and exiting", why);
	a->quitting = 1;
	a->stop_draining = 0;
	if (a->sched != NULL) {
		sched_free(a->sched);
		a->sched = NULL;
	}
	if (a->x != NULL)
		exabgp_withdraw_all(a->x);
	ev_timer_after(a->loop, &a->quit_timer, ANNOUNCE_QUIT_WAIT);
}

static void
announce_quit_cb(void *arg)
{
	struct announcer	*a = arg;

	if (a->stop_draining) {
		announce_withdraw_exit(a, "drain_on_stop over");
		return;
	}
	log_warnx("withdraw not acknowledged within %.0fs; writing what "
	    "still waits for an answer and exiting",
	    (double)ANNOUNCE_QUIT_WAIT / EV_NSEC);
	if (a->x != NULL)
		exabgp_flush_all(a->x);
	a->done = 1;
}

static void
announce_signal_cb(int signo, void *arg)
{
	struct announcer	*a = arg;
	uint64_t		 wait;

	switch (signo) {
	case SIGTERM:
	case SIGINT:
		if (a->quitting)
			break;
		/* a second signal cuts the drain short */
		if (!a->stop_draining && (wait = advert_stop_drain(a->adv,
		    strsignal(signo))) > 0) {
			a->stop_draining = 1;
			ev_timer_after(a->loop, &a->quit_timer, wait);
			break;
		}
		announce_withdraw_exit(a, strsignal(signo));
		break;
	case SIGHUP:
		if (!a->quitting && !a->stop_draining)
			announce_reload(a);
		break;
	case SIGUSR1:
		if (a->sched != NULL) {
			log_info("SIGUSR1: running every check now");
			sched_run_now(a->sched);
		}
		break;
	default:
		break;
	}
}

static void
announce_gone_cb(enum exabgp_gone why, void *arg)
{
	struct announcer	*a = arg;

	if (why == EXABGP_GONE_IOERR)
		log_warnx("ExaBGP pipe failed: exiting");
	else
		log_info("ExaBGP is gone (%s): exiting", exabgp_gone_name(why));
	a->done = 1;
	ev_break(a->loop);
}

static void
announce_cleanup(struct announcer *a)
{
	size_t	 i;

	/* the last word in the status file: what was true at the exit */
	(void)statusfile_write(a->sf);
	statusfile_free(a->sf);
	if (a->sched != NULL)
		sched_free(a->sched);
	advert_free(a->adv);
	if (a->x != NULL)
		exabgp_free(a->x);
	ifaddr_free(a->ifaddr);
	if (a->routes != NULL && a->conf != NULL) {
		for (i = 0; i < a->conf->announce.nprefixes; i++)
			route_clear(&a->routes[i]);
		free(a->routes);
	}
	free(a->svcs);
	if (a->conf != NULL)
		conf_free(a->conf);
	ev_timer_stop(a->loop, &a->nag_timer);
	ev_timer_stop(a->loop, &a->quit_timer);
	ev_free(a->loop);
}

static int
announce_daemon(struct announcer *a)
{
	struct bgpsd_conf	*conf;
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	size_t			 i;

	a->started = time(NULL);
	if ((a->loop = ev_new()) == NULL)
		fatalx("cannot create the event loop");
	ev_timer_init(&a->nag_timer, announce_nag_cb, a);
	ev_timer_init(&a->quit_timer, announce_quit_cb, a);
	a->sf = statusfile_new(a->loop, announce_status_json_cb,
	    announce_status_metrics_cb, a);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (ev_signal(a->loop, sigs[i], announce_signal_cb, a) == -1)
			fatal("signal %d", sigs[i]);
	a->x = exabgp_new(a->loop, STDIN_FILENO, STDOUT_FILENO,
	    announce_gone_cb, a);
	if (a->x != NULL)
		exabgp_set_notify(a->x, announce_exabgp_notify, a);
	if (a->x == NULL) {
		/* no stdin/stdout to speak of: nothing we could ever do */
		statusfile_free(a->sf);
		ev_free(a->loop);
		return 1;
	}
	a->ifaddr = ifaddr_new(a->loop, announce_ifaddr_cb, a);
	a->adv = advert_new(a->loop, announce_push, a);
	if (a->bad_argv)
		announce_nag_cb(a);
	else if ((conf = conf_load(a->conf_path, a->conf_error,
	    sizeof(a->conf_error))) == NULL || announce_apply(a, conf) == -1)
		announce_nag_cb(a);
	else
		log_info("started (pid %d, ExaBGP acks %s)", (int)getpid(),
		    a->conf->announce.ack ? "on" : "off");

	while (!a->done) {
		if (ev_run_once(a->loop, -1) == -1)
			break;
		if (a->quitting && a->x != NULL && exabgp_idle(a->x))
			a->done = 1;
	}
	announce_cleanup(a);
	return 0;
}

/* ---- --once ---- */

struct once {
	const struct bgpsd_conf	*conf;
	struct svc		*svcs;
	int			*seen;
};

static void
once_result_cb(size_t i, int ok, enum check_reason reason,
    const char *detail, uint64_t latency, void *arg)
{
	struct once	*o = arg;
	struct svc	*s = &o->svcs[i];

	/* rise/fall do not apply: one result decides */
	o->seen[i] = 1;
	s->state = ok ? SVC_UP : SVC_DOWN;
	s->last_latency = latency;
	if (!ok) {
		s->failed_once = 1;
		s->last_reason = reason;
		snprintf(s->last_detail, sizeof(s->last_detail), "%s",
		    detail != NULL ? detail : "");
	}
	(void)svc_drain_update(s, ev_monotonic(),
	    o->conf->announce.disable_file);
	s->healthy = s->state == SVC_UP && !s->drained;
}

static int
announce_once(const char *path)
{
	struct bgpsd_conf	*conf;
	struct ev_loop		*loop;
	struct once		 o;
	struct route		*routes;
	struct ifaddr_set	*ia;
	char			 err[1024], pbuf[PREFIX_STRLEN], *line;
	size_t			 i, j, n;
	int			 rc = 0;

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if ((loop = ev_new()) == NULL)
		fatalx("cannot create the event loop");
	n = conf->nservices;
	o.conf = conf;
	o.svcs = xcalloc(n > 0 ? n : 1, sizeof(*o.svcs));
	o.seen = xcalloc(n > 0 ? n : 1, sizeof(*o.seen));
	for (i = 0; i < n; i++)
		svc_init(&o.svcs[i], &conf->services[i], ev_monotonic());
	if (sched_once(loop, conf, once_result_cb, &o) == -1) {
		rc = 2;
		goto out;
	}
	routes = xcalloc(conf->announce.nprefixes > 0 ?
	    conf->announce.nprefixes : 1, sizeof(*routes));
	for (i = 0; i < conf->announce.nprefixes; i++)
		routes[i].pc = &conf->announce.prefixes[i];
	for (i = 0; i < n; i++) {
		if (conf->services[i].nchecks == 0)
			continue;
		if (!o.seen[i] || o.svcs[i].state != SVC_UP) {
			rc = 1;
			log_info("service %s:%u is down: %s",
			    conf->services[i].name, conf->services[i].port,
			    o.seen[i] ? svc_reason(&o.svcs[i]) : "no result");
			continue;
		}
		if (!o.svcs[i].healthy) {
			log_info("service %s:%u is up but drained",
			    conf->services[i].name, conf->services[i].port);
			continue;
		}
		log_info("service %s:%u is up", conf->services[i].name,
		    conf->services[i].port);
		for (j = 0; j < conf->services[i].nprefixes; j++)
			(void)route_port_add(
			    &routes[conf->services[i].prefixes[j]],
			    conf->services[i].port);
	}
	ia = ifaddr_new(NULL, NULL, NULL);
	for (i = 0; i < conf->announce.nprefixes; i++) {
		routes[i].addr = announce_addr_of(ia, routes[i].pc);
		if (routes[i].addr == ROUTE_ADDR_ABSENT) {
			log_info("prefix %s: its address is not on an "
			    "interface of this host that is up: withdrawn",
			    prefix_fmt(&routes[i].pc->prefix, pbuf,
			    sizeof(pbuf)));
			if (rc == 0)
				rc = 1;
		}
		if ((line = route_render(conf, &routes[i])) == NULL)
			rc = 2;
		else
			printf("%s\n", line);
		free(line);
		route_clear(&routes[i]);
	}
	free(routes);
	ifaddr_free(ia);
	if (fflush(stdout) == EOF)
		rc = 2;
out:
	free(o.svcs);
	free(o.seen);
	ev_free(loop);
	conf_free(conf);
	return rc;
}

/* ---- -n ---- */

static int
announce_check(const char *path, int verbose)
{
	struct bgpsd_conf	*conf;
	struct creds		 c;
	char			 err[1024];

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* the daemon would run with every exec check failing: say so now */
	if (creds_resolve(conf->user, NULL, 1, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:%d: %s\n", conf->user_file,
		    conf->user_line, err);
		conf_free(conf);
		return 1;
	}
	if (creds_resolve(NULL, conf->group, 0, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:%d: %s\n", conf->group_file,
		    conf->group_line, err);
		conf_free(conf);
		return 1;
	}
	if (verbose)
		conf_print(stdout, conf);
	else
		fprintf(stderr, "configuration OK\n");
	conf_free(conf);
	return fflush(stdout) == EOF ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	struct announcer	 a;
	int			 ch, check = 0, verbose = 0, use_syslog = 0;
	int			 once = 0, bad = 0;
	const char		*checksdir;
	struct stat		 st;

	memset(&a, 0, sizeof(a));
	a.conf_path = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:nvVhs", announce_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			a.conf_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("bgpsd-announce %s\n", BGPSD_VERSION);
			return 0;
		case 'h':
			announce_help();
			return 0;
		case 's':
			use_syslog = 1;
			break;
		case OPT_ONCE:
			once = 1;
			break;
		default:
			bad = 1;
			break;
		}
	}
	if (bad || optind != argc || (check && once)) {
		/*
		 * Under ExaBGP (stdin a pipe, no -n/--once) a typo in the run
		 * line must not become a crash loop either: stay up, say so.
		 */
		if (check || once || fstat(STDIN_FILENO, &st) == -1 ||
		    (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)))
			usage();
		a.bad_argv = 1;
		snprintf(a.conf_error, sizeof(a.conf_error), "bad command "
		    "line (usage: bgpsd-announce [-nsVv] [-c file] [--once])");
	}

	/* EPIPE on stdout is handled where it happens: ExaBGP is gone */
	signal(SIGPIPE, SIG_IGN);
	/* ready-made checks elsewhere, e.g. from a source tree */
	if ((checksdir = getenv("BGPSD_CHECKSDIR")) != NULL &&
	    *checksdir != '\0')
		check_set_checksdir(checksdir);
	log_init("bgpsd-announce", use_syslog, check ? 0 : verbose);
	if (check)
		return announce_check(a.conf_path, verbose);
	if (once)
		return announce_once(a.conf_path);
	return announce_daemon(&a);
}
